"""The grader, run as students and instructors run it, on the reference, the stubs, wrong
network.py files and network.py files that try to end or hang the run.

Every grader run of this file is made once, by the session fixture `runs`, a few at a time
(they overlap on purpose: two runs at once on different targets must not disturb each other).
The two endless loops take the grader's 10 s limits, so the whole file takes some 30-60 s.
"""

import json
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest
from grading import EXERCISES, SOLUTIONS, WARM, WITHOUT_LESSON_7_MNIST, files_in, run_grader, run_many, submission
from looping import at_top, in_method
from variants_network import REFERENCE, WRONG, wrong_source

from coursekit import ROOT, course
from grader.gradescope import stage
from grader.submissions import grader_command

REFERENCE_SOURCE = REFERENCE.read_text(encoding="utf-8")


def without_colon():
    line = "for k in range(1, self.n_layers + 1):\n            a = self.biases[k]"
    assert REFERENCE_SOURCE.count(line) == 1
    return REFERENCE_SOURCE.replace(line, line.replace(":\n", "\n", 1))


# name: (network.py, the text of the offending line, what the failing tests' output must say).
HAZARDS = {
    # The two slow ones first, so that the quick runs overlap them.
    # Sleeping rather than spinning keeps the 10 s cheap on a shared machine; the grader stops both alike.
    "endless loop at import": (at_top("import time\nwhile True:\n    time.sleep(1)"), "time.sleep(1)",
                               "did not finish in 10 s"),
    "endless loop in backprop": (in_method("backprop", "while True:\n    pass"), "while True:",
                                 "stopped after 10 s"),
    "syntax error": (without_colon(), "for k in range(1, self.n_layers + 1)\n", "syntax error"),
    "import error": (at_top("import nonexistent_module"), "import nonexistent_module", "nonexistent_module"),
    "sys.exit(3) at import": (at_top("import sys\nsys.exit(3)"), "sys.exit(3)", "sys.exit(3)"),
    "input() at import": (at_top("input('your name? ')"), "input('your name? ')", "input("),
    "input() in forward": (in_method("forward", "input('continue? ')"), "input('continue? ')", "input("),
    "printing megabytes in forward": (in_method("forward", "for _ in range(10_000): print('x' * 1000)"),
                                      "for _ in range(10_000)", "printed more than"),
    "sys.exit() in update": (in_method("update", "import sys; sys.exit()"), "sys.exit()", "sys.exit(None)"),
}

# Each wrong network.py, and a test that must be among those it fails.
CAUGHT_BY = {
    "sign flipped": "test_backprop_matches_reference",
    "weight gradient transposed": "test_backprop_matches_reference",
    "activation derivative missing": "test_backprop_matches_reference",
    "derivative at h instead of a": "test_backprop_matches_reference",
    "mean over the batch": "test_backprop_matches_reference[784-30-10-batch of 32]",
    "gradients accumulate": "test_backprop_twice_gives_same_gradients",
    "linear output": "test_forward_matches_reference",
    "loss without the square": "test_forward_matches_reference",
    "loss with a half": "test_backprop_finite_differences",
    "bias gradient from the first row": "test_backprop_matches_reference[784-30-10-batch of 32]",
    "previous activation off by one": "test_backprop_matches_reference",
    "update adds": "test_update_steps_against_the_gradient",
    "predict over the wrong axis": "test_predict_batch",
    "no shape check in forward": "test_forward_rejects_mismatched_targets",
    "compute_loss returns an array": "test_compute_loss",
}


def offending_line(source, text):
    """The 1-based number of the only line of `source` that contains `text` (up to a newline)."""
    start = source.index(text)
    assert source.count(text) == 1, text
    return source.count("\n", 0, start) + 1


