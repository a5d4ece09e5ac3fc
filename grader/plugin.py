"""The grader's pytest plugin: which folder is graded, how results are told, and the grade.

    python -m pytest grader                        # grade exercises/
    python -m pytest grader --target solutions     # or any folder holding the module files
    python -m pytest grader --results-json r.json  # also write Gradescope's results.json

Each test names, in a `grade` marker, the student functions it uses and the lesson section
that teaches them. A test whose functions are still stubs is "not attempted"; any other
failure is reported as one short message (what was expected, where, what to reread) instead
of a stack of the grader's frames.
"""

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from coursekit.stubs import find_stubs
from grader import catalog
from grader.checks import WrongAnswer
from grader.loader import InputCalled, StudentCodeError, import_student_module, where_in

DEFAULT_TARGET = "exercises"
TEST_SECONDS = 10
OUTPUT_LIMIT = 1_000_000  # characters a test may print before it is stopped
SECTION_LIMIT = 2_000  # characters of captured output shown in a report


class NotAttempted(Exception):
    """The test uses a function that is still a stub."""


class OutputFlood(Exception):
    """The student's code printed more than OUTPUT_LIMIT characters in one test."""


@dataclass
class Outcome:
    """One test's result, as the summary and results.json need it."""

    module: str
    name: str
    max_score: float
    status: str = "passed"  # "passed", "failed" or "not attempted"
    output: str = ""
    section: str | None = None
    seconds: float = 0.0


@dataclass
class Grading:
    """What one run knows: the folder graded, its modules, and every test's outcome."""

    target: Path
    modules: dict = field(default_factory=dict)  # name -> module, or the StudentCodeError
    stubs: dict = field(default_factory=dict)  # name -> set of stub names
    hung: dict = field(default_factory=dict)  # name -> the test that timed out
    outcomes: dict = field(default_factory=dict)  # nodeid -> Outcome

    def module(self, name):
        if name not in self.modules:
            try:
                self.modules[name] = import_student_module(name, self.target)
            except StudentCodeError as error:
                self.modules[name] = error
        found = self.modules[name]
        if isinstance(found, StudentCodeError):
            raise found
        return found

    def stubs_in(self, name):
        if name not in self.stubs:
            path = self.target / f"{name}.py"
            self.stubs[name] = find_stubs(path.read_text(encoding="utf-8"))
        return self.stubs[name]


GRADING = pytest.StashKey[Grading]()


def pytest_addoption(parser):
    group = parser.getgroup("grader", "the course's grader")
    group.addoption("--target", default=DEFAULT_TARGET, metavar="DIR",
                    help="folder holding the module files to grade (default: exercises)")
    group.addoption("--results-json", default=None, metavar="PATH",
                    help="also write the grade in Gradescope's results.json format")


def pytest_configure(config):
    target = Path(config.getoption("target"))
    if not target.is_absolute():
        target = Path(config.invocation_params.dir) / target
    if not target.is_dir():
        raise pytest.UsageError(f"--target {config.getoption('target')}: no such folder ({target})")
    # Keep the graded folder as the student left it, and two runs on two folders apart.
    sys.dont_write_bytecode = True
    config.stash[GRADING] = Grading(target=target.resolve())
    config.addinivalue_line("markers", "grade(uses, section): student functions a test uses, lesson anchor")
    if config.option.verbose == 0:
        config.option.verbose = 1  # one line per test: students want to see names


def module_of(item):
    """The exercise module a test grades: grader/test_network.py grades network.py."""
    return Path(item.fspath).stem.removeprefix("test_")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.get_closest_marker("timeout") is None:
            item.add_marker(pytest.mark.timeout(TEST_SECONDS, method="signal"))


def pytest_collection_finish(session):
    """Every selected test gets an outcome now, so the grade lists the same tests whatever happens."""
    grading = session.config.stash[GRADING]
    for item in session.items:
        marker = item.get_closest_marker("grade")
        module = module_of(item)
        grading.outcomes[item.nodeid] = Outcome(
            module=module,
            name=item.name,
            max_score=float(catalog.POINTS.get(item.originalname, 1)),
            section=marker.kwargs.get("section") if marker else None,
        )


@pytest.fixture
def student(request):
    """The student's module for this test file, checked for stubs among the functions the test uses."""
    grading = request.config.stash[GRADING]
    name = module_of(request.node)
    if name in grading.hung:
        raise StudentCodeError(f"not run: {grading.hung[name]} ran out of time, so the rest of "
                               f"{name}.py is not graded in this run (fix the endless loop first)")
    module = grading.module(name)
    marker = request.node.get_closest_marker("grade")
    stubs = stubs_used(grading, name, marker.kwargs.get("uses", ())) if marker else {}
    if stubs:
        listed = " and ".join(f"{', '.join(functions)} in {module}.py" for module, functions in stubs.items())
        raise NotAttempted(f"not attempted: {listed} {'is' if len(stubs) == 1 else 'are'} still a stub")
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
        except SyntaxError:
            continue  # likewise
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
            raise StudentCodeError(f"not run: {grading.hung[name]} ran out of time, so {name}.py "
                                   "is not used again in this run (fix the endless loop first)")
        return grading.module(name)

    return load


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """Run the test with input() disabled and the student's printing capped."""
    from grader.loader import no_input

    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _Capped(sys.stdout), _Capped(sys.stderr)
    try:
        with no_input():
            return (yield)
    finally:
        sys.stdout, sys.stderr = saved


