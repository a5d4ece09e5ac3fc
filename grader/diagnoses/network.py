"""The mistakes of network.py, the Network class (lesson 1): grader/test_network.py's diagnoses.

`recompute` runs the reference's algorithm with a mistake in it; lessons 2 and 3 reuse it
(their networks are lesson 1's in another convention).
"""

from dataclasses import dataclass

import numpy as np

from grader.diagnoses import Case, Diagnose, batch_size, common, loss_over, members, mistakes_of


@dataclass
class Run:
    """One pass of the reference's algorithm, possibly with a mistake in it."""

    layers: dict  # a(k)
    activations: dict  # h(k), h(0) = x
    output: np.ndarray
    loss: float
    g: dict  # dJ/da(k) as rows, (B, nk)
    previous: int = 0  # dJ/dW(k) takes h(k - 1 + previous): an index off by one
    wrap: bool = False  # an index below the first layer wraps to the last, as a Python list's -1


def _layer(k, first, last, wrap):
    """Layer k, for keys first ... last; below `first`, with `wrap`, counted from the end as a list's
    negative index is; else KeyError (the student's code would have failed there)."""
    if k < first and wrap:
        k += last - first + 1
    if not first <= k <= last:
        raise KeyError(k)
    return k


def recompute(case, *, derivative="a", output_derivative=None, last_linear=False, previous=0, weights=0,
              derivative_at=0, wrap=False):
    """Forward and backward through the case's parameters, the reference's sigmoid and its
    derivative; `derivative` is where f' is taken ("a", the right place; "h"; or "none", left
    out), `output_derivative` the same for the output layer only, `last_linear` leaves the
    output layer without its sigmoid. Layer indices off by one: `previous` shifts the h(k-1) of
    dJ/dW(k), `weights` the W(k) that passes g down, `derivative_at` the a(k) of f' below the
    output layer; `wrap` lets an index below the first wrap around, as a list's -1 does. An
    index that does not exist, or shapes that do not fit, raise (no prediction)."""
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
        at = k if k == L else _layer(k + derivative_at, 1, L, wrap)
        if where == "a":
            g = g * sigmoid_prime(a[at])
        elif where == "h":
            g = g * sigmoid_prime(h[at])
        gs[k] = np.atleast_2d(g)
        if k > 1 or not (weights or derivative_at):
            g = g @ W[_layer(k + weights, 1, L, wrap)].T
    return Run(a, h, output, loss, gs, previous, wrap)


def gradients(run, previous=None, bias_row=None):
    """The gradients a run gives: dJ/dW(k) = h(previous(k))^T g (by default h(k-1), or the run's
    own index off by one), dJ/db(k) = sum of g's rows (or only row `bias_row`)."""
    if previous is None:
        def previous(k):
            return _layer(k - 1 + run.previous, 0, len(run.g), run.wrap)
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


def recompute_gradients(case, **mistake):
    """backprop()'s {'weights_grad[k]', 'biases_grad[k]'} for the case, with `recompute`'s `mistake`."""
    return gradients(recompute(case, **mistake))


CONVENTION = common.Convention("weights_grad", "biases_grad", recompute_gradients)


# What the student would have produced, for the mistakes only lesson 1's network has.

def _output_derivative_missing(case):
    return recompute_gradients(case, output_derivative="none")


def _linear_output(case):
    # going back through the linear output with f'(a(L)) kept, or with it left out too
    return [recompute_gradients(case, last_linear=True),
            recompute_gradients(case, last_linear=True, output_derivative="none")]


def _bias_from_one_row(case):
    if batch_size(case) == 1:
        return None
    return [gradients(recompute(case), bias_row=0), gradients(recompute(case), bias_row=-1)]


def _activation_off_by_one(case):
    return gradients(recompute(case), previous=lambda k: k)


def _forward_linear_output(case):
    return _forward_result(recompute(case, last_linear=True))


def _loss_halved(case):
    return loss_over(case, 2)


def _loss_over_the_batch(case):
    return loss_over(case, batch_size(case))


def _loss_over_every_element(case):
    return loss_over(case, np.size(case.t))


def _update_adds(case):
    return {label: 2 * np.asarray(case.before[label], dtype=float) - np.asarray(right, dtype=float)
            for label, right in case.correct.items()}


def _predict_down_the_columns(case):
    return {"predict": np.argmax(recompute(case).output, axis=0)}


