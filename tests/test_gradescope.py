"""The Gradescope bundle, run the way Gradescope runs it, with an instructor's hidden test.

Gradescope unzips the bundle into /autograder/source, copies run_autograder to /autograder, puts
the student's files in /autograder/submission and reads /autograder/results/results.json.
Here /autograder is a temporary folder (AUTOGRADER_ROOT) and the venv is this one. The bundle is
built with grader options that leave out lesson 7's MNIST run (tests/grading.py), which also
shows that options given to `build` reach every submission's run.
"""

import json
import os
import shutil
import subprocess
import sys
import zipfile

import pytest

from coursekit import ROOT
from grader import gradescope
from tests.grading import SOLUTIONS, WITHOUT_LESSON_7_MNIST
from tests.test_classroom import check_gradescope
from tests.variants_network import wrong_source

HIDDEN_TEST = '''
import pytest


@pytest.mark.grade(uses=["Network.predict"], section="the-forward-pass")
def test_predict_gives_one_class_per_row(student):
    network = student.Network((4, 3), seed=0)
    assert len(network.predict([[0.0] * 4] * 5)) == 5


@pytest.mark.visibility("hidden")
@pytest.mark.grade(uses=["Network.forward"], section="the-forward-pass")
def test_secret_forward_shape(student):
    network = student.Network((4, 3), seed=0)
    network.forward([0.0] * 4, [0.0] * 3)
    assert network.output.shape == (3,)
'''


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    base = tmp_path_factory.mktemp("gradescope")
    hidden = base / "grader_hidden"
    hidden.mkdir()
    (hidden / "test_network.py").write_text(HIDDEN_TEST, encoding="utf-8")
    out = base / "autograder.zip"
    subprocess.run([sys.executable, "-m", "grader.gradescope", "build", str(out), "--hidden", str(hidden),
                    "--", *WITHOUT_LESSON_7_MNIST], cwd=ROOT, check=True, capture_output=True)
    return out


LEFT_OUT = WITHOUT_LESSON_7_MNIST[1].removeprefix("not ")


def run_autograder(bundle, root, files, with_output=False):
    """Lay out `root` as Gradescope does, run run_autograder, return results.json (and its stdout)."""
    source = root / "source"
    with zipfile.ZipFile(bundle) as archive:
        archive.extractall(source)
    shutil.copy(source / "run_autograder", root / "run_autograder")
    (root / "submission").mkdir()
    (root / "results").mkdir()
    for name, text in files.items():
        (root / "submission" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / "submission" / name).write_text(text, encoding="utf-8")
    env = dict(os.environ, AUTOGRADER_ROOT=str(root), AUTOGRADER_PYTHON=sys.executable)
    run = subprocess.run(["bash", str(root / "run_autograder")], env=env, check=True, capture_output=True,
                         text=True, timeout=300)
    results = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
    return (results, run.stdout) if with_output else results


def test_the_bundle_holds_the_scripts_the_grader_and_the_hidden_tests(bundle):
    names = set(zipfile.ZipFile(bundle).namelist())
    assert {"setup.sh", "run_autograder", "pyproject.toml", "grader/plugin.py", "grader/conftest.py",
            "coursekit/mnist.py", "solutions/network.py", "grader/hidden/test_network.py"} <= names
    assert not any("__pycache__" in name for name in names)
    setup = zipfile.ZipFile(bundle).read("setup.sh").decode()
    assert "python -m coursekit.mnist install" in setup and "course.toml" in names
    run = zipfile.ZipFile(bundle).getinfo("run_autograder")
    assert (run.external_attr >> 16) & 0o111  # executable
    script = zipfile.ZipFile(bundle).read("run_autograder").decode()
    assert script.rstrip().endswith(f"-- -k '{WITHOUT_LESSON_7_MNIST[1]}'"), script


def test_run_autograder_passes_only_the_options_given_to_build():
    script = gradescope.run_autograder_script()
    assert script.rstrip().endswith('-m grader.gradescope run "$ROOT"'), script
    assert "-- --lesson 3" in gradescope.run_autograder_script(["--lesson", "3"])


def test_run_autograder_grades_a_submission_with_the_hidden_tests(bundle, tmp_path):
    files = {path.name: path.read_text(encoding="utf-8") for path in SOLUTIONS.glob("*.py")}
    files["network.py"] = wrong_source("sign flipped")
    results = run_autograder(bundle, tmp_path / "autograder", files)
    check_gradescope(results)
    tests = {test["name"]: test for test in results["tests"]}
    hidden = tests["network.py: test_predict_gives_one_class_per_row"]
    assert hidden["visibility"] == "after_published" and hidden["status"] == "passed"
    assert tests["network.py: test_secret_forward_shape"]["visibility"] == "hidden"
    assert tests["network.py: test_forward_matches_reference[784-30-10-one example]"]["visibility"] == "visible"
    assert 0 < results["score"] < results["max_score"]
    # The bundle's grader options reached the run: lesson 7's MNIST test is left out, no other.
    assert not any(LEFT_OUT in name for name in tests)
    assert "training.py: test_train_your_network_on_mnist" in tests
    assert any(name.startswith("further.py") for name in tests)


