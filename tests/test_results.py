"""One results model (grader/results.py): each test's outcome is a record the judge makes once, and
every view (the summary, results.json, scores.csv, Classroom 50, the notebooks) is made from its
fields; the `grade` marker is read and checked in one function."""

import re
import subprocess
import sys
from types import SimpleNamespace

import pytest

from coursekit import ROOT
from grader import classroom, results
from grader.gradescope import results_json, stage
from grader.results import Result
from tests.grading import WARM, submission

RECORD = Result(module="network", function="test_forward_matches_reference",
                name="test_forward_matches_reference[784-30-10]", status="failed", points=0.75,
                message="output has shape (1, 10), expected (2, 10)", diagnosis=("the sign of g is flipped",),
                explanation="probably: the sign of g is flipped: ...", section="the-forward-pass",
                cause="wrong", uses=("network:Network.forward",), seconds=0.25)


def test_a_record_travels_as_json_and_back():
    assert Result.from_json(RECORD.to_json()) == RECORD
    graded = results_json([RECORD], "process")
    test = graded["tests"][0]
    assert test["name"] == "network.py: test_forward_matches_reference[784-30-10]"
    assert test["output"] == RECORD.text() and test["output"].endswith("#the-forward-pass")
    assert (test["score"], test["max_score"], test["status"]) == (0.0, 0.75, "failed")
    assert results.read(graded) == [RECORD]


@pytest.mark.parametrize("bad", [{"status": "ok"}, {"points": "1"}, {"cause": "MemoryError"},
                                 {"uses": "network:Network.forward"}, {"colour": "red"}])
def test_a_record_the_grader_did_not_write_is_refused(bad):
    with pytest.raises(ValueError):
        Result.from_json(RECORD.to_json() | bad)
    with pytest.raises(ValueError):  # a results.json without records is not one of this grader's
        results.read({"tests": [{"name": "network.py: test_x", "score": 1, "output": ""}]})


def record(status, cause=None, message=""):
    return Result(module="network", function="test_x", name="test_x", status=status, points=1.0,
                  message=message, cause=cause)


def test_a_classroom_flag_comes_from_the_cause_never_from_the_message():
    """A test whose message happens to say MemoryError (a passing one, or a file Python cannot
    compile) is no memory error; a test the judge failed for memory is one, whatever it says."""
    wordy = [record("passed", message="MemoryError"), record("failed", "import", "cannot compile: MemoryError"),
             record("failed", "raised", "your code raised ValueError: Cannot allocate memory, printed more than")]
    assert classroom.flag(wordy) == ("ok", "")
    assert classroom.flag([record("failed", "memory", "forward failed"), record("passed")]) == (
        "memory", "graded; 1 test(s) failed by it")
    assert classroom.flag([record("failed", "output-flood", "")])[0] == "output-flood"


ENDS = {  # network.py's forward replaced at the end of the reference: what it does, and the cause
    "memory": "raise MemoryError()",
    "raised": "raise ValueError('MemoryError, Cannot allocate memory: not really')",
    "timeout": "import time\n    while True: time.sleep(0.01)",
}


@pytest.mark.parametrize("cause", ENDS)
def test_the_judge_records_the_cause_from_what_happened(tmp_path, cause):
    source = (ROOT / "solutions" / "network.py").read_text(encoding="utf-8")
    source += f"\n\ndef _forward(self, features, targets):\n    {ENDS[cause]}\n\n\nNetwork.forward = _forward\n"
    folder = submission(tmp_path / "s", source)
    graded = WARM.run(folder, tmp_path / "results.json", "--module", "network", "-k", "test_forward_matches")
    records = results.read(graded.results)
    assert records and {r.status for r in records} == {"failed"}, graded
    assert {r.cause for r in records} <= {cause, "not-run"} and records[0].cause == cause, records
    assert classroom.flag(records)[0] == ("memory" if cause == "memory" else "ok")
    for r, test in zip(records, graded.results["tests"]):  # the view is made from the record
        assert test["output"] == r.text() and test["name"] == r.title


class Item:
    """Enough of a pytest item for results.grade_of."""

    def __init__(self, *args, **kwargs):
        self.nodeid, self.stash = f"grader/test_network.py::test_{len(kwargs)}", pytest.Stash()
        self.marker = SimpleNamespace(name="grade", args=args, kwargs=kwargs)

    def get_closest_marker(self, name):
        return self.marker if name == "grade" else None


@pytest.mark.parametrize(("args", "kwargs", "says"), [
    (("Network.forward",), {}, "keywords only"),
    ((), {"use": ["Network.forward"]}, "unknown keyword use"),
    ((), {"uses": "Network.forward"}, "uses= must be a non-empty list"),
    ((), {"uses": []}, "uses= must be a non-empty list"),
    ((), {"uses": ["Network.forward"], "section": "#the-forward-pass"}, "without '#'"),
    ((), {"uses": ["Network.forward"], "end_to_end": "yes"}, "True or False"),
])
def test_a_bad_marker_is_caught_in_the_one_function_that_reads_it(args, kwargs, says):
    item = Item(*args, **kwargs)
    with pytest.raises(results.BadMarker, match=re.escape(says)):
        results.grade_of(item)
    assert says in results.check_markers([Item(uses=["Network.forward"]), item])
    good = Item(uses=["Network.forward", "training:train"], section="the-forward-pass")
    assert results.grade_of(good).qualified("network") == ("network:Network.forward", "training:train")


