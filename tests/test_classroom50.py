"""Classroom 50 and GitHub Actions (grader/classroom50.py): the kit's autograder.py, run in a
student's checkout, writes a result.json that holds to Classroom 50's contract and gives the
reference every point, the stubs none, and a wrong module's points to nobody; the workflow is
the "Autograding Tests" that the autograding actions expect, and each of its lesson steps, run
here, exits 0 on the reference and non-zero on the stubs.

The kit is made without the MNIST training runs (the option a class may give it too), so that
each grading is a few seconds; the kit's own commands are what run.
"""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from grading import EXERCISES

from coursekit import ROOT, course
from grader.classroom50 import JOB_ID, SCHEMA, from_gradescope, kit

QUICK = ["-k", "not test_your_classifier_on_mnist and not test_train_your_network_on_mnist"]
ENV = {  # what Classroom 50's runner sets for autograder.py
    "CLASSROOM": "nn-2026",
    "ASSIGNMENT": "lessons",
    "OWNER": "alice",
    "ASSIGNMENT_TYPE": "individual",
    "SUBMISSION_TAG": "submit/2026-12-01T10-00-00Z-abc1234",
    "COMMIT_URL": "https://github.com/nn-course/nn-2026-lessons-alice/commit/abc1234",
    "RELEASE_URL": "https://github.com/nn-course/nn-2026-lessons-alice/releases/tag/submit%2F2026",
}
DATETIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
WRONG_DATA = '''\
import numpy as np


def to_features(images):
    return np.zeros((len(images), 784))


def one_hot(labels, n_classes=10):
    return np.zeros((len(labels), n_classes + 1))
'''


def validate(result):
    """Classroom 50's result/v1 contract (its wiki's "The result.json contract" and the checks of
    its score collector): every field, integer points that add up, score within max-score."""
    assert result["schema"] == SCHEMA
    for field in ("classroom", "assignment", "submission", "commit", "release", "review", "datetime"):
        assert isinstance(result[field], str) and result[field], field
    assert DATETIME.fullmatch(result["datetime"])
    for row in [result, *result["tests"]]:
        for field in ("score", "max-score"):
            assert type(row[field]) is int and row[field] >= 0, (field, row)
        assert row["score"] <= row["max-score"], row
    names = [test["test-name"] for test in result["tests"]]
    assert all(isinstance(name, str) and name for name in names) and len(set(names)) == len(names)
    assert all(type(test["passed"]) is bool for test in result["tests"])
    assert result["score"] == sum(test["score"] for test in result["tests"])
    assert result["max-score"] == sum(test["max-score"] for test in result["tests"])


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """The kit for every lesson, without the MNIST training runs: (folder, {lesson: points})."""
    out = tmp_path_factory.mktemp("kit")
    return out, kit(out, grader_args=QUICK)


def checkout(folder, exercises):
    """A student's checkout: the course with `exercises` ({name: source}, else the stubs) as exercises/."""
    for part in ("grader", "coursekit", "solutions"):
        shutil.copytree(ROOT / part, folder / part, ignore=shutil.ignore_patterns("__pycache__", "hidden"))
    for part in ("pyproject.toml", "course.toml"):
        shutil.copy2(ROOT / part, folder / part)
    shutil.copytree(EXERCISES, folder / "exercises", ignore=shutil.ignore_patterns("__pycache__", ".*"))
    for name, source in exercises.items():
        (folder / "exercises" / f"{name}.py").write_text(source, encoding="utf-8")
    return folder


def reference(**replaced):
    sources = {name: (ROOT / "solutions" / f"{name}.py").read_text(encoding="utf-8") for name in course.MODULES}
    return {**sources, **replaced}


@pytest.fixture(scope="module")
def checkouts(tmp_path_factory):
    root = tmp_path_factory.mktemp("students")
    return {
        "reference": checkout(root / "reference", reference()),
        "stubs": checkout(root / "stubs", {}),
        "wrong data": checkout(root / "wrong", reference(data=WRONG_DATA)),
    }


def shell_env(extra=()):
    """The environment of a command run on a runner: `python` is this interpreter."""
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return {**env, **dict(extra)}


@pytest.fixture(scope="module")
def graded(made, checkouts):
    """{checkout: (exit status, result.json)} of the kit's autograder.py, run in each checkout."""
    out, _ = made
    autograder = out / "autograder" / "autograder.py"
    runs = {
        name: (folder, subprocess.Popen([sys.executable, str(autograder)], cwd=folder, env=shell_env(ENV),
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True))
        for name, folder in checkouts.items()
    }
    found = {}
    for name, (folder, process) in runs.items():
        output, _ = process.communicate(timeout=600)
        path = folder / "result.json"
        found[name] = (process.returncode, json.loads(path.read_text()) if path.exists() else None, output)
    return found