# {checks: [(name, anchor, what the student's result would be, why)]}
MISTAKES = mistakes_of("network", {
    # the gradients of one forward/backprop, against the reference's
    "backprop": [
        ("the sign of g is flipped",
         "sign-flipped", common.sign_flipped,
         "every gradient is exactly minus the right one. This happens when g starts as "
         "targets - output instead of output - targets: J then grows along your gradient, and "
         "update() climbs the loss instead of descending it."),
        ("the factor 2 of the square is missing",
         "factor-2", common.halved,
         "every gradient is half the right one. The derivative of (y - t)**2 is 2 (y - t); "
         "without the 2 you have the gradient of Nielsen's loss, which carries a 1/2 ours does not."),
        ("a factor 2 too many",
         "factor-2", common.doubled,
         "every gradient is twice the right one: the 2 from the square is counted twice, "
         "e.g. 4 * (y - t), or 2 * (y - t) doubled again further on."),
        ("the mean over the batch instead of the sum",
         "mean-instead-of-sum", common.averaged,
         "every gradient is the right one divided by the batch size. The loss sums over the rows "
         "of a batch, so its gradients are sums too (np.sum, not np.mean); dividing by the batch "
         "size belongs to training, in the learning rate."),
        ("the weight gradient is transposed",
         "transposed-gradient", common.transposed,
         "your weights_grad[k] holds the right values transposed: g^T h instead of h(k-1)^T g. "
         "dJ/dW(k) has the shape of W(k), (n(k-1), n(k)); with square layers the transpose even "
         "has the right shape, so only its values show the mistake."),
        ("the activation derivative is missing",
         "activation-derivative", common.derivative_missing,
         "the gradients are those of a chain rule without f'(a(k)). h(k) = f(a(k)), so going "
         "back through a layer multiplies g by sigmoid_prime(layers[k]) before g is used."),
        ("the activation derivative is taken at h instead of a",
         "activation-derivative", common.derivative_of_output,
         "the gradients are those of f'(h(k)) = f'(f(a(k))) in place of f'(a(k)): "
         "sigmoid_prime expects the pre-activation layers[k]; with activations[k] = h, "
         "use h * (1 - h) instead."),
        ("the activation derivative is missing on the output layer",
         "activation-derivative", _output_derivative_missing,
         "the hidden layers are right but for the g they receive: the output is a sigmoid too, "
         "y = f(a(L)), so g = 2 (y - t) is dJ/dy and needs f'(a(L)) to become dJ/da(L)."),
        ("the last layer is left linear",
         "linear-output", _linear_output,
         "your numbers are those of a network whose output is a(L) instead of f(a(L)). Every "
         "layer applies the sigmoid, the output layer included."),
        ("the bias gradient comes from one row of the batch",
         "bias-from-one-row", _bias_from_one_row,
         "biases_grad[k] is g of a single example. b(k) is added to every row of the batch, so "
         "dJ/db(k) sums g over the rows: g.sum(axis=0)."),
        ("the previous layer's activation is off by one",
         "activation-off-by-one", _activation_off_by_one,
         "weights_grad[k] uses activations[k], the layer's own output. W(k) multiplies the "
         "layer's input h(k-1), so dJ/dW(k) = activations[k - 1]^T g."),
        ("a layer index is off by one in backprop",
         "activation-off-by-one", common.layer_index_off_by_one_in_dicts,
         "your gradients are those of a backprop that takes one layer's array in place of its "
         "neighbour's: activations[k - 2] for the layer's input h(k-1), weights[k - 1] or "
         "weights[k + 1] to pass g down instead of W(k), or the derivative at another layer's "
         "layers[k]. Write each index from the lesson's formulas: dJ/dW(k) = h(k-1)^T g(k), then "
         "g W(k)^T times f'(a(k-1)) for the layer below."),
    ],
    # forward (and compute_loss): the stored members and the loss
    "forward": [
        ("the last layer is left linear",
         "linear-output", _forward_linear_output,
         "your output is a(L) instead of f(a(L)). Every layer applies the sigmoid, the output "
         "layer included, so the output lies in (0, 1) like the one-hot targets."),
    ],
    ("forward", "loss"): [
        ("the loss carries a 1/2",
         "factor-2", _loss_halved,
         "your loss is half the right one. Ours is sum((y - t)**2), without the 1/2 of "
         "Nielsen's quadratic cost (whose gradients are then half of ours)."),
        ("the loss is averaged over the batch",
         "mean-instead-of-sum", _loss_over_the_batch,
         "your loss is the right one divided by the batch size. The loss sums over every row; "
         "dividing by the batch size belongs to training."),
        ("the loss is averaged over every element (np.mean)",
         "mean-instead-of-sum", _loss_over_every_element,
         "your loss is the right one divided by the number of outputs. The loss is a sum over "
         "every element: np.sum, not np.mean."),
    ],
    # backprop called twice after one forward
    "backprop twice": [
        ("the gradients accumulate across calls",
         "accumulating-gradients", common.doubled,
         "the second backprop() gives twice the first: weights_grad[k] += ... adds to what the "
         "previous call left. Each call must overwrite the gradients: weights_grad[k] = ..."),
    ],
    "update": [
        ("update adds the gradient instead of subtracting it",
         "update-adds", _update_adds,
         "your parameters moved by +learning_rate * gradient: that is a step up the loss. "
         "Gradient descent steps against the gradient, W(k) -= learning_rate * weights_grad[k]."),
    ],
    # predict on a batch
    "predict": [
        ("predict takes the argmax over the wrong axis",
         "predict-axis", _predict_down_the_columns,
         "your predict() picks, for every output unit, the example with the largest value "
         "(axis=0). The digit of each example is the largest output in its row: axis=-1 "
         "(or 1), which also works for a single example."),
    ],
})


def network_data(network, ours, x, t):
    """A copy of `ours`'s parameters and the inputs: what `recompute` needs."""
    return {
        "reference": network,
        "weights": {k: np.array(W, dtype=float) for k, W in ours.weights.items()},
        "biases": {k: np.array(b, dtype=float) for k, b in ours.biases.items()},
        "x": np.asarray(x, dtype=float),
        "t": np.asarray(t, dtype=float),
        "convention": CONVENTION,
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
