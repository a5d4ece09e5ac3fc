"""The grader's pytest plugin: which folder is graded, how results are told, and the grade.

    python -m pytest grader                        # grade exercises/
    python -m pytest grader --target solutions     # or any folder holding the module files
    python -m pytest grader --results-json r.json  # also write Gradescope's results.json
    python -m pytest grader --results-json r.json --results-format classroom50  # or Classroom 50's
    python -m pytest grader --lesson 1             # one lesson; or --module network, or -m network

Each test names, in a `grade` marker, the student functions it uses and the lesson section
that teaches them. A test whose functions are still stubs is "not attempted"; any other
failure is reported as one short message (what was expected, where, what to reread) instead
of a stack of the grader's frames.

Each module's tests run in a child process of their own (grader/isolation.py), so that a
module that hangs, ends its process or crashes costs only its own tests; `--in-process` runs
everything here instead, for debugging the grader. Time limits (TEST_SECONDS per test, the
loader's at import) work with or without signals (grader.loader.time_limit), so on Windows too.
"""

import inspect
import os
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from coursekit import course, solutions
from coursekit.stubs import find_stubs
from grader import progress, remote, results, submissions
from grader.checks import WrongAnswer
from grader.harness import Unsendable
from grader.loader import InputCalled, StudentCodeError, time_limit, where_in

TEST_SECONDS = 10
SECTION_LIMIT = 2_000  # characters of captured output shown in a report
HARD_STOP_SECONDS = 15  # past a test's limit: its code swallowed the interruption, end the run


class TestTimeout(BaseException):
    """The test ran past its time limit (BaseException: `except Exception` doesn't swallow it)."""

    cause = results.TIMEOUT


class NoVerdict(Exception):
    """The test ended without passing: it was skipped, or marked as an expected failure."""

    cause = results.NO_VERDICT


class NotAttempted(Exception):
    """The test uses a function that is still a stub; `stubs` names them, "module:function"."""

    def __init__(self, message, stubs=()):
        super().__init__(message)
        self.stubs = tuple(stubs)


class OutputFlood(Exception):
    """The student's code printed more than the runner allows in one test (grader/harness.py)."""

    cause = results.OUTPUT_FLOOD


class NotRun(StudentCodeError):
    """Not run: an earlier test of the module ran out of time."""

    cause = results.NOT_RUN


@dataclass
class Outcome:
    """One test's outcome while the run goes on; `record()` is the grader.results.Result it ends as."""

    module: str
    function: str
    name: str
    points: float
    status: str = results.FAILED  # "passed" (only on an explicit pass), "failed" or "not attempted"
    message: str = "not run: the grader has no report of this test"
    diagnosis: tuple = ()
    explanation: str = ""
    section: str | None = None
    cause: str | None = results.NOT_RUN
    stubs: tuple = ()
    upstream: tuple = ()
    note: str = ""
    uses: tuple = ()  # "module:function"
    about: str | None = None  # the function its marker says it is about (grader.verdict.Blame)
    seconds: float = 0.0
    visibility: str = "visible"  # Gradescope's; "after_published" for an instructor's hidden test

    # What a child process (grader/isolation.py) sends its parent once a test is done.
    STATE = ("status", "message", "diagnosis", "explanation", "cause", "stubs", "seconds")

    def state(self):
        return {name: list(value) if isinstance(value, tuple) else value
                for name in self.STATE for value in [getattr(self, name)]}

    def restore(self, state):
        for name in self.STATE:
            value = state[name]
            setattr(self, name, tuple(value) if isinstance(value, list) else value)

    def judged(self, message, cause, status=results.FAILED):
        """Its status and message, and why (grader.results.CAUSES); no diagnosis, no stubs."""
        self.status, self.message, self.cause = status, message, cause
        self.diagnosis, self.explanation, self.stubs = (), "", ()

    def record(self):
        """The test's grader.results.Result."""
        from dataclasses import fields

        return results.Result(**{f.name: getattr(self, f.name) for f in fields(results.Result)})

    def text(self):
        return self.record().text()


