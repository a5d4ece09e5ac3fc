"""Build-time figures for lessons 3 and 4 (module nn: the computational graph, gradient checking): each tested.

A lesson calls one of them in a markdown-exec block and passes the figure to
`coursekit.plots.show`. Each lesson's functions live in their own block below.
"""

from __future__ import annotations

import functools
from types import SimpleNamespace

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import FancyBboxPatch

from coursekit import ROOT, solutions
from coursekit.gradcheck import check_layers, numerical_gradient, relative_error
from coursekit.plots import new_figure

# --- Lessons 3 and 4, "Backprop as a computational graph" and "Checking gradients" ----------
# (solutions/nn.py)


@functools.cache
def nn_digits(n_train=1000, n_test=1000):
    """The first n_train training and n_test test digits: (x, y one-hot, x_test, labels_test)."""
    from coursekit.mnist import load_mnist

    mnist = load_mnist()
    x = mnist.train_images[:n_train].reshape(n_train, -1) / 255.0
    y = np.eye(10)[mnist.train_labels[:n_train]]
    x_test = mnist.test_images[:n_test].reshape(n_test, -1) / 255.0
    return x, y, x_test, mnist.test_labels[:n_test].astype(int)


def _box(ax, x, y, text, color, width=1.55, height=0.62, fontsize=9):
    ax.add_patch(FancyBboxPatch((x - width / 2, y - height / 2), width, height,
                                boxstyle="round,pad=0.04,rounding_size=0.12",
                                facecolor=color, edgecolor="0.25", linewidth=0.9))
    ax.text(x, y, text, ha="center", va="center", fontsize=fontsize)


def _arrow(ax, start, end, color="0.2", style="-|>", rad=0.0, dashed=False):
    ax.annotate("", xy=end, xytext=start,
                arrowprops=dict(arrowstyle=style, color=color, lw=1.1, shrinkA=0, shrinkB=0,
                                linestyle="--" if dashed else "-",
                                connectionstyle=f"arc3,rad={rad}"))


def graph_figure():
    """The two-layer network and its loss as a chain of nodes v0 ... v5, f the activation.

    Forward arrows (black) carry values left to right; backward arrows (red, below) carry
    d loss / d(node) right to left, each labelled with the node's local derivative.
    """
    fig, ax = plt.subplots(figsize=(10.5, 3.4), layout="constrained")
    xs = np.arange(6) * 2.35
    nodes = [r"$v_0 = x$", r"$v_1 = v_0 W_0 + b_0$", r"$v_2 = f(v_1)$",
             r"$v_3 = v_2 W_1 + b_1$", r"$v_4 = f(v_3) = \hat y$", r"$v_5 = \ell(v_4, y)$"]
    kinds = ["#e8e8e8", "#cfe2f3", "#d9ead3", "#cfe2f3", "#d9ead3", "#fce5cd"]
    for x, text, color in zip(xs, nodes, kinds):
        _box(ax, x, 0, text, color)
    half = 1.55 / 2
    for a, b in zip(xs[:-1], xs[1:]):
        _arrow(ax, (a + half, 0.08), (b - half, 0.08))
    # Inputs that are not computed: the parameters and the targets.
    for x, label in ((xs[1], r"$W_0,\ b_0$"), (xs[3], r"$W_1,\ b_1$"), (xs[5], r"$y$")):
        _box(ax, x, 1.25, label, "white", width=0.95, height=0.45)
        _arrow(ax, (x, 1.25 - 0.225), (x, 0.31))
    # Backward: from the loss down to the input, each step one local derivative.
    local = [None, r"$\odot\ f\,'(v_1)$", r"$\cdot\ W_1^{T}$", r"$\odot\ f\,'(v_3)$", r"$\ell\,'(v_4, y)$"]
    red = "#c0392b"
    for i in range(1, 5):
        a, b = xs[i], xs[i + 1]
        _arrow(ax, (b - half, -0.12), (a + half, -0.12), color=red)
    for i, text in enumerate(local[1:], start=1):
        ax.text((xs[i] + xs[i + 1]) / 2, -0.55, text, ha="center", va="top", fontsize=9, color=red)
    # The two parameter gradients: dloss/dW(i) needs the node's input, v0 or v2.
    for x, text in ((xs[1], r"$\partial\ell/\partial W_0 = v_0^{T}\,\delta_0$"),
                    (xs[3], r"$\partial\ell/\partial W_1 = v_2^{T}\,\delta_1$")):
        _arrow(ax, (x + 0.15, 0.31), (x + 0.15, 1.25 - 0.225), color=red, dashed=True)
        ax.text(x + 0.22, 0.68, text, ha="left", va="center", fontsize=8, color=red)
    ax.text(xs[0], -0.55, "backward:\n" r"$\times$ local derivative", ha="center", va="top", fontsize=8, color=red)
    ax.set_xlim(xs[0] - 0.9, xs[-1] + 0.9)
    ax.set_ylim(-1.05, 1.6)
    ax.set_aspect("equal")
    ax.axis("off")
    return fig


