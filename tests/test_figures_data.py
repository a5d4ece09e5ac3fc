"""coursekit.figures_data (lesson 5): small, fast behaviour checks."""

import numpy as np
import pytest

from coursekit import figures_data as figures


def test_pixel_stats_shares_add_up():
    images = np.array([[[0, 255], [128, 0]]], dtype=np.uint8)
    stats = figures.pixel_stats(images)
    assert stats["zero"] == 0.5 and stats["full"] == 0.25 and stats["between"] == 0.25
    assert stats["mean"] == pytest.approx((255 + 128) / 4)


def test_one_hot_table_marks_the_label():
    table = figures.one_hot_table([3, 0], n_classes=4)
    lines = table.strip().splitlines()
    assert lines[2] == "| 3 | 0 | 0 | 0 | **1** |" and lines[3] == "| 0 | **1** | 0 | 0 | 0 |"


def test_grid_places_tiles_with_gaps():
    grid = figures.grid(np.arange(3 * 2 * 2).reshape(3, 2, 2), cols=2)
    assert grid.shape == (5, 5)
    assert grid[0, 0] == 0 and grid[0, 3] == 4 and grid[3, 0] == 8 and np.isnan(grid[2, 2])


@pytest.mark.parametrize("make", [
    lambda: figures.digit_grid(np.zeros((3, 28, 28), np.uint8), [1, 2, 3], cols=2),
    lambda: figures.pixel_histogram(np.zeros((2, 28, 28), np.uint8)),
    lambda: figures.flatten_figure(np.zeros((28, 28), np.uint8)),
])
def test_figures_draw(make):
    from coursekit.plots import figure_html

    assert "<svg" in figure_html(make(), alt="test")
