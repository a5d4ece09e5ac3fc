"""coursekit.figures_training (lesson 6): small, fast behaviour checks."""

import numpy as np
import pytest

from coursekit import figures_data
from coursekit import figures_training as figures


def test_confusion_matrix_counts_pairs():
    counts = figures.confusion_matrix([1, 1, 2, 0], [1, 2, 2, 0], n_classes=3)
    assert counts.tolist() == [[1, 0, 0], [0, 1, 0], [0, 1, 1]]
    assert figures.most_confused(counts, k=1) == [(2, 1, 1)]


def test_first_epoch_reaching():
    assert figures.first_epoch_reaching([0.9, 0.97, 0.98, 0.99], 0.98) == 3
    assert figures.first_epoch_reaching([0.9], 0.98) is None


def test_markdown_table():
    assert figures.markdown_table(["a", "b"], [[1, 2]]) == "| a | b |\n| --- | ---: |\n| 1 | 2 |\n"


@pytest.mark.parametrize("make", [
    lambda: figures.confusion_figure(np.eye(10, dtype=int)),
    lambda: figures.learning_curves([0.5, 0.6], [0.4, 0.5], [0.2, 0.1], chosen_epoch=2),
    lambda: figures.learning_curves([0.5, 0.6], [0.4, 0.5]),
    lambda: figures.rate_curves([0.5, 1.5], [[0.9, 0.95], [0.92, 0.94]], chosen=1),
    lambda: figures.overfit_figure([1.0, 0.1, 0.01]),
    lambda: figures.weight_images(np.ones((784, 12))),
])
def test_figures_draw(make):
    from coursekit.plots import figure_html

    assert "<svg" in figure_html(make(), alt="test")


# --- lesson 6: validation, sanity checks, PNG files ---------------------


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


def test_save_png_writes_a_png_and_makes_the_folder(tmp_path):
    from coursekit.plots import save_png

    path = save_png(figures.overfit_figure([1.0, 0.5]), tmp_path / "new" / "f.png")
    assert path.read_bytes()[:4] == b"\x89PNG"


def test_the_split_is_nielsens():
    from coursekit import runs

    split, m = runs.mnist_split(), figures_data.mnist()
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