def activation_shapes_figure():
    """Sigmoid, tanh and ReLU (fn, solid) with their derivatives (deriv, dashed) on [-4, 4]."""
    nn = solutions.load("nn")
    x = np.linspace(-4, 4, 401)
    fig, axes = plt.subplots(1, 3, figsize=(7.5, 2.4), sharey=True, layout="constrained")
    for ax, unit in zip(axes, (nn.Sigmoid(), nn.Tanh(), nn.ReLU())):
        ax.plot(x, unit.fn(x), color="C0", label="fn")
        ax.plot(x, unit.deriv(x), color="C1", linestyle="--", label="deriv")
        ax.set_title(type(unit).__name__, fontsize=10)
        ax.set_xlabel("pre-activation z")
        ax.set_ylim(-1.15, 1.6)
        ax.axhline(0, color="0.6", lw=0.6)
        ax.grid(True, alpha=0.3)
    axes[0].legend(frameon=False, loc="upper left")
    return fig


# The comparison problem of lesson 3, and the step sizes that work for each activation.
ACTIVATION_RATES = {"Sigmoid": 2.0, "Tanh": 0.05, "ReLU": 0.1}


def train_activation(name, learning_rate, sizes=(784, 32, 10), epochs=15, batch_size=50, seed=0):
    """Mini-batch gradient descent with solutions/nn.py on the first 1,000 training digits.

    Every step is w[i] -= (learning_rate / batch_size) * w_grad[i] (same for b). Returns a
    dict: `losses`, the mean loss per digit on the 1,000 digits before training and after each
    epoch; `accuracy` on the first 1,000 test digits; `dead_outputs`, the output units whose
    pre-activation is <= 0 for every training digit (they no longer learn: only ReLU has any).
    """
    nn = solutions.load("nn")
    x, y, x_test, labels_test = nn_digits()
    net = nn.NN(sizes, getattr(nn, name)(), nn.L2(), seed=seed)
    rng = np.random.default_rng(seed + 1)
    n = len(x)
    losses = [net.eval_loss(x, y) / n]
    for _ in range(epochs):
        order = rng.permutation(n)
        for start in range(0, n, batch_size):
            rows = order[start:start + batch_size]
            w_grad, b_grad = net.backprop(x[rows], y[rows])
            for i in range(net.num_layers):
                net.w[i] -= learning_rate / batch_size * w_grad[i]
                net.b[i] -= learning_rate / batch_size * b_grad[i]
        losses.append(net.eval_loss(x, y) / n)
    h = x
    for w, b in zip(net.w[:-1], net.b[:-1]):
        h = net.activation.fn(h @ w + b)
    z_out = h @ net.w[-1] + net.b[-1]
    accuracy = float(np.mean(net.forward_pass(x_test).argmax(axis=1) == labels_test))
    return {"losses": np.array(losses), "accuracy": accuracy,
            "dead_outputs": int(np.sum(np.all(z_out <= 0, axis=0)))}


def activation_comparison(rates=None, **kwargs):
    """train_activation for each activation at its rate: {name: result, with 'rate' added}."""
    rates = ACTIVATION_RATES if rates is None else rates
    return {name: {**train_activation(name, rate, **kwargs), "rate": rate} for name, rate in rates.items()}


def activation_comparison_figure(results):
    """Training curves (mean loss per digit against epochs) from activation_comparison."""
    fig, ax = new_figure(6.0, 3.2)
    for name, result in results.items():
        ax.plot(result["losses"], marker="o", markersize=3,
                label=f"{name}, rate {result['rate']:g}: test accuracy {result['accuracy']:.0%}")
    ax.set_xlabel("epoch (20 steps of 50 digits)")
    ax.set_ylabel("mean loss per digit")
    ax.set_yscale("log")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(frameon=False)
    return fig


# --8<-- [start:graph]
class Node:
    """One value of a computational graph, the nodes it was computed from, and its gradient.

    `inputs` pairs each input node with the local derivative d(self)/d(input) at this point.
    """

    def __init__(self, name, value, inputs=()):
        self.name, self.value, self.inputs, self.grad = name, value, list(inputs), 0.0


def backward(loss, nodes):
    """d loss / d node for every node, `nodes` listed in the order the forward pass made them.

    Every gradient starts at 0 in each call, then each node, from the loss back, adds its share
    to each of its inputs: a node used twice receives two shares, and they add up.
    """
    for node in nodes:
        node.grad = 0.0  # a new pass: nothing left over from a previous call
    loss.grad = 1.0
    for node in reversed(nodes):
        for source, local in node.inputs:
            source.grad += node.grad * local  # += : one term per path through this edge
