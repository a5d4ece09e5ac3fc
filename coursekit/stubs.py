"""Exercises from solutions, and stubs recognised in student code.

One source of truth: every file in `solutions/` marks the part a student writes with

    # BEGIN SOLUTION: a one-line hint
    ... the reference code ...
    # END SOLUTION

and `generate` turns each region into the hint as a TODO comment (wrapped over `# ` lines of at
most WIDTH characters) and a bare `...`, at the region's indentation. Snippet markers for the
site (`# --8<-- [start:name]`) are dropped.

The other half of the convention is `find_stubs`: a function whose body is only a
docstring and `...`, `pass` or `raise NotImplementedError` has not been attempted.

    python -m coursekit.stubs solutions exercises          # (re)write exercises/, keeping edited files
    python -m coursekit.stubs solutions exercises --force  # replace edited files too, after a backup
    python -m coursekit.stubs solutions exercises --check  # exit 1 if out of date

exercises/ is the students' working folder, so regenerating it never loses their work: the
SHA-256 of every file the generator writes is recorded in `exercises/.generated.json`
(MANIFEST, committed with the exercises), and a file whose text is no longer what the generator
last wrote there has been edited: it is left alone, and named, unless `--force` is given, and
then it is first copied into `exercises/.backup/` (ignored by git), whose path is printed.
"""

import argparse
import ast
import hashlib
import json
import re
import shutil
import sys
import textwrap
import time
from pathlib import Path

BEGIN = re.compile(r"^(?P<indent>\s*)# BEGIN SOLUTION(?::\s*(?P<hint>.*?))?\s*$")
END = re.compile(r"^\s*# END SOLUTION\s*$")
SNIPPET = re.compile(r"^\s*# --8<-- \[(start|end):[\w-]+\]\s*$")
MANIFEST = ".generated.json"  # in the exercises folder: {file name: SHA-256 of what was written}
WIDTH = 100  # the longest TODO line of an exercise (the project's own lines may reach 120)
BACKUP = ".backup"  # in the exercises folder: copies of edited files before they were replaced


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
            out.append(todo(indent, hint) + f"{indent}...\n")
        elif END.match(line):
            if not inside:
                raise MarkerError(f"{filename}:{number}: END SOLUTION without a BEGIN SOLUTION")
            inside = None
        elif not inside:
            out.append(line)
    if inside:
        raise MarkerError(f"{filename}:{inside}: BEGIN SOLUTION is never closed")
    return "".join(out)


def todo(indent, hint, width=WIDTH):
    """The TODO comment for `hint` at `indent`: wrapped into `# ` lines of at most `width` characters.

    A word longer than the line (a URL) stays whole, on a line of its own.
    """
    lines = textwrap.wrap(hint, width=width, initial_indent=f"{indent}# TODO: ", subsequent_indent=f"{indent}# ",
                          break_long_words=False, break_on_hyphens=False) or [f"{indent}# TODO: {hint}"]
    return "".join(line + "\n" for line in lines)


def digest(text):
    """The SHA-256 of a file's text as the generator writes it (UTF-8)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def read_manifest(exercises):
    """{file name: SHA-256} of what the generator last wrote into `exercises`; {} if unknown."""
    try:
        return json.loads((Path(exercises) / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def backup(path):
    """Copy `path` into the `.backup/` folder beside it, under a timestamped name; the copy's path."""
    path = Path(path)
    folder = path.parent / BACKUP
    folder.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    copy = folder / f"{path.stem}.{stamp}{path.suffix}"
    number = 1
    while copy.exists():
        number += 1
        copy = folder / f"{path.stem}.{stamp}-{number}{path.suffix}"
    shutil.copy2(path, copy)
    return copy


def expected_exercises(solutions):
    """{file name: exercise text} for every solution file in `solutions`."""
    return {path.name: generate(path.read_text(encoding="utf-8"), filename=str(path))
            for path in sorted(Path(solutions).glob("*.py")) if path.name != "__init__.py"}


def generate_folder(solutions, exercises, check=False, force=False, report=None):
    """Write (or with check=True, compare) an exercise for every solution file.

    A file that differs from what the generator last wrote (a student's edits) is kept, unless
    `force`, and then backed up first. `report(message)` hears of every file written, kept or
    backed up. Returns the names of the files that were out of date (written or not).
    """
    exercises = Path(exercises)
    manifest = read_manifest(exercises)
    stale, changed = [], False
    for name, expected in expected_exercises(solutions).items():
        target = exercises / name
        current = target.read_text(encoding="utf-8") if target.exists() else None
        if current == expected:
            if manifest.get(name) != digest(expected) and not check:
                manifest[name], changed = digest(expected), True
            continue
        stale.append(name)
        if check:
            continue
        edited = current is not None and digest(current) != manifest.get(name)
        if edited and not force:
            if report:
                report(f"kept {target}: it is not what the generator last wrote there (your edits?); "
                       f"to replace it, keeping a copy in {exercises / BACKUP}, add --force, or restore this one "
                       f"file with `python -m grader.reset {target.stem}`")
            continue
        if edited:
            copy = backup(target)
            if report:
                report(f"backed up {target} to {copy}")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(expected, encoding="utf-8")
        manifest[name], changed = digest(expected), True
        if report:
            report(f"wrote {target}")
    if changed:
        write_manifest(exercises, manifest)
    return stale


def write_manifest(exercises, manifest):
    text = json.dumps(dict(sorted(manifest.items())), indent=2) + "\n"
    (Path(exercises) / MANIFEST).write_text(text, encoding="utf-8")


def _is_stub_statement(node):
    if isinstance(node, ast.Pass):
        return True
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
        return node.value.value is Ellipsis or isinstance(node.value.value, str)
    if isinstance(node, ast.Raise) and node.exc is not None:
        exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
        return isinstance(exc, ast.Name) and exc.id == "NotImplementedError"
    return False


def functions(source):
    """[(qualified name, ast node)] of the functions in `source`, in the order it defines them.

    "sigma" at the top level, "Network.forward" in a class; functions inside functions are left out.
    """
    def visit(body, prefix):
        for node in body:
            if isinstance(node, ast.ClassDef):
                yield from visit(node.body, f"{prefix}{node.name}.")
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                yield prefix + node.name, node

    return list(visit(ast.parse(source).body, ""))


def find_stubs(source):
    """Qualified names ("Network.forward", "sigma") of the functions in `source` that are stubs."""
    return {name for name, node in functions(source) if all(_is_stub_statement(s) for s in node.body)}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("solutions", type=Path)
    parser.add_argument("exercises", type=Path)
    parser.add_argument("--check", action="store_true", help="only report exercises that are out of date")
    parser.add_argument("--force", action="store_true",
                        help="also replace exercises edited since they were generated (a copy of each is "
                             "kept in EXERCISES/.backup/)")
    args = parser.parse_args(argv)
    kept = []

    def report(message):
        print(message)
        if message.startswith("kept "):
            kept.append(message)

    try:
        stale = generate_folder(args.solutions, args.exercises, check=args.check, force=args.force,
                                report=None if args.check else report)
    except MarkerError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.check and stale:
        print(f"out of date in {args.exercises}/: {', '.join(stale)}", file=sys.stderr)
        return 1
    if kept:
        print(f"{len(kept)} edited exercise(s) kept as they are; nothing of yours was overwritten", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
