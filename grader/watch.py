"""Re-grade a module every time you save it, until Ctrl-C.

    python -m grader.watch                   # watch exercises/, grade the module you saved
    python -m grader.watch network           # always grade network.py
    python -m grader.watch --target mywork   # another folder

Every half second the modification times of the folder's .py files are compared with the last
ones seen; when one changed, the screen is cleared and the grader runs on the module saved
(`python -m pytest grader --module NAME`), in a process of its own, so that a student file that
hangs can't freeze the watcher (a run is stopped after RUN_SECONDS).

While it waits, keys do the rest of the student's loop (shown under every run; no Enter needed
in a terminal, one per line from a pipe): h the next hint (`python -m grader.hint`), t your
values beside the worked example's (`python -m grader.trace`), Enter or g grade again, q quit.
They act on the module last graded (network until a file is saved, when watching every module).
"""

import argparse
import faulthandler
import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

from coursekit import ROOT, course
from grader import processes
from grader.submissions import grader_command

POLL_SECONDS = 0.5
RUN_SECONDS = 120
CLEAR = "\033[2J\033[H"
KEYS = "h hint, t trace, Enter grade again, q quit"


class Keys:
    """Keys pressed while waiting: single keys from the terminal (cbreak mode), lines from a pipe.

    The terminal is put in cbreak mode (keys without Enter, Ctrl-C still works) only when this
    process is in its foreground, and put back as it was on exit. Without a usable stdin
    (/dev/null, a background job), `read` only waits.
    """

    def __enter__(self):
        self.fd, self.saved, self.tty, self.console = None, None, False, None
        if os.name == "nt":  # no select() on a console there: msvcrt reads single keys instead
            try:
                import msvcrt

                self.console = msvcrt if sys.stdin.isatty() else None
            except (ImportError, AttributeError, ValueError):
                pass
            return self
        try:
            fd = sys.stdin.fileno()
        except (AttributeError, OSError, ValueError):
            return self
        self.fd = fd
        if os.isatty(fd):
            try:
                import termios
                import tty

                if os.tcgetpgrp(fd) != os.getpgrp():
                    self.fd = None  # a background job: reading would stop it
                    return self
                self.saved = termios.tcgetattr(fd)
                tty.setcbreak(fd)
                self.tty = True
            except (ImportError, OSError):
                self.fd = None
        return self

    def __exit__(self, *exc):
        if self.saved is not None:
            import termios

            termios.tcsetattr(self.fd, termios.TCSADRAIN, self.saved)

    def read(self, seconds):
        """The keys pressed within `seconds` (waits that long when none), as a list of strings."""
        if self.console is not None:
            end = time.monotonic() + seconds
            while time.monotonic() < end:
                if self.console.kbhit():
                    key = self.console.getwch()
                    return ["\n" if key == "\r" else key]
                time.sleep(0.05)
            return []
        if self.fd is None:
            time.sleep(seconds)
            return []
        ready, _, _ = select.select([self.fd], [], [], seconds)
        if not ready:
            return []
        data = os.read(self.fd, 1 if self.tty else 1024).decode(errors="replace")
        if not data:  # end of input: no more keys, only the wait
            self.fd = None
            return []
        if self.tty:
            return [data]
        return [line.strip()[:1] or "\n" for line in data.splitlines()]


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
    command = grader_command(target, None, *(["--module", module] if module else []), *extra, quiet=False)
    if clear:
        sys.stdout.write(CLEAR)
    print(f"$ python -m pytest grader --target {target}" + (f" --module {module}" if module else ""), flush=True)
    process = processes.start(command, cwd=ROOT)  # its own group: stopped with all it started
    try:
        return process.wait(timeout=RUN_SECONDS)
    except subprocess.TimeoutExpired:
        print(f"\nthe grader did not finish in {RUN_SECONDS} s: stopped it", flush=True)
        return None
    finally:
        if process.poll() is None:
            processes.kill(process)


def tool(name, module, target):
    """Run `python -m grader.<name> MODULE --target TARGET` (hint or trace) in its own process."""
    print(f"\n$ python -m grader.{name} {module}" + ("" if target.name == "exercises" else f" --target {target}"),
          flush=True)
    process = processes.start([sys.executable, "-m", f"grader.{name}", module, "--target", str(target)],
                              cwd=ROOT)
    try:
        process.wait(timeout=RUN_SECONDS)
    except subprocess.TimeoutExpired:
        print(f"\nit did not finish in {RUN_SECONDS} s: stopped it", flush=True)
    finally:
        if process.poll() is None:
            processes.kill(process)


def prompt(target):
    print(f"\nwatching {target}: save a file to grade it again (Ctrl-C to stop)\nkeys: {KEYS}", flush=True)


def watch(target, module=None, extra=(), clear=True, runs=None):
    """Grade now, then after every save or key; `runs` ends the loop after that many runs (for tests)."""
    target = Path(target).resolve()
    seen = snapshot(target)
    current = module
    count = 0
    with Keys() as keys:
        while True:
            grade(target, current, list(extra), clear)
            count += 1
            if runs is not None and count >= runs:
                return
            prompt(target)
            names = again = None
            while not (names or again):
                for key in keys.read(POLL_SECONDS):
                    subject = current or next(iter(course.MODULES))
                    if key in ("q", "Q"):
                        print("stopped watching", flush=True)
                        return
                    if key in ("h", "t"):
                        tool("hint" if key == "h" else "trace", subject, target)
                        prompt(target)
                    elif key in ("\n", "\r", "g"):
                        again = True
                        break
                    elif key.strip():
                        print(f"{key!r}: not a key of the watcher ({KEYS})", flush=True)
                now = snapshot(target)
                names = changed(seen, now)
                seen = now
            if names and module is None:  # the module just saved, if it is one the grader knows
                saved = Path(names[0]).stem
                current = saved if saved in course.MODULES else None


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m grader.watch", description=__doc__.split("\n\n")[0])
    parser.add_argument("module", nargs="?", help="always grade this module (default: the one saved)")
    parser.add_argument("--target", default=None,
                        help="the folder to watch (default: $COURSE_TARGET, else the course's exercises/)")
    parser.add_argument("--no-clear", action="store_true", help="keep the previous runs on the screen")
    args, extra = parser.parse_known_args(argv)  # anything else goes to pytest (-q, -x, -k ...)
    target = course.target(args.target)
    if not target.is_dir():
        parser.error(f"--target {args.target or target}: no such folder")
    module = args.module.removesuffix(".py") if args.module else None
    if module is not None and module not in course.MODULES:
        parser.error(f"{module}: no such module; modules: {', '.join(course.MODULES)}")
    if hasattr(signal, "SIGUSR1"):  # `kill -USR1 PID` prints where a stuck watcher is, on stderr
        faulthandler.register(signal.SIGUSR1, all_threads=True)
    try:
        watch(target, module, extra, clear=not args.no_clear)
    except KeyboardInterrupt:
        print("\nstopped watching", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
