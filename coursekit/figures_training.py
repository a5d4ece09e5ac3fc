"""Build-time figures and numbers for lessons 5 to 7 (data, training, going further): each tested.

Each block of this file belongs to a group of lessons; keep yours titled.
"""

from __future__ import annotations

import functools

import numpy as np

from coursekit import ROOT

# ---------------------------------------------------------------------------------------------
# Lessons 5-7: "From pixels to features", "Training on MNIST", "Going further"
# ---------------------------------------------------------------------------------------------


@functools.cache
def mnist():
    """MNIST, loaded once per build: every block of a page (and every page) shares it."""
    from coursekit.mnist import load_mnist

    return load_mnist()


def _grid(tiles, cols):
    """Tiles (n, h, w) laid out in rows of `cols`, with a 1-pixel gap: one 2-D array (nan = gap)."""
    tiles = np.asarray(tiles, dtype=float)
    n, h, w = tiles.shape
    rows = -(-n // cols)
    out = np.full((rows * (h + 1) - 1, cols * (w + 1) - 1), np.nan)
    for i, tile in enumerate(tiles):
        r, c = divmod(i, cols)
        out[r * (h + 1):r * (h + 1) + h, c * (w + 1):c * (w + 1) + w] = tile
    return out


def digit_grid(images, labels, cols=10, captions=None):
    """A figure of digits (n, 28, 28), each titled with its label (or the given captions)."""
    import matplotlib.pyplot as plt

    n = len(images)
    rows = -(-n // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(cols * 0.62, rows * 0.78), layout="constrained")
    for i, ax in enumerate(np.ravel(axes)):
        ax.set_axis_off()
        if i < n:
            ax.imshow(images[i], cmap="gray_r", vmin=0, vmax=255)
            ax.set_title(captions[i] if captions is not None else str(int(labels[i])), fontsize=8, pad=2)
    return fig


def pixel_stats(images):
    """Share of pixels that are 0 (paper), 255 (full ink), and strictly in between."""
    images = np.asarray(images)
    zero, full = np.mean(images == 0), np.mean(images == 255)
    return {"zero": float(zero), "full": float(full), "between": float(1 - zero - full),
            "mean": float(images.mean())}


def pixel_histogram(images):
    """Histogram of pixel values 0 ... 255, log count axis (paper dwarfs everything else)."""
    from coursekit.plots import new_figure

    counts = np.bincount(np.asarray(images).ravel(), minlength=256)
    fig, ax = new_figure(6.0, 2.6)
    ax.bar(np.arange(256), counts, width=1.0, color="0.3")
    ax.set_yscale("log")
    ax.set_xlabel("pixel value (0 = paper, 255 = ink)")
    ax.set_ylabel("number of pixels")
    ax.set_xlim(-2, 257)
    return fig


def flatten_figure(image):
    """One digit as its 28 x 28 grid and as the 784-long row the network reads."""
    import matplotlib.pyplot as plt

    image = np.asarray(image)
    fig = plt.figure(figsize=(7.0, 2.9), layout="constrained")
    top, bottom = fig.subfigures(2, 1, height_ratios=[4, 1])
    ax = top.subplots()
    ax.imshow(image, cmap="gray_r", vmin=0, vmax=255)
    ax.set_xticks([0, 27]), ax.set_yticks([0, 27])
    ax.set_xlabel("column c"), ax.set_ylabel("row r")
    strip = bottom.subplots()
    strip.imshow(image.reshape(1, 784), cmap="gray_r", vmin=0, vmax=255, aspect="auto")
    for r in range(1, 28):
        strip.axvline(28 * r - 0.5, color="tab:blue", lw=0.3)
    strip.set_yticks([])
    strip.set_xticks([0, 28, 56, 392, 783])
    strip.set_xlabel("feature index 28 r + c: row 0, then row 1, ... (blue lines: where each row starts)")
    return fig


def one_hot_table(labels, n_classes=10):
    """A Markdown table: each label and its one-hot row."""
    head = "| label | " + " | ".join(str(c) for c in range(n_classes)) + " |\n"
    head += "| ---: | " + " | ".join(":-:" for _ in range(n_classes)) + " |\n"
    rows = "".join(f"| {int(label)} | " + " | ".join("**1**" if c == label else "0" for c in range(n_classes))
                   + " |\n" for label in labels)
    return head + rows


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


def stub(module, name):
    """The stub of function `name` as it stands in exercises/<module>.py, as a fenced code block."""
    import ast

    path = ROOT / "exercises" / f"{module}.py"
    source = path.read_text(encoding="utf-8")
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name == name:
            lines = source.splitlines()[node.lineno - 1:node.end_lineno]
            return f"```python title=\"exercises/{module}.py\"\n" + "\n".join(lines) + "\n```\n"
    raise KeyError(f"exercises/{module}.py defines no {name}")


def weight_images(W, cols=10):
    """The first layer's weights as images: column j of W (784,) drawn as 28 x 28, blue < 0 < red."""
    import matplotlib.pyplot as plt

    W = np.asarray(W)
    tiles = W.T.reshape(-1, 28, 28)
    limit = np.abs(tiles).max(axis=(1, 2), keepdims=True)
    fig, ax = plt.subplots(figsize=(7.0, 0.75 * -(-len(tiles) // cols)), layout="constrained")
    ax.imshow(_grid(tiles / limit, cols), cmap="RdBu_r", vmin=-1, vmax=1)
    ax.set_axis_off()
    return fig


def markdown_table(header, rows):
    """A Markdown table from a header and rows of already formatted cells."""
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join("---:" if i else "---" for i in range(len(header))) + " |"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def first_epoch_reaching(accuracy, level):
    """The first epoch (1-based) whose accuracy is at least `level`, or None."""
    hits = np.flatnonzero(np.asarray(accuracy) >= level)
    return int(hits[0]) + 1 if hits.size else None
