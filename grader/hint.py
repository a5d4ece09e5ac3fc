"""The next hint for the method you are working on, one level deeper each time you ask.

    python -m grader.hint network                   # the first method of network.py not done yet
    python -m grader.hint network Network.backprop  # that method
    python -m grader.hint network --reset           # start the hints over

The hints are the ones the lesson shows collapsed (`grader/hints/<module>.toml`): a nudge, the
key idea, then a line that is nearly code. When the grader names the mistake ("probably: ..."),
its explanation comes first, once, then the ladder. "Not done yet" is the grader's verdict
(grader.verdict, the same one `python -m grader.trace` prints): the first method, in the
lesson's order, that is still a stub or fails a test of its own. How many hints you have seen is kept in
STATE (`.cache/hints.json` in the course folder, never in your exercises folder), per folder,
module and method.
"""

import argparse
import json
import os
import sys
from pathlib import Path

from coursekit import ROOT, course, hints
from grader import terminal

STATE = ROOT / ".cache" / "hints.json"
STATE_VARIABLE = "COURSE_HINTS_STATE"  # another place for the state (the project's tests use it)
REFERENCE_ANCHOR = "reference-solution"
WIDTH = 92


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
    """A hint's Markdown for the terminal: maths in Unicode, no markers, paragraphs wrapped."""
    return terminal.plain(text, WIDTH)


def first_unfinished(module, target, methods):
    """(method, why, the grader's Method or None) for the first of `methods` not done yet, in the
    lesson's order: what the grader's checks say (grader.verdict), the same verdict trace gives.
    Without a verdict (the grader could not finish) the worked example decides."""
    from grader import trace, verdict

    judged = verdict.judge(module, target) if module in course.MODULES else None
    if judged is not None and not judged.note:
        first = judged.first
        if first is None or first.name not in methods:
            return None, "every method passes the grader's checks", None
        if first.status == verdict.NOT_ATTEMPTED:
            return first.name, "still a stub", first
        return first.name, f"the grader: {first.tests[0].name} fails", first
    if not trace.has_worked_example(module):
        return methods[0], "no worked example to judge by: the first method's hints", None
    result = trace.trace(module, target)
    status = result.method_status()
    ordered = [m for m in status if m in methods] + [m for m in methods if m not in status]
    for method in ordered:
        if status.get(method) == trace.NOT_ATTEMPTED:
            return method, "still a stub", None
        if status.get(method) == trace.DIFFERS:
            return method, "its values differ from the reference's on the worked example", None
    return None, "every method agrees with the reference on the worked example", None


def show_diagnosis(module, method, target, judged, write=print):
    """The hint for the mistake the grader diagnosed, once per mistake: True if one was shown."""
    from grader import verdict

    if judged is None:
        return False
    state = load_state()
    for name in judged.mistakes:
        found = verdict.mistake(name)
        seen_key = key(target, module, f"{method}#{name}")
        if found is None or state.get(seen_key):
            continue
        write(f"{method} ({course.shown(Path(target) / f'{module}.py')}): the grader's diagnosis\n")
        write(plain(f"Probably: {found.name}. {found.why[:1].upper()}{found.why[1:]}"))
        write("")
        if found.module in course.MODULES:
            write(f"the lesson explains this mistake: {course.lesson_url(found.module, found.anchor)}")
        write(f"asked again, `python -m grader.hint {module} {method}` gives the hints for {method}, one level "
              "deeper each time")
        state[seen_key] = 1
        save_state(state)
        return True
    return False


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
    write(f"{method} ({course.shown(Path(target) / f'{module}.py')}), {hints.level_name(index, len(table))}\n")
    write(plain(table[index]))
    write("")
    section = section_of(module, method)
    if module in course.MODULES:
        if section:
            write(f"the lesson explains it: {course.lesson_url(module, section)}")
        if seen >= len(table) - 1:
            write("that was the last hint. Once the grader passes, compare with the reference: "
                  f"{course.lesson_url(module, REFERENCE_ANCHOR)}")
        else:
            write(f"asked again, `python -m grader.hint {module} {method}` goes one level deeper")
    state[key(target, module, method)] = min(seen + 1, len(table))
    save_state(state)
    return index + 1


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m grader.hint", description=__doc__.split("\n\n")[0])
    parser.add_argument("module", help="the exercise module: " + ", ".join(course.MODULES))
    parser.add_argument("method", nargs="?", help='a method or function, as "Network.backprop" or "sigma"')
    parser.add_argument("--target", default=None,
                        help="the folder holding it (default: $COURSE_TARGET, else the course's exercises/)")
    parser.add_argument("--reset", action="store_true", help="forget the hints seen for this module")
    args = parser.parse_args(argv)
    module = Path(args.module).name.removesuffix(".py")
    table = hints.load(module)
    if not table:
        parser.error(f"{module}: no hints (grader/hints/{module}.toml); modules with hints: "
                     + ", ".join(name for name in course.MODULES if hints.load(name)))
    target = course.target(args.target)
    if not target.is_dir():
        parser.error(f"--target {args.target or target}: no such folder")
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
    judged = None
    if method is None:
        method, why, judged = first_unfinished(module, target, list(table))
        if method is None:
            print(f"{module}.py: {why}. Ask for one method's hints by name: "
                  f"python -m grader.hint {module} {next(iter(table))}")
            return 0
        print(f"the first method not done yet: {method} ({why})\n")
    elif module in course.MODULES:
        from grader import verdict

        judged = verdict.judge(module, target).methods.get(method)
    if judged is not None and judged.tests:
        row = judged.tests[0]
        print(f"the grader says ({row.name}):\n    " + row.message.replace("\n", "\n    ") + "\n")
    if judged is not None and judged.upstream:
        print(f"{method}'s tests use {', '.join(judged.upstream)}, which fails its own tests: its hints come first "
              f"(python -m grader.hint {module} {judged.upstream[0]})\n")
    if not show_diagnosis(module, method, target, judged):
        show(module, method, target)
    return 0


if __name__ == "__main__":
    sys.exit(main())