@dataclass
class Grading:
    """What one run knows: the folder graded, its modules, and every test's outcome."""

    target: Path
    modules: dict = field(default_factory=dict)  # name -> module, or the StudentCodeError
    stubs: dict = field(default_factory=dict)  # name -> set of stub names
    hung: dict = field(default_factory=dict)  # name -> the test that timed out
    kinds: dict = field(default_factory=dict)  # (module, name) -> None, or why it is the wrong kind
    outcomes: dict = field(default_factory=dict)  # nodeid -> Outcome
    collected: dict = field(default_factory=dict)  # module -> its tests before -k, -m, --uses selected
    finished: set = field(default_factory=set)  # nodeids of the tests that have run
    records: list = field(default_factory=list)  # the grader.results.Result of every test, once the run ended

    def settle(self, config):
        """Make the records once every test ran: the blame settled, then each outcome frozen."""
        settle_blame(config, self)
        self.records = [outcome.record() for outcome in self.outcomes.values()]
        return self.records

    def module(self, name):
        """The student's module `name`: a proxy to it in the runner (grader/remote.py)."""
        if name not in self.modules:
            try:
                self.modules[name] = remote.runner_for(self.target).module(name)
            except StudentCodeError as error:
                self.modules[name] = error
        found = self.modules[name]
        if isinstance(found, StudentCodeError):
            raise found
        return found

    def check_kinds(self, uses, own):
        """Fail at once, with one line naming the file, when a function a test uses is a class in the
        student's module: `one_hot(labels)` would return an instance, and every message would be
        about what that instance is not."""
        for use in uses:
            module, _, function = use.rpartition(":")
            module, top = module or own, function.split(".")[0]
            if (module, top) not in self.kinds:
                self.kinds[module, top] = self._wrong_kind(module, top)
            if self.kinds[module, top]:
                raise StudentCodeError(self.kinds[module, top])

    def _wrong_kind(self, module, name):
        expected = getattr(solutions.load(module), name, None)
        if not inspect.isfunction(expected):
            return None  # a class of the reference's may be written in other styles (a factory, an instance)
        try:
            found = getattr(self.module(module), name)
        except Exception:  # noqa: BLE001  (missing, or the module does not import: the test says so)
            return None
        if not remote.is_class(found):
            return None
        return f"{module}.py: {name} is a class; the exercise asks for a function {name}{inspect.signature(expected)}"

    def stubs_in(self, name):
        if name not in self.stubs:
            path = self.target / f"{name}.py"
            self.stubs[name] = find_stubs(path.read_bytes())  # bytes: ast honours a coding line
        return self.stubs[name]


GRADING = pytest.StashKey[Grading]()


def pytest_configure(config):
    """Check --target and keep its state, where every hook and fixture of the run finds it."""
    target = course.target(config.getoption("target"), cwd=config.invocation_params.dir)
    if not target.is_dir():
        given = config.getoption("target") or os.environ.get("COURSE_TARGET")
        raise pytest.UsageError(f"--target {given}: no such folder ({target})" if given else
                                f"no exercises/ folder in the course ({target}): restore it with "
                                "git checkout -- exercises")
    refuse_foreign_conftests(config, target.resolve())
    # Keep the graded folder as the student left it, and two runs on two folders apart.
    config.stash[WROTE_BYTECODE] = not sys.dont_write_bytecode
    sys.dont_write_bytecode = True
    progress.wanted_modules(config)  # an unknown --lesson or --module stops here, before any table
    config.stash[GRADING] = Grading(target=target.resolve())
    config.addinivalue_line("markers", "grade(uses, section, end_to_end, about): student functions a test uses, "
                                       "lesson anchor, whether it trains on MNIST with the whole module, the "
                                       "function it is about when not the last it uses")
    progress.register_markers(config)
    if config.option.verbose == 0:
        config.option.verbose = 1  # one line per test: students want to see names
    # grader.isolation's own pytest_configure runs after this one: a child process per module.


WROTE_BYTECODE = pytest.StashKey[bool]()


