"""The hostile corpus (tests/hostile/) graded the three ways a submission meets the grader.

Every case of tests/hostile/corpus.py, with two honest classmates (copies of solutions/) seated
beside the ones that kill and read classmates, is graded once as a class (`python -m
grader.classroom --jobs 2`); every cheat, three bad inputs and an honest submission once through
the Gradescope bundle, run as Gradescope runs it; a few through `pytest grader --target`. The
three routes start together, in the background, with the file's first test (module fixtures),
the two MNIST training runs left out. Each route grades its own copies of the corpus, marked with
its own marker (in every process an attack leaves and every byte it writes) and its own TMPDIR
(where the runners' folders go). They must show that

- every cheat earns what its honest part earns, which is nothing: its functions return None;
- the honest classmates keep full marks, graded next to the cheats;
- a bad input is graded (status ok), the other modules keep their points, and each failed
  test says in one line what is wrong with which file;
- the instructor's tree (grader/, solutions/, coursekit/, tests/, the MNIST cache, the Python
  installation's site-packages) is byte-identical afterwards, and no byte an attack wrote is in it;
- no process outlives grading, and nothing a sleeping process would write later appears;
- scores.csv and results.json say how the code was contained.

The attacks that would do harm act only inside the grader's containment (tests/hostile/toolkit.py,
`contained()`), and this file is skipped where the grader can only start a plain process.
A case that finds a hole in a part of the grader this file does not own is marked
xfail(strict=True) with the hole in its reason (KNOWN_HOLES), so that the fix shows.
"""

import concurrent.futures
import csv
import hashlib
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import sysconfig
import threading
import time
import zipfile
from pathlib import Path

import pytest

from coursekit import ROOT
from coursekit.mnist import cache_path
from grader import remote
from tests.grading import SOLUTIONS
from tests.hostile.corpus import BAD_INPUTS, CASES, CHEATS, HERE, build, honest_beside
from tests.test_classroom import check_gradescope

LEVEL = remote.containment()
pytestmark = pytest.mark.skipif(LEVEL == "process", reason="the grader cannot contain a student's code on this "
                                "machine (no bubblewrap, not root): the hostile corpus would really do harm")

WITHOUT_MNIST = ("-k", "not test_your_classifier_on_mnist and not test_train_your_network_on_mnist")
RUN = f"hostile{os.getpid()}x{secrets.token_hex(3)}"  # this run's marker; each route adds its own name
SLEEPER_SECONDS = 8  # tests/hostile/detached_sleeper/attack.py: it would write this long after it started
HONEST = {"kill_classmates": "honest_1", "read_classmates": "honest_2"}  # seated right after these
GRADESCOPE_CASES = [*CHEATS, "bad_syntax", "bad_deep_unary", "bad_interrupt_import", "honest"]
# (case, how `--target` is written): a student types `--target DIR`; the grader's own commands
# write `--target=DIR` (grader.submissions.grader_command).
TARGET_CASES = [("conftest_in_submission", "--target DIR"), ("conftest_in_submission", "--target=DIR"),
                ("symlink_reference", "--target=DIR"),
                ("skip_unittest", "--target=DIR"), ("xfail_pytest", "--target=DIR"),
                ("forge_channel", "--target=DIR"), ("null", "--target=DIR"), ("zeros_network", "--target=DIR"),
                ("bad_syntax", "--target=DIR")]
RUNNER_FOLDERS = "nncourse-runner-"  # grader.remote's folders for the runners, under TMPDIR

# Holes in files this test does not own: each one's test is expected to fail until it is fixed.
KNOWN_HOLES = {
}


def hole(key):
    """pytest.param marks for the case `key` of KNOWN_HOLES (none if it has no known hole)."""
    return [pytest.mark.xfail(strict=True, reason=KNOWN_HOLES[key])] if key in KNOWN_HOLES else []


# --- the instructor's tree, and the processes in sight ------------------------------------------

PARTS = ("grader", "solutions", "coursekit", "tests")
SITE = Path(sysconfig.get_paths()["purelib"])


