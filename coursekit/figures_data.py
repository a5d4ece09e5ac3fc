"""Build-time figures and numbers for lesson 5, "From pixels to features" (module data): each tested.

`mnist()` and `digit_grid` serve lesson 6 too (coursekit/figures_training.py).
"""

from __future__ import annotations

import functools

import numpy as np


@functools.cache
def mnist():
    """MNIST, loaded once per build: every block of a page (and every page) shares it."""
    from coursekit.mnist import load_mnist

    return load_mnist()


def grid(tiles, cols):
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