def pytest_report_header(config):
    """Say which folder is graded, first: the one rule of course.target chose it."""
    return f"graded folder: {config.stash[GRADING].target}"


def refuse_foreign_conftests(config, target):
    """Stop if pytest imported a conftest.py from the graded folder or from outside the course.

    It cannot happen in the course's tree: pyproject.toml declares --target before pytest reads a
    path (grader/options.py). A run without that file (`pytest -c other.ini`, a copied grader)
    could take the folder in `--target DIR` for a test path and import its conftest.py into the
    judge: such a grade is refused rather than trusted (`--target=DIR` is never misread).
    """
    course = Path(__file__).resolve().parent.parent
    for plugin in config.pluginmanager.get_plugins():
        path = Path(getattr(plugin, "__file__", None) or ".")
        if path.name != "conftest.py":
            continue
        path = path.resolve()
        if path.is_relative_to(target) or not path.is_relative_to(course):
            raise pytest.UsageError(f"pytest imported {path}, which is not the grader's: it took a folder for "
                                    f"a test path. Grade with --target={config.getoption('target')} (with '=')")


@pytest.hookimpl(wrapper=True)
def pytest_collection(session):
    """Collect with bytecode written as Python would: pytest then reads the grader's own test
    files, assertions rewritten, from their cache (rewriting them costs every run about 0.15 s
    of CPU). No student module is imported before the tests run, and then none is cached."""
    sys.dont_write_bytecode = not session.config.stash.get(WROTE_BYTECODE, False)
    try:
        return (yield)
    finally:
        sys.dont_write_bytecode = True


def module_of(item):
    """The exercise module a test grades: grader/test_network.py grades network.py."""
    return Path(item.fspath).stem.removeprefix("test_")


@pytest.hookimpl(tryfirst=True)  # before -m deselects by the module markers added here
def pytest_collection_modifyitems(config, items):
    """Mark and select the tests (--lesson, --module) and take each one's time limit from pytest-timeout."""
    bad = results.check_markers(items)  # every marker checked once, here; all read with results.grade_of
    if bad:  # nothing is graded (pytest_collection_finish still runs, on no test)
        config.hook.pytest_deselected(items=list(items))
        items[:] = []
        raise pytest.UsageError(bad)
    progress.mark_and_select(config, items)
    grading = config.stash[GRADING]
    grading.collected = dict(Counter(module_of(item) for item in items))
    # The limit is on the test itself (pytest_runtest_call), with grader.loader.time_limit, which
    # works without signals too. The grader's own fixtures (loading MNIST, on a busy machine, in
    # the first test's setup) must not eat into it; the student's import in setup has the
    # loader's own limit. pytest-timeout is switched off for these tests: its signal method
    # needs SIGALRM, and its thread method ends the whole process.
    for item in items:
        marker = item.get_closest_marker("timeout")
        item.stash[SECONDS] = float(marker.args[0]) if marker and marker.args else TEST_SECONDS
        item.add_marker(pytest.mark.timeout(0), append=False)


SECONDS = pytest.StashKey[float]()


def seconds_for(item):
    """The test's time limit: TEST_SECONDS, or its own `@pytest.mark.timeout(N)`."""
    return item.stash.get(SECONDS, TEST_SECONDS)


def pytest_collection_finish(session):
    """Every selected test gets an outcome now, so the grade lists the same tests whatever happens."""
    grading = session.config.stash[GRADING]
    cases = Counter((module_of(item), item.originalname) for item in session.items)
    for item in session.items:
        grade = results.grade_of(item)
        module = module_of(item)
        grading.outcomes[item.nodeid] = Outcome(
            module=module,
            function=item.originalname,
            name=item.name,
            points=round(course.points(module, item.originalname) / cases[module, item.originalname], 4),
            section=grade.section,
            visibility=progress.visibility(item),
            uses=grade.qualified(module),
            about=grade.about,
        )


