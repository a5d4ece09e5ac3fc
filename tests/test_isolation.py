"""One process per module: a network.py that hangs, swallows the interruption or ends its process
costs only network.py's tests (tests/looping.py), and the parent reports what the child did."""

import sys

import pytest

from coursekit import course
from tests import looping


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    return looping.grade_all(tmp_path_factory.mktemp("looping"))


def test_every_other_module_keeps_its_points(runs):
    assert looping.problems_in(runs) == []


def test_swallowing_the_interruption_ends_only_its_module(runs):
    graded = runs["swallows the interruption"]
    network = [t for t in graded.results["tests"] if t["name"].startswith("network.py: ")]
    hung = [t for t in network if "went on after the grader interrupted it" in t["output"]]
    assert len(hung) == 1, graded
    after = network[network.index(hung[0]) + 1:]
    assert after and all(t["output"].startswith("not run:") for t in after), graded
    assert all(t["status"] == "passed" for t in network[:network.index(hung[0])])  # forward() is fine
    # training.py waits for network.py, learns that it hung, and doesn't pay for the loop again.
    assert graded.tests[looping.USES_STUDENT_NETWORK]["output"].startswith("not run:"), graded
    assert "FAILED" in graded.stdout and "your grade" in graded.stdout


def test_os_exit_fails_only_the_tests_that_call_it(runs):
    graded = runs["ends the process"]
    assert set(graded.failed) == {"network.py: test_update_steps_against_the_gradient",
                                  looping.USES_STUDENT_NETWORK}, graded
    assert "exit status 3" in graded.tests["network.py: test_update_steps_against_the_gradient"]["output"]
    # The tests after it, in a fresh process, passed.
    assert graded.tests["network.py: test_predict_batch"]["status"] == "passed"


def test_the_terminal_looks_as_with_one_process(runs):
    graded = runs["reference"]
    lines = [line for line in graded.stdout.splitlines() if line.startswith("grader/test_")]
    assert len(lines) == len(graded.results["tests"]) and all(" PASSED" in line for line in lines)
    modules = [line.split("::")[0] for line in lines]
    # each module in one block
    assert modules == sorted(modules, key=modules.index) and len(set(modules)) == len(course.MODULES)
    # The collection's order (by file name), whatever order the children ran in.
    assert [m for i, m in enumerate(modules) if m not in modules[:i]] == sorted(set(modules))
    assert "INTERNALERROR" not in graded.stdout + graded.stderr


def test_children_are_forked_on_linux_unless_told_otherwise(monkeypatch):
    from grader import isolation

    monkeypatch.delenv("GRADER_START", raising=False)
    assert isolation.start_method() == ("fork" if sys.platform.startswith("linux") else "spawn")
    monkeypatch.setenv("GRADER_START", "spawn")
    assert isolation.start_method() == "spawn"
    monkeypatch.setenv("GRADER_START", "fork")
    assert isolation.start_method() == ("fork" if sys.platform.startswith("linux") else "spawn")