def tree(root, parts=PARTS):
    """{relative path: (SHA-256, mode)} of every file under root/<part>, bytecode caches aside
    (the grader's own runs write those); marked() looks into the caches."""
    found = {}
    for part in parts:
        for folder, folders, names in os.walk(Path(root) / part):
            folders[:] = [name for name in folders if name not in ("__pycache__", ".pytest_cache")]
            for name in names:
                path = Path(folder) / name
                found[str(path.relative_to(root))] = (hashlib.sha256(path.read_bytes()).hexdigest(),
                                                      oct(path.stat().st_mode))
    return found


def marked(roots, marker):
    """Every file under `roots` (bytecode caches included) that holds the bytes of `marker`."""
    found = []
    for root in roots:
        for folder, _, names in os.walk(root):
            for name in names:
                path = Path(folder) / name
                try:
                    if marker.encode() in path.read_bytes():
                        found.append(str(path))
                except OSError:
                    continue
    return found


def site_listing():
    """{path: (size, mtime)} of site-packages' top level and NumPy's bytecode caches."""
    listing = {}
    for folder in (SITE, SITE / "numpy" / "__pycache__", SITE / "numpy" / "core" / "__pycache__",
                   Path(sysconfig.get_paths()["stdlib"])):
        for path in sorted(folder.iterdir()) if folder.is_dir() else []:
            if path.is_file():
                info = path.stat()
                listing[str(path)] = (info.st_size, info.st_mtime_ns)
    return listing


def mnist_digest():
    path = cache_path()
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None


def processes_with(*needles):
    """[(pid, command line)] of every process whose command line holds one of `needles`."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as handle:
                line = handle.read().replace(b"\0", b" ").decode("utf-8", "replace")
        except OSError:
            continue
        if any(needle in line for needle in needles):
            found.append((int(entry), line[:300]))
    return found


def digests(paths):
    return {str(path): hashlib.sha256(Path(path).read_bytes()).hexdigest() for path in paths if Path(path).exists()}


# --- the three routes -------------------------------------------------------------------------


class Route:
    """One route's grading, in the background: `wait()` returns once it ended, and says what was
    alive and what it had written at that moment."""

    def __init__(self, name, base):
        self.name, self.base = name, Path(base)
        self.marker = f"{RUN}-{name}"
        self.tmp = self.base / "tmp"
        self.tmp.mkdir(parents=True)
        self.env = dict(os.environ, TMPDIR=str(self.tmp), OPENBLAS_NUM_THREADS="1")
        self.ended = None
        self.error = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def _run(self):
        try:
            self.run()
        except BaseException as error:  # noqa: BLE001 (reported by wait)
            self.error = error
        finally:
            self.ended = time.monotonic()
            self.alive = processes_with(self.marker, str(self.tmp))
            self.written = digests(self.results_files())
            self.left = sorted(path.name for path in self.tmp.iterdir() if path.name.startswith(RUNNER_FOLDERS))

    def wait(self):
        self.thread.join(timeout=1500)
        assert not self.thread.is_alive(), f"the {self.name} route did not end"
        if self.error is not None:
            raise self.error
        return self


class Classroom(Route):
    """The whole corpus and two honest classmates as one class, two at a time."""

    def run(self):
        submissions = self.base / "class"
        self.students = {}
        seat = 0
        for name in CASES:
            for student in [name, *([HONEST[name]] if name in HONEST else [])]:
                seat += 1
                folder = submissions / f"{seat:02d}-{student}"
                if student.startswith("honest"):
                    shutil.copytree(SOLUTIONS, folder, ignore=shutil.ignore_patterns("__pycache__"))
                else:
                    build(student, folder, self.marker)
                self.students[student] = folder.name
        self.out = self.base / "out"
        self.run_ = subprocess.run(
            [sys.executable, "-m", "grader.classroom", str(submissions), "--out", str(self.out), "--jobs", "2",
             "--timeout", "300", "--", *WITHOUT_MNIST],
            cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=1400)
        with open(self.out / "scores.csv", newline="", encoding="utf-8") as handle:
            self.rows = {row["student"]: row for row in csv.DictReader(handle)}

    def results_files(self):
        out = getattr(self, "out", None)
        return [] if out is None or not out.exists() else [out / "scores.csv", *out.glob("*/results.json")]

    def row(self, student):
        return self.rows[self.students[student]]

    def results(self, student):
        return json.loads((self.out / self.students[student] / "results.json").read_text(encoding="utf-8"))


class Gradescope(Route):
    """Each of GRADESCOPE_CASES in a fresh /autograder of its own, two at a time, with the
    bundle's source shared (its tree is checked byte for byte afterwards)."""

    def __init__(self, name, base, bundle):
        super().__init__(name, base)
        self.source = self.base / "source"
        with zipfile.ZipFile(bundle) as archive:
            archive.extractall(self.source)
        self.before = tree(self.source, ("grader", "solutions", "coursekit"))

    def run(self):
        self.graded, self.stdout = {}, {}
        with concurrent.futures.ThreadPoolExecutor(2) as pool:  # as the class: two at a time
            list(pool.map(self.grade, GRADESCOPE_CASES))

    def grade(self, name):
        root = self.base / name
        (root / "results").mkdir(parents=True)
        (root / "source").symlink_to(self.source)
        shutil.copy(self.source / "run_autograder", root / "run_autograder")
        if name == "honest":
            shutil.copytree(SOLUTIONS, root / "submission", ignore=shutil.ignore_patterns("__pycache__"))
        else:
            build(name, root / "submission", self.marker)
        env = dict(self.env, AUTOGRADER_ROOT=str(root), AUTOGRADER_PYTHON=sys.executable)
        run = subprocess.run(["bash", str(root / "run_autograder")], env=env, capture_output=True, text=True,
                             timeout=700)
        self.stdout[name] = run.stdout + run.stderr
        (root / "output.txt").write_text(self.stdout[name], encoding="utf-8")
        self.graded[name] = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))

    def results_files(self):
        return sorted(self.base.glob("*/results/results.json"))


