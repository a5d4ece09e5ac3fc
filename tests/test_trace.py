"""`python -m grader.trace MODULE`: the student's values beside the worked example's.

Run as a student runs it, in a subprocess from the repository root, on copies of the reference
with one edit (tests/grading.py), so that each test can fail.
"""

import subprocess
import sys

import pytest

from coursekit import ROOT, course, worked
from coursekit.course import lesson_url
from grader import trace
from tests.grading import EXERCISES, edited, files_in, submission

# Every module with a worked example; lessons add theirs (coursekit/worked/<module>.py).
TRACED = [name for name in course.MODULES if trace.has_worked_example(name)]


def run(module, target, seconds=60):
    return subprocess.run([sys.executable, "-m", "grader.trace", module, "--target", str(target)],
                          cwd=ROOT, capture_output=True, text=True, timeout=seconds)


@pytest.mark.parametrize("module", TRACED)
def test_the_reference_agrees_with_its_worked_example(module):
    result = run(module, ROOT / "solutions")
    assert result.returncode == 0, result.stdout + result.stderr
    count = sum(v.compared for v in worked.reference_values(module))
    assert f"all {count} values agree with the reference" in result.stdout
    assert "DIFFER" not in result.stdout and "NOT ATTEMPTED" not in result.stdout


@pytest.mark.parametrize("module", TRACED)
def test_stubs_are_not_attempted(module, tmp_path):
    before = files_in(EXERCISES)
    result = run(module, EXERCISES)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "NOT ATTEMPTED" in result.stdout and "FIRST DIFFERENCE" not in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    assert files_in(EXERCISES) == before  # nothing written into the student's folder


def test_a_flipped_sign_in_backprop_names_the_first_gradient(tmp_path):
    folder = submission(tmp_path / "work", edited("network", [
        ("g = 2 * (self.output - targets)", "g = 2 * (targets - self.output)")]))
    result = run("network", folder)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    first = next(i for i, line in enumerate(lines) if "FIRST DIFFERENCE" in line)
    assert "weights_grad[2]" in lines[first]  # the last layer's, computed first
    before = "\n".join(lines[:first])  # the forward pass and the loss agreed before it
    assert "DIFFER" not in before and "NOT ATTEMPTED" not in before and before.count("  ok  ") == 7
    assert f"reread: {lesson_url('network', 'backpropagation')}" in "\n".join(lines[first:first + 12])
    assert "the first that differs is weights_grad[2], from Network.backprop" in result.stdout
    assert result.stdout.count("FIRST DIFFERENCE") == 1


def test_one_stub_among_written_methods_is_stood_in_for(tmp_path):
    source = edited("network", [])
    start = source.index("        # BEGIN SOLUTION: check the targets")
    end = source.index("        # END SOLUTION", start) + len("        # END SOLUTION")
    folder = submission(tmp_path / "work", source[:start] + "        ..." + source[end:])
    result = run("network", folder)
    assert result.returncode == 1
    assert "Network.forward  NOT ATTEMPTED" in result.stdout
    # backprop, update and predict still run (on the reference's forward) and agree.
    assert "ok             weights_grad[1]" in result.stdout
    assert "not attempted: Network.forward" in result.stdout


def test_an_endless_loop_is_stopped(tmp_path, monkeypatch):
    folder = submission(tmp_path / "work", edited("network", [
        ("g = 2 * (self.output - targets)", "while True:\n            pass")]))
    monkeypatch.setattr(trace, "RUN_SECONDS", 3)
    found = trace.trace("network", folder, seconds=3)
    assert not found.passed and "stopped after 3 s" in found.error
    assert found.error_method == "Network.backprop"
    assert found.method_status()["Network.forward"] == trace.AGREES


def test_a_value_not_stored_is_named(tmp_path):
    folder = submission(tmp_path / "work", edited("network", [("            self.layers[k] = a\n", "")]))
    result = run("network", folder)
    assert result.returncode == 1
    assert "could not read a(1) after Network.forward" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_a_broken_import_is_reported(tmp_path):
    folder = submission(tmp_path / "work", edited("network", [("import numpy as np\n", "import numpy as np\n1/0\n")]))
    result = run("network", folder)
    assert result.returncode == 1
    assert "ZeroDivisionError" in result.stdout and "network.py:" in result.stdout


def test_values_that_are_not_arrays_are_shown_not_crashed_on():
    assert worked.fmt(None) == "None"
    assert not worked.agree(worked.np.zeros(2), None)
    assert not worked.agree(worked.np.zeros(2), worked.np.zeros(3))


def test_a_module_without_a_worked_example_is_a_usage_error():
    result = run("no_such_module", EXERCISES)
    assert result.returncode == 2 and "no worked example" in result.stderr