def test_the_kit_holds_the_autograder_beside_its_grader(made):
    out, points = made
    folder = out / "autograder"
    for part in ("autograder.py", "grader/plugin.py", "coursekit/mnist.py", "solutions/network.py", "pyproject.toml"):
        assert (folder / part).is_file(), part
    assert sorted(points) == sorted(m.number for m in course.MODULES.values())
    assert all(type(value) is int and value > 0 for value in points.values())


def test_the_reference_gets_every_point(graded, made):
    code, result, output = graded["reference"]
    assert code == 0, output
    validate(result)
    assert result["max-score"] == sum(made[1].values())
    assert result["score"] == result["max-score"]
    assert all(test["passed"] for test in result["tests"])
    assert {key: result[key] for key in ("classroom", "assignment", "submission", "commit")} == {
        "classroom": "nn-2026", "assignment": "lessons", "submission": ENV["SUBMISSION_TAG"],
        "commit": ENV["COMMIT_URL"]}
    assert result["review"] == ENV["COMMIT_URL"]  # REVIEW_URL unset: the commit, as the contract says


def test_the_stubs_get_nothing_and_the_same_tests(graded):
    code, result, output = graded["stubs"]
    assert code == 0, output  # graded: a score of 0 is a grade, not an error
    validate(result)
    assert result["score"] == 0 and not any(test["passed"] for test in result["tests"])
    full = graded["reference"][1]
    assert [(t["test-name"], t["max-score"]) for t in result["tests"]] == [
        (t["test-name"], t["max-score"]) for t in full["tests"]]


def test_a_wrong_module_loses_its_points_and_only_those(graded, made):
    code, result, output = graded["wrong data"]
    assert code == 0, output
    validate(result)
    data = [t for t in result["tests"] if t["test-name"].startswith("data.py: ")]
    others = [t for t in result["tests"] if not t["test-name"].startswith("data.py: ")]
    assert data and not any(t["passed"] or t["score"] for t in data)
    assert all(t["passed"] for t in others)
    assert result["score"] == result["max-score"] - made[1][course.MODULES["data"].number]


def test_the_release_body_says_what_failed(checkouts, graded):
    body = (checkouts["wrong data"] / "release-body.md").read_text(encoding="utf-8")
    score = graded["wrong data"][1]
    assert body.startswith(f"## {score['score']} / {score['max-score']} points")
    assert "data.py: test_to_features" in body and "What to look at" in body


def test_a_grader_that_cannot_grade_is_an_error_not_a_grade(made, tmp_path):
    """A kit whose grader is broken: autograder.py exits non-zero and leaves no result.json (also
    none left over from before), so Classroom 50 reports an error instead of a grade of 0."""
    out, _ = made
    broken = tmp_path / "kit"
    shutil.copytree(out / "autograder", broken)
    (broken / "grader" / "conftest.py").write_text("raise RuntimeError('the grader is broken')\n")
    student = tmp_path / "student"
    (student / "exercises").mkdir(parents=True)
    (student / "result.json").write_text('{"score": 100}')
    run = subprocess.run([sys.executable, str(broken / "autograder.py")], cwd=student, env=shell_env(ENV),
                         capture_output=True, text=True, timeout=300)
    assert run.returncode != 0
    assert not (student / "result.json").exists()
    assert "could not grade" in run.stderr


def test_partial_credit_is_rounded_down_to_whole_points():
    """Classroom 50 takes whole points: a row is a test function, its parametrized cases summed."""
    from grader.gradescope import results_json
    from grader.results import Result

    def case(function, name, status, points):
        return Result(module="network", function=function, name=name, status=status, points=points)

    results = results_json([
        case("test_a", "test_a[1]", "passed", 0.3333), case("test_a", "test_a[2]", "passed", 0.3333),
        case("test_a", "test_a[3]", "failed", 0.3333),
        case("test_b", "test_b[1]", "passed", 1.5), case("test_b", "test_b[2]", "passed", 1.5),
        case("test_c", "test_c", "failed", 2.0),
    ], "process")
    result = from_gradescope(results, env=ENV)
    validate(result)
    assert [(t["test-name"], t["passed"], t["score"], t["max-score"]) for t in result["tests"]] == [
        ("network.py: test_a", False, 0, 1), ("network.py: test_b", True, 3, 3), ("network.py: test_c", False, 0, 2)]
    assert (result["score"], result["max-score"]) == (3, 6)
    assert result["owner"] == "alice" and result["assignment_type"] == "individual"