BAD_HIDDEN = '''
import pytest


@pytest.mark.grade(use=["Network.forward"], section="the-forward-pass")
def test_hidden_with_a_typo(student):
    pass
'''


def test_a_bad_marker_stops_the_grader_with_one_clear_error(tmp_path):
    hidden = tmp_path / "hidden"
    hidden.mkdir()
    (hidden / "test_network.py").write_text(BAD_HIDDEN, encoding="utf-8")
    kit = stage(tmp_path / "kit", hidden)
    run = subprocess.run([sys.executable, "-m", "pytest", "grader", "--target=solutions", "--lesson", "1",
                          "--collect-only", "-q", "-p", "no:cacheprovider"], cwd=kit, capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 4, run.stdout + run.stderr  # pytest's usage error: nothing graded
    said = run.stderr
    assert "grader/hidden/test_network.py::test_hidden_with_a_typo: its grade marker unknown keyword use" in said
    assert said.count("its grade marker") == 1 and "Traceback" not in said and "INTERNALERROR" not in said


# What the views may not do again: read the marker raw, or find a status, a test's module or name,
# a diagnosis or a stub by searching text (grader/results.py holds the fields).
RAW_MARKER = re.compile(r"""get_closest_marker\(\s*["']grade|\.kwargs\b""")
PARSED = re.compile("|".join([
    r"""\[\s*["'](?:output|name)["']\s*\]""", r"""\.get\(\s*["'](?:output|name)["']""",  # results.json read back
    r"""\.(?:partition|split|rpartition)\(\s*["'](?:\.py|: )""",  # the test-name text taken apart
    r"""(?:startswith|removeprefix)\(\s*["'](?:not attempted|stopped after|not run|probably|reread)""",
    r"""CONSEQUENCE\s+(?:not\s+)?in\b""", r"""["']probably["']\s+(?:not\s+)?in\b""",
    r"""["'](?:MemoryError|Cannot allocate memory|printed more than|File too large|std::bad_alloc|"""
    r"""importing the module did not finish|cannot compile)["']\s+in\s+(?!terminal_output\b)""",
]))
VIEWS = ["plugin", "isolation", "select", "progress", "verdict", "classroom", "classroom50", "notebook",
         "gradescope", "results"]


def test_no_view_parses_messages_or_reads_the_grade_marker_raw():
    found = []
    for path in sorted((ROOT / "grader").glob("*.py")):
        if path.name.startswith("test_"):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if path.name != "results.py" and RAW_MARKER.search(line):
                found.append(f"{path.name}:{number}: reads the grade marker raw (use grader.results.grade_of): {line}")
            if path.stem in VIEWS and PARSED.search(line):
                found.append(f"{path.name}:{number}: parses result text (use the record's fields): {line}")
    assert found == [], "\n".join(found)
    assert PARSED.search('status = "memory" if "MemoryError" in output')  # the check can fail
    assert RAW_MARKER.search('marker = item.get_closest_marker("grade")')


def raised_while(error, handling):
    """`error` as the judge meets it: raised while `handling` was being handled."""
    try:
        try:
            raise handling
        except BaseException:
            raise error from None
    except BaseException as caught:
        return caught


def test_the_cause_comes_from_the_exceptions_never_from_their_words():
    from grader import remote
    from grader.checks import WrongAnswer
    from grader.loader import StudentCodeError

    raised = remote._exception_class("OSError", "OSError")
    flood, no_memory = raised("OSError", "File too large", None), raised("OSError", "whatever it says", None)
    flood.errno, no_memory.errno = 27, 12  # what the runner sends of an OSError: its number
    assert results.cause_of(flood) == "output-flood" and results.cause_of(no_memory) == "memory"
    assert results.cause_of(raised("OSError", "[Errno 27] File too large: MemoryError", None)) == "raised"
    assert results.cause_of(WrongAnswer("MemoryError, stopped after 10 s")) == "wrong"
    assert results.cause_of(remote.CpuSpent("your train() used its CPU time")) == "cpu"
    from grader.harness import Unsendable

    assert results.cause_of(Unsendable("a lambda")) == "grader"  # the test's bug, not the student's
    assert results.cause_of(raised_while(StudentCodeError("network.py: importing failed"),
                                         remote.CodeTimeout())) == "timeout"
    assert results.cause_of(raised_while(StudentCodeError("network.py: importing failed"),
                                         raised("MemoryError", "", None))) == "memory"
    assert results.cause_of(StudentCodeError("network.py: cannot compile this file: MemoryError")) == "import"


def test_a_diagnosis_is_recorded_by_the_mistakes_names(tmp_path):
    """The diagnosis the message shows is also a field: the mistakes' names, which the verdict
    (trace, hint, the notebooks) and the summary's next: read, never the message's words."""
    from grader import progress
    from tests.variants_network import wrong_source

    folder = submission(tmp_path / "s", wrong_source("sign flipped"))
    graded = WARM.run(folder, tmp_path / "results.json", "--module", "network", "-k", "test_backprop_matches")
    failed = [r for r in results.read(graded.results) if r.status == "failed"]
    assert failed and all(r.cause == "wrong" and r.diagnosis for r in failed), failed
    first = failed[0]
    assert all(f"probably: {name}" in first.explanation or f"- {name}" in first.explanation
               for name in first.diagnosis)
    assert first.explanation not in first.message  # kept apart; the text the student reads joins them
    assert first.text().startswith(f"{first.message}\n    {first.explanation}")
    step = progress.next_step(failed)
    assert f"probably: {first.diagnosis[0]}" in step or f"- {first.diagnosis[0]}" in step
