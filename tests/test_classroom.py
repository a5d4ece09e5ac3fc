"""`python -m grader.classroom` on a class made of the project's own right and wrong variants.

One class of 30+ submissions is graded once (module fixture, `--jobs 3`, about a minute): the
reference, the untouched exercises, each wrong network.py of tests/variants_network.py, partial
work, and submissions that hang the whole process, crash it, flood its output, eat memory, or
come as zips (nested, with path traversal, corrupt). Every one gets its own row in scores.csv
and its own results.json, and the run goes on past the bad ones.
"""

import csv
import json
import shutil
import subprocess
import sys
import zipfile

import pytest

from coursekit import ROOT, course
from grader import remote
from tests.grading import EXERCISES, SOLUTIONS, WITHOUT_LESSON_7_MNIST, submission
from tests.variants_network import WRONG, wrong_source

REFERENCE_NETWORK = (SOLUTIONS / "network.py").read_text(encoding="utf-8")
FORWARD = "    def forward(self, features, targets):\n"

# Code put at the start of Network.forward: each breaks the grading process its own way. The
# grader runs each module in a child process, so every one but the last costs only network.py's
# tests (and training.py's test that trains the student's Network): the rest is graded in full.
BREAKERS = {
    # SIGALRM blocked in the main thread: the alarm still reaches the grader's watchdog thread,
    # and Python runs its handler in the main thread.
    "hang": "import signal, time; signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})\n"
            "        while True: time.sleep(0.01)",
    "crash": "import os, signal; os.kill(os.getpid(), signal.SIGSEGV)",
    # Straight to file descriptor 1, past the plugin's cap on print(): the file-size limit ends the child.
    "flood": "import os\n        while True: os.write(1, b'spam ' * 20000)",
    # An endless loop: the grader's own per-test limit handles it. Both loops sleep, so that their
    # 10 s cost no CPU time; tests/test_grader.py's "endless loop in backprop" spins.
    "endless loop": "import time\n        while True: time.sleep(0.01)",
    # 8 GB: a MemoryError under the 1 GB limit, which fails the tests that call forward.
    "memory hog": "import numpy; numpy.ones(1 << 30)",
    # The student's code's parent killed: contained (bubblewrap, its own user id), its parent is not
    # the grader and the grade stands; a plain process (a laptop) can still end the grader's child.
    "kills the grader": "import os, signal; os.kill(os.getppid(), signal.SIGKILL)",
}
EXPECTED_STATUS = {"hang": "ok", "crash": "ok", "flood": "output-flood",
                   "endless loop": "ok", "memory hog": "memory",
                   "kills the grader": "crashed" if remote.containment() == "process" else "ok"}


def broken(name):
    assert REFERENCE_NETWORK.count(FORWARD) == 1
    return REFERENCE_NETWORK.replace(FORWARD, FORWARD + "        " + BREAKERS[name] + "\n")


def slug(name):
    return name.replace(" ", "-").replace("(", "").replace(")", "")


