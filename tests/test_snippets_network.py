"""Lesson 1's scripts (docs/snippets/), run as a student runs them from the course's root folder."""

import pytest

from coursekit import ROOT
from tests.test_snippets import run_snippet
from tests.variants_network import REFERENCE, wrong_source

CHECK = ROOT / "docs" / "snippets" / "check_my_gradients.py"
TRY = ROOT / "docs" / "snippets" / "try_worked_example.py"


def test_the_gradient_check_passes_the_reference(tmp_path):
    result = run_snippet(CHECK, tmp_path, REFERENCE.read_text(encoding="utf-8"))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("central differences with a step of 1e-06; they agree within 1e-05")
    assert [line.split(":")[0] for line in lines[1:-1]] == [
        "weights_grad[2]", "biases_grad[2]", "weights_grad[1]", "biases_grad[1]"]
    assert all(": agrees" in line for line in lines[1:-1])
    assert lines[-1] == "backprop agrees with the finite differences"


@pytest.mark.parametrize("mistake", ["sign flipped", "activation derivative missing", "derivative at h instead of a"])
def test_the_gradient_check_catches_a_wrong_backprop(tmp_path, mistake):
    result = run_snippet(CHECK, tmp_path, wrong_source(mistake))
    assert result.returncode == 1, result.stderr
    assert result.stdout.splitlines()[-1] == "wrong: start with weights_grad[2]", result.stdout


def test_the_worked_example_script_prints_the_lesson_values(tmp_path):
    from coursekit import worked

    result = run_snippet(TRY, tmp_path, REFERENCE.read_text(encoding="utf-8"))
    assert result.returncode == 0, result.stderr
    loss = next(v.value for v in worked.reference_values("network") if v.label == "loss")
    assert result.stdout.startswith("a(1) = [[ 0.5") and f"loss = {float(loss)!r}" in result.stdout
