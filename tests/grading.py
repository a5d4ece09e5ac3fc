"""Running the grader the way a student or an instructor does, for the project's own tests.

    run = start_grader(folder, tmp_path / "results.json")   # a subprocess, running
    result = run.wait()                                     # -> Graded
    result.exit_code, result.stdout, result.results["tests"]

The grader is always run from the repository root as `python -m pytest grader --target DIR`,
without the cache provider, so that nothing is written into the graded folder.
"""

import json
import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from coursekit import ROOT
from grader.submissions import grader_command

SOLUTIONS = ROOT / "solutions"


def _untouched_exercises():
    """The stubs as the generator makes them, in a temporary folder: exercises/ is the student's
    own, and the project's tests never depend on what the student wrote there."""
    import atexit
    import tempfile

    from coursekit.stubs import generate_folder

    folder = Path(tempfile.mkdtemp(prefix="untouched-")) / "exercises"
    generate_folder(SOLUTIONS, folder)
    atexit.register(shutil.rmtree, folder.parent, True)
    return folder


EXERCISES = _untouched_exercises()
# Lesson 7's MNIST run costs some 5 s of CPU a grader run, lesson 8's (its test has the same name,
# in grader/test_autodiff.py) some 8 s. Tests about processes, limits, class grading and the
# other lessons' right styles leave them out, of their reference's run as of the others: they are
# graded, whole, by tests/test_further_variants.py, tests/test_autodiff_variants.py and by the
# reference's run in tests/test_grader.py.
WITHOUT_LESSON_7_MNIST = ("-k", "not test_your_classifier_on_mnist")
RUN_SECONDS = 180  # no grader run may take longer, whatever the submission does


@dataclass(repr=False)
class Graded:
    """What one grader run left: exit code, terminal output and the parsed results.json."""

    target: Path
    exit_code: int
    stdout: str
    stderr: str
    results: dict | None
    seconds: float

    @property
    def tests(self):
        """results.json's tests by name ("network.py: test_x[...]")."""
        return {test["name"]: test for test in self.results["tests"]}

    @property
    def failed(self):
        return {name: test for name, test in self.tests.items() if test["status"] == "failed"}

    def __repr__(self):  # shown by pytest when an assertion about a run fails
        return (f"grader on {self.target}: exit {self.exit_code} in {self.seconds:.1f} s\n"
                f"--- stdout (end) ---\n{self.stdout[-4000:]}\n--- stderr (end) ---\n{self.stderr[-2000:]}")


