"""Exercises from solutions, and stubs recognised in student code.

One source of truth: every file in `solutions/` marks the part a student writes with

    # BEGIN SOLUTION: a one-line hint
    ... the reference code ...
    # END SOLUTION

and `generate` turns each region into the hint as a TODO comment and a bare `...`, at the
region's indentation. Snippet markers for the site (`# --8<-- [start:name]`) are dropped.

The other half of the convention is `find_stubs`: a function whose body is only a
docstring and `...`, `pass` or `raise NotImplementedError` has not been attempted.

    python -m coursekit.stubs solutions exercises          # (re)write exercises/
    python -m coursekit.stubs solutions exercises --check  # exit 1 if out of date
"""

import argparse
import ast
import re
import sys
from pathlib import Path

BEGIN = re.compile(r"^(?P<indent>\s*)# BEGIN SOLUTION(?::\s*(?P<hint>.*?))?\s*$")
END = re.compile(r"^\s*# END SOLUTION\s*$")
SNIPPET = re.compile(r"^\s*# --8<-- \[(start|end):[\w-]+\]\s*$")


class MarkerError(ValueError):
    """A solution file whose markers don't pair up."""


def generate(source, filename="<solution>"):
    """The exercise text for a solution's source text."""
    out, inside = [], None
    for number, line in enumerate(source.splitlines(keepends=True), start=1):
        begin = BEGIN.match(line)
        if SNIPPET.match(line):
            continue
        if begin:
            if inside:
                raise MarkerError(f"{filename}:{number}: BEGIN SOLUTION inside the region opened at line {inside}")
            inside = number
            indent, hint = begin["indent"], begin["hint"] or "your code here"
            out.append(f"{indent}# TODO: {hint}\n{indent}...\n")
        elif END.match(line):
            if not inside:
                raise MarkerError(f"{filename}:{number}: END SOLUTION without a BEGIN SOLUTION")
            inside = None
        elif not inside:
            out.append(line)
    if inside:
        raise MarkerError(f"{filename}:{inside}: BEGIN SOLUTION is never closed")
    return "".join(out)


def generate_folder(solutions, exercises, check=False):
    """Write (or with check=True, compare) an exercise for every solution file.

    Returns the names of the files that were out of date.
    """
    stale = []
    for path in sorted(Path(solutions).glob("*.py")):
        if path.name == "__init__.py":
            continue
        expected = generate(path.read_text(encoding="utf-8"), filename=str(path))
        target = Path(exercises) / path.name
        current = target.read_text(encoding="utf-8") if target.exists() else None
        if current != expected:
            stale.append(path.name)
            if not check:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(expected, encoding="utf-8")
    return stale


def _is_stub_statement(node):
    if isinstance(node, ast.Pass):
        return True
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
        return node.value.value is Ellipsis or isinstance(node.value.value, str)
    if isinstance(node, ast.Raise) and node.exc is not None:
        exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
        return isinstance(exc, ast.Name) and exc.id == "NotImplementedError"
    return False


def find_stubs(source):
    """Qualified names ("Network.forward", "sigma") of the functions in `source` that are stubs."""
    stubs = set()

    def visit(body, prefix):
        for node in body:
            if isinstance(node, ast.ClassDef):
                visit(node.body, f"{prefix}{node.name}.")
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                if all(_is_stub_statement(statement) for statement in node.body):
                    stubs.add(prefix + node.name)

    visit(ast.parse(source).body, "")
    return stubs


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("solutions", type=Path)
    parser.add_argument("exercises", type=Path)
    parser.add_argument("--check", action="store_true", help="only report exercises that are out of date")
    args = parser.parse_args(argv)
    try:
        stale = generate_folder(args.solutions, args.exercises, check=args.check)
    except MarkerError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.check and stale:
        print(f"out of date in {args.exercises}/: {', '.join(stale)}; run `make exercises`", file=sys.stderr)
        return 1
    for name in stale:
        print(f"wrote {args.exercises / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
