"""The mistakes of network.py, the Network class (lesson 1): grader/test_network.py's diagnoses.

`recompute` runs the reference's algorithm with a mistake in it; lessons 2 and 3 reuse it
(their networks are lesson 1's in another convention).
"""

from dataclasses import dataclass

import numpy as np

from grader.diagnoses import Case, Diagnose, Mistake, batch_size, loss_over, members, scaled, transposed


@dataclass
class Run:
    """One pass of the reference's algorithm, possibly with a mistake in it."""

    layers: dict  # a(k)
    activations: dict  # h(k), h(0) = x
    output: np.ndarray
    loss: float
    g: dict  # dJ/da(k) as rows, (B, nk)


def recompute(case, *, derivative="a", output_derivative=None, last_linear=False):
    """Forward and backward through the case's parameters, the reference's sigmoid and its
    derivative; `derivative` is where f' is taken ("a", the right place; "h"; or "none", left
    out), `output_derivative` the same for the output layer only, `last_linear` leaves the
    output layer without its sigmoid."""
    sigmoid, sigmoid_prime = case.reference.sigmoid, case.reference.sigmoid_prime
    W, b = case.weights, case.biases
    L = len(W)
    h, a = {0: np.asarray(case.x, dtype=float)}, {}
    for k in range(1, L + 1):
        a[k] = b[k] + h[k - 1] @ W[k]
        h[k] = a[k] if (last_linear and k == L) else sigmoid(a[k])
    output = h[L]
    loss = float(np.sum((output - case.t) ** 2))
    g, gs = 2 * (output - case.t), {}
    for k in range(L, 0, -1):
        where = output_derivative if (k == L and output_derivative) else derivative
        if where == "a":
            g = g * sigmoid_prime(a[k])
        elif where == "h":
            g = g * sigmoid_prime(h[k])
        gs[k] = np.atleast_2d(g)
        g = g @ W[k].T
    return Run(a, h, output, loss, gs)


def gradients(run, previous=lambda k: k - 1, bias_row=None):
    """The gradients a run gives: dJ/dW(k) = h(previous(k))^T g, dJ/db(k) = sum of g's rows
    (or only row `bias_row`)."""
    result = {}
    for k, g in run.g.items():
        h = np.atleast_2d(run.activations[previous(k)])
        result[f"biases_grad[{k}]"] = g.sum(axis=0) if bias_row is None else g[bias_row]
        result[f"weights_grad[{k}]"] = h.T @ g
    return result


def _forward_result(run):
    result = {f"layers[{k}]": a for k, a in run.layers.items()}
    result.update({f"activations[{k}]": h for k, h in run.activations.items()})
    result["output"] = run.output
    result["loss"] = np.float64(run.loss)
    return result