@pytest.fixture
def student(request):
    """The student's module for this test file, checked for stubs among the functions the test uses."""
    grading = request.config.stash[GRADING]
    name = module_of(request.node)
    if name in grading.hung:
        raise NotRun(f"not run: {grading.hung[name]} ran out of time, so the rest of "
                     f"{name}.py is not graded in this run (fix the endless loop first)")
    # Stubs first, from the source: a test of stubs needs no runner started for it.
    uses = results.grade_of(request.node).uses
    stubs = stubs_used(grading, name, uses)
    if stubs:
        found = [f"{module}:{function}" for module, functions in stubs.items() for function in functions]
        raise NotAttempted(f"not attempted: {results.stub_sentence(found, name)}", found)
    module = grading.module(name)
    grading.check_kinds(uses, name)
    remote.runner_for(grading.target).reset()  # the objects of earlier tests are not needed again
    return module


def stubs_used(grading, name, uses):
    """The stubs among `uses`, as {module name: [function, ...]}, the test's own module first.

    A use names a function of the test's own module ("train"), or of another module with
    its name in front ("network:Network.forward"), for a test that runs both.
    """
    found = {}
    for use in uses:
        module, _, function = use.rpartition(":")
        module = module or name
        if not (grading.target / f"{module}.py").exists():
            continue  # importing it will fail the test with the loader's message
        try:
            stubs = grading.stubs_in(module)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue  # likewise (a file Python can't decode, or too deeply nested to parse)
        if function in stubs:
            found.setdefault(module, []).append(function)
    return dict(sorted(found.items(), key=lambda item: item[0] != name))


@pytest.fixture
def student_module(request):
    """Another of the student's modules: `student_module("network")` in test_training.py.

    Checked for stubs by the `student` fixture when the test's `uses` names them
    ("network:Network.forward"); a missing or broken module fails the test with its message.
    """
    grading = request.config.stash[GRADING]

    def load(name):
        if name in grading.hung:
            raise NotRun(f"not run: {grading.hung[name]} ran out of time, so {name}.py "
                         "is not used again in this run (fix the endless loop first)")
        return grading.module(name)

    return load


@pytest.hookimpl(wrapper=True, trylast=True)
def pytest_runtest_call(item):
    """Run the test with input() disabled, the student's printing capped, and a last resort.

    trylast: inside pytest's own capture wrapper, which sets sys.stdout when it resumes
    capturing and would otherwise replace the capped stream.

    The time limit interrupts the test with an exception, which student code can catch (a bare
    `except:` in a loop) and go on; if the test is still running HARD_STOP_SECONDS later, the run
    is ended from a watchdog thread, with this test and every one not yet run failed.
    """
    from grader.loader import no_input

    seconds = seconds_for(item)
    # The student's code runs in the runner, which gets the time left with every request and
    # is killed GRACE_SECONDS past it; this limit is the judge's own, for its own code.
    judge_seconds = seconds + remote.GRACE_SECONDS + 2
    watchdog = threading.Timer(judge_seconds + HARD_STOP_SECONDS, hard_stop, args=(item, seconds))
    watchdog.daemon = True
    watchdog.start()
    remote.Deadline.end = time.monotonic() + seconds
    try:
        with no_input(), time_limit(judge_seconds, TestTimeout):
            return (yield)
    finally:
        remote.Deadline.end = None
        watchdog.cancel()


SWALLOWED = ("stopped after {seconds:g} s, and your code went on after the grader interrupted it "
             "(a bare `except:` or `except BaseException:` inside a loop?)")


def hard_stop(item, seconds):
    """End the run now: `item` ran on past its limit. The grade is still written, exit status 1."""
    remote.close_all()  # os._exit below skips the session's end: no runner outlives it, nor any result
    config = item.config
    grading = config.stash[GRADING]
    module = module_of(item)
    grading.hung.setdefault(module, item.name)
    message = SWALLOWED.format(seconds=seconds)
    worker = config.pluginmanager.get_plugin("grader-worker")
    if worker is not None:  # one process per module: the parent reports it and grades the others
        try:
            worker.write({"event": "hung", "nodeid": item.nodeid, "message": message})
        finally:
            os._exit(1)
    for nodeid, outcome in grading.outcomes.items():
        if nodeid == item.nodeid:
            outcome.judged(message + ": the grading run was ended here", results.TIMEOUT)
        elif nodeid not in grading.finished:
            outcome.judged(f"not run: {item.name} in {module}.py ran out of time and the grading run was ended",
                         results.NOT_RUN)
    try:
        records = grading.settle(config)
        reporter = config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(f"\n{item.nodeid}: {grading.outcomes[item.nodeid].message}", red=True)
            progress.write_summary(reporter, records, grading.target, grading.collected)
        write_results(config, grading)
    finally:
        sys.__stdout__.flush()
        os._exit(1)