class Running:
    """A grader run started with `start_grader`; `wait()` returns its Graded."""

    def __init__(self, target, results_json, args):
        self.target = Path(target)
        self.results_json = Path(results_json)
        # Output goes to files, not pipes: a run that prints a lot must not block on a full pipe.
        self._stdout = open(self.results_json.with_suffix(".stdout"), "w+", encoding="utf-8")
        self._stderr = open(self.results_json.with_suffix(".stderr"), "w+", encoding="utf-8")
        self.started = time.monotonic()
        self.process = subprocess.Popen(
            grader_command(target, results_json, *args, quiet=False),
            cwd=ROOT, stdout=self._stdout, stderr=self._stderr, text=True,
            # Bytecode writing stays on: keeping the target folder clean is the grader's own job.
            env={k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
        )
        self._graded = None

    def done(self):
        return self.process.poll() is not None

    def seconds_left(self):
        return RUN_SECONDS - (time.monotonic() - self.started)

    def wait(self):
        if self._graded is None:
            note = ""
            try:
                self.process.wait(timeout=max(RUN_SECONDS - (time.monotonic() - self.started), 1))
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                note = f"\n[the project's tests killed this grader run after {RUN_SECONDS} s]"
            seconds = time.monotonic() - self.started
            outputs = []
            for stream in (self._stdout, self._stderr):
                stream.seek(0)
                outputs.append(stream.read())
                stream.close()
            results = None
            if self.results_json.exists():
                results = json.loads(self.results_json.read_text(encoding="utf-8"))
            self._graded = Graded(self.target, self.process.returncode, outputs[0], outputs[1] + note,
                                  results, seconds)
        return self._graded


class WarmGrader:
    """This test process's warm grader (tests/warm_grader.py): started on first use, and again
    after a job ended it (a hang past the hard stop ends the grading process, by design)."""

    def __init__(self):
        self.process = None

    def start(self):
        import atexit
        import sys
        import tempfile

        self.folder = Path(tempfile.mkdtemp(prefix="warm-grader-"))
        self.number = 0
        self.log = open(self.folder / "server.log", "w", encoding="utf-8")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.warm_grader", str(self.folder)], cwd=ROOT,
            stdin=subprocess.DEVNULL, stdout=self.log, stderr=subprocess.STDOUT,
            env={k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
        )
        atexit.register(self.stop, self.process, self.folder)

    @staticmethod
    def stop(process, folder):
        if process.poll() is None:
            process.kill()
            process.wait()
        shutil.rmtree(folder, ignore_errors=True)

    def run(self, target, results_json, *args):
        """One grader run, `--in-process`, in the warm process; returns its Graded."""
        if self.process is None or self.process.poll() is not None:
            self.start()
        self.number += 1
        results_json = Path(results_json)
        stdout, stderr = results_json.with_suffix(".stdout"), results_json.with_suffix(".stderr")
        args = grader_command(target, results_json, *args, "--in-process", quiet=False)[3:]  # past `python -m pytest`
        job = self.folder / f"{self.number}.job"
        job.with_suffix(".tmp").write_text(json.dumps({"args": args, "stdout": str(stdout), "stderr": str(stderr)}),
                                           encoding="utf-8")
        job.with_suffix(".tmp").replace(job)
        started, done, note = time.monotonic(), job.with_suffix(".done"), ""
        while not done.exists():
            if self.process.poll() is not None:
                self.log.flush()
                log = (self.folder / "server.log").read_text(encoding="utf-8", errors="replace")[-2000:]
                note = f"\n[the warm grader's process ended during this run, exit {self.process.returncode}]\n{log}"
                break
            if time.monotonic() - started > RUN_SECONDS:
                self.stop(self.process, self.folder)
                note = f"\n[the project's tests killed this grader run after {RUN_SECONDS} s]"
                break
            time.sleep(0.005)
        code = int(done.read_text(encoding="utf-8")) if done.exists() else self.process.returncode
        text = [path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""
                for path in (stdout, stderr)]
        results = json.loads(results_json.read_text(encoding="utf-8")) if results_json.exists() else None
        return Graded(Path(target), code, text[0], text[1] + note, results, time.monotonic() - started)


WARM = WarmGrader()


def start_grader(target, results_json, *args):
    """Start `python -m pytest grader --target TARGET` in the background."""
    return Running(target, results_json, args)


def run_grader(target, results_json, *args):
    """Run the grader to the end and return its Graded."""
    return start_grader(target, results_json, *args).wait()


def edited(module, edits):
    """solutions/<module>.py with each (old, new) edit applied.

    Each `old` must occur exactly once, so that a refactor of the solution breaks the variant
    loudly instead of silently testing the reference.
    """
    source = (SOLUTIONS / f"{module}.py").read_text(encoding="utf-8")
    for old, new in edits:
        assert source.count(old) == 1, f"the edit no longer applies to solutions/{module}.py: {old!r}"
        source = source.replace(old, new)
    return source


def grade_module(module, target, results_json, *args):
    """Run only `module`'s tests (`--module`) on `target`, to the end, in the warm grader (one
    process for the whole test run, `--in-process`); returns its Graded."""
    graded = WARM.run(target, results_json, "--module", module, *args)
    assert graded.results is not None, graded
    return graded


def by_test(graded):
    """{test function's name: its result}; a parametrized test's cases share a name, and a failed
    case stands for it."""
    tests = {}
    for t in graded.results["tests"]:
        name = t["name"].split(": ", 1)[1].split("[")[0]
        if name not in tests or t["status"] == "failed" and tests[name]["status"] != "failed":
            tests[name] = t
    return tests


def failures(tests):
    """{name: message} of the failed tests of by_test(); each must be a message for the student,
    not a crash of the grader."""
    failed = {name: t["output"] for name, t in tests.items() if t["status"] == "failed"}
    for name, output in failed.items():
        assert output and "Traceback" not in output and "grader/test_" not in output, (name, output)
    return failed


def submission(folder, network_source=None):
    """A copy of solutions/ in `folder` (created), with network.py replaced by `network_source` if given."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for path in SOLUTIONS.glob("*.py"):
        shutil.copy(path, folder / path.name)
    if network_source is not None:
        (folder / "network.py").write_text(network_source, encoding="utf-8")
    return folder


def files_in(folder):
    """Every path under `folder`, relative, as a set of strings (to see what a run wrote there)."""
    return {str(path.relative_to(folder)) for path in Path(folder).rglob("*")}


def run_many(targets, results_dir, parallel=3, args=()):
    """Grade every folder in `targets` ({name: folder}), at most `parallel` runs at once, each
    with the grader options `args`.

    Returns {name: Graded}. Runs overlap on purpose: two runs at once must not disturb each
    other. `parallel` stays small because the machine running the tests may be small.
    """
    results_dir = Path(results_dir)
    waiting, running, done = list(targets.items()), {}, {}
    while waiting or running:
        while waiting and len(running) < parallel:
            name, folder = waiting.pop(0)
            running[name] = start_grader(folder, results_dir / f"{len(done) + len(running)}.json", *args)
        for name in [n for n, run in running.items() if run.done() or run.seconds_left() <= 0]:
            done[name] = running.pop(name).wait()
        time.sleep(0.05)
    return done
