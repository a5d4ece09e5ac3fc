"""coursekit.figures_training (lessons 5-7) and coursekit.further: small, fast behaviour checks."""

import numpy as np
import pytest

from coursekit import figures_training as figures, further


def test_pixel_stats_shares_add_up():
    images = np.array([[[0, 255], [128, 0]]], dtype=np.uint8)
    stats = figures.pixel_stats(images)
    assert stats["zero"] == 0.5 and stats["full"] == 0.25 and stats["between"] == 0.25
    assert stats["mean"] == pytest.approx((255 + 128) / 4)


def test_one_hot_table_marks_the_label():
    table = figures.one_hot_table([3, 0], n_classes=4)
    lines = table.strip().splitlines()
    assert lines[2] == "| 3 | 0 | 0 | 0 | **1** |" and lines[3] == "| 0 | **1** | 0 | 0 | 0 |"


def test_confusion_matrix_counts_pairs():
    counts = figures.confusion_matrix([1, 1, 2, 0], [1, 2, 2, 0], n_classes=3)
    assert counts.tolist() == [[1, 0, 0], [0, 1, 0], [0, 1, 1]]
    assert figures.most_confused(counts, k=1) == [(2, 1, 1)]


def test_grid_places_tiles_with_gaps():
    grid = figures._grid(np.arange(3 * 2 * 2).reshape(3, 2, 2), cols=2)
    assert grid.shape == (5, 5)
    assert grid[0, 0] == 0 and grid[0, 3] == 4 and grid[3, 0] == 8 and np.isnan(grid[2, 2])


def test_first_epoch_reaching():
    assert figures.first_epoch_reaching([0.9, 0.97, 0.98, 0.99], 0.98) == 3
    assert figures.first_epoch_reaching([0.9], 0.98) is None


def test_markdown_table():
    assert figures.markdown_table(["a", "b"], [[1, 2]]) == "| a | b |\n| --- | ---: |\n| 1 | 2 |\n"


@pytest.mark.parametrize("make", [
    lambda: figures.digit_grid(np.zeros((3, 28, 28), np.uint8), [1, 2, 3], cols=2),
    lambda: figures.pixel_histogram(np.zeros((2, 28, 28), np.uint8)),
    lambda: figures.flatten_figure(np.zeros((28, 28), np.uint8)),
    lambda: figures.confusion_figure(np.eye(10, dtype=int)),
    lambda: figures.learning_curves([0.5, 0.6], [0.4, 0.5], [0.2, 0.1], chosen_epoch=2),
    lambda: figures.learning_curves([0.5, 0.6], [0.4, 0.5]),
    lambda: figures.rate_curves([0.5, 1.5], [[0.9, 0.95], [0.92, 0.94]], chosen=1),
    lambda: figures.overfit_figure([1.0, 0.1, 0.01]),
    lambda: figures.weight_images(np.ones((784, 12))),
    lambda: figures.recipe_curves([{"name": "a", "accuracy": [0.1, 0.9]}, {"name": "b", "accuracy": [0.96, 0.98]}]),
])
def test_figures_draw(make):
    from coursekit.plots import figure_html

    assert "<svg" in figure_html(make(), alt="test")


def test_softmax_rows_sum_to_one_without_overflow():
    p = further.softmax(np.array([[1000.0, 0.0], [0.0, 0.0]]))
    assert np.allclose(p, [[1, 0], [0.5, 0.5]])


def test_rate_schedule_is_a_half_cosine_and_stays_a_python_float():
    recipe = further.Recipe(learning_rate=0.4, epochs=4, schedule=True)
    rates = [further.rate_at(recipe, e) for e in range(4)]
    assert rates[0] == pytest.approx(0.4) and rates[2] == pytest.approx(0.2)
    assert all(type(r) is float for r in rates)  # a NumPy scalar would promote float32 to float64


@pytest.mark.parametrize("name, recipe", further.STEPS)
def test_every_step_of_the_table_learns_a_tiny_problem(name, recipe):
    """Two separable blobs: each recipe fits them and keeps float32 throughout."""
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 2, 200)
    x = (rng.normal(0, 0.3, (200, 4)) + labels[:, None]).astype(np.float32)
    t = np.eye(2, dtype=np.float32)[labels]
    small = further.replace(recipe, hidden=(8,), epochs=10, batch_size=10)
    out = further.fit(small, x, t, x, labels, seed=0)
    assert out["accuracy"][-1] >= 0.95, (name, out["accuracy"])
    assert all(W.dtype == np.float32 for W in out["net"].W)