MISTAKES = [
    # --- backprop: the gradients of one forward/backprop, against the reference's ---
    Mistake(
        "the sign of g is flipped",
        "every gradient is exactly minus the right one. This happens when g starts as "
        "targets - output instead of output - targets: J then grows along your gradient, and "
        "update() climbs the loss instead of descending it.",
        "network", ("backprop",), lambda case: scaled(case, -1),
        anchor="sign-flipped"),
    Mistake(
        "the factor 2 of the square is missing",
        "every gradient is half the right one. The derivative of (y - t)**2 is 2 (y - t); "
        "without the 2 you have the gradient of Nielsen's loss, which carries a 1/2 ours does not.",
        "network", ("backprop",), lambda case: scaled(case, 0.5),
        anchor="factor-2"),
    Mistake(
        "a factor 2 too many",
        "every gradient is twice the right one: the 2 from the square is counted twice, "
        "e.g. 4 * (y - t), or 2 * (y - t) doubled again further on.",
        "network", ("backprop",), lambda case: scaled(case, 2),
        anchor="factor-2"),
    Mistake(
        "the mean over the batch instead of the sum",
        "every gradient is the right one divided by the batch size. The loss sums over the rows "
        "of a batch, so its gradients are sums too (np.sum, not np.mean); dividing by the batch "
        "size belongs to training, in the learning rate.",
        "network", ("backprop",), lambda case: scaled(case, 1 / batch_size(case)) if batch_size(case) > 1 else None,
        anchor="mean-instead-of-sum"),
    Mistake(
        "the weight gradient is transposed",
        "your weights_grad[k] holds the right values transposed: g^T h instead of h(k-1)^T g. "
        "dJ/dW(k) has the shape of W(k), (n(k-1), n(k)); with square layers the transpose even "
        "has the right shape, so only its values show the mistake.",
        "network", ("backprop",), lambda case: transposed(case, "weights_grad"),
        anchor="transposed-gradient"),
    Mistake(
        "the activation derivative is missing",
        "the gradients are those of a chain rule without f'(a(k)). h(k) = f(a(k)), so going "
        "back through a layer multiplies g by sigmoid_prime(layers[k]) before g is used.",
        "network", ("backprop",), lambda case: gradients(recompute(case, derivative="none")),
        anchor="activation-derivative"),
    Mistake(
        "the activation derivative is taken at h instead of a",
        "the gradients are those of f'(h(k)) = f'(f(a(k))) in place of f'(a(k)): "
        "sigmoid_prime expects the pre-activation layers[k]; with activations[k] = h, "
        "use h * (1 - h) instead.",
        "network", ("backprop",), lambda case: gradients(recompute(case, derivative="h")),
        anchor="activation-derivative"),
    Mistake(
        "the activation derivative is missing on the output layer",
        "the hidden layers are right but for the g they receive: the output is a sigmoid too, "
        "y = f(a(L)), so g = 2 (y - t) is dJ/dy and needs f'(a(L)) to become dJ/da(L).",
        "network", ("backprop",), lambda case: gradients(recompute(case, output_derivative="none")),
        anchor="activation-derivative"),
    Mistake(
        "the last layer is left linear",
        "your numbers are those of a network whose output is a(L) instead of f(a(L)). Every "
        "layer applies the sigmoid, the output layer included.",
        "network", ("backprop",),
        lambda case: [gradients(recompute(case, last_linear=True)),
                      gradients(recompute(case, last_linear=True, output_derivative="none"))],
        anchor="linear-output"),
    Mistake(
        "the bias gradient comes from one row of the batch",
        "biases_grad[k] is g of a single example. b(k) is added to every row of the batch, so "
        "dJ/db(k) sums g over the rows: g.sum(axis=0).",
        "network", ("backprop",),
        lambda case: ([gradients(recompute(case), bias_row=0), gradients(recompute(case), bias_row=-1)]
                      if batch_size(case) > 1 else None),
        anchor="bias-from-one-row"),
    Mistake(
        "the previous layer's activation is off by one",
        "weights_grad[k] uses activations[k], the layer's own output. W(k) multiplies the "
        "layer's input h(k-1), so dJ/dW(k) = activations[k - 1]^T g.",
        "network", ("backprop",), lambda case: gradients(recompute(case), previous=lambda k: k),
        anchor="activation-off-by-one"),
    # --- forward (and compute_loss): the stored members and the loss ---
    Mistake(
        "the last layer is left linear",
        "your output is a(L) instead of f(a(L)). Every layer applies the sigmoid, the output "
        "layer included, so the output lies in (0, 1) like the one-hot targets.",
        "network", ("forward",), lambda case: _forward_result(recompute(case, last_linear=True)),
        anchor="linear-output"),
    Mistake(
        "the loss carries a 1/2",
        "your loss is half the right one. Ours is sum((y - t)**2), without the 1/2 of "
        "Nielsen's quadratic cost (whose gradients are then half of ours).",
        "network", ("forward", "loss"), lambda case: {"loss": np.float64(case.correct["loss"]) / 2},
        anchor="factor-2"),
    Mistake(
        "the loss is averaged over the batch",
        "your loss is the right one divided by the batch size. The loss sums over every row; "
        "dividing by the batch size belongs to training.",
        "network", ("forward", "loss"), lambda case: loss_over(case, batch_size(case)),
        anchor="mean-instead-of-sum"),
    Mistake(
        "the loss is averaged over every element (np.mean)",
        "your loss is the right one divided by the number of outputs. The loss is a sum over "
        "every element: np.sum, not np.mean.",
        "network", ("forward", "loss"), lambda case: loss_over(case, np.size(case.t)),
        anchor="mean-instead-of-sum"),
    # --- backprop called twice after one forward ---
    Mistake(
        "the gradients accumulate across calls",
        "the second backprop() gives twice the first: weights_grad[k] += ... adds to what the "
        "previous call left. Each call must overwrite the gradients: weights_grad[k] = ...",
        "network", ("backprop twice",), lambda case: scaled(case, 2),
        anchor="accumulating-gradients"),
    # --- update ---
    Mistake(
        "update adds the gradient instead of subtracting it",
        "your parameters moved by +learning_rate * gradient: that is a step up the loss. "
        "Gradient descent steps against the gradient, W(k) -= learning_rate * weights_grad[k].",
        "network", ("update",),
        lambda case: {label: 2 * np.asarray(case.before[label], dtype=float) - np.asarray(right, dtype=float)
                      for label, right in case.correct.items()},
        anchor="update-adds"),
    # --- predict on a batch ---
    Mistake(
        "predict takes the argmax over the wrong axis",
        "your predict() picks, for every output unit, the example with the largest value "
        "(axis=0). The digit of each example is the largest output in its row: axis=-1 "
        "(or 1), which also works for a single example.",
        "network", ("predict",), lambda case: {"predict": np.argmax(recompute(case).output, axis=0)},
        anchor="predict-axis"),
]



