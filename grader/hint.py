"""The next hint for the method you are working on, one level deeper each time you ask.

    python -m grader.hint network                   # the first method of network.py not done yet
    python -m grader.hint network Network.backprop  # that method
    python -m grader.hint network --reset           # start the hints over

The hints are the ones the lesson shows collapsed (`grader/hints/<module>.toml`): a nudge, the
key idea, then a line that is nearly code. "Not done yet" is judged on the lesson's worked
example (`python -m grader.trace`): the first method, in the lesson's order, that is still a
stub or whose values differ from the reference's. How many hints you have seen is kept in
STATE (`.cache/hints.json` in the course folder, never in your exercises folder), per folder,
module and method.
"""

import argparse
import json
import os
import re
import sys
import textwrap
from pathlib import Path

from coursekit import ROOT, hints
from grader import catalog

STATE = ROOT / ".cache" / "hints.json"
STATE_VARIABLE = "COURSE_HINTS_STATE"  # another place for the state (the project's tests use it)
REFERENCE_ANCHOR = "reference-solution"
WIDTH = 92
# The TeX the hints use, as the terminal can show it.
TEX = {r"\dots": "...", r"\partial": "∂", r"\leftarrow": "←", r"\eta": "η", r"\nabla": "∇",
       r"\odot": "⊙", r"\sigma": "σ", r"\top": "T", r"\cdot": "·", r"\times": "×"}


def state_path():
    return Path(os.environ.get(STATE_VARIABLE) or STATE)


def load_state():
    path = state_path()
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):  # none yet, or a damaged file: start over
        return {}


def save_state(state):
    path = state_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(state, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    temporary.replace(path)  # atomic: an interrupted write never loses the other counts


def key(target, module, method):
    return f"{Path(target).resolve()}::{module}::{method}"


def plain(text):
    """A hint's Markdown for the terminal: math delimiters dropped, lines joined into paragraphs."""
    text = re.sub(r"\\[()\[\]]", "", text.strip())
    for tex, shown in TEX.items():
        text = text.replace(tex, shown)
    paragraphs = [" ".join(line.strip() for line in block.splitlines()) for block in re.split(r"\n\s*\n", text)]
    return "\n\n".join(textwrap.fill(p, WIDTH, break_long_words=False, break_on_hyphens=False)
                       for p in paragraphs)


def first_unfinished(module, target, methods):
    """(method, why) for the first of `methods` not done yet on the worked example, else (None, why)."""
    from grader import trace

    if not trace.has_worked_example(module):
        return methods[0], "no worked example to judge by: the first method's hints"
    result = trace.trace(module, target)
    status = result.method_status()
    ordered = [m for m in status if m in methods] + [m for m in methods if m not in status]
    for method in ordered:
        if status.get(method) == trace.NOT_ATTEMPTED:
            return method, "still a stub"
        if status.get(method) == trace.DIFFERS:
            return method, "its values differ from the reference's on the worked example"
    return None, "every method agrees with the reference on the worked example"


def section_of(module, method):
    from grader import trace

    if not trace.has_worked_example(module):
        return None
    from coursekit import worked

    return next((v.section for v in worked.reference_values(module) if v.method == method), None)


def show(module, method, target, write=print):
    """Print the next hint for `method` and remember it; returns the level shown (1-based)."""
    table = hints.load(module)[method]
    state = load_state()
    seen = state.get(key(target, module, method), 0)
    index = min(seen, len(table) - 1)
    write(f"{method} ({module}.py), {hints.level_name(index, len(table))}\n")
    write(plain(table[index]))
    write("")
    section = section_of(module, method)
    if module in catalog.MODULES:
        if section:
            write(f"the lesson explains it: {catalog.lesson_url(module, section)}")
        if seen >= len(table) - 1:
            write("that was the last hint. Once the grader passes, compare with the reference: "
                  f"{catalog.lesson_url(module, REFERENCE_ANCHOR)}")
        else:
            write(f"asked again, `python -m grader.hint {module} {method}` goes one level deeper")
    state[key(target, module, method)] = min(seen + 1, len(table))
    save_state(state)
    return index + 1


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m grader.hint", description=__doc__.split("\n\n")[0])
    parser.add_argument("module", help="the exercise module: " + ", ".join(catalog.MODULES))
    parser.add_argument("method", nargs="?", help='a method or function, as "Network.backprop" or "sigma"')
    parser.add_argument("--target", default="exercises", help="the folder holding it (default: exercises)")
    parser.add_argument("--reset", action="store_true", help="forget the hints seen for this module")
    args = parser.parse_args(argv)
    module = Path(args.module).name.removesuffix(".py")
    table = hints.load(module)
    if not table:
        parser.error(f"{module}: no hints (grader/hints/{module}.toml); modules with hints: "
                     + ", ".join(name for name in catalog.MODULES if hints.load(name)))
    target = Path(args.target)
    if not target.is_dir():
        parser.error(f"--target {args.target}: no such folder")
    if args.reset:
        state = load_state()
        prefix = key(target, module, "")
        save_state({k: v for k, v in state.items() if not k.startswith(prefix)})
        print(f"hints for {module}.py start over")
        return 0
    method = args.method
    if method is not None and method not in table:
        matches = [name for name in table if name.split(".")[-1] == method]
        if len(matches) != 1:
            parser.error(f"{method}: no hints for it in {module}.py; methods with hints: {', '.join(table)}")
        method = matches[0]
    if method is None:
        method, why = first_unfinished(module, target, list(table))
        if method is None:
            print(f"{module}.py: {why}. Ask for one method's hints by name: "
                  f"python -m grader.hint {module} {next(iter(table))}")
            return 0
        print(f"the first method not done yet: {method} ({why})\n")
    show(module, method, target)
    return 0


if __name__ == "__main__":
    sys.exit(main())