class Target(Route):
    """TARGET_CASES through `python -m pytest grader --target ...` itself, one after another."""

    def run(self):
        self.graded, self.stdout, self.markers = {}, {}, {}
        for index, (name, form) in enumerate(TARGET_CASES):
            self.markers[name, form] = f"{self.marker}-{index}"
            folder = build(name, self.base / f"{index}-{name}", self.markers[name, form])
            results = self.base / f"{index}.json"
            target = ["--target", str(folder)] if form == "--target DIR" else [f"--target={folder}"]
            run = subprocess.run([sys.executable, "-m", "pytest", "grader", *target, "-p", "no:cacheprovider",
                                  f"--results-json={results}", *WITHOUT_MNIST], cwd=ROOT, env=self.env,
                                 capture_output=True, text=True, timeout=600)
            self.stdout[name, form] = run.stdout + run.stderr
            self.graded[name, form] = json.loads(results.read_text(encoding="utf-8"))

    def results_files(self):
        return sorted(self.base.glob("*.json"))


@pytest.fixture(scope="module")
def routes(tmp_path_factory):
    """The three routes, started together; the instructor's tree as it was before any of them."""
    base = tmp_path_factory.mktemp("hostile")
    before = {"tree": tree(ROOT), "mnist": mnist_digest(), "site": site_listing()}
    bundle = base / "autograder.zip"
    subprocess.run([sys.executable, "-m", "grader.gradescope", "build", str(bundle), "--", *WITHOUT_MNIST],
                   cwd=ROOT, check=True, capture_output=True)
    started = {"classroom": Classroom("classroom", base / "classroom").start(),
               "gradescope": Gradescope("gradescope", base / "gradescope", bundle).start(),
               "target": Target("target", base / "target").start()}
    yield before, started
    for route in started.values():
        route.thread.join(timeout=600)
    for pid, _ in processes_with(RUN):  # never leave the corpus's processes to the rest of the suite
        try:
            os.kill(pid, 9)
        except OSError:
            pass
    for path in Path("/tmp").glob(f"{RUN}*"):  # what a hole let the corpus write there
        path.unlink(missing_ok=True)


@pytest.fixture(scope="module", autouse=True)
def routes_started_early(request):
    """Starts the routes with the file's first test, if a selected test needs them: they grade in
    the background while the earlier tests of the file wait for the one they need."""
    if any(item.module is request.module and "routes" in item.fixturenames for item in request.session.items):
        request.getfixturevalue("routes")