def network_data(network, ours, x, t):
    """A copy of `ours`'s parameters and the inputs: what `recompute` needs."""
    return {
        "reference": network,
        "weights": {k: np.array(W, dtype=float) for k, W in ours.weights.items()},
        "biases": {k: np.array(b, dtype=float) for k, b in ours.biases.items()},
        "x": np.asarray(x, dtype=float),
        "t": np.asarray(t, dtype=float),
    }


def backprop(network, ours, x, t, theirs):
    """Diagnose `theirs`'s gradients, after forward(x, t) and backprop(t), against `ours`'s."""
    correct = members(ours, "biases_grad", "weights_grad")
    case = Case(correct, data=network_data(network, ours, x, t))
    return Diagnose("backprop", case, lambda: members(theirs, "biases_grad", "weights_grad"), MISTAKES)


def forward(network, ours, x, t, theirs):
    """Diagnose `theirs`'s stored layers, activations, output and loss after forward(x, t)."""
    correct = members(ours, "layers", "activations", "output", "loss")
    case = Case(correct, data=network_data(network, ours, x, t))
    return Diagnose("forward", case, lambda: members(theirs, "layers", "activations", "output", "loss"), MISTAKES)


def loss(network, ours, x, t, got):
    """Diagnose a loss value `got` (compute_loss) against the reference's `ours.loss`."""
    case = Case({"loss": np.float64(ours.loss)}, data=network_data(network, ours, x, t))
    return Diagnose("loss", case, lambda: {"loss": got}, MISTAKES)


def backprop_twice(first, theirs):
    """Diagnose a second backprop's weights_grad against the first call's (`first`, by layer)."""
    case = Case({f"weights_grad[{k}]": g for k, g in first.items()})
    return Diagnose("backprop twice", case, lambda: members(theirs, "weights_grad"), MISTAKES)


def update(before, ours, theirs):
    """Diagnose `theirs`'s parameters after update() against `ours`'s; `before` the parameters
    both started from, as {'weights[k]': ..., 'biases[k]': ...}."""
    case = Case(members(ours, "weights", "biases"), data={"before": before})
    return Diagnose("update", case, lambda: members(theirs, "weights", "biases"), MISTAKES)


def predict(network, ours, x, got):
    """Diagnose predict(x) of a batch, `got`, against the reference's."""
    data = network_data(network, ours, x, np.zeros((len(x), ours.definition[-1])))
    case = Case({"predict": np.asarray(ours.predict(x))}, rtol=0, atol=0, data=data)
    return Diagnose("predict", case, lambda: {"predict": got}, MISTAKES)


def parameters(network):
    """{'weights[k]': W(k), 'biases[k]': b(k)}: a network's parameters by label."""
    return members(network, "weights", "biases")