@pytest.fixture(scope="session")
def targets(tmp_path_factory):
    """Every folder graded in this file, by name: ({name: folder}, {name: files before grading})."""
    root = tmp_path_factory.mktemp("targets")
    folders = {}
    for name, (source, _, _) in HAZARDS.items():
        folders[name] = submission(root / re.sub(r"\W+", "_", name), source)
    folders["reference"] = SOLUTIONS
    folders["stubs"] = EXERCISES
    # Anywhere, by any name, spaces included: a copy of the reference.
    folders["some where"] = submission(root / "a folder" / "some where")
    # Printing 100 kB in every test is under the per-test cap, though 2 MB in all.
    line = "        self.definition = tuple(definition)\n"
    assert REFERENCE_SOURCE.count(line) == 1
    folders["printing under the cap"] = submission(
        root / "printing", REFERENCE_SOURCE.replace(line, line + "        print('y' * 100_000)\n"))
    for name in WRONG:
        folders[f"wrong: {name}"] = submission(root / re.sub(r"\W+", "_", name), wrong_source(name))
    return folders, {name: files_in(folder) for name, folder in folders.items()}


# Lesson 7's MNIST run (5 s of CPU a run) is graded here in the reference's run only: every
# other target's further.py is the reference's too. The wrong networks' runs are about verdicts
# and messages, so they go to the warm grader (one process, tests/grading.py), and grade only
# the two modules a wrong network.py can fail: network.py and training.py, whose end-to-end test
# trains the student's Network (one of them, graded whole, shows the same tests and points as
# the reference). Every other target is graded as a student runs the grader, a process per module.
WRONG_NETWORK_MODULES = ("-k", "test_network.py or test_training.py")
GRADED_WHOLE = "wrong: sign flipped"
@pytest.fixture(scope="session")
def runs(targets, tmp_path_factory):
    """Every grader run of this file, by target name."""
    folders, _ = targets
    results = tmp_path_factory.mktemp("results")
    wrong = {name: folder for name, folder in folders.items() if name.startswith("wrong: ")}
    others = {name: folder for name, folder in folders.items() if name not in wrong and name != "reference"}
    # The runs of their own go first, in a thread: the two endless loops spend most of their
    # time waiting for the grader's limits, while the warm grader grades the wrong networks.
    with ThreadPoolExecutor(1) as pool:
        own = pool.submit(run_many, others, results, parallel=2, args=WITHOUT_LESSON_7_MNIST)
        done = {name: WARM.run(folder, results / f"warm-{index}.json",
                               *(WITHOUT_LESSON_7_MNIST if name == GRADED_WHOLE else WRONG_NETWORK_MODULES))
                for index, (name, folder) in enumerate(wrong.items())}
        done |= run_many({"reference": folders["reference"]}, tmp_path_factory.mktemp("whole"))
        return done | own.result()


def all_output(graded):
    return graded.stdout + graded.stderr


def ends_with_a_grade(graded):
    """The run went to its end: the grade table, the total and results.json are all there."""
    assert "your grade" in graded.stdout, graded
    assert re.search(r"^progress: \d+/\d+ modules done, [\d.]+/[\d.]+ points \(", graded.stdout, re.M), graded
    assert "INTERNALERROR" not in all_output(graded), graded
    assert graded.results is not None and graded.results["tests"], graded


# --- the reference and the stubs -----------------------------------------------------------

@pytest.mark.parametrize("name", ["reference", "some where", "printing under the cap"])
def test_reference_passes_everything(runs, targets, name):
    graded = runs[name]
    assert graded.exit_code == 0, graded
    ends_with_a_grade(graded)
    assert graded.results["score"] == graded.results["max_score"] > 0, graded
    assert all(test["status"] == "passed" for test in graded.results["tests"])
    assert f"points ({targets[0][name].resolve()})" in graded.stdout


def test_untouched_exercises_are_not_attempted(runs):
    graded = runs["stubs"]
    assert graded.exit_code == 1, graded
    ends_with_a_grade(graded)
    assert graded.results["score"] == 0
    for name, test in graded.tests.items():
        assert test["status"] == "failed", name
        assert "not attempted" in test["output"], (name, test["output"])
        assert "Traceback" not in test["output"]
    assert "NOT ATTEMPTED" in graded.stdout
    assert "FAILED" not in graded.stdout  # a stub is not a wrong answer
    next_step = graded.stdout[graded.stdout.index("\nnext: "):]
    assert course.lesson_url("network") in next_step, graded


