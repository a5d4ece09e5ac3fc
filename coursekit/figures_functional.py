"""Build-time figures for lesson 2, the network as a dictionary and functions: each tested.

A lesson calls one of them in a markdown-exec block and passes the figure to
`coursekit.plots.show`. Each lesson's functions live in their own block below.
"""

from __future__ import annotations

import warnings

import matplotlib.pyplot as plt
import numpy as np

from coursekit import solutions
from coursekit.plots import new_figure

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


# --8<-- [start:descent_problem]
def descent_problem(seed=2, dimensions=(784, 15, 10), n_examples=50):
    """The lesson's small problem: random inputs (normal) and targets (uniform in [0, 1))."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(dimensions[0], n_examples))  # (784, 50): one example per column
    y = rng.uniform(size=(dimensions[-1], n_examples))  # (10, 50): its targets, in [0, 1)
    return X, y
# --8<-- [end:descent_problem]


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


def _flat_loss(functional, model, x, y):
    """E(theta) for a flat vector theta of all of the model's parameters (weights, then biases)."""
    arrays = model["weights"] + model["biases"]
    shapes = [a.shape for a in arrays]
    cuts = np.cumsum([a.size for a in arrays])[:-1]

    def loss(theta):
        parts = [p.reshape(s) for p, s in zip(np.split(theta, cuts), shapes)]
        trial = {"nlayers": model["nlayers"], "weights": parts[:model["nlayers"]],
                 "biases": parts[model["nlayers"]:]}
        return float(functional.loss(functional.forward(x, trial)[0], y))

    return loss, np.concatenate([a.ravel() for a in arrays])


def descent_step_geometry(pair=(0, 1), span=4.0, n_grid=61, n_steps=41):
    """Why a step against the gradient lowers the loss, on lesson 2's worked example.

    Returns a dict: `theta` (all parameters, flat), `grad` (dE/dtheta from the reference's
    backward), `pair` (the two entries of theta drawn in the contour panel: entries 0 and 1
    are W(1)[0, 0] and W(1)[0, 1]), `grid1`, `grid2`, `surface` (E over the plane of those two
    entries, the others fixed), and along the step theta - eta grad, for the learning rates
    `s` (eta): `actual` E and `linear`, the first-order prediction E(theta) - eta |grad|**2.
    """
    from coursekit.worked import functional as example

    functional = solutions.load("functional")
    model = example.start(functional)
    x, y = example.X, example.Y
    _, model = functional.forward(x, model)
    model = functional.backward(y, model)
    grad = np.concatenate([g.ravel() for g in model["grad_weights"] + model["grad_biases"]])
    loss, theta = _flat_loss(functional, model, x, y)
    i, j = pair
    grid1 = theta[i] + np.linspace(-span, span, n_grid)
    grid2 = theta[j] + np.linspace(-span, span, n_grid)
    surface = np.empty((n_grid, n_grid))
    for r, v in enumerate(grid2):
        for c, u in enumerate(grid1):
            trial = theta.copy()
            trial[i], trial[j] = u, v
            surface[r, c] = loss(trial)
    # Steps up to where the straight line would reach 0: far past the curve's minimum.
    s_max = float(loss(theta)) / float(grad @ grad)
    s = np.linspace(0.0, s_max, n_steps)
    actual = np.array([loss(theta - step * grad) for step in s])
    linear = loss(theta) - s * float(grad @ grad)
    return {"theta": theta, "grad": grad, "pair": pair, "grid1": grid1, "grid2": grid2,
            "surface": surface, "s": s, "actual": actual, "linear": linear}


def descent_step_figure(geometry):
    """Two panels: the loss's contours with -grad at the current point; E along the step."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(7.5, 3.3), layout="constrained")
    i, j = geometry["pair"]
    theta, grad = geometry["theta"], geometry["grad"]
    contours = left.contour(geometry["grid1"], geometry["grid2"], geometry["surface"], levels=14,
                            cmap="viridis", linewidths=0.8)
    left.clabel(contours, fontsize=6, fmt="%.2f")
    left.plot(theta[i], theta[j], "o", color="C3")
    # The gradient restricted to the two drawn entries is perpendicular to the contour there.
    direction = -np.array([grad[i], grad[j]])
    scale = 0.35 * (geometry["grid1"][-1] - geometry["grid1"][0]) / np.linalg.norm(direction)
    left.annotate("", xy=(theta[i] + scale * direction[0], theta[j] + scale * direction[1]),
                  xytext=(theta[i], theta[j]),
                  arrowprops=dict(arrowstyle="-|>", color="C3", lw=1.5))
    left.text(theta[i] + scale * direction[0], theta[j] + scale * direction[1], r"  $-\nabla E$",
              color="C3", fontsize=9, va="center")
    left.set_xlabel("W(1)[0, 0]")
    left.set_ylabel("W(1)[0, 1]")
    left.set_title("E over two weights, the rest fixed", fontsize=9)
    left.set_aspect("equal")
    s = geometry["s"]
    right.plot(s, geometry["actual"], color="C0", label=r"$E(\theta - \eta\,\nabla E)$")
    right.plot(s, geometry["linear"], color="C3", linestyle="--",
               label=r"$E(\theta) - \eta\,|\nabla E|^2$")
    right.set_ylim(0.0, geometry["actual"].max() * 1.1)
    right.set_xlabel(r"learning rate $\eta$: the step is $-\eta\,\nabla E$, every parameter")
    right.set_ylabel("loss E")
    right.set_title("a small step goes down as predicted", fontsize=9)
    right.grid(True, alpha=0.3)
    right.legend(frameon=False, fontsize=8)
    return fig
