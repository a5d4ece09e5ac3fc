"""A submission's files, the grader's command line, and Gradescope's results.json.

What class grading (grader.classroom), Gradescope (grader.gradescope) and a student's own
submission check (grader.submit) share, so that neither of the first two imports the other:

- `submissions(folder)`: one (student, path) per folder or `.zip`; `safe_extract` unpacks a zip
  only if it is safe (no absolute path, no `..`, no link, at most MAX_MEMBERS members and
  MAX_UNPACKED bytes); `collect` copies the module files of a submission (at its top level or a
  folder or two down, wherever most of them are) into a folder of their own: the module files
  only (network.py, ...), never a conftest.py, a .pth file, bytecode or a module named like a
  library the grader imports.
- `grader_command(target, ...)`: `python -m pytest grader --target=DIR ...`, the one way any
  part of the course starts the grader in a subprocess; `split_grader_options(argv)` takes the
  grader's options, given after `--`, from a command line.
- `write_results(path, results)`: the one writer of a results.json, `failure_results` for a
  run that could not grade, and `trusted_results(path, exit_code)`: a results.json only if the
  grader ended normally and wrote one that reads as a grade.
- `adopt_orphans()` and `end_orphans(keep)`: on Linux, the processes that a grading run leaves
  behind (a student's detached process, once its parents are gone) become this process's
  children, and are ended before any result is written.
"""

import json
import os
import shutil
import signal
import stat
import sys
import time
import zipfile
from pathlib import Path, PurePosixPath

from coursekit import course

MAX_MEMBERS = 1_000
MAX_UNPACKED = 100_000_000
SKIPPED = {"__MACOSX", "__pycache__", ".git", ".ipynb_checkpoints"}


class BadZip(Exception):
    """The archive is unreadable or unsafe; the message says why."""


def split_grader_options(argv):
    """(the command's own arguments, the grader's options): `argv` split at its first `--`."""
    argv = list(argv)
    if "--" not in argv:
        return argv, []
    return argv[:argv.index("--")], argv[argv.index("--") + 1:]


def grader_command(target=None, results_json=None, *options, tests=("grader",), quiet=True):
    """The grader's command line: `python -m pytest grader --target DIR [--results-json PATH] ...`.

    `tests` are the test paths (the whole grader by default); `options` follow the fixed ones.
    The cache provider is off, so grading never writes .pytest_cache into the course; `quiet`
    adds `-q --no-header`, as class grading, Gradescope and the watcher want it.

    The folder and the results path are given as `--target=DIR`, one word: pytest reads its
    command line before the grader's options exist, and takes a path given as a word of its own
    (`--target DIR`) for a test path, whose conftest.py files (DIR's and its parents') it then
    imports into the grading process: a submission's conftest.py would run in the judge.
    """
    command = [sys.executable, "-m", "pytest", *map(str, tests)]
    if target is not None:
        command.append(f"--target={target}")
    command += ["-p", "no:cacheprovider"]
    if results_json is not None:
        command.append(f"--results-json={results_json}")
    if quiet:
        command += ["-q", "--no-header"]
    return command + [str(option) for option in options]


def write_results(path, results):
    """Write `results` (Gradescope's results.json format) to `path`; returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return path


def failure_results(message):
    """A results.json for a run that could not grade: no points, and why."""
    return {"score": 0.0, "output": message, "tests": [
        {"name": "grader", "score": 0.0, "max_score": 0.0, "status": "failed", "output": message}]}


NORMAL_EXITS = (0, 1)  # pytest's: every test passed, or some failed; anything else did not grade


def trusted_results(path, exit_code):
    """The results.json at `path` as a dict, if the grader ended normally (exit status 0 or 1)
    and the file reads as a grade (a score and a list of tests); None otherwise.

    The caller removes any results.json before the run, so that one found here was written by
    the grader in this run; a run that ended any other way (killed, crashed, interrupted, a
    usage error) is not a grade, whatever file it left.
    """
    if exit_code not in NORMAL_EXITS:
        return None
    try:
        results = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(results, dict) or not isinstance(results.get("tests"), list):
        return None
    if not isinstance(results.get("score"), (int, float)) or isinstance(results.get("score"), bool):
        return None
    if not all(isinstance(test, dict) and isinstance(test.get("score"), (int, float)) for test in results["tests"]):
        return None
    return results


# --- processes a grading run leaves behind (Linux) -------------------------------------------------

PR_SET_CHILD_SUBREAPER = 36


def adopt_orphans():
    """Make this process the one that inherits the orphans of everything it starts (Linux's child
    subreaper), so that `end_orphans` can find a detached process however it detached (setsid,
    a double fork). True where that worked; elsewhere nothing changes."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _children():
    """{pid: state} of this process's children, from /proc (Linux); {} elsewhere."""
    found, me = {}, os.getpid()
    try:
        entries = os.listdir("/proc")
    except OSError:
        return found
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as handle:
                fields = handle.read().rsplit(")", 1)[-1].split()
        except OSError:
            continue
        if len(fields) > 1 and fields[1] == str(me):
            found[int(entry)] = fields[0]
    return found