def test_results_format_classroom50_converts_the_same_grade(tmp_path):
    """`--results-format classroom50` writes what from_gradescope makes of the Gradescope file."""
    quick = ["--lesson", "5", "-q", "-p", "no:cacheprovider"]
    base = [sys.executable, "-m", "pytest", "grader", f"--target={ROOT / 'solutions'}", *quick]
    gradescope, classroom = tmp_path / "gradescope.json", tmp_path / "result.json"
    for path, options in ((gradescope, []), (classroom, ["--results-format", "classroom50"])):
        run = subprocess.run([*base, f"--results-json={path}", *options], cwd=ROOT, capture_output=True,
                             text=True, env=shell_env(ENV), timeout=300)
        assert run.returncode == 0, run.stdout[-2000:]
    result = json.loads(classroom.read_text())
    validate(result)
    expected = from_gradescope(json.loads(gradescope.read_text()), env=ENV)
    assert {**result, "datetime": ""} == {**expected, "datetime": ""}
    assert result["score"] == result["max-score"] == 8


def test_the_workflow_is_the_one_the_autograding_actions_expect(made):
    out, points = made
    flow = yaml.safe_load((out / ".github" / "workflows" / "classroom.yml").read_text())
    assert flow["name"] == "Autograding Tests"
    assert set(flow["on"]) >= {"push"}
    job = flow["jobs"][JOB_ID]
    assert list(flow["jobs"]) == [JOB_ID] and job["timeout-minutes"] <= 15
    steps = job["steps"]
    assert steps[0]["uses"].startswith("actions/checkout@")
    install = next(step["run"] for step in steps if "run" in step)
    assert "python -m coursekit.mnist install" in install
    assert not re.search(r"install .*(-e |mkdocs|matplotlib|\.\[)", install)  # only what grading needs
    command_grader = "classroom-resources/autograding-command-grader@"
    graders = [step for step in steps if step.get("uses", "").startswith(command_grader)]
    assert [step["id"] for step in graders] == [f"lesson{number}" for number in sorted(points)]
    for step, number in zip(graders, sorted(points)):
        assert set(step["with"]) <= {"test-name", "setup-command", "command", "timeout", "max-score"}
        assert step["with"]["max-score"] == points[number]
        assert f"--lesson {number}" in step["with"]["command"]
        assert re.fullmatch(r"[A-Za-z0-9]+", step["id"])  # the reporter's runners must be alphanumeric
    assert sum(step["with"]["timeout"] for step in graders) < job["timeout-minutes"]
    reporter = steps[-1]
    assert reporter["uses"].startswith("classroom-resources/autograding-grading-reporter@")
    assert reporter["with"]["runners"] == ",".join(step["id"] for step in graders)
    for step in graders:
        assert reporter["env"][f"{step['id'].upper()}_RESULTS"] == f"${{{{ steps.{step['id']}.outputs.result }}}}"


def test_each_lesson_step_passes_the_reference_and_fails_the_stubs(made, checkouts):
    """Each step's command, run as the command grader runs it (a shell, in the checkout): exit
    status 0 on the reference, non-zero on the stubs. Two at a time."""
    out, _ = made
    flow = yaml.safe_load((out / ".github" / "workflows" / "classroom.yml").read_text())
    commands = [step["with"]["command"] for step in flow["jobs"][JOB_ID]["steps"] if "id" in step]
    runs = [(name, command) for command in commands for name in ("reference", "stubs")]
    codes = {}
    while runs:
        batch, runs = runs[:2], runs[2:]
        started = [(name, command, subprocess.Popen(command, shell=True, cwd=checkouts[name], env=shell_env(),
                                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True))
                   for name, command in batch]
        for name, command, process in started:
            output, _ = process.communicate(timeout=300)
            codes[name, command] = (process.returncode, output[-1500:])
    for command in commands:
        assert codes["reference", command][0] == 0, codes["reference", command]
        assert codes["stubs", command][0] != 0, codes["stubs", command]


def test_the_declarative_tests_keep_classroom_50s_limits(made):
    """tests.json: a bare array of "run" tests with Classroom 50's bounds (names unique and at most
    100 bytes, timeout 1-600 s, points 0-1000), the same commands and points as the workflow."""
    out, points = made
    tests = json.loads((out / "tests.json").read_text())
    flow = yaml.safe_load((out / ".github" / "workflows" / "classroom.yml").read_text())
    steps = {step["id"]: step["with"] for step in flow["jobs"][JOB_ID]["steps"] if "id" in step}
    assert len({test["name"] for test in tests}) == len(tests) == len(points)
    for test, number in zip(tests, sorted(points)):
        assert set(test) <= {"name", "type", "run", "setup", "timeout", "points"} and test["type"] == "run"
        assert len(test["name"].encode()) <= 100 and 1 <= test["timeout"] <= 600
        assert test["points"] == points[number] and 0 <= test["points"] <= 1000
        assert test["run"] == steps[f"lesson{number}"]["command"]
        assert "python -m coursekit.mnist install" in test["setup"]
