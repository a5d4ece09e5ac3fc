"""A submission's files, the grader's command line, and Gradescope's results.json.

What class grading (grader.classroom), Gradescope (grader.gradescope) and a student's own
submission check (grader.submit) share, so that neither of the first two imports the other:

- `submissions(folder)`: one (student, path) per folder or `.zip`; `safe_extract` unpacks a zip
  only if it is safe (no absolute path, no `..`, no link, at most MAX_MEMBERS members and
  MAX_UNPACKED bytes); `collect` copies the module files of a submission (at its top level or a
  folder or two down, wherever most of them are) into a folder of their own.
- `grader_command(target, ...)`: `python -m pytest grader --target DIR ...`, the one way any
  part of the course starts the grader in a subprocess; `split_grader_options(argv)` takes the
  grader's options, given after `--`, from a command line.
- `write_results(path, results)`: the one writer of a results.json, and `failure_results` for a
  run that could not grade.
"""

import json
import shutil
import stat
import sys
import zipfile
from pathlib import Path, PurePosixPath

from grader import catalog

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
    """
    command = [sys.executable, "-m", "pytest", *map(str, tests)]
    if target is not None:
        command += ["--target", str(target)]
    command += ["-p", "no:cacheprovider"]
    if results_json is not None:
        command += ["--results-json", str(results_json)]
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


def module_folder(root):
    """The folder under `root` (itself, or one or two levels down) holding the most module files."""
    names = {f"{name}.py" for name in catalog.MODULES}
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
    """Copy the .py files of `source`'s module folder into `dest` (created); their names, [] if none."""
    folder = module_folder(source) if Path(source).is_dir() else None
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    if folder is None:
        return []
    copied = []
    for path in sorted(folder.glob("*.py")):
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