# --8<-- [end:graph]


def shared_value_example(p=3.0, q=-2.0):
    """The lesson's graph with a value used twice: c = p q, d = c + p, loss = d**2.

    Returns a dict: `nodes` {name: (value, gradient)}; `shares`, the two terms that reach p
    (through c, and directly through d); `overwritten`, what p's gradient would be if each share
    replaced the last instead of adding to it; `slope`, the central difference of the loss in p
    (coursekit.gradcheck's step); `exact`, 2 p (q + 1)**2 by hand.
    """
    P, Q = Node("p", p), Node("q", q)
    C = Node("c", p * q, [(P, q), (Q, p)])
    D = Node("d", C.value + p, [(C, 1.0), (P, 1.0)])
    L = Node("loss", D.value ** 2, [(D, 2 * D.value)])
    nodes = [P, Q, C, D, L]
    backward(L, nodes)
    via_c = D.grad * 1.0 * q  # dloss/dd * dd/dc * dc/dp
    via_d = D.grad * 1.0      # dloss/dd * dd/dp
    param = np.array([p])
    slope = numerical_gradient(lambda: float((param[0] * q + param[0]) ** 2), param, 0)
    # backward visits d before c, so with `=` instead of `+=` c's share would be the last word.
    return {"nodes": {n.name: (n.value, n.grad) for n in nodes}, "shares": (via_c, via_d),
            "overwritten": via_c, "slope": slope, "exact": 2 * p * (q + 1) ** 2}


def shared_value_figure(example=None):
    """shared_value_example as a graph: p feeds both c and d; each edge's share is labelled.

    Black arrows and values: the forward pass. Red, under each arrow: the share of the
    gradient that travels back along it, grad(consumer) * local derivative; p's two add up.
    """
    example = shared_value_example() if example is None else example
    nodes = example["nodes"]
    where = {"p": (0.0, 0.0), "q": (0.0, 2.0), "c": (2.6, 1.0), "d": (5.2, 0.0), "loss": (7.6, 0.0)}
    label = {"p": "p", "q": "q", "c": "c = p q", "d": "d = c + p", "loss": r"\ell = d^2"}
    fig, ax = plt.subplots(figsize=(7.5, 2.9), layout="constrained")
    for name, (x, y) in where.items():
        value, grad = nodes[name]
        _box(ax, x, y, f"${label[name]}$\n= {value:g}", "#fce5cd" if name == "loss" else "#cfe2f3",
             width=1.5, height=0.75)
    via_c, via_d = example["shares"]
    for name, (x, y) in where.items():
        grad = nodes[name][1]
        text = f"grad {grad:g} = {via_c:g} + ({via_d:g})" if name == "p" else f"grad {grad:g}"
        ax.text(x, y - 0.5, text, ha="center", va="top", fontsize=8, color="#c0392b")
    _, grad_c = nodes["c"]
    _, grad_d = nodes["d"]
    edges = [("p", "c", via_c), ("q", "c", grad_c * nodes["p"][0]), ("c", "d", grad_d),
             ("p", "d", via_d), ("d", "loss", 1.0 * 2 * nodes["d"][0])]
    for start, end, share in edges:
        (x0, y0), (x1, y1) = where[start], where[end]
        _arrow(ax, (x0 + 0.75, y0), (x1 - 0.75, y1))
        below = start == "p" and end == "d"  # the long edge passes under c's labels
        ax.text((x0 + x1) / 2, (y0 + y1) / 2 + (-0.12 if below else 0.12), f"share {share:g}",
                ha="center", va="top" if below else "bottom", fontsize=8, color="#c0392b")
    ax.set_xlim(-1.0, 8.6)
    ax.set_ylim(-1.0, 2.6)
    ax.set_aspect("equal")
    ax.axis("off")
    return fig


# A slip lesson 4 debugs: the activation's slope is applied at the last layer only.
BUG_OLD = "g = g * self.activation.deriv(zs[i])"
BUG_NEW = "g = g * self.activation.deriv(zs[i]) if i == self.num_layers - 1 else g"


def nn_variant(old=BUG_OLD, new=BUG_NEW):
    """solutions/nn.py with one textual edit (which must apply exactly once)."""
    path = ROOT / "solutions" / "nn.py"
    source = path.read_text(encoding="utf-8")
    if source.count(old) != 1:
        raise ValueError(f"the edit {old!r} does not apply once to solutions/nn.py")
    namespace = {"__name__": "_solution_nn_variant"}
    exec(compile(source.replace(old, new), f"{path} (edited)", "exec"), namespace)
    return SimpleNamespace(**namespace)


