"""`python -m grader.hint MODULE [METHOD]`: one hint deeper each time, state kept outside exercises/."""

import json
import os
import subprocess
import sys

import pytest

from coursekit import ROOT, hints
from grader import hint
from tests.grading import EXERCISES, edited, files_in, submission


@pytest.fixture
def state(tmp_path):
    return tmp_path / "state" / "hints.json"


def run(state, *args):
    env = {**os.environ, hint.STATE_VARIABLE: str(state)}
    return subprocess.run([sys.executable, "-m", "grader.hint", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)


def test_each_request_goes_one_level_deeper_then_stays_on_the_last(state):
    count = len(hints.load("network")["Network.forward"])
    before = files_in(EXERCISES)
    shown = []
    for _ in range(count + 1):
        result = run(state, "network", "--target", str(EXERCISES))
        assert result.returncode == 0, result.stderr
        assert "the first method not done yet: Network.forward (still a stub)" in result.stdout
        shown.append(result.stdout)
    for level in range(count):
        assert f"Hint {level + 1} of {count}" in shown[level]
    assert f"Hint {count} of {count}" in shown[count]
    assert "that was the last hint" in shown[count] and "#reference-solution" in shown[count]
    assert files_in(EXERCISES) == before  # no state in the student's folder
    saved = json.loads(state.read_text())
    assert saved == {f"{EXERCISES.resolve()}::network::Network.forward": count}


def test_the_first_method_that_differs_gets_the_hint(state, tmp_path):
    folder = submission(tmp_path / "work", edited("network", [
        ("g = 2 * (self.output - targets)", "g = 2 * (targets - self.output)")]))
    result = run(state, "network", "--target", str(folder))
    assert "the first method not done yet: Network.backprop" in result.stdout
    # The grader named the mistake: its explanation first, once, then the ladder.
    assert "the grader's diagnosis" in result.stdout and "Probably: the sign of g is flipped" in result.stdout
    assert "Hint 1 of 3" not in result.stdout
    again = run(state, "network", "--target", str(folder))
    assert "Hint 1 of 3" in again.stdout and "#backpropagation" in again.stdout
    assert "the grader's diagnosis" not in again.stdout


def test_a_named_method_and_reset(state):
    first = run(state, "network", "backprop", "--target", str(EXERCISES))
    second = run(state, "network", "Network.backprop", "--target", str(EXERCISES))
    assert f"Network.backprop ({EXERCISES / 'network.py'}), Hint 1 of 3" in first.stdout  # the file it read
    assert "Hint 2 of 3" in second.stdout
    assert "Hint 1 of 3" in run(state, "network", "Network.forward", "--target", str(EXERCISES)).stdout
    assert run(state, "network", "--reset", "--target", str(EXERCISES)).returncode == 0
    assert "Hint 1 of 3" in run(state, "network", "backprop", "--target", str(EXERCISES)).stdout


def test_a_passing_module_asks_for_a_method_by_name(state):
    result = run(state, "network", "--target", str(ROOT / "solutions"))
    assert result.returncode == 0 and "every method passes the grader's checks" in result.stdout
    assert not state.exists()


def test_unknown_names_are_usage_errors(state):
    assert run(state, "network", "Network.nothing").returncode == 2
    assert run(state, "no_such_module").returncode == 2


def test_the_default_state_is_outside_the_exercises_folder():
    assert hint.STATE.is_relative_to(ROOT / ".cache")
    assert ".cache/" in (ROOT / ".gitignore").read_text().splitlines()


def test_every_hint_is_for_a_method_the_exercise_has():
    from coursekit.stubs import find_stubs

    for path in sorted((ROOT / "grader" / "hints").glob("*.toml")):
        module = path.stem
        stubs = find_stubs((EXERCISES / f"{module}.py").read_bytes())
        table = hints.load(module)
        assert set(table) <= stubs, (module, set(table) - stubs)
        assert all(2 <= len(levels) <= 3 for levels in table.values()), module


def test_terminal_text_drops_the_math_delimiters():
    assert hint.plain(r"the slope \(f'(a)\) and \(\partial J\)") == "the slope f'(a) and ∂J"


@pytest.mark.parametrize(("markdown", "shown"), [
    (r"where \(x \ge 0\)", "where x ≥ 0"),
    (r"\(\delta^{(l)}\) and \(a^{(k)}\)", "δ⁽ˡ⁾ and a⁽ᵏ⁾"),
    ("the **pre-activation** and *not* `h`", "the pre-activation and not h"),
    (r"\(n_{k-1}\), \(W^{(k)} \leftarrow W^{(k)} - \eta \nabla J\)", "nₖ₋₁, W⁽ᵏ⁾ ← W⁽ᵏ⁾ - η∇J"),
    (r"\(\frac{\partial J}{\partial W}\)", "∂J/∂W"),
    ("code keeps its own stars: `x ** 2 * y`", "code keeps its own stars: x ** 2 * y"),
])
def test_terminal_text_is_unicode_without_markers(markdown, shown):
    assert hint.plain(markdown) == shown


def test_no_hint_shows_tex_or_markdown_markers_in_the_terminal():
    import re

    from coursekit import course

    for module in course.MODULES:
        for method, levels in hints.load(module).items():
            for level in levels:
                text = re.sub(r"`[^`]*`", "", level)  # code is shown as written
                shown = hint.plain(text)
                assert not re.search(r"\\[A-Za-z]|\*\*|\^\{|_\{|\\\(", shown), (module, method, shown)