def test_run_autograder_finds_files_one_folder_down_and_reports_an_empty_submission(bundle, tmp_path):
    files = {f"hw/{path.name}": path.read_text(encoding="utf-8") for path in SOLUTIONS.glob("*.py")}
    results, output = run_autograder(bundle, tmp_path / "nested", files, with_output=True)
    assert results["score"] == results["max_score"] > 0
    # With hidden tests in the run, passing is not "Well done": they are graded after submission.
    assert "Well done" not in output
    assert "the visible tests pass; 2 hidden tests are graded after submission" in output, output
    empty = run_autograder(bundle, tmp_path / "empty", {"notes.txt": "nothing"})
    check_gradescope(empty)
    assert empty["score"] == 0 and "no module file" in empty["output"]


def test_the_students_grader_has_no_hidden_tests():
    assert not (ROOT / "grader" / "hidden").exists()
    assert "grader_hidden/" in (ROOT / ".gitignore").read_text()


def test_stage_copies_a_hidden_folder_named_by_the_environment(tmp_path, monkeypatch):
    hidden = tmp_path / "secret"
    hidden.mkdir()
    (hidden / "test_nn.py").write_text("def test_x():\n    pass\n")
    monkeypatch.setenv("GRADER_HIDDEN", str(hidden))
    staged = gradescope.stage(tmp_path / "staged")
    assert (staged / "grader" / "hidden" / "test_nn.py").exists()
    assert (staged / "grader" / "hidden" / "__init__.py").exists()


def outcome(visibility, status="passed"):
    from grader.results import Result

    return Result(module="network", function="test_x", name="test_x", points=1.0, status=status,
                  visibility=visibility)


def test_the_summary_says_well_done_only_without_hidden_tests():
    from grader.progress import next_step

    assert "Well done" in next_step([outcome("visible"), outcome("visible")])
    line = next_step([outcome("visible"), outcome("after_published")])
    assert "Well done" not in line and "visible tests pass" in line
    assert "1 hidden test is graded after submission" in line


# --- what run_autograder trusts ------------------------------------------------------------------

# Stands in for the grader: writes results.json with full marks (unless told "nothing"), ends as told.
FAKE_GRADER = """
import json, os, signal, sys
path, how, text = sys.argv[1], sys.argv[2], sys.argv[3]
if text != "nothing":
    with open(path, "w") as handle:
        handle.write(text if text != "full" else json.dumps({"score": 80.0, "max_score": 80.0, "tests": [
            {"name": "network.py: test_x", "score": 80.0, "max_score": 80.0, "status": "passed", "output": ""}]}))
if how == "killed":
    os.kill(os.getpid(), signal.SIGKILL)
sys.exit(int(how))
"""


@pytest.mark.parametrize(("how", "text", "trusted"), [
    ("0", "full", True), ("1", "full", True), ("2", "full", False), ("3", "full", False), ("killed", "full", False),
    ("1", "{not json", False), ("0", '{"tests": "all passed"}', False),
    ("0", "nothing", False)])  # a results.json from before the run (written below) is not this run's
def test_run_trusts_only_a_results_json_the_grader_wrote_and_ended_normally(tmp_path, monkeypatch, how, text,
                                                                          trusted):
    monkeypatch.setattr(gradescope, "grader_command",
                        lambda work, results, *args: [sys.executable, "-c", FAKE_GRADER, str(results), how, text])
    root = tmp_path / "autograder"
    (root / "submission").mkdir(parents=True)
    shutil.copy(SOLUTIONS / "network.py", root / "submission" / "network.py")
    (root / "results").mkdir()
    (root / "results" / "results.json").write_text('{"score": 80.0, "tests": []}', encoding="utf-8")
    assert gradescope.run(root) == 0
    results = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
    check_gradescope(results)
    if trusted:
        assert results["score"] == 80.0
    else:
        assert results["score"] == 0 and "could not finish" in results["output"], results
        assert ("exit status" in results["output"] or "signal" in results["output"]), results


def test_run_ends_what_the_grading_left_running(tmp_path, monkeypatch):
    """run_autograder's process adopts the orphans of the grading and ends them before results.json
    is read: a grader that leaves a detached process (setsid, double fork) leaves nothing alive."""
    if not sys.platform.startswith("linux"):
        pytest.skip("the child subreaper is Linux's")
    marker = f"left-by-{tmp_path.name}"
    leaver = ("import os, sys\nif os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n"
              f"        os.execv(sys.executable, [sys.executable, '-c', 'import time; time.sleep(60)', {marker!r}])\n"
              "    os._exit(0)\nos.wait()\n")
    root = tmp_path / "autograder"
    (root / "submission").mkdir(parents=True)
    shutil.copy(SOLUTIONS / "network.py", root / "submission" / "network.py")
    script = tmp_path / "leaver.py"
    script.write_text(leaver, encoding="utf-8")
    run = subprocess.run([sys.executable, "-c", "import sys\nfrom grader import gradescope\n"
                          f"gradescope.grader_command = lambda *a: [sys.executable, {str(script)!r}]\n"
                          f"gradescope.run({str(root)!r}, reap=True)\n"],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    ps = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
    assert marker not in ps
    assert "could not finish" in json.loads((root / "results" / "results.json").read_text())["output"]