class _Capped:
    """A stream that raises OutputFlood once OUTPUT_LIMIT characters have been written."""

    written = 0

    def __init__(self, stream):
        self._stream = stream

    def write(self, text):
        _Capped.written += len(text)
        if _Capped.written > OUTPUT_LIMIT:
            _Capped.written = 0
            raise OutputFlood(f"your code printed more than {OUTPUT_LIMIT:,} characters in one test; "
                              "remove the print() calls inside loops")
        return self._stream.write(text)

    def __getattr__(self, name):
        return getattr(self._stream, name)


def describe(excinfo, item, grading):
    """The message a student sees for a failed test: short, specific, no grader frames."""
    error = excinfo.value
    name = module_of(item)
    place = where_in(excinfo.tb, grading.target)
    at = f"\n    at {place}" if place else ""
    if isinstance(error, (WrongAnswer, NotAttempted, StudentCodeError, OutputFlood)):
        return str(error) + (at if isinstance(error, OutputFlood) else "")
    if isinstance(error, pytest.fail.Exception) and str(error).startswith("Timeout"):
        grading.hung[name] = item.name
        limit = item.get_closest_marker("timeout")
        seconds = limit.args[0] if limit and limit.args else TEST_SECONDS
        return (f"stopped after {seconds:g} s: probably an endless loop, or far more work than "
                f"needed{at}")
    if isinstance(error, InputCalled):
        return f"{error}{at}"
    if isinstance(error, SystemExit):
        return f"your code called sys.exit({error.code!r}), which would end the grading run{at}"
    if place:
        return f"your code raised {type(error).__name__}: {error}{at}"
    return None  # not the student's: keep pytest's full report, it is a grader bug


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    grading = item.config.stash[GRADING]
    outcome = grading.outcomes.get(item.nodeid)
    if outcome is None:
        return report
    outcome.seconds += call.duration
    report.sections = [(title, _shorten(text)) for title, text in report.sections]
    if call.excinfo is None or not report.failed:
        return report
    message = describe(call.excinfo, item, grading)
    if call.excinfo.errisinstance(NotAttempted):
        outcome.status = "not attempted"
        report.grade_status = "not attempted"
    elif outcome.status != "not attempted":
        outcome.status = "failed"
    if message is not None:
        if outcome.section and outcome.status == "failed":
            message += f"\n    reread: {catalog.lesson_url(outcome.module, outcome.section)}"
        report.longrepr = message
    outcome.output = message or str(call.excinfo.value)
    return report


def _shorten(text):
    if len(text) <= SECTION_LIMIT:
        return text
    return text[:SECTION_LIMIT] + f"\n... ({len(text) - SECTION_LIMIT:,} more characters not shown)\n"


def pytest_report_teststatus(report, config):
    if getattr(report, "grade_status", None) == "not attempted":
        return "not attempted", "N", "NOT ATTEMPTED"
    if report.when == "setup" and report.failed:
        return "failed", "F", "FAILED"
    return None


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    grading = config.stash.get(GRADING, None)
    if grading is None or not grading.outcomes:
        return
    write = terminalreporter.write_line
    terminalreporter.section("your grade")
    modules = {}
    for outcome in grading.outcomes.values():
        modules.setdefault(outcome.module, []).append(outcome)
    width = max(len(name) for name in modules) + 3
    write(f"{'module':<{width}} {'passed':>6} {'failed':>6} {'not attempted':>13} {'points':>10}")
    for name, outcomes in sorted(modules.items(), key=lambda kv: _order(kv[0])):
        count = {status: sum(o.status == status for o in outcomes) for status in ("passed", "failed", "not attempted")}
        points = sum(o.max_score for o in outcomes if o.status == "passed")
        total = sum(o.max_score for o in outcomes)
        write(f"{name + '.py':<{width}} {count['passed']:>6} {count['failed']:>6} {count['not attempted']:>13} "
              f"{points:>5g}/{total:<4g}")
    score = sum(o.max_score for o in grading.outcomes.values() if o.status == "passed")
    write(f"total: {score:g} / {sum(o.max_score for o in grading.outcomes.values()):g} points, "
          f"graded {grading.target}")
    write("")
    write(_next_step(grading))


def _order(name):
    module = catalog.MODULES.get(name)
    return (module.number if module else 99, name)


def _next_step(grading):
    ordered = sorted(grading.outcomes.values(), key=lambda o: _order(o.module))
    for outcome in ordered:
        if outcome.status == "failed":
            first = outcome.output.splitlines()[0] if outcome.output else ""
            link = catalog.lesson_url(outcome.module, outcome.section) if outcome.module in catalog.MODULES else ""
            return f"next: fix {outcome.module}.py, {outcome.name}: {first}\n      {link}".rstrip()
    for outcome in ordered:
        if outcome.status == "not attempted":
            link = catalog.lesson_url(outcome.module, outcome.section) if outcome.module in catalog.MODULES else ""
            return f"next: {outcome.output.removeprefix('not attempted: ')}; start with {outcome.name}\n      {link}".rstrip()
    return "next: everything selected passes. Well done!"


def pytest_sessionfinish(session, exitstatus):
    grading = session.config.stash.get(GRADING, None)
    path = session.config.getoption("results_json", None)
    if grading is None or not path:
        return
    tests = [
        {
            "name": f"{o.module}.py: {o.name}",
            "score": o.max_score if o.status == "passed" else 0.0,
            "max_score": o.max_score,
            "status": "passed" if o.status == "passed" else "failed",
            "output": o.output,
            "execution_time": round(o.seconds, 3),
            "visibility": "visible",
        }
        for o in grading.outcomes.values()
    ]
    results = {
        "score": sum(t["score"] for t in tests),
        "max_score": sum(t["max_score"] for t in tests),
        "execution_time": round(sum(o.seconds for o in grading.outcomes.values()), 3),
        "tests": tests,
    }
    Path(path).write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