def test_same_tests_and_points_whatever_the_submission(runs):
    def shape(graded):
        return {t["name"]: t["max_score"] for t in graded.results["tests"]}, graded.results["max_score"]

    expected = shape(runs["some where"])  # the reference, graded with the same options as the others
    assert expected[0], "no tests graded"
    for name in ["stubs", "syntax error", "endless loop at import", "endless loop in backprop", GRADED_WHOLE]:
        assert shape(runs[name]) == expected, name


# --- where the grader is pointed ---------------------------------------------------------------

def test_missing_target_is_the_graders_error_with_a_message(tmp_path):
    graded = run_grader(tmp_path / "no such folder", tmp_path / "results.json")
    assert graded.exit_code >= 2, graded
    assert "no such folder" in all_output(graded)
    assert str(tmp_path / "no such folder") in all_output(graded)


def test_without_the_courses_settings_a_targets_conftest_is_refused_not_trusted(tmp_path):
    """pyproject.toml declares --target before pytest reads a path (tests/test_hostile.py grades a
    hostile conftest.py that way). Run without it, pytest takes DIR in `--target DIR` for a test
    path and imports DIR/conftest.py: the grader then refuses the grade, naming the form to use."""
    folder = tmp_path / "submission"
    folder.mkdir()
    for path in SOLUTIONS.glob("*.py"):
        (folder / path.name).write_bytes(path.read_bytes())
    (folder / "conftest.py").write_text("RAN = True\n", encoding="utf-8")
    results = tmp_path / "results.json"
    run = subprocess.run([sys.executable, "-m", "pytest", "-c", os.devnull, "--rootdir", str(ROOT),
                          str(ROOT / "grader"), "--target", str(folder), "--module", "network",
                          f"--results-json={results}"], cwd=tmp_path, capture_output=True, text=True, timeout=300,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert run.returncode == 4, run.stdout + run.stderr  # pytest's usage error
    assert f"pytest imported {folder / 'conftest.py'}" in run.stderr
    assert f"--target={folder}" in run.stderr
    assert not results.exists()


def test_nothing_is_written_into_the_graded_folders(runs, targets):
    folders, before = targets
    for name in runs:
        if name in ("reference", "stubs"):  # the repository's own folders may hold caches from elsewhere
            continue
        assert files_in(folders[name]) == before[name], name
        assert not list(folders[name].rglob("__pycache__")), name


# --- wrong answers -------------------------------------------------------------------------

def test_every_wrong_variant_names_a_test_that_catches_it():
    assert set(CAUGHT_BY) == set(WRONG)
    assert len(WRONG) >= 12


@pytest.mark.parametrize("name", WRONG)
def test_wrong_network_fails_with_a_short_message(runs, name):
    graded = runs[f"wrong: {name}"]
    assert graded.exit_code == 1, graded
    ends_with_a_grade(graded)
    assert "training.py: test_train_your_network_on_mnist" in graded.tests  # the one that trains it
    assert graded.results["score"] < graded.results["max_score"]
    failed = graded.failed
    assert any(CAUGHT_BY[name] in test for test in failed), (sorted(failed), graded)
    for test, result in failed.items():
        output = result["output"]
        assert "Traceback" not in output and "grader/" not in output, (test, output)
        # The test's own lesson: training.py's end-to-end test fails too when the Network is wrong.
        assert "reread: " + course.lesson_url(test.split(".py: ")[0]) in output, (test, output)
        assert len(output) < 1500 and output.count("\n") <= 9, (test, output)  # with a diagnosis


# A failure in the student's code is reported in the grader's words, without the traceback that
# pytest would have formatted; a failure of the grader's own code keeps pytest's whole report.
OWN_BUG_AND_STUDENT_ERROR = """
import pytest


@pytest.mark.grade(uses=["Network.forward"], section="the-forward-pass")
def test_a_bug_of_the_graders_own(student):
    expected = {"rows": 3}
    assert expected["rows"] == 4


@pytest.mark.grade(uses=["Network.forward"], section="the-forward-pass")
def test_the_students_code_raises(student):
    student.Network((4, 3), seed=0).forward([0.0] * 4, [0.0] * 2)
"""


def test_only_a_failure_of_the_graders_own_code_keeps_pytests_report(tmp_path):
    hidden = tmp_path / "hidden"
    hidden.mkdir()
    (hidden / "test_network.py").write_text(OWN_BUG_AND_STUDENT_ERROR, encoding="utf-8")
    copy = stage(tmp_path / "grader copy", hidden)  # the grader with these tests in grader/hidden/
    results = tmp_path / "results.json"
    run = subprocess.run(grader_command(SOLUTIONS, results, "-k", "bug_of_the_graders_own or students_code_raises",
                                        quiet=False), cwd=copy, capture_output=True, text=True, timeout=120)
    assert run.returncode == 1, run.stdout + run.stderr
    assert 'expected = {"rows": 3}' in run.stdout and "E       assert 3 == 4" in run.stdout, run.stdout
    assert "Traceback" not in run.stdout, run.stdout
    outputs = {t["name"]: t["output"] for t in json.loads(results.read_text(encoding="utf-8"))["tests"]}
    student = outputs["network.py: test_the_students_code_raises"]
    assert student.startswith("your code raised ValueError: targets have shape (2,)"), student
    assert f"{(SOLUTIONS / 'network.py').resolve()}:" in student and " in forward(): " in student, student
    report = run.stdout[run.stdout.index("_ test_the_students_code_raises _"):run.stdout.index("your grade")]
    assert "E   " not in report and "def test_" not in report, report


# --- hazards: code that would end or hang the run -------------------------------------------

@pytest.mark.parametrize("name", HAZARDS)
def test_hazard_is_reported_against_its_file_and_line(runs, targets, name):
    graded = runs[name]
    source, text, says = HAZARDS[name]
    assert graded.exit_code == 1, graded
    ends_with_a_grade(graded)
    failed = graded.failed
    assert failed, graded
    where = f"{(targets[0][name] / 'network.py').resolve()}:{offending_line(source, text)}"
    # The first failing test names the file and line; later ones may only say "not run".
    first = next(iter(failed.values()))["output"]
    assert where in first and says in first, first
    for test, result in failed.items():
        assert "Traceback" not in result["output"], (test, result["output"])
        assert where in result["output"] or result["output"].startswith("not run:"), (test, result["output"])
    assert re.search(r"^next: fix network\.py", graded.stdout, re.M), graded


def test_endless_loop_in_a_call_stops_grading_the_module(runs):
    graded = runs["endless loop in backprop"]
    assert graded.seconds < 120, graded  # the contract: about two minutes at most
    tests = [t for t in graded.results["tests"] if t["name"].startswith("network.py: ")]
    hung = [t for t in tests if "stopped after" in t["output"]]
    assert len(hung) == 1, graded  # only the first call that hangs spends the time limit
    after = tests[tests.index(hung[0]) + 1:]
    assert after and all(t["status"] == "failed" and t["output"].startswith("not run:") for t in after)
    before = tests[:tests.index(hung[0])]
    assert before and all(t["status"] == "passed" for t in before)  # forward() is fine
    # Another module's test that uses network.py is not run either; the other modules are graded.
    assert graded.tests["training.py: test_train_your_network_on_mnist"]["output"].startswith("not run:")
    others = [t for t in graded.results["tests"] if t["name"].startswith(("nn.py", "data.py", "functional.py"))]
    assert others and all(t["status"] == "passed" for t in others), graded


def test_printing_is_capped_in_the_report(runs):
    graded = runs["printing megabytes in forward"]
    assert len(graded.stdout) < 200_000, len(graded.stdout)
    assert graded.tests["network.py: test_predict_batch"]["status"] == "passed"  # no forward() there


def test_sys_exit_in_a_method_fails_only_the_tests_that_call_it(runs):
    graded = runs["sys.exit() in update"]
    # training.py's end-to-end test trains the student's Network, so it calls update() too.
    assert set(graded.failed) == {"network.py: test_update_steps_against_the_gradient",
                                  "training.py: test_train_your_network_on_mnist"}, graded