def test_softmax_gradient_matches_finite_differences():
    """Net.step's output gradient y - t is that of the cross-entropy: check one weight's slope."""
    recipe = further.Recipe(hidden=(3,), softmax=True, relu=True, learning_rate=1.0)
    rng = np.random.default_rng(1)
    x = rng.normal(size=(2, 4)).astype(np.float32)
    t = np.eye(2, dtype=np.float32)[[0, 1]]
    net = further.Net((4, 3, 2), recipe, seed=0)
    net.W = [W.astype(np.float64) for W in net.W]
    net.b = [b.astype(np.float64) for b in net.b]
    before = net.W[1].copy()
    loss = lambda: net.loss(net.forward(x)[-1], t)  # noqa: E731
    eps, slope = 1e-6, 0.0
    net.W[1][0, 0] += eps
    up = loss()
    net.W[1][0, 0] -= 2 * eps
    down = loss()
    net.W[1][0, 0] += eps
    slope = (up - down) / (2 * eps)
    net.vW = [np.zeros_like(W) for W in net.W]
    net.vb = [np.zeros_like(b) for b in net.b]
    net.step(x, t, rate=len(x) * 1.0)  # step = rate / B = 1: W changes by minus the gradient
    assert (before - net.W[1])[0, 0] == pytest.approx(slope, rel=1e-4)


def test_recipe_curves_draw_every_row_in_both_panels():
    rows = [{"name": f"row {i}", "accuracy": [0.5 + 0.01 * i, 0.97 + 0.001 * i]} for i in range(8)]
    fig = figures.recipe_curves(rows)
    full, close = fig.axes
    assert [line.get_label() for line in full.lines] == [r["name"] for r in rows]
    assert len(close.lines) == len(rows)
    assert np.allclose(full.lines[3].get_ydata(), [53, 97.3])
    assert close.get_ylim() == (95, 98.5)
    # No two rows drawn alike: each differs from every other in colour, marker or dash.
    looks = {(line.get_color(), line.get_marker(), line.get_linestyle()) for line in full.lines}
    assert len(looks) == len(rows)


# --- lessons 5-6: validation, sanity checks, the stub on the page, PNG files ---------------------


def test_learning_curves_draw_training_and_validation_and_mark_the_epoch_kept():
    fig = figures.learning_curves([0.5, 0.7, 0.9], [0.5, 0.6, 0.62], [1.0, 0.5, 0.2], chosen_epoch=3)
    accuracy, loss = fig.axes
    assert [line.get_label() for line in accuracy.lines[:2]] == ["training", "validation"]
    assert np.allclose(accuracy.lines[1].get_ydata(), [50, 60, 62])
    assert np.allclose(loss.lines[0].get_ydata(), [1.0, 0.5, 0.2])
    assert list(accuracy.lines[-1].get_xdata()) == [3, 3]  # the vertical line at the epoch kept


def test_rate_curves_label_every_rate_and_thicken_the_chosen_one():
    fig = figures.rate_curves([0.5, 1.5, 4.5], [[0.9, 0.91], [0.92, 0.93], [0.5, 0.6]], chosen=1)
    lines = fig.axes[0].lines
    assert [line.get_label() for line in lines] == ["learning_rate = 0.5", "learning_rate = 1.5", "learning_rate = 4.5"]
    assert lines[1].get_linewidth() > lines[0].get_linewidth()


def test_stub_is_the_exercise_function_as_it_stands():
    block = figures.stub("training", "train")
    assert block.startswith('```python title="exercises/training.py"\ndef train(')
    assert "# TODO:" in block and "BEGIN SOLUTION" not in block and block.rstrip().endswith("...\n```")
    with pytest.raises(KeyError):
        figures.stub("data", "no_such_function")


def test_save_png_writes_a_png_and_makes_the_folder(tmp_path):
    from coursekit.plots import save_png

    path = save_png(figures.overfit_figure([1.0, 0.5]), tmp_path / "new" / "f.png")
    assert path.read_bytes()[:4] == b"\x89PNG"


def test_the_split_is_nielsens():
    from coursekit import runs

    split, m = runs.mnist_split(), figures.mnist()
    assert [len(split[name][0]) for name in ("train", "validation", "test")] == [50_000, 10_000, 10_000]
    assert np.array_equal(split["validation"][2], m.train_labels[50_000:])
    assert np.array_equal(split["train"][2], m.train_labels[:50_000])
    x, t, labels = split["validation"]
    assert x.shape == (10_000, 784) and t.shape == (10_000, 10) and np.array_equal(t.argmax(axis=1), labels)


def test_the_untrained_network_is_at_chance_with_a_loss_near_ten_quarters():
    from coursekit import runs

    u = runs.untrained()
    assert abs(u["loss"] - 2.5) < 0.2 and u["accuracy"] < 0.2


def test_twenty_examples_are_learned_by_heart():
    from coursekit import runs

    o = runs.overfit()
    assert o["loss"][-1] < 0.01 * o["loss"][0] and o["accuracy"] == 1.0


def test_restore_puts_back_a_snapshot():
    from coursekit import runs
    from coursekit.solutions import load

    net = load("network").Network((3, 2), seed=0)
    saved = runs.snapshot(net)
    before = net.weights[1].copy()
    net.weights[1] += 1
    runs.restore(net, saved)
    assert np.array_equal(net.weights[1], before)