def end_orphans(keep=(), seconds=5.0):
    """Kill and reap every child of this process not in `keep` (the orphans `adopt_orphans` made
    ours), pass after pass, until none is left or `seconds` have gone (a process that forks as
    fast as it can is caught within a few passes: each of its children becomes ours too).
    Returns how many were ended. Call it only while no other thread starts a process."""
    keep, ended = set(keep), 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        strays = {pid: state for pid, state in _children().items() if pid not in keep}
        if not strays:
            break
        for pid, state in strays.items():
            if state != "Z":
                try:
                    os.kill(pid, signal.SIGKILL)
                    ended += 1
                except OSError:
                    pass
        time.sleep(0.01)
        for pid in strays:
            try:
                os.waitpid(pid, os.WNOHANG)
            except OSError:
                pass
    return ended


def module_folder(root):
    """The folder under `root` (itself, or one or two levels down) holding the most module files."""
    names = {f"{name}.py" for name in course.MODULES}
    best, best_count = None, 0
    candidates = [Path(root)]
    for _ in range(2):
        next_level = []
        for folder in candidates:
            count = sum((folder / name).is_file() for name in names)
            if count > best_count:
                best, best_count = folder, count
            next_level += [sub for sub in sorted(folder.iterdir()) if sub.is_dir() and sub.name not in SKIPPED
                           and not sub.name.startswith(".") and not sub.is_symlink()]
        candidates = next_level
    for folder in candidates:  # the last level's own files
        count = sum((folder / name).is_file() for name in names)
        if count > best_count:
            best, best_count = folder, count
    return best


def collect(source, dest):
    """Copy the module files (network.py, ...) of `source`'s module folder into `dest` (created);
    their names, [] if none.

    Nothing else is copied: the graded folder is given to the grader, and a conftest.py, a .pth
    file, a __pycache__ or a numpy.py beside the modules is nobody's exercise.
    """
    folder = module_folder(source) if Path(source).is_dir() else None
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    if folder is None:
        return []
    copied = []
    for name in sorted(f"{module}.py" for module in course.MODULES):
        path = folder / name
        if path.is_file() and not path.is_symlink():
            shutil.copyfile(path, dest / path.name)
            copied.append(path.name)
    return copied


def safe_extract(archive, dest):
    """Extract `archive` into `dest`, refusing the whole archive if any member is unsafe."""
    try:
        with zipfile.ZipFile(archive) as zipped:
            members = zipped.infolist()
            if len(members) > MAX_MEMBERS:
                raise BadZip(f"{len(members)} members (at most {MAX_MEMBERS})")
            if sum(m.file_size for m in members) > MAX_UNPACKED:
                raise BadZip(f"unpacks to more than {MAX_UNPACKED:,} bytes")
            dest = Path(dest).resolve()
            for member in members:
                name = PurePosixPath(member.filename.replace("\\", "/"))
                if name.is_absolute() or ".." in name.parts or (member.filename[1:2] == ":"):
                    raise BadZip(f"unsafe path {member.filename!r}")
                if stat.S_ISLNK(member.external_attr >> 16):
                    raise BadZip(f"link {member.filename!r}")
                if not (dest / name).resolve().is_relative_to(dest):
                    raise BadZip(f"unsafe path {member.filename!r}")
            for member in members:
                target = dest / PurePosixPath(member.filename.replace("\\", "/"))
                if member.is_dir():
                    target.mkdir(parents=True, exist_ok=True)
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                with zipped.open(member) as read, open(target, "wb") as write:
                    shutil.copyfileobj(read, write)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, RuntimeError, NotImplementedError) as error:
        raise BadZip(f"cannot be read: {error}") from None


def submissions(folder):
    """(student, path) for every folder and .zip in `folder`, by name."""
    found = []
    for path in sorted(Path(folder).iterdir()):
        if path.name.startswith(".") or path.name in SKIPPED:
            continue
        if path.is_dir():
            found.append((path.name, path))
        elif path.suffix.lower() == ".zip":
            found.append((path.stem, path))
    return found
