"""Re-grade a module every time you save it, until Ctrl-C.

    python -m grader.watch                   # watch exercises/, grade the module you saved
    python -m grader.watch network           # always grade network.py
    python -m grader.watch --target mywork   # another folder

Every half second the modification times of the folder's .py files are compared with the last
ones seen; when one changed, the screen is cleared and the grader runs on the module saved
(`python -m pytest grader --module NAME`), in a process of its own, so that a student file that
hangs can't freeze the watcher (a run is stopped after RUN_SECONDS).
"""

import argparse
import subprocess
import sys
import time
from pathlib import Path

from grader import catalog, processes
from grader.catalog import REPOSITORY

POLL_SECONDS = 0.5
RUN_SECONDS = 120
CLEAR = "\033[2J\033[H"


def snapshot(folder):
    """{file name: modification time} of the .py files in `folder`."""
    times = {}
    for path in Path(folder).glob("*.py"):
        try:
            times[path.name] = path.stat().st_mtime_ns
        except OSError:  # removed between glob and stat (editors save by renaming)
            pass
    return times


def changed(before, after):
    """The names of the files added or modified from `before` to `after`, newest first."""
    names = [name for name, mtime in after.items() if before.get(name) != mtime]
    return sorted(names, key=lambda name: after[name], reverse=True)


def grade(target, module, extra, clear=True):
    """Run the grader once on `module` (None: every module); its exit status, or None if stopped."""
    command = [sys.executable, "-m", "pytest", "grader", "--target", str(target), "-p", "no:cacheprovider",
               *(["--module", module] if module else []), *extra]
    if clear:
        sys.stdout.write(CLEAR)
    print(f"$ python -m pytest grader --target {target}" + (f" --module {module}" if module else ""), flush=True)
    process = processes.start(command, cwd=REPOSITORY)  # its own group: stopped with all it started
    try:
        return process.wait(timeout=RUN_SECONDS)
    except subprocess.TimeoutExpired:
        print(f"\nthe grader did not finish in {RUN_SECONDS} s: stopped it", flush=True)
        return None
    finally:
        if process.poll() is None:
            processes.kill(process)


def watch(target, module=None, extra=(), clear=True, runs=None):
    """Grade now, then after every save; `runs` ends the loop after that many runs (for tests)."""
    target = Path(target).resolve()
    seen = snapshot(target)
    current = module
    count = 0
    while True:
        grade(target, current, list(extra), clear)
        count += 1
        if runs is not None and count >= runs:
            return
        print(f"\nwatching {target}: save a file to grade it again (Ctrl-C to stop)", flush=True)
        while True:
            time.sleep(POLL_SECONDS)
            now = snapshot(target)
            names = changed(seen, now)
            seen = now
            if names:
                break
        if module is None:  # the module just saved, if it is one the grader knows
            saved = Path(names[0]).stem
            current = saved if saved in catalog.MODULES else None


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m grader.watch", description=__doc__.split("\n\n")[0])
    parser.add_argument("module", nargs="?", help="always grade this module (default: the one saved)")
    parser.add_argument("--target", default="exercises", help="the folder to watch (default: exercises)")
    parser.add_argument("--no-clear", action="store_true", help="keep the previous runs on the screen")
    args, extra = parser.parse_known_args(argv)  # anything else goes to pytest (-q, -x, -k ...)
    target = Path(args.target)
    if not target.is_dir():
        parser.error(f"--target {args.target}: no such folder")
    module = args.module.removesuffix(".py") if args.module else None
    if module is not None and module not in catalog.MODULES:
        parser.error(f"{module}: no such module; modules: {', '.join(catalog.MODULES)}")
    try:
        watch(target, module, extra, clear=not args.no_clear)
    except KeyboardInterrupt:
        print("\nstopped watching", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
