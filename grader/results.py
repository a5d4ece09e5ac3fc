"""One results model: each test's outcome as a record, made once by the judge, read by every view.

    from grader import results
    grade = results.grade_of(item)         # a test's `grade` marker, checked: the one place it is read
    record = outcome.record()              # grader.plugin, once every test ran and blame is settled
    record.status, record.cause            # "failed", "memory": what happened, as fields
    record.to_json() / Result.from_json()  # how a record travels in --results-json
    results.read(gradescope_json)          # the records of a results.json the grader wrote

The judge (grader/plugin.py) makes a `Result` for every selected test when the run ends; what
each view shows is made from the records' fields, never by searching a message for words:

- the terminal summary (grader.progress), from the records themselves;
- `--results-json` (grader.gradescope.results_json, Gradescope's format): each test's `output`
  is `Result.text()`, and its `extra_data` is the record, so that
- `scores.csv` (grader.classroom), Classroom 50's result.json (grader.classroom50) and the
  notebook tables (grader.notebook.check) read records back from that file.

`status` is what the grade counts ("passed" only on an explicit pass, "failed", "not attempted");
`cause` says why a failed test failed when the judge knows it from what was raised or what ended:
a wrong answer, the student's exception, a timeout, memory, output that flooded, a crash, a file
that does not import, a test not run. A classroom flags "memory" from causes, so a message that
merely contains the word MemoryError counts for nothing.
"""

import errno
from dataclasses import asdict, dataclass, fields

import pytest

PASSED, FAILED, NOT_ATTEMPTED = "passed", "failed", "not attempted"
STATUSES = (PASSED, FAILED, NOT_ATTEMPTED)

# Why a test failed, when the judge knows (None: it passed, or the judge has no report of it).
WRONG = "wrong"  # a check's WrongAnswer: the values, shape or kind are not the expected ones
RAISED = "raised"  # the student's code raised an exception, called sys.exit() or input()
TIMEOUT = "timeout"  # past its time limit: an endless loop, or an interruption swallowed
CPU = "cpu"  # used up the CPU time a training run is given (grader.checks.cpu_budget): slow, not stuck
MEMORY = "memory"  # MemoryError: the student's code ran out of memory
OUTPUT_FLOOD = "output-flood"  # the student's code printed more than the grader allows
CRASH = "crash"  # the process running the student's code ended (a crash, os._exit, a signal)
IMPORT = "import"  # the module is missing, does not compile or import, or a function is the wrong kind
NOT_RUN = "not-run"  # not run: an earlier test of the module hung or crashed the run
NO_VERDICT = "no-verdict"  # skipped or marked as an expected failure: no explicit pass
GRADER = "grader"  # the grader's own error (pytest's report is kept)
CAUSES = (WRONG, RAISED, TIMEOUT, CPU, MEMORY, OUTPUT_FLOOD, CRASH, IMPORT, NOT_RUN, NO_VERDICT, GRADER)

VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")  # Gradescope's


# --- the grade marker --------------------------------------------------------------------------

@dataclass(frozen=True)
class Grade:
    """A test's `@pytest.mark.grade(uses=[...], section=..., end_to_end=..., about=...)`, checked."""

    uses: tuple = ()  # the student functions it calls: "Network.forward", or "network:Network.forward"
    section: str | None = None  # the heading anchor, in the module's lesson, to reread
    end_to_end: bool = False  # it trains on MNIST with the whole module
    about: str | None = None  # the function it is about, when not the last of its uses

    def qualified(self, module):
        """Its uses, each as "module:function" (a bare name is a function of `module`, the test's own)."""
        return tuple(use if ":" in use else f"{module}:{use}" for use in self.uses)


class BadMarker(ValueError):
    """A `grade` marker that does not say what the grader needs, or says it wrongly."""


MARKER_KEYS = {"uses", "section", "end_to_end", "about"}


def check_marker(args, kwargs):
    """The Grade of a marker's arguments, or BadMarker saying what is wrong with them."""
    if args:
        raise BadMarker(f"takes keywords only, got the positional {args!r}: write grade(uses=[...], section=...)")
    unknown = sorted(set(kwargs) - MARKER_KEYS)
    if unknown:
        raise BadMarker(f"unknown keyword {', '.join(unknown)} (the keywords are {', '.join(sorted(MARKER_KEYS))})")
    uses = kwargs.get("uses")
    if not isinstance(uses, (list, tuple)) or not uses or not all(isinstance(u, str) and u.strip() for u in uses):
        raise BadMarker(f"uses= must be a non-empty list of function names (\"Network.forward\"), got {uses!r}")
    section = kwargs.get("section")
    if section is not None and (not isinstance(section, str) or not section or section.startswith("#")):
        raise BadMarker(f"section= must be a heading's anchor without '#' (\"the-forward-pass\"), got {section!r}")
    end_to_end = kwargs.get("end_to_end", False)
    if not isinstance(end_to_end, bool):
        raise BadMarker(f"end_to_end= must be True or False, got {end_to_end!r}")
    about = kwargs.get("about")
    if about is not None and (not isinstance(about, str) or not about):
        raise BadMarker(f"about= must be a function name (\"Tensor.__matmul__\"), got {about!r}")
    return Grade(tuple(uses), section, end_to_end, about)