def describe(excinfo, item, grading):
    """The message a student sees for a failed test: short, specific, no grader frames."""
    error = excinfo.value
    name = module_of(item)
    place = getattr(error, "place", None) or where_in(excinfo.tb, grading.target)
    at = f"\n    at {place}" if place else ""
    if isinstance(error, (WrongAnswer, NotAttempted, StudentCodeError, NoVerdict, remote.CpuSpent,
                          remote.RunnerEnded)):
        return str(error)
    if isinstance(error, (OutputFlood, remote.OutputFlood)):
        return str(error) + at
    if isinstance(error, remote.CodeTimeout) and error.swallowed:
        grading.hung[name] = item.name
        return SWALLOWED.format(seconds=seconds_for(item)) + "; its process was ended"
    if isinstance(error, (TestTimeout, remote.CodeTimeout)):
        grading.hung[name] = item.name
        return (f"stopped after {seconds_for(item):g} s: probably an endless loop, or far more work than "
                f"needed{at}")
    if isinstance(error, InputCalled):
        return f"{error}{at}"
    if isinstance(error, Unsendable):  # the test handed the runner something it cannot carry
        return (f"the grader failed here, not your code: {error} (a bug in grader/test_{name}.py: a test may "
                "pass only plain values, arrays, NumPy generators and objects your code made)")
    if isinstance(error, remote.StudentExit):
        return f"your code called sys.exit({error.code}), which would end the grading run{at}"
    if isinstance(error, remote.StudentRaised):
        return f"your code raised {error.type_name}: {error.message}{at}"
    if isinstance(error, SystemExit):
        return f"your code called sys.exit({error.code!r}), which would end the grading run{at}"
    if place:
        return f"your code raised {type(error).__name__}: {error}{at}"
    return None  # not the student's: keep pytest's full report, it is a grader bug


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Turn a failure into the grader's message (the lesson's words, no traceback), and record it."""
    grading = item.config.stash[GRADING]
    outcome = grading.outcomes.get(item.nodeid)
    failing = call.excinfo is not None and not call.excinfo.errisinstance(pytest.skip.Exception)
    message = describe(call.excinfo, item, grading) if outcome is not None and failing else None
    if message is not None:
        # pytest would format the whole traceback, with the source of every frame, only for the
        # message to replace it: some 7 ms a failure, a second and more for a folder of stubs.
        item.repr_failure = item._repr_failure_py = lambda excinfo, style=None: message
    try:
        report = yield
    finally:
        item.__dict__.pop("repr_failure", None)
        item.__dict__.pop("_repr_failure_py", None)
    if outcome is None:
        return report
    outcome.seconds += call.duration
    if call.when == "call" or report.failed:
        grading.finished.add(item.nodeid)
    report.sections = [(title, _shorten(text)) for title, text in report.sections]
    if report.skipped and (call.when == "call" or hasattr(report, "wasxfail")):
        # A test passes only by running to its end: a skip or an expected failure, whoever asked
        # for it, is a failure with a reason.
        said = getattr(report, "wasxfail", "") or (call.excinfo and str(call.excinfo.value)) or ""
        message = ("not passed: the test did not run to its end (it was skipped or marked as an expected "
                   f"failure{': ' + said if said else ''}); a test passes only when every check in it passes")
        report.outcome = "failed"
        report.longrepr = message
        if hasattr(report, "wasxfail"):
            del report.wasxfail
        outcome.judged(message, results.NO_VERDICT)
        return report
    if call.when == "call" and report.passed and outcome.status != results.NOT_ATTEMPTED:
        outcome.judged("", None, results.PASSED)
        return report
    if call.excinfo is None or not report.failed:
        return report
    error = call.excinfo.value
    if isinstance(error, NotAttempted):
        outcome.judged(message, None, results.NOT_ATTEMPTED)
        outcome.stubs = error.stubs
        report.grade_status = "not attempted"
    elif message is None:  # the grader's own error: pytest's whole report stays
        outcome.judged(str(error), results.GRADER)
    else:
        outcome.judged(message, results.cause_of(error))
        explanation = getattr(error, "explanation", "") if isinstance(error, WrongAnswer) else ""
        if explanation:  # the check's words, then the diagnosis's: kept apart in the record
            outcome.message, outcome.explanation, outcome.diagnosis = error.said, explanation, error.diagnosis
    if message is not None:
        report.longrepr = outcome.text()
    return report


def _shorten(text):
    if len(text) <= SECTION_LIMIT:
        return text
    return text[:SECTION_LIMIT] + f"\n... ({len(text) - SECTION_LIMIT:,} more characters not shown)\n"


def pytest_report_teststatus(report, config):
    """Say NOT ATTEMPTED for a stub, and count a fixture that failed as a failure, not an error."""
    if getattr(report, "grade_status", None) == "not attempted":
        return "not attempted", "N", "NOT ATTEMPTED"
    if report.when == "setup" and report.failed:
        return "failed", "F", "FAILED"
    return None


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """End with the grade table, the total and what to do next."""
    grading = config.stash.get(GRADING, None)
    if grading is None or not grading.outcomes:
        return
    records = grading.records or grading.settle(config)
    progress.write_summary(terminalreporter, records, grading.target, grading.collected)
    level = remote.containment()
    terminalreporter.write_line(f"your code ran in: {remote.LEVELS[level]}")


def pytest_sessionfinish(session, exitstatus):
    """End the student's processes, then write results.json (--results-json), whatever stopped the run."""
    remote.close_all()
    grading = session.config.stash.get(GRADING, None)
    if grading is not None:
        grading.settle(session.config)
        write_results(session.config, grading)