def make_class(folder):
    """The submissions, and the status each must get; {student: (status, kind)}."""
    folder.mkdir()
    expected = {}
    submission(folder / "reference")
    expected["reference"] = ("ok", "full")
    shutil.copytree(EXERCISES, folder / "exercises")
    expected["exercises"] = ("ok", "zero")
    for name in WRONG:
        submission(folder / f"wrong-{slug(name)}", wrong_source(name))
        expected[f"wrong-{slug(name)}"] = ("ok", "network wrong")
    for name in BREAKERS:
        submission(folder / f"breaks-{slug(name)}", broken(name))
        kind = "nothing" if EXPECTED_STATUS[name] in ("timeout", "crashed") else "network wrong"
        if name == "kills the grader" and EXPECTED_STATUS[name] == "ok":
            kind = "full"  # contained, it kills nothing that grades: the reference's network.py earns its points
        expected[f"breaks-{slug(name)}"] = (EXPECTED_STATUS[name], kind)
    for module in ("network", "functional"):  # one module done, the others untouched
        student = folder / f"only-{module}"
        shutil.copytree(EXERCISES, student)
        shutil.copy(SOLUTIONS / f"{module}.py", student / f"{module}.py")
        expected[f"only-{module}"] = ("ok", f"only {module}")
    submission(folder / "syntax-error", REFERENCE_NETWORK.replace("def forward(", "def forward(:", 1))
    expected["syntax-error"] = ("ok", "network wrong")
    submission(folder / "nested-folder" / "my work")
    expected["nested-folder"] = ("ok", "full")
    (folder / "no-code").mkdir()
    (folder / "no-code" / "notes.txt").write_text("I ran out of time\n")
    expected["no-code"] = ("no-files", "nothing")

    with zipfile.ZipFile(folder / "zipped.zip", "w") as archive:  # the module files one folder down
        for path in SOLUTIONS.glob("*.py"):
            archive.write(path, f"homework/{path.name}")
        archive.writestr("__MACOSX/homework/._network.py", "junk")
    expected["zipped"] = ("ok", "full")
    with zipfile.ZipFile(folder / "zipped-flat.zip", "w") as archive:
        for path in EXERCISES.glob("*.py"):
            archive.write(path, path.name)
    expected["zipped-flat"] = ("ok", "zero")
    with zipfile.ZipFile(folder / "traversal.zip", "w") as archive:
        for path in SOLUTIONS.glob("*.py"):
            archive.write(path, path.name)
        archive.writestr("../../escaped.py", "print('outside')\n")
    expected["traversal"] = ("bad-zip", "nothing")
    (folder / "corrupt.zip").write_bytes(b"PK\x03\x04 this is not really a zip")
    expected["corrupt"] = ("bad-zip", "nothing")
    return expected


