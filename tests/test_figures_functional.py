"""The build-time figures of lesson 2 (coursekit/figures_functional.py) run, and show what they claim."""

import numpy as np
import pytest
from matplotlib.figure import Figure

from coursekit import figures_functional as figures
from coursekit import solutions


def test_naive_sigmas_warn_and_the_robust_one_does_not():
    x = np.array([-1000.0, 0.0, 1000.0])
    naive = figures.naive_sigmas()
    _, warned = figures.count_warnings(naive["1 / (1 + exp(-x))"], x)
    values, _ = figures.count_warnings(naive["exp(x) / (1 + exp(x))"], x)
    robust, quiet = figures.count_warnings(solutions.load("functional").sigma, x)
    assert warned > 0
    assert np.isnan(values[-1])
    assert quiet == 0
    assert robust.tolist() == [0.0, 0.5, 1.0]


def test_sigmoid_overflow_figure_has_three_panels():
    fig = figures.sigmoid_overflow_figure(np.linspace(-1000, 1000, 21))
    assert isinstance(fig, Figure)
    titles = [ax.get_title() for ax in fig.axes]
    assert len(titles) == 3
    assert "0 RuntimeWarning(s), 0 nan" in titles[2]
    assert "0 RuntimeWarning(s), 0 nan" not in titles[1]


def test_descent_curves_start_at_epoch_zero_and_go_down():
    curves = figures.descent_curves(etas=(0.05,), n_epochs=40, every=10)
    epochs, losses = curves[0.05]
    assert epochs.tolist() == [0, 10, 20, 30]
    assert np.all(np.diff(losses) < 0)


def test_descent_figure_is_a_log_plot():
    fig = figures.descent_figure({0.1: (np.array([0, 1, 2]), np.array([3.0, 2.0, 1.0]))})
    assert isinstance(fig, Figure)
    assert fig.axes[0].get_yscale() == "log"


def test_descent_step_geometry_is_first_order_right_for_small_steps():
    g = figures.descent_step_geometry(n_grid=5, n_steps=41)
    s, actual, linear = g["s"], g["actual"], g["linear"]
    assert actual[0] == linear[0]
    # dE ~ -s |grad|^2: at the first step the prediction is right to a few percent ...
    assert (actual[0] - actual[1]) == pytest.approx(linear[0] - linear[1], rel=0.2)
    assert actual[1] < actual[0]
    # ... and the true loss has a minimum along the line, past which the prediction fails.
    assert 0 < np.argmin(actual) < len(s) - 1
    assert actual[-1] > linear[-1] + 0.1


def test_descent_step_gradient_matches_the_surface():
    g = figures.descent_step_geometry(span=1e-4, n_grid=3, n_steps=3)
    i, j = g["pair"]
    h = g["grid1"][2] - g["grid1"][1]
    slope_i = (g["surface"][1, 2] - g["surface"][1, 0]) / (2 * h)
    slope_j = (g["surface"][2, 1] - g["surface"][0, 1]) / (2 * h)
    assert slope_i == pytest.approx(g["grad"][i], rel=1e-4)
    assert slope_j == pytest.approx(g["grad"][j], rel=1e-4)


def test_descent_step_figure_has_two_panels():
    fig = figures.descent_step_figure(figures.descent_step_geometry(n_grid=7, n_steps=5))
    assert isinstance(fig, Figure) and len([ax for ax in fig.axes if ax.get_title()]) == 2