def settle_blame(config, grading):
    """Once every test has run: the line under each failure that says which function to fix first,
    from all the module's failures at once (grader.verdict.Blame.settle), as trace and hint say it.
    Runs before pytest prints the failures (its terminal reporter prints them after this hook)."""
    from grader import verdict

    reports = {}
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    for report in (reporter.stats.get("failed", []) if reporter is not None else []):
        reports.setdefault(report.nodeid, []).append(report)
    by_module = {}
    for nodeid, outcome in grading.outcomes.items():
        outcome.upstream, outcome.note = (), ""
        if outcome.status == results.FAILED:
            by_module.setdefault(outcome.module, {})[outcome.name] = (nodeid, outcome)
    for module, failed in by_module.items():
        blame = verdict.Blame(module)
        settled = blame.settle([(name, outcome.uses, outcome.about) for name, (_, outcome) in failed.items()])
        for name, _own, upstream in settled:
            if not upstream:
                continue
            nodeid, outcome = failed[name]
            outcome.upstream = tuple(upstream)
            outcome.note = verdict.upstream_note(upstream, module, blame.wrong)
            for report in reports.get(nodeid, []):
                if isinstance(report.longrepr, str):
                    report.longrepr = outcome.text()


def write_results(config, grading):
    """results.json, in Gradescope's format with each test's record (grader.gradescope.results_json),
    if --results-json was given; with --results-format classroom50, that same grade converted by
    grader.classroom50.from_gradescope."""
    path = config.getoption("results_json", None)
    if not path:
        return
    from grader.gradescope import results_json

    graded = results_json(grading.records, remote.containment())
    if config.getoption("results_format", "gradescope") == "classroom50":
        from grader.classroom50 import from_gradescope

        graded = from_gradescope(graded)
    submissions.write_results(path, graded)