@pytest.fixture(scope="module")
def classroom(routes):
    return routes[1]["classroom"].wait()


@pytest.fixture(scope="module")
def gradescope(routes):
    return routes[1]["gradescope"].wait()


@pytest.fixture(scope="module")
def target(routes):
    return routes[1]["target"].wait()


def earned(results):
    return {test["name"]: test["score"] for test in results["tests"] if test["score"] > 0}


# --- every cheat earns nothing ------------------------------------------------------------------


@pytest.mark.parametrize("name", [pytest.param(name, marks=hole(name)) for name in CHEATS])
def test_a_cheat_earns_nothing_in_the_classroom(classroom, name):
    row = classroom.row(name)
    assert row["status"] == "ok", (row["status"], row["detail"])
    assert float(row["total"]) == 0, earned(classroom.results(name))


@pytest.mark.parametrize("name", [pytest.param(name, marks=hole(name)) for name in CHEATS])
def test_a_cheat_earns_nothing_on_gradescope(gradescope, name):
    results = gradescope.graded[name]
    check_gradescope(results)
    assert results["tests"] and results["score"] == 0, (earned(results), gradescope.stdout[name][-3000:])


@pytest.mark.parametrize(("name", "form"), [pytest.param(name, form, marks=hole(f"target {name} {form}"))
                                            for name, form in TARGET_CASES if name in CHEATS])
def test_a_cheat_earns_nothing_through_pytest_grader(target, name, form):
    results = target.graded[name, form]
    assert results["score"] == 0, (earned(results), target.stdout[name, form][-3000:])
    assert not list(Path("/tmp").glob(f"{target.markers[name, form]}-*-ran")), "the submission's code ran in the judge"


def test_the_honest_classmates_keep_full_marks(classroom, gradescope):
    for student in HONEST.values():
        row = classroom.row(student)
        assert row["status"] == "ok" and float(row["total"]) == float(row["max_score"]) > 0, \
            (student, {k: v for k, v in row.items() if v == "0"})
    results = gradescope.graded["honest"]
    assert results["score"] == results["max_score"] > 0, gradescope.stdout["honest"][-3000:]


# Attacks whose line never reaches the grader's output (the runner dies before its output is
# read), and what shows in the results that they ran instead.
SILENT = {"patch_builtins": "ended the grading process",  # its patches break the runner's reply
          "forge_stdout": "ended the grading process",  # os._exit(0) after its forgeries
          "kill_classmates": "grading process"}  # pkill python kills its own runner too


def test_the_attacks_ran_inside_the_containment(gradescope):
    """Each attack said what it tried (a HOSTILE line), from inside the sandbox: a corpus whose
    attacks never ran, or ran without their teeth, would prove nothing."""
    silent, disarmed = [], []
    for name in CHEATS:
        if not (HERE / name / "attack.py").exists():
            continue
        lines = [line for line in gradescope.stdout[name].splitlines() if f"HOSTILE {name} [" in line]
        if not lines and not any(SILENT.get(name, "?") in test["output"] for test in gradescope.graded[name]["tests"]):
            silent.append(name)
        disarmed += [line for line in lines if "not in the grader's sandbox" in line]
    assert not silent, f"attacks that left no sign of running: {silent}"
    assert not disarmed, disarmed


# --- bad inputs are graded ----------------------------------------------------------------------


# The bad inputs that no part of the module survives: it cannot be compiled or imported, or is empty.
WHOLE_FILE = ("bad_syntax", "bad_deep_sum", "bad_deep_unary", "bad_nul", "bad_encoding", "bad_empty",
              "bad_interrupt_import", "bad_exit_import")


def names_the_file(output, module):
    return f"{module}.py" in output or f"module '{module}'" in output


