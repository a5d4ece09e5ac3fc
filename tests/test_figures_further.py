"""coursekit.figures_further and coursekit.runs_further (lesson 7): small, fast behaviour checks."""

import numpy as np
import pytest

from coursekit import figures_further as figures
from coursekit import runs_further as further


def run(validation, test):
    return {"validation": validation, "test": test, "loss": [0.0] * len(test), "seconds": [1.0] * len(test)}


def row(name, *runs):
    return {"name": name, "runs": list(runs)}


def test_summary_reads_the_test_set_at_the_epoch_chosen_on_validation():
    s = figures.summary(row("a", run([0.90, 0.95, 0.94], [0.91, 0.93, 0.99]),
                            run([0.96, 0.97, 0.98], [0.97, 0.96, 0.95])))
    assert s["epochs"] == [2, 3]
    assert s["test"] == [0.93, 0.95]  # never the best test epoch (0.99): that would be choosing on test
    assert s["mean"] == pytest.approx(0.94) and s["spread"] == pytest.approx(np.std([0.93, 0.95], ddof=1))
    assert s["to_98"] == [None, 3] and s["seconds"] == pytest.approx(3.0)


def test_a_change_is_credited_only_beyond_the_spread():
    before = {"mean": 0.970, "spread": 0.001}
    assert figures.verdict(before, {"mean": 0.975, "spread": 0.001}) == "gain"
    assert figures.verdict(before, {"mean": 0.9715, "spread": 0.001}) == "within the spread"
    assert figures.verdict(before, {"mean": 0.960, "spread": 0.002}) == "loss"


def test_recipe_table_has_a_line_per_row_with_mean_and_spread():
    rows = [row("start", run([0.9], [0.90]), run([0.9], [0.92])),
            row("+ x", run([0.9], [0.95]), run([0.9], [0.95]))]
    lines = figures.recipe_table(rows).strip().splitlines()
    assert len(lines) == 4
    assert "91.00 % ± 1.41" in lines[2] and "(start)" in lines[2]
    assert "+4.00 (gain)" in lines[3]


def test_recipe_curves_draw_every_row_in_both_panels():
    curve = [[0.5 + 0.01 * i, 0.97 + 0.001 * i] for i in range(9)]
    rows = [row(f"row {i}", run(curve[i], [0, 0]), run(curve[i], [0, 0]))
            for i in range(9)]
    fig = figures.recipe_curves(rows)
    full, close = fig.axes
    assert [line.get_label() for line in full.lines] == [r["name"] for r in rows]
    assert len(close.lines) == len(rows)
    assert np.allclose(full.lines[3].get_ydata(), [53, 97.3])
    assert close.get_ylim() == (95, 98.5)
    looks = {(line.get_color(), line.get_marker(), line.get_linestyle()) for line in full.lines}
    assert len(looks) == len(rows)  # no two rows drawn alike


def test_every_row_of_the_table_changes_one_thing():
    """Each recipe differs from the row above in one switch (a learning rate may follow it)."""
    fields = ["hidden", "softmax", "relu", "he_init", "batch_size", "momentum", "schedule", "weight_decay"]
    for (_, before), (name, after) in zip(further.STEPS, further.STEPS[1:]):
        changed = [f for f in fields if getattr(before, f) != getattr(after, f)]
        assert len(changed) == 1, (name, changed)
    assert further.STEPS[0][1] == further.Recipe()  # lesson 6's network and settings


def test_every_row_trains_the_reference_and_learns_a_tiny_problem():
    """Two blobs in 784 dimensions: every row's network, built from the reference, learns them in float32."""
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 10, 300)
    centres = rng.random((10, 784)).astype(np.float32)
    x = np.clip(centres[labels] + rng.normal(0, 0.1, (300, 784)), 0, 1).astype(np.float32)
    t = np.eye(10, dtype=np.float32)[labels]
    data = (x, t, x, labels, x, labels)
    for name, recipe in further.STEPS:
        small = further.replace(recipe, batch_size=10, learning_rate=min(recipe.learning_rate, 0.05)
                                if recipe.softmax else recipe.learning_rate)  # 30 gentle steps an epoch
        out = further.train(small, 0, data, epochs=3)
        assert out["validation"][-1] >= 0.9, (name, out["validation"])
        net = further.build(recipe, 0)
        assert all(W.dtype == np.float32 for W in net.weights.values()), name


def test_sigmoid_hidden_layers_leave_the_reference_alone():
    from coursekit import solutions

    module = further.sigmoid_hidden()
    reference = solutions.load("further")
    assert module.relu is not reference.relu
    assert reference.relu(np.array([-1.0]))[0] == 0 and module.relu(np.array([0.0]))[0] == 0.5


def test_lesson_1_weights_are_he_scaled_down():
    he = further.build(further.replace(further.STEPS[3][1]), 0)
    plain = further.build(further.STEPS[2][1], 0)
    assert np.allclose(plain.weights[1] * np.sqrt(2), he.weights[1], rtol=1e-5)


def test_the_run_command_trains_a_further_py(tmp_path):
    """coursekit.run_further on the reference, one epoch: it learns, and writes both figures."""
    from coursekit import run_further
    from coursekit.solutions import load

    lines = []
    result = run_further.run_further_student(load("further"), out=tmp_path, epochs=1, echo=lines.append)
    assert result["test"] > 0.9 and result["epoch"] == 1
    assert (tmp_path / "learning_curves.png").stat().st_size > 0 and (tmp_path / "confusion_matrix.png").exists()
    assert any("epoch 1/1" in line for line in lines)
