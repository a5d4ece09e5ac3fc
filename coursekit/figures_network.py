"""Numbers and the figure for lesson 1 (docs/lessons/network.md), computed at build time.

The lesson argues that the owner's first draft, with weights drawn uniformly from [0, 1),
saturates the sigmoid from the first layer on, while the solution's N(0, 1/n_in) weights keep
a(1) where the sigmoid still has a slope. These functions compute the evidence on real digits.
"""

from __future__ import annotations

import numpy as np

from coursekit import solutions


def sigmoid(x):
    """The logistic function, written so that exp never overflows."""
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def sigmoid_prime(x):
    """f'(x) = e^-|x| / (1 + e^-|x|)^2: the same as f(x) (1 - f(x)), but it does not round
    to 0 once f(x) rounds to 1 (from x of about 37 on), so tiny slopes keep their size."""
    e = np.exp(-np.abs(x))
    return e / (1 + e) ** 2


def digit_features(count=64):
    """The first `count` MNIST test digits as features (count, 784) in [0, 1], and their labels."""
    from coursekit.mnist import load_mnist

    mnist = load_mnist()
    features = mnist.test_images[:count].reshape(count, -1) / 255.0
    return features, mnist.test_labels[:count].astype(int)


def first_layer_preactivations(features, n_hidden=30, seed=0):
    """a(1) = x W(1) (zero biases) under the two initialisations, as {name: (B, n_hidden) array}.

    "uniform [0, 1)" is the draft's `np.random.rand`; "normal N(0, 1/n_in)" is the solution's.
    """
    n_in = features.shape[1]
    rng = np.random.default_rng(seed)
    uniform = rng.random((n_in, n_hidden))
    normal = rng.normal(0.0, 1 / np.sqrt(n_in), size=(n_in, n_hidden))
    return {"uniform [0, 1)": features @ uniform, "normal N(0, 1/n_in)": features @ normal}


def saturation_table(preactivations):
    """Per initialisation: the median and range of a(1), and the median slope f'(a(1))."""
    rows = {}
    for name, a in preactivations.items():
        rows[name] = {
            "median a": float(np.median(a)),
            "min a": float(a.min()),
            "max a": float(a.max()),
            "median slope": float(np.median(sigmoid_prime(a))),
        }
    return rows


def saturation_figure(preactivations):
    """The sigmoid and its slope, with histograms of a(1) under each initialisation."""
    from coursekit.plots import new_figure

    fig, ax = new_figure(7.0, 3.6)
    everything = np.concatenate([a.ravel() for a in preactivations.values()])
    right = float(np.ceil(everything.max() / 10) * 10)
    grid = np.linspace(-6, right, 800)
    ax.plot(grid, sigmoid(grid), color="black", linewidth=1.8, label="sigmoid f(a)")
    ax.plot(grid, sigmoid_prime(grid), color="black", linewidth=1.2, linestyle="--",
            label="slope f'(a)")
    ax.set_xlabel("pre-activation a(1) of a hidden unit")
    ax.set_ylabel("f(a), f'(a)")
    ax.set_xlim(-6, right)
    ax.set_ylim(0, 1.05)
    counts = ax.twinx()
    bins = np.linspace(-6, right, 121)
    for (name, a), colour, hatch in zip(preactivations.items(), ("#d62728", "#1f77b4"), ("//", "")):
        counts.hist(a.ravel(), bins=bins, color=colour, alpha=0.45, hatch=hatch,
                    label=f"a(1), weights {name}")
    counts.set_ylabel("count (64 digits × 30 units)")
    lines, labels = ax.get_legend_handles_labels()
    bars, names = counts.get_legend_handles_labels()
    ax.legend(lines + bars, labels + names, loc="center right", fontsize=8, frameon=True)
    ax.grid(alpha=0.3)
    return fig


def one_hot(labels, n_classes=10):
    return np.eye(n_classes)[labels]


def finite_difference_rows(features, targets, definition=(784, 30, 10), seed=0, picks=3):
    """Backprop's gradient beside the central difference (J(θ+h) - J(θ-h)) / 2h, for a few entries.

    Returns a list of (parameter, index, backprop, finite difference) with entries drawn at random
    from weights[2], biases[2] and weights[1] of a reference Network; the step is the course's
    standard, coursekit.gradcheck.STEP.
    """
    from coursekit.gradcheck import numerical_gradient

    network = solutions.load("network").Network(definition, seed=seed)
    network.forward(features, targets)
    network.backprop(targets)
    rng = np.random.default_rng(seed)

    def loss():
        network.forward(features, targets)
        return network.loss

    rows = []
    for name, k in (("weights", 2), ("biases", 2), ("weights", 1)):
        params = getattr(network, name)[k]
        grads = getattr(network, f"{name}_grad")[k]
        # Pick among entries whose gradient is not zero (a blank pixel's weights get none).
        candidates = np.flatnonzero(np.abs(grads) > 1e-3 * np.abs(grads).max())
        for i in rng.choice(candidates, size=picks, replace=False):
            index = np.unravel_index(i, params.shape)
            rows.append((f"{name}[{k}]", tuple(int(j) for j in index), float(grads[index]),
                         numerical_gradient(loss, params, index)))
    return rows


def untrained_loss(features, targets, definition=(784, 30, 10), seed=0):
    """The loss per example of a freshly initialised reference Network, and what to expect.

    Expected: every output near 1/2 (small weights, zero biases), each of the n_L outputs off by
    about 1/2 from its target, 0 or 1: n_L * (1/2)**2 per example.
    """
    network = solutions.load("network").Network(definition, seed=seed)
    network.forward(features, targets)
    return float(network.loss) / len(features), definition[-1] * 0.25


def one_step_losses(features, targets, learning_rate, definition=(784, 30, 10), seed=0):
    """The loss before one update, after it, and after the same step with the gradient's sign flipped."""
    Network = solutions.load("network").Network
    losses = {}
    for name, sign in (("before", 0), ("after a step against the gradient", 1),
                       ("after a step along it (sign flipped)", -1)):
        network = Network(definition, seed=seed)
        network.forward(features, targets)
        network.backprop(targets)
        network.update(sign * learning_rate)
        network.forward(features, targets)
        losses[name] = float(network.loss)
    return losses
