"""Start one exercise again: restore its stub, keeping a copy of your file.

    python -m grader.reset network          # asks first; your network.py goes to exercises/.backup/
    python -m grader.reset network --yes    # without asking

The stub is generated from the reference solution, as `make exercises` does. Nothing is
changed unless you answer "y": with no answer (stdin closed, as in a script) it does nothing.
"""

import argparse
import sys
from pathlib import Path

from coursekit import ROOT, course, stubs


def ask(question):
    """True only for an answer of y or yes; no answer (end of input) is a no."""
    try:
        answer = input(question)
    except (EOFError, OSError):
        print()
        return False
    return answer.strip().lower() in ("y", "yes")


def reset(name, exercises, solutions, yes=False):
    """Restore `exercises/<name>.py` to its stub; the exit status (0 done or nothing to do, 1 not done)."""
    source = Path(solutions) / f"{name}.py"
    target = Path(exercises) / f"{name}.py"
    stub = stubs.generate(source.read_text(encoding="utf-8"), filename=str(source))
    current = target.read_text(encoding="utf-8") if target.exists() else None
    if current == stub:
        print(f"{target} is already the untouched stub: nothing to do")
        return 0
    if current is not None and not yes:
        if not ask(f"Replace {target} with a fresh stub? Your file is kept in {target.parent / stubs.BACKUP}/ "
                   "[y/N] "):
            print(f"nothing changed: {target} is as you left it")
            return 1
    if current is not None:
        print(f"your file is kept as {stubs.backup(target)}")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(stub, encoding="utf-8")
    manifest = stubs.read_manifest(exercises)
    manifest[target.name] = stubs.digest(stub)
    stubs.write_manifest(exercises, manifest)
    print(f"restored {target} to its stub")
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m grader.reset", description=__doc__.split("\n\n")[0])
    parser.add_argument("module", help=f"the module to restore: {', '.join(course.MODULES)}")
    parser.add_argument("--yes", "-y", action="store_true", help="don't ask (a copy is still kept)")
    parser.add_argument("--target", default=None, metavar="DIR",
                        help="the folder holding your files (default: $COURSE_TARGET, else the course's exercises/)")
    args = parser.parse_args(argv)
    name = Path(args.module).name.removesuffix(".py")
    solutions = ROOT / "solutions"
    if not (solutions / f"{name}.py").exists():
        parser.error(f"{args.module}: no such module; modules: {', '.join(course.MODULES)}")
    return reset(name, course.target(args.target), solutions, yes=args.yes)


if __name__ == "__main__":
    sys.exit(main())