@pytest.mark.parametrize("name", [pytest.param(name, marks=hole(name)) for name in BAD_INPUTS])
def test_a_bad_input_is_graded_with_one_line_naming_the_file(classroom, name):
    """Status ok; the bad module's tests fail, each with one line naming its file (no traceback);
    the module done right beside it keeps every point the honest classmate has for it."""
    module = CASES[name].bad[0]
    row = classroom.row(name)
    assert row["status"] == "ok", (row["status"], row["detail"])
    honest = {test["name"]: test for test in classroom.results("honest_1")["tests"]}
    tests = classroom.results(name)["tests"]
    for test in tests:
        graded = test["name"].split(".py: ")[0]
        if graded == module and test["status"] == "failed":
            output = test["output"]
            assert names_the_file(output, module), test
            # its line, where, perhaps which failure came first (grader.verdict), and what to reread
            assert "Traceback" not in output and len(output.splitlines()) <= 4, test
        elif graded in (module, honest_beside(module)):  # what the bad module's other functions, and
            assert test["score"] == honest[test["name"]]["score"], test  # the module beside it, earn
    own = [test for test in tests if test["name"].startswith(f"{module}.py: ")]
    assert any(test["status"] == "failed" for test in own)
    if name in WHOLE_FILE:
        assert all(test["score"] == 0 for test in own)


@pytest.mark.parametrize("name", ["bad_syntax", "bad_deep_unary", "bad_interrupt_import"])
def test_a_bad_input_costs_only_its_own_module_on_gradescope(gradescope, classroom, name):
    assert gradescope.graded[name]["score"] == float(classroom.row(name)["total"]) > 0


def test_the_summary_names_the_bad_file_through_pytest_grader(target):
    stdout = target.stdout["bad_syntax", "--target=DIR"]
    assert re.search(r"network\.py:\d+: syntax error", stdout), stdout[-3000:]
    assert target.graded["bad_syntax", "--target=DIR"]["score"] > 0


# --- containment is recorded ---------------------------------------------------------------------


def test_every_grade_says_how_the_code_was_contained(classroom, gradescope):
    assert {row["containment"] for row in classroom.rows.values()} == {LEVEL}
    assert {results.get("extra_data", {}).get("containment") for results in gradescope.graded.values()} == {LEVEL}


# --- the instructor's tree, and the processes ------------------------------------------------------


def test_the_instructors_tree_is_byte_identical_afterwards(routes, classroom, gradescope, target):
    before, started = routes
    assert tree(ROOT) == before["tree"]
    assert tree(gradescope.source, ("grader", "solutions", "coursekit")) == gradescope.before
    assert mnist_digest() == before["mnist"]
    assert site_listing() == before["site"]
    roots = [ROOT / part for part in PARTS] + [gradescope.source, SITE / "numpy", cache_path().parent]
    for route in started.values():
        assert not marked(roots, route.marker), route.name


@pytest.mark.parametrize("name", ["classroom", "gradescope", "target"])
def test_no_process_outlives_grading(routes, name):
    """Nothing of the route's is alive when it ends, nor a sleeper's wake-up later: no process,
    no marker file in /tmp, no results rewritten after the route wrote them."""
    route = routes[1][name].wait()
    assert not route.alive, route.alive
    time.sleep(max(0.0, route.ended + SLEEPER_SECONDS + 2 - time.monotonic()))
    assert not processes_with(route.marker, str(route.tmp))
    assert not list(Path("/tmp").glob(f"{route.marker}*.late"))
    assert digests(route.results_files()) == route.written


@pytest.mark.parametrize("name", ["classroom", "gradescope"])
def test_no_file_of_a_submission_runs_in_the_judge_or_at_start_up(routes, name):
    """The conftest.py, .pth file, sitecustomize.py, numpy.py and pytest.py that submissions ship
    (and the start-up files an attack tries to leave in site-packages) never run: each would leave
    a file in /tmp."""
    route = routes[1][name].wait()
    assert not list(Path("/tmp").glob(f"{route.marker}*-ran"))


@pytest.mark.parametrize("name", ["classroom", "gradescope", "target"])
def test_no_runner_folder_outlives_grading(routes, name):
    route = routes[1][name].wait()
    assert not route.left, f"{len(route.left)} runner folders left in TMPDIR"
    shared = remote.SHARED_BASE  # the "user" level's folders, where TMPDIR is closed to other users
    others = [route for route in routes[1].values() if route.thread.is_alive()]
    if not others and shared.is_dir():
        assert not [path for path in shared.iterdir() if path.name.startswith(RUNNER_FOLDERS)]