# Lesson 7's MNIST run proves nothing about grading a class (tests/grading.py): left out with the
# grader options the class runs take after `--`, which test_grader_options_reach_every_run checks.
LEFT_OUT = WITHOUT_LESSON_7_MNIST[1].removeprefix("not ")


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    base = tmp_path_factory.mktemp("class")
    expected = make_class(base / "submissions")
    out = base / "out"
    run = subprocess.run(
        [sys.executable, "-m", "grader.classroom", str(base / "submissions"), "--out", str(out),
         "--jobs", "3", "--timeout", "90", "--memory", "1024", "--", *WITHOUT_LESSON_7_MNIST],
        cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    with open(out / "scores.csv", newline="", encoding="utf-8") as handle:
        rows = {row["student"]: row for row in csv.DictReader(handle)}
    return base, out, expected, rows, run.stdout


# training.py's end-to-end test trains the student's own Network: a wrong network.py fails it too.
USES_STUDENT_NETWORK = "training.py: test_train_your_network_on_mnist"


def module_points(row, module, skip=()):
    return sum(float(v) for k, v in row.items() if k.startswith(f"{module}.py: ") and k not in skip)


def test_the_class_is_big_enough_and_every_student_has_a_row(graded):
    base, out, expected, rows, stdout = graded
    assert len(expected) >= 30
    assert set(rows) == set(expected), stdout
    assert "graded" in stdout.splitlines()[-2]


def test_each_status_is_the_expected_one(graded):
    base, out, expected, rows, stdout = graded
    wrong = {student: (rows[student]["status"], rows[student]["detail"]) for student, (status, _) in expected.items()
             if rows[student]["status"] != status}
    assert not wrong, stdout


def test_scores_are_the_expected_ones(graded):
    base, out, expected, rows, stdout = graded
    reference = rows["reference"]
    full = float(reference["max_score"])
    assert float(reference["total"]) == full > 0
    modules = [m for m in course.MODULES if module_points(reference, m) > 0]
    for student, (status, kind) in expected.items():
        row = rows[student]
        total = float(row["total"])
        if kind == "full":
            assert total == full, student
        elif kind in ("zero", "nothing"):
            assert total == 0, student
        elif kind == "network wrong":
            assert module_points(row, "network") < module_points(reference, "network"), student
            for module in modules:
                if module != "network":
                    skip = (USES_STUDENT_NETWORK,)
                    assert module_points(row, module, skip) == pytest.approx(module_points(reference, module, skip)), \
                        (student, module)
        elif kind.startswith("only "):
            done = kind.removeprefix("only ")
            assert total == pytest.approx(module_points(reference, done), abs=0.01), student
            assert module_points(row, done) == pytest.approx(module_points(reference, done)), student
        assert total == pytest.approx(sum(float(v) for k, v in row.items() if ".py: " in k), abs=0.01), student


def test_a_wrong_network_fails_training_end_to_end_only_and_says_so(graded):
    """training.py's other tests drive a stand-in network; where a wrong network.py makes the
    end-to-end test fail, its message names network.py as the cause. (A network.py that crashes
    the process running it: test_a_crash_says_so_and_names_the_file.)"""
    base, out, expected, rows, stdout = graded
    failing = 0
    for student, (status, kind) in expected.items():
        if kind != "network wrong" or status != "ok" or student == "breaks-crash":
            continue
        results = json.loads((out / student / "results.json").read_text(encoding="utf-8"))
        training = {t["name"]: t for t in results["tests"] if t["name"].startswith("training.py: ")}
        assert all(t["status"] == "passed" for name, t in training.items() if name != USES_STUDENT_NETWORK), student
        end_to_end = training[USES_STUDENT_NETWORK]
        if end_to_end["status"] == "failed":
            failing += 1
            assert "network.py" in end_to_end["output"], (student, end_to_end["output"])
    assert failing > 0


def test_a_crash_says_so_and_names_the_file(graded):
    base, out, expected, rows, stdout = graded
    results = json.loads((out / "breaks-crash" / "results.json").read_text(encoding="utf-8"))
    failed = [t["output"] for t in results["tests"] if t["status"] == "failed" and "not run:" not in t["output"]]
    assert failed and all("SIGSEGV" in output and "network.py" in output for output in failed), failed


def test_grader_options_reach_every_run(graded):
    base, out, expected, rows, stdout = graded
    for student, (status, kind) in expected.items():
        if status == "ok" and kind in ("full", "network wrong"):
            results = json.loads((out / student / "results.json").read_text(encoding="utf-8"))
            names = {t["name"] for t in results["tests"]}
            assert not any(LEFT_OUT in name for name in names), student
            assert USES_STUDENT_NETWORK in names, student


def test_partial_credit_of_a_parametrized_test_shows_in_the_scores(graded):
    base, out, expected, rows, stdout = graded
    # Averaging over the batch is right for a batch of one: some cases pass, others fail.
    row = rows["wrong-mean-over-the-batch"]
    cases = {k: float(v) for k, v in row.items() if k.startswith("network.py: test_backprop_matches_reference[")}
    assert len(cases) > 1 and 0 < sum(cases.values()) < sum(float(rows["reference"][k]) for k in cases)


def test_a_zip_with_path_traversal_writes_nothing_outside(graded):
    base, out, expected, rows, stdout = graded
    assert "unsafe path" in rows["traversal"]["detail"]
    assert not list(base.rglob("escaped.py")) and not (base.parent / "escaped.py").exists()
    assert not (out / "traversal" / "files").exists() or not list((out / "traversal" / "files").iterdir())


def test_every_student_has_a_gradescope_results_json(graded):
    base, out, expected, rows, stdout = graded
    for student, (status, _) in expected.items():
        results = json.loads((out / student / "results.json").read_text(encoding="utf-8"))
        check_gradescope(results)
        assert results["score"] == pytest.approx(float(rows[student]["total"]))
        if status in ("timeout", "crashed", "bad-zip", "no-files"):
            assert status in results["output"]


def test_a_killed_run_leaves_no_process_behind(graded):
    base, out, expected, rows, stdout = graded
    ps = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
    assert str(base) not in ps


def test_scores_say_how_each_graded_submission_was_contained(graded):
    base, out, expected, rows, stdout = graded
    level = remote.containment()
    for student, (status, _) in expected.items():
        results = json.loads((out / student / "results.json").read_text(encoding="utf-8"))
        if results.get("extra_data"):  # the grader wrote it: it says how the code ran
            assert rows[student]["containment"] == results["extra_data"]["containment"] == level, student
        else:
            assert rows[student]["containment"] == "", student


# --- what the class grader trusts ----------------------------------------------------------------

# Stands in for the grader: writes a results.json with full marks (or garbage), then ends as told.
FAKE_GRADER = """
import json, os, signal, sys
path, how, text = sys.argv[1], sys.argv[2], sys.argv[3]
with open(path, "w") as handle:
    record = {"module": "network", "function": "test_x", "name": "test_x", "status": "passed", "points": 80.0,
              "message": "Python cannot compile this file: MemoryError"}  # no cause: what it says is no flag
    handle.write(text if text != "full" else json.dumps({"score": 80.0, "max_score": 80.0, "tests": [
        {"name": "network.py: test_x", "score": 80.0, "max_score": 80.0, "status": "passed",
         "output": "Python cannot compile this file: MemoryError", "extra_data": record}],
        "extra_data": {"containment": "bwrap"}}))
if how == "killed":
    os.kill(os.getpid(), signal.SIGKILL)
sys.exit(int(how))
"""


@pytest.mark.parametrize(("how", "text", "status"), [
    ("0", "full", "ok"), ("1", "full", "ok"),  # graded: a message that says MemoryError is no "memory" flag
    ("2", "full", "crashed"), ("3", "full", "crashed"), ("4", "full", "crashed"), ("killed", "full", "crashed"),
    ("1", "{not json", "crashed"), ("0", '{"score": 80}', "crashed"), ("0", "[1, 2]", "crashed")])
def test_only_a_grader_that_ended_normally_is_trusted(tmp_path, monkeypatch, how, text, status):
    """A results.json counts only if the grader exited 0 or 1 and it reads as a grade: anything
    else (interrupted, internal or usage error, killed, a file that is not a grade) is no grade."""
    from grader import classroom

    monkeypatch.setattr(classroom, "grader_command",
                        lambda files, results, *args: [sys.executable, "-c", FAKE_GRADER, str(results), how, text])
    result = classroom.grade_one("student", submission(tmp_path / "in"), tmp_path / "out", ROOT, 60, 0)
    assert result.status == status, result
    assert result.total == (80.0 if status == "ok" else 0.0)
    assert result.containment == ("bwrap" if status == "ok" else "")
    classroom.write_reports([result], tmp_path / "out")
    written = json.loads((tmp_path / "out" / "student" / "results.json").read_text(encoding="utf-8"))
    assert written["score"] == result.total  # the file says what scores.csv says, whatever the grader left


def test_a_submission_named_like_the_class_report_cannot_take_its_place(tmp_path, monkeypatch):
    """A student folder named scores.csv gets a folder of its own, and the class's scores.csv is written."""
    from grader import classroom

    monkeypatch.setattr(classroom, "grader_command",
                        lambda files, results, *args: [sys.executable, "-c", FAKE_GRADER, str(results), "1", "full"])
    submission(tmp_path / "class" / "scores.csv")
    submission(tmp_path / "class" / "ada")
    results = classroom.grade_class(tmp_path / "class", tmp_path / "out", jobs=1, report=None)
    assert [(r.student, r.status) for r in results] == [("ada", "ok"), ("scores.csv", "ok")]
    with open(tmp_path / "out" / "scores.csv", newline="", encoding="utf-8") as handle:
        assert [row["student"] for row in csv.DictReader(handle)] == ["ada", "scores.csv"]
    assert (tmp_path / "out" / "scores.csv.student" / "results.json").is_file()


def test_only_the_module_files_of_a_submission_are_graded(tmp_path):
    """collect() copies network.py and the other module files, nothing else: no conftest.py, .pth
    file, bytecode or module named like a library reaches the folder given to the grader."""
    from grader.submissions import collect

    folder = submission(tmp_path / "in")
    for name in ("conftest.py", "numpy.py", "sitecustomize.py", "hostile.pth", "network.pyc", "helper.py"):
        (folder / name).write_text("raise SystemExit('should never run')\n", encoding="utf-8")
    (folder / "__pycache__").mkdir()
    (folder / "__pycache__" / "network.cpython-311.pyc").write_bytes(b"junk")
    copied = collect(tmp_path / "in", tmp_path / "files")
    assert copied == sorted(f"{module}.py" for module in course.MODULES)
    assert sorted(path.name for path in (tmp_path / "files").iterdir()) == copied


def test_the_graders_command_gives_paths_as_one_word(tmp_path):
    """pytest reads its command line before the grader's options exist: given as `--target DIR`,
    DIR would be taken for a test path and its conftest.py imported into the grading process.
    The grader's own command writes `--target=DIR`, and the conftest.py of a graded folder
    never runs."""
    from grader.submissions import grader_command

    folder = submission(tmp_path / "student")
    ran = tmp_path / "conftest-ran"
    (folder / "conftest.py").write_text(f"open({str(ran)!r}, 'w').close()\n", encoding="utf-8")
    command = grader_command(folder, tmp_path / "results.json", "--module", "data")
    assert f"--target={folder}" in command and f"--results-json={tmp_path / 'results.json'}" in command
    run = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert not ran.exists()


ORPHAN = """
import os, sys, time
from grader.submissions import adopt_orphans, end_orphans
assert adopt_orphans()
if os.fork() == 0:  # a child that detaches a sleeper (setsid, double fork) and ends
    os.setsid()
    if os.fork() == 0:
        os.execv(sys.executable, [sys.executable, "-c", "import time; time.sleep(60)", sys.argv[1]])
    os._exit(0)
os.wait()
time.sleep(0.5)
print(end_orphans(), flush=True)
"""


def test_a_detached_process_is_ended_with_the_grading_that_left_it(tmp_path):
    """classroom and Gradescope's runner adopt the orphans of what they start (Linux), and end
    them: a double-forked, setsid sleeper is found and killed."""
    if not sys.platform.startswith("linux"):
        pytest.skip("the child subreaper is Linux's")
    marker = f"orphan-{tmp_path.name}"
    run = subprocess.run([sys.executable, "-c", ORPHAN, marker], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0 and run.stdout.split() == ["1"], run.stdout + run.stderr
    ps = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
    assert marker not in ps


# --- Gradescope's format, by hand (jsonschema is not installed) ---------------------------------

VISIBILITY = {"visible", "hidden", "after_due_date", "after_published"}


def check_gradescope(results):
    """results.json has the fields and types Gradescope reads."""
    assert isinstance(results, dict)
    assert isinstance(results.get("score"), (int, float))
    assert isinstance(results.get("tests"), list)
    for key, kind in (("max_score", (int, float)), ("execution_time", (int, float)), ("output", str),
                      ("visibility", str)):
        assert key not in results or isinstance(results[key], kind), key
    assert results.get("visibility", "visible") in VISIBILITY
    for test in results["tests"]:
        assert isinstance(test["name"], str) and test["name"]
        assert isinstance(test["score"], (int, float)) and isinstance(test["max_score"], (int, float))
        assert 0 <= test["score"] <= test["max_score"] + 1e-9
        assert test["status"] in ("passed", "failed")
        assert isinstance(test["output"], str)
        assert isinstance(test.get("execution_time", 0), (int, float))
        assert test.get("visibility", "visible") in VISIBILITY
    if results["tests"] and "max_score" in results:
        assert results["max_score"] == pytest.approx(sum(t["max_score"] for t in results["tests"]), abs=0.01)
        assert results["score"] == pytest.approx(sum(t["score"] for t in results["tests"]), abs=0.01)


def test_the_grader_results_json_has_every_gradescope_field(tmp_path):
    from tests.grading import run_grader

    result = run_grader(submission(tmp_path / "s", wrong_source("sign flipped")), tmp_path / "results.json",
                        *WITHOUT_LESSON_7_MNIST)
    check_gradescope(result.results)
    for test in result.results["tests"]:
        assert {"name", "score", "max_score", "status", "output", "execution_time", "visibility"} <= set(test)
    assert "max_score" in result.results and "execution_time" in result.results


def test_the_schema_check_catches_a_wrong_field():
    good = {"score": 1, "max_score": 1, "tests": [
        {"name": "t", "score": 1, "max_score": 1, "status": "passed", "output": "", "visibility": "visible"}]}
    check_gradescope(good)
    for bad in ({"status": "ok"}, {"score": "1"}, {"visibility": "sometimes"}, {"score": 2}):
        broken_copy = json.loads(json.dumps(good))
        broken_copy["tests"][0].update(bad)
        with pytest.raises(AssertionError):
            check_gradescope(broken_copy)