GRADE_KEY = pytest.StashKey[Grade]()


def grade_of(item):
    """The test's `grade` marker, checked (a BadMarker naming the test if it is wrong); a test
    without one is Grade(): it uses nothing the grader knows of and links to no section.
    Every part of the grader reads the marker through this function, and only once a test."""
    found = item.stash.get(GRADE_KEY, None)
    if found is None:
        marker = item.get_closest_marker("grade")
        try:
            found = check_marker(marker.args, marker.kwargs) if marker is not None else Grade()
        except BadMarker as error:
            raise BadMarker(f"{item.nodeid}: its grade marker {error}") from None
        item.stash[GRADE_KEY] = found
    return found


def check_markers(items):
    """Check every test's marker at collection: one error that lists every bad marker, or None."""
    bad = []
    for item in items:
        try:
            grade_of(item)
        except BadMarker as error:
            bad.append(str(error))
    if bad:
        return "the grader's tests have bad grade markers:\n  " + "\n  ".join(bad)
    return None


# --- the record ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Result:
    """One test's outcome, as the judge made it."""

    module: str  # the exercise module it grades: "network"
    function: str  # the test function: "test_forward_matches_reference"
    name: str  # the test with its case: "test_forward_matches_reference[784-30-10-one example]"
    status: str  # PASSED, FAILED or NOT_ATTEMPTED
    points: float  # what it is worth: its share of its function's points (the course table, coursekit.course)
    message: str = ""  # what the judge says about it, without the diagnosis, blame or link
    diagnosis: tuple = ()  # the mistakes (grader.diagnoses) that explain the student's numbers, by name
    explanation: str = ""  # the diagnosis's lines, as the message shows them ("probably: ...")
    section: str | None = None  # the heading anchor, in the module's lesson, to reread
    cause: str | None = None  # why it failed, one of CAUSES (None when it passed)
    stubs: tuple = ()  # not attempted: the stubs it uses, "module:function"
    upstream: tuple = ()  # failed because these functions, wrong in tests of their own, fed it
    note: str = ""  # the line that says which of them to fix first (grader.verdict.upstream_note)
    uses: tuple = ()  # the functions its marker says it uses, "module:function"
    about: str | None = None  # the function its marker says it is about
    seconds: float = 0.0
    visibility: str = "visible"  # Gradescope's; "after_published" for an instructor's hidden test

    @property
    def score(self):
        return self.points if self.status == PASSED else 0.0

    @property
    def title(self):
        """The test as results.json names it: "network.py: test_forward_matches_reference[...]"."""
        return f"{self.module}.py: {self.name}"

    @property
    def function_title(self):
        """The test function as Classroom 50 names it: "network.py: test_forward_matches_reference"."""
        return f"{self.module}.py: {self.function}"

    def link(self):
        """The lesson section to reread, as a URL: the lesson's page when the test names no section,
        "" for a module the course does not list."""
        from coursekit import course

        return course.lesson_url(self.module, self.section) if self.module in course.MODULES else ""

    def text(self, reread=True):
        """The whole message a student reads: the judge's, its diagnosis, which function to fix
        first, and (`reread`, for a failure) the lesson section to reread."""
        parts = [self.message] if self.message else []
        if self.explanation:
            parts.append(f"    {self.explanation}")
        if self.note:
            parts.append(f"    {self.note}")
        if reread and self.status == FAILED and self.section and self.link():
            parts.append(f"    reread: {self.link()}")
        return "\n".join(parts)

    def to_json(self):
        return asdict(self) | {"diagnosis": list(self.diagnosis), "stubs": list(self.stubs),
                               "upstream": list(self.upstream), "uses": list(self.uses)}

    @classmethod
    def from_json(cls, data):
        """The record `to_json` wrote; ValueError for anything else (a field missing or of the wrong kind)."""
        if not isinstance(data, dict):
            raise ValueError(f"a result is a JSON object, not {type(data).__name__}")
        unknown = set(data) - {f.name for f in fields(cls)}
        if unknown:
            raise ValueError(f"a result has no field {', '.join(sorted(unknown))}")
        values = {}
        for f in fields(cls):
            if f.name not in data:
                if f.name in ("module", "function", "name", "status", "points"):
                    raise ValueError(f"a result needs its {f.name}")
                continue
            value = data[f.name]
            if f.name in ("diagnosis", "stubs", "upstream", "uses"):
                if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                    raise ValueError(f"a result's {f.name} is a list of names, not {value!r}")
                value = tuple(value)
            elif f.name in ("points", "seconds"):
                if not isinstance(value, (int, float)) or isinstance(value, bool):
                    raise ValueError(f"a result's {f.name} is a number, not {value!r}")
                value = float(value)
            elif f.name in ("section", "cause", "about"):
                if value is not None and not isinstance(value, str):
                    raise ValueError(f"a result's {f.name} is a string or null, not {value!r}")
            elif not isinstance(value, str):
                raise ValueError(f"a result's {f.name} is a string, not {value!r}")
            values[f.name] = value
        if values["status"] not in STATUSES:
            raise ValueError(f"a result's status is one of {', '.join(STATUSES)}, not {values['status']!r}")
        if values.get("cause") is not None and values["cause"] not in CAUSES:
            raise ValueError(f"a result's cause is one of {', '.join(CAUSES)}, not {values['cause']!r}")
        return cls(**values)


