"""Build-time figures and numbers for lesson 6, "Training on MNIST" (module training): each tested.

The digits and MNIST itself come from lesson 5's coursekit/figures_data.py; lesson 7 uses
`markdown_table`.
"""

from __future__ import annotations

import numpy as np

from coursekit.figures_data import grid


def confusion_matrix(predictions, labels, n_classes=10):
    """counts[i, j]: how many digits labelled i the network called j."""
    counts = np.zeros((n_classes, n_classes), dtype=int)
    np.add.at(counts, (np.asarray(labels), np.asarray(predictions)), 1)
    return counts


def confusion_figure(counts):
    """The confusion matrix, diagonal greyed out so the mistakes stand out, counts written in."""
    from coursekit.plots import new_figure

    mistakes = np.array(counts, dtype=float)
    np.fill_diagonal(mistakes, np.nan)
    fig, ax = new_figure(5.2, 4.6)
    ax.imshow(mistakes, cmap="Reds")
    n = len(counts)
    for i in range(n):
        for j in range(n):
            ax.text(j, i, str(counts[i, j]), ha="center", va="center", fontsize=7,
                    color="0.45" if i == j else "black")
    ax.set_xticks(range(n)), ax.set_yticks(range(n))
    ax.set_xlabel("predicted digit"), ax.set_ylabel("true digit")
    return fig


def most_confused(counts, k=3):
    """The k largest off-diagonal counts as (true, predicted, count), largest first."""
    off = np.array(counts)
    np.fill_diagonal(off, -1)
    flat = np.argsort(off, axis=None)[::-1][:k]
    return [(int(i), int(j), int(off[i, j])) for i, j in zip(*np.unravel_index(flat, off.shape))]


def learning_curves(train_accuracy, validation_accuracy, loss=None, chosen_epoch=None):
    """Training and validation accuracy per epoch (left) and, if given, the mean training loss (right).

    `chosen_epoch` (1-based), if given, is marked on both panels: the epoch kept.
    """
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    epochs = np.arange(1, len(train_accuracy) + 1)
    fig, axes = plt.subplots(1, 1 if loss is None else 2, figsize=(7.0, 2.9), layout="constrained", squeeze=False)
    left = axes[0, 0]
    left.plot(epochs, 100 * np.asarray(train_accuracy), marker=".", label="training")
    left.plot(epochs, 100 * np.asarray(validation_accuracy), marker="s", markersize=3, linestyle="--",
              label="validation")
    left.set_xlabel("epoch"), left.set_ylabel("accuracy (%)")
    left.legend(fontsize=8, frameon=False)
    if loss is not None:
        right = axes[0, 1]
        right.plot(epochs, loss, marker=".", color="tab:orange")
        right.set_xlabel("epoch"), right.set_ylabel("mean training loss per example")
    for ax in axes.ravel():
        ax.grid(alpha=0.3)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        if chosen_epoch is not None:
            ax.axvline(chosen_epoch, color="0.5", linewidth=0.8, linestyle=":")
    return fig


def rate_curves(rates, validation_curves, chosen=None):
    """Validation accuracy per epoch, one line per learning rate; `chosen` (an index) drawn thicker."""
    from coursekit.plots import new_figure

    fig, ax = new_figure(6.0, 2.9)
    styles = ["-", "--", "-.", ":"]
    for i, (rate, curve) in enumerate(zip(rates, validation_curves)):
        curve = 100 * np.asarray(curve, dtype=float)
        ax.plot(np.arange(1, len(curve) + 1), curve, linestyle=styles[i % len(styles)], marker=".",
                linewidth=2.2 if i == chosen else 1.0, label=f"learning_rate = {rate:g}")
    ax.set_xlabel("epoch"), ax.set_ylabel("validation accuracy (%)")
    ax.legend(fontsize=8, frameon=False)
    ax.grid(alpha=0.3)
    return fig


def overfit_figure(loss):
    """The mean loss per example after every epoch of training on a handful of examples (log scale)."""
    from coursekit.plots import new_figure

    fig, ax = new_figure(6.0, 2.6)
    ax.plot(np.arange(1, len(loss) + 1), loss, color="tab:orange")
    ax.set_yscale("log")
    ax.set_xlabel("epoch"), ax.set_ylabel("mean loss per example")
    ax.grid(alpha=0.3)
    return fig


def weight_images(W, cols=10):
    """The first layer's weights as images: column j of W (784,) drawn as 28 x 28, blue < 0 < red."""
    import matplotlib.pyplot as plt

    W = np.asarray(W)
    tiles = W.T.reshape(-1, 28, 28)
    limit = np.abs(tiles).max(axis=(1, 2), keepdims=True)
    fig, ax = plt.subplots(figsize=(7.0, 0.75 * -(-len(tiles) // cols)), layout="constrained")
    ax.imshow(grid(tiles / limit, cols), cmap="RdBu_r", vmin=-1, vmax=1)
    ax.set_axis_off()
    return fig


def markdown_table(header, rows):
    """A Markdown table from a header and rows of already formatted cells."""
    rule = " | ".join("---:" if i else "---" for i in range(len(header)))
    lines = ["| " + " | ".join(header) + " |", "| " + rule + " |"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def first_epoch_reaching(accuracy, level):
    """The first epoch (1-based) whose accuracy is at least `level`, or None."""
    hits = np.flatnonzero(np.asarray(accuracy) >= level)
    return int(hits[0]) + 1 if hits.size else None
