"""grader.checks.cpu_budget: the MNIST runs' limit is the CPU time the student's code uses in its
runner (grader.remote.Budget), not the wall clock, and not the grader's own CPU."""

import signal
import time

import pytest

from grader import remote
from grader.checks import cpu_budget

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGPROF"), reason="no SIGPROF (Windows): wall clock only")

STUDENT = '''import time


def spin():
    while True:
        sum(range(1000))


def work(seconds):
    """Busy for `seconds` of CPU time."""
    end = time.process_time() + seconds
    while time.process_time() < end:
        sum(range(1000))


def wait(seconds):
    time.sleep(seconds)
'''


@pytest.fixture
def student(tmp_path):
    """A student's training.py in a runner of its own, ended after the test."""
    (tmp_path / "training.py").write_text(STUDENT, encoding="utf-8")
    runner = remote.Runner(tmp_path)
    try:
        yield runner.module("training")
    finally:
        runner.release()


def test_work_past_the_budget_fails_with_the_budget_and_the_references_needs(student):
    with pytest.raises(remote.CpuSpent) as failure:
        with cpu_budget(0.2, reference_seconds=1.5, example_by_example_seconds=12):
            student.spin()
    message = str(failure.value)
    assert "more than 0.2 s of CPU time" in message and "about 1.5 s" in message and "about 12 s" in message


def test_the_budget_spans_every_call_inside_it(student):
    """Each call gets the CPU time the calls before it left: many small calls add up."""
    started = time.process_time()
    with pytest.raises(remote.CpuSpent):
        with cpu_budget(0.5, reference_seconds=1, example_by_example_seconds=2):
            for _ in range(20):
                student.work(0.1)
    assert time.process_time() - started < 0.5  # the student's CPU is the runner's, not the grader's


def test_waiting_costs_no_cpu_and_the_budget_ends_with_the_block(student):
    before = signal.getsignal(signal.SIGPROF)
    with cpu_budget(0.2, reference_seconds=1, example_by_example_seconds=2):
        student.wait(0.5)  # half a second of wall clock, almost no CPU: not over the budget
    assert remote.Budget.current is None
    student.work(0.3)  # past the block, no budget holds
    assert signal.getsignal(signal.SIGPROF) == before  # the grader's own process is left alone
    assert signal.getitimer(signal.ITIMER_PROF) == (0.0, 0.0)
