"""What every attack of the hostile corpus shares: appended, before the attack, to a student module.

tests/hostile/corpus.py builds each submission: the module's functions call `_hostile(...)`, and
this file and the case's attack.py are put at the end of the module (their
`from tests.hostile.toolkit import ...` lines dropped), with CASE and MARKER filled in. MARKER is
unique to one run of the project's tests: it is in the command line of every process an attack
leaves, and in every byte an attack writes, so that the tests can look for both.

`contained()` says whether this code runs in the grader's sandbox (bubblewrap) or as the
grader's own user id: the attacks that would really do harm (kill processes, edit the course,
write files) act only there. Run as a plain process, on a laptop, they only say what they would
have done.
"""

import os
import sys

CASE = "HOSTILE-CASE"
MARKER = "HOSTILE-MARKER"
MODULE = os.path.splitext(os.path.basename(__file__))[0]
# The functions and classes the student's module defined before this code: what a copy of the
# module must define too (see same_module).
OWN_NAMES = [name for name, value in list(globals().items()) if not name.startswith("_") and callable(value)
             and getattr(value, "__module__", None) == globals().get("__name__")]


def say(message):
    """One line the project's tests can find in the grader's output."""
    print(f"HOSTILE {CASE} [{MODULE}]: {message}", flush=True)


def contained():
    """In the grader's bubblewrap sandbox, or running as one of its grading user ids."""
    try:
        with open("/proc/1/cmdline", "rb") as handle:
            if handle.read().startswith(b"bwrap"):
                return True
    except OSError:
        pass
    return hasattr(os, "getuid") and 61_000 <= os.getuid() < 62_000


def processes():
    """[(pid, [argument, ...])] of every process this one can see."""
    found = []
    try:
        entries = os.listdir("/proc")
    except OSError:
        return found
    for entry in entries:
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as handle:
                    args = [a.decode("utf-8", "replace") for a in handle.read().split(b"\0") if a]
            except OSError:
                continue
            found.append((int(entry), args))
    return found


def course_roots():
    """Every folder that could be the course's root (the one holding grader/ and solutions/)."""
    guesses = ["/work/main", "/autograder/source", "/autograder", os.path.expanduser("~"), "/root", "/home"]
    for start in (os.path.dirname(os.path.abspath(__file__)), os.getcwd()):
        folder = start
        while True:
            guesses.append(folder)
            parent = os.path.dirname(folder)
            if parent == folder:
                break
            folder = parent
    for pid, args in processes():
        try:
            guesses.append(os.readlink(f"/proc/{pid}/cwd"))
        except OSError:
            pass
        for previous, arg in zip(["", *args], args, strict=False):
            if previous in ("--target", "--out", "--results-json") or arg.startswith("/"):
                folder = os.path.dirname(arg.rstrip("/"))
                for _ in range(4):
                    guesses.append(folder)
                    folder = os.path.dirname(folder)
    for entry in sys.path:  # an editable install names the course's root in site-packages
        try:
            names = os.listdir(entry)
        except OSError:
            continue
        for name in names:
            if name.startswith("__editable__") and name.endswith(".py"):
                try:
                    with open(os.path.join(entry, name), encoding="utf-8") as handle:
                        text = handle.read()
                except OSError:
                    continue
                for part in text.split("'"):
                    if part.startswith("/") and part.endswith(("coursekit", "grader", "solutions")):
                        guesses.append(os.path.dirname(part))
    seen, roots = set(), []
    for guess in guesses:
        if guess and guess not in seen:
            seen.add(guess)
            roots.append(guess)
    return roots


def read(path, limit=5_000_000):
    """The bytes of `path`, or None."""
    try:
        with open(path, "rb") as handle:
            return handle.read(limit)
    except OSError:
        return None


def attempt(action, *args, **kwargs):
    """Run `action(*args, **kwargs)`: True if it worked, False if the system refused."""
    try:
        action(*args, **kwargs)
        return True
    except Exception:  # noqa: BLE001 (every refusal counts as one)
        return False


def same_module(source):
    """Whether `source` (bytes) defines every function and class this module defines: a copy of it."""
    return bool(OWN_NAMES) and all(f"def {name}(".encode() in source or f"class {name}".encode() in source
                                   for name in OWN_NAMES)


def _hostile(*args, **kwargs):
    """What each of the module's functions does (an attack may replace it): nothing."""
    return None


def _hostile_payload(source, path):
    """Run a reference found by an attack in place of this module: its names replace ours."""
    say(f"found the reference at {path}: running it in place of my own code")
    exec(compile(source, path, "exec"), globals())  # noqa: S102