def read(results):
    """The records of a results.json the grader wrote (each test's `extra_data`, in order); a
    ValueError when a test has none or a bad one (a file not written by this grader)."""
    tests = results.get("tests") if isinstance(results, dict) else None
    if not isinstance(tests, list):
        raise ValueError("results.json has no list of tests")
    records = []
    for test in tests:
        if not isinstance(test, dict) or "extra_data" not in test:
            raise ValueError("a test of results.json has no record of the grader's (extra_data)")
        records.append(Result.from_json(test["extra_data"]))
    return records


# --- what an exception says about the test ---------------------------------------------------------

def cause_of(error):
    """The CAUSES entry for the exception `error` that failed a test, from its type and the
    exceptions it was raised from (a module whose import ran out of memory fails as a StudentCodeError
    raised while handling the runner's MemoryError): never from its message."""
    from grader.loader import StudentCodeError

    chain, seen = [], set()
    while error is not None and id(error) not in seen and len(chain) < 20:
        seen.add(id(error))
        chain.append(error)
        error = error.__cause__ or error.__context__
    for error in chain:  # memory first: wherever it happened, it is why
        if (isinstance(error, MemoryError) or getattr(error, "type_name", None) == "MemoryError"
                or getattr(error, "errno", None) == errno.ENOMEM):
            return MEMORY
    if any(getattr(error, "errno", None) == errno.EFBIG for error in chain):  # past the file-size limit
        return OUTPUT_FLOOD
    first = chain[0] if chain else None
    own = getattr(first, "cause", None)  # said where it was raised (grader.plugin, grader.remote)
    if own in CAUSES:
        return own
    if isinstance(first, StudentCodeError):  # the module is not there, or importing it failed: how
        before = _kind(chain[1]) if len(chain) > 1 else None
        return before if before in (TIMEOUT, OUTPUT_FLOOD, CRASH) else IMPORT
    return _kind(first) or RAISED  # an exception the grader placed in the student's code


def _kind(error):
    from grader import remote
    from grader.checks import WrongAnswer
    from grader.harness import Unsendable
    from grader.loader import InputCalled, StudentCodeError

    own = getattr(error, "cause", None)
    if own in CAUSES:
        return own
    for kinds, cause in (((Unsendable,), GRADER),  # the test handed the runner what it cannot carry
                         ((WrongAnswer,), WRONG),
                         ((remote.CodeTimeout,), TIMEOUT),
                         ((remote.CpuSpent,), CPU),
                         ((remote.OutputFlood,), OUTPUT_FLOOD),
                         ((remote.RunnerEnded,), CRASH),
                         ((StudentCodeError,), IMPORT),
                         ((remote.StudentRaised, remote.StudentExit, InputCalled, SystemExit), RAISED)):
        if isinstance(error, kinds):
            return cause
    return None


def stub_sentence(stubs, own):
    """"Network.forward in network.py is still a stub": the stubs (module:function) a test uses, its
    own module `own` first."""
    found = {}
    for stub in stubs:
        module, _, function = stub.rpartition(":")
        found.setdefault(module or own, []).append(function)
    listed = " and ".join(f"{', '.join(functions)} in {module}.py"
                          for module, functions in sorted(found.items(), key=lambda kv: kv[0] != own))
    return f"{listed} {'is' if len(found) == 1 else 'are'} still a stub"
