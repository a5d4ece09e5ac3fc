"""Build-time figures for lesson 2, the network as a dictionary and functions: each tested.

A lesson calls one of them in a markdown-exec block and passes the figure to
`coursekit.plots.show`. Each lesson's functions live in their own block below.
"""

from __future__ import annotations

import warnings

import matplotlib.pyplot as plt
import numpy as np

from coursekit.plots import new_figure
from coursekit import solutions


# --- Lesson 2, "The network as a dictionary and functions" (solutions/functional.py) -------


def naive_sigmas():
    """The two textbook formulas for the sigmoid, computed as written."""
    return {
        "1 / (1 + exp(-x))": lambda x: 1 / (1 + np.exp(-x)),
        "exp(x) / (1 + exp(x))": lambda x: np.exp(x) / (1 + np.exp(x)),
    }


def count_warnings(function, x):
    """(function(x), the number of RuntimeWarnings NumPy emitted while computing it)."""
    # Underflow to 0 is harmless (and is what makes the robust limits exact): not counted.
    with warnings.catch_warnings(record=True) as caught, np.errstate(all="warn", under="ignore"):
        warnings.simplefilter("always")
        values = function(x)
    return values, sum(issubclass(w.category, RuntimeWarning) for w in caught)


def sigmoid_overflow_figure(x=None):
    """Three panels on [-1000, 1000]: the two naive formulas and the robust `sigma`.

    Each panel's title says how many warnings NumPy raised and how many values are nan.
    """
    x = np.linspace(-1000, 1000, 2001) if x is None else x
    candidates = dict(naive_sigmas())
    candidates["robust sigma(x)"] = solutions.load("functional").sigma
    fig, axes = plt.subplots(1, 3, sharey=True, figsize=(7.5, 2.6), layout="constrained")
    for ax, (name, function) in zip(axes, candidates.items()):
        values, n_warnings = count_warnings(function, x)
        n_nan = int(np.sum(np.isnan(values)))
        ax.plot(x, values, color="C0" if n_nan == 0 else "C3")  # matplotlib leaves nan out
        bad = np.isnan(values)
        if bad.any():
            ax.axvspan(x[bad].min(), x[bad].max(), color="C3", alpha=0.15, label="nan")
            ax.legend(loc="center left", frameon=False)
        ax.set_title(f"{name}\n{n_warnings} RuntimeWarning(s), {n_nan} nan", fontsize=9)
        ax.set_xlabel("x")
        ax.grid(True, alpha=0.3)
    axes[0].set_ylabel("value")
    return fig


def descent_problem(seed=2, dimensions=(784, 15, 10), n_examples=50):
    """The lesson's small problem: random inputs (normal) and targets (uniform in [0, 1))."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(dimensions[0], n_examples))
    y = rng.uniform(size=(dimensions[-1], n_examples))
    return X, y


def descent_curves(etas=(0.05, 0.5), n_epochs=1000, every=5, seed=2):
    """{eta: (epochs, losses)} from the solution's gradient_descent on `descent_problem`."""
    functional = solutions.load("functional")
    X, y = descent_problem(seed)
    curves = {}
    for eta in etas:
        model = functional.initialize_model([784, 15, 10], seed=0)
        _, epochs, losses = functional.gradient_descent(X, y, model, eta, n_epochs, every)
        curves[eta] = (np.asarray(epochs), np.asarray(losses))
    return curves


def descent_figure(curves):
    """The loss on a log scale against the epoch, one line per learning rate."""
    fig, ax = new_figure(height=3.2)
    for eta, (epochs, losses) in curves.items():
        ax.semilogy(epochs, losses, label=f"eta = {eta:g}")
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss E (log scale)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(frameon=False)
    return fig