def layer_check_table(sizes=(784, 16, 16, 10), n_rows=8, seed=0):
    """check_layers on the reference NN and on the buggy variant: rows (array, correct, buggy)."""
    reference, buggy = solutions.load("nn"), nn_variant()
    x, y, _, _ = nn_digits()
    x, y = x[:n_rows], y[:n_rows]
    reports = []
    for module in (reference, buggy):
        net = module.NN(sizes, module.Sigmoid(), module.L2(), seed=seed)
        rng = np.random.default_rng(seed + 1)
        net.b = [rng.normal(0, 0.5, size=b.shape) for b in net.b]
        reports.append(check_layers(net, x, y))
    return [(name, good, bad) for (name, good), (_, bad) in zip(*reports)]


def gradient_check_errors(hs=None, layer=1, index=(3, 7), seed=0, n_rows=8):
    """Relative error of finite-difference slopes against backprop, for one weight, per h.

    The network is solutions/nn.py's NN([784, 16, 10]) with sigmoid on n_rows real digits. The
    exact gradient is backprop's in float64; the slopes are taken in float64 (forward and
    central differences) and in float32 (central, the network and data cast to float32).
    Returns (hs, {curve name: relative errors}).
    """
    nn = solutions.load("nn")
    hs = np.logspace(-12, 0, 49) if hs is None else np.asarray(hs)
    x, y, _, _ = nn_digits()
    x, y = x[:n_rows], y[:n_rows]
    net = nn.NN([784, 16, 10], nn.Sigmoid(), nn.L2(), seed=seed)
    exact = net.backprop(x, y)[0][layer][index]
    curves = {}
    for name, method in (("float64, forward", "forward"), ("float64, central", "central")):
        curves[name] = np.array([relative_error(exact, numerical_gradient(
            lambda: net.eval_loss(x, y), net.w[layer], index, h=h, method=method)) for h in hs])
    net.w = [w.astype(np.float32) for w in net.w]
    net.b = [b.astype(np.float32) for b in net.b]
    x32, y32 = x.astype(np.float32), y.astype(np.float32)
    curves["float32, central"] = np.array([relative_error(exact, numerical_gradient(
        lambda: net.eval_loss(x32, y32), net.w[layer], index, h=h)) for h in hs])
    return hs, curves


def float32_resolution(layer=1, index=(3, 7), seed=0, n_rows=8):
    """Why a float32 finite difference reads 0 for small h: the loss cannot register the change.

    The network and weight of `gradient_check_errors`, cast to float32. Returns a dict:
    `loss`, the float32 loss; `loss_spacing`, the gap between it and the next float32;
    `weight` and `weight_spacing`, the same for the nudged weight; `gradient`, backprop's exact
    (float64) slope; `h_blind`, loss_spacing / (2 |gradient|), the step below which a nudge
    moves the loss by less than half a float32 gap, so that it rounds back to the same loss.
    """
    nn = solutions.load("nn")
    x, y, _, _ = nn_digits()
    x, y = x[:n_rows], y[:n_rows]
    net = nn.NN([784, 16, 10], nn.Sigmoid(), nn.L2(), seed=seed)
    gradient = float(net.backprop(x, y)[0][layer][index])
    net.w = [w.astype(np.float32) for w in net.w]
    net.b = [b.astype(np.float32) for b in net.b]
    loss = np.float32(net.loss.fn(net.forward_pass(x.astype(np.float32)), y.astype(np.float32)))
    weight = net.w[layer][index]
    return {"loss": float(loss), "loss_spacing": float(np.spacing(loss)),
            "weight": float(weight), "weight_spacing": float(np.spacing(weight)),
            "gradient": gradient, "h_blind": float(np.spacing(loss)) / (2 * abs(gradient))}


def gradient_check_figure(hs=None, curves=None):
    """Relative error against h on log-log axes: the V of truncation and rounding error."""
    if curves is None:
        hs, curves = gradient_check_errors(hs)
    fig, ax = new_figure(6.0, 3.6)
    styles = {"float64, forward": ("C0", "--"), "float64, central": ("C0", "-"), "float32, central": ("C3", "-")}
    for name, errors in curves.items():
        color, line = styles.get(name, (None, "-"))
        ax.loglog(hs, np.maximum(errors, 1e-16), color=color, linestyle=line, marker=".", label=name)
    ax.axhspan(1e-16, 1e-7, color="C2", alpha=0.08)
    ax.text(hs[-1], 2e-8, "fine for float64", fontsize=8, color="C2", va="top", ha="right")
    ax.set_xlabel("step h")
    ax.set_ylabel("relative error |a - n| / max(|a|, |n|)")
    ax.set_ylim(1e-12, 2)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(frameon=False, loc="lower left")
    return fig
