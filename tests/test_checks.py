"""grader.checks.cpu_budget: the MNIST runs' limit is CPU time, not the wall clock."""

import signal
import time

import pytest

from grader.checks import WrongAnswer, cpu_budget

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGPROF"), reason="no SIGPROF (Windows): wall clock only")


def test_work_past_the_budget_fails_with_the_budget_and_the_references_needs():
    with pytest.raises(WrongAnswer) as failure:
        with cpu_budget(0.2, reference_seconds=1.5, example_by_example_seconds=12):
            while True:
                sum(range(1000))
    message = str(failure.value)
    assert "more than 0.2 s of CPU time" in message and "about 1.5 s" in message and "about 12 s" in message


def test_waiting_costs_no_cpu_and_the_handler_is_put_back():
    before = signal.getsignal(signal.SIGPROF)
    with cpu_budget(0.2, reference_seconds=1, example_by_example_seconds=2):
        time.sleep(0.5)  # half a second of wall clock, almost no CPU: not over the budget
    assert signal.getsignal(signal.SIGPROF) == before
    assert signal.getitimer(signal.ITIMER_PROF) == (0.0, 0.0)
