"""The mistakes of nn.py, backprop as a computational graph (lesson 3): grader/test_nn.py's diagnoses.

Rows as in lesson 1, any activation object, the L2 loss: network.recompute redoes the mistakes
with the activation's fn and deriv.
"""

import numpy as np

from grader.diagnoses import Case, Diagnose, common, mistakes_of
from grader.diagnoses.network import gradients, recompute


def recompute_gradients(case, **mistake):
    """backprop()'s {'w_grad[i]', 'b_grad[i]'} for the case, with `recompute`'s `mistake`."""
    rows = gradients(recompute(case, **mistake))
    result = {}
    for k in range(1, len(case.weights) + 1):
        result[f"w_grad[{k - 1}]"] = rows[f"weights_grad[{k}]"]
        result[f"b_grad[{k - 1}]"] = rows[f"biases_grad[{k}]"].reshape(1, -1)
    return result


CONVENTION = common.Convention("w_grad", "b_grad", recompute_gradients)


def _reversed_layers(case):
    """The right gradient lists in reverse order, output layer first (None for one layer)."""
    L = sum(label.startswith("w_grad") for label in case.correct)
    if L < 2:
        return None
    return {f"{name}[{i}]": case.correct[f"{name}[{L - 1 - i}]"] for name in ("w_grad", "b_grad") for i in range(L)}


# {checks: [(name, anchor, what the student's gradients would be, why)]}
MISTAKES = mistakes_of("nn", {
    "nn backprop": [
        ("the sign of g is flipped in backprop",
         "sign-flipped", common.sign_flipped,
         "every gradient is exactly minus the right one: g starts as minus loss.deriv (or "
         "2 (y - yhat)), and a step along it climbs the loss instead of descending it."),
        ("the 2 of L2's derivative is missing",
         "factor-2", common.halved,
         "every gradient is half the right one: g starts as yhat - y, the derivative of lesson 2's "
         "loss with a 1/2. L2 has none: d/dyhat (yhat - y)**2 = 2 (yhat - y), which is loss.deriv."),
        ("the mean over the rows instead of the sum",
         "mean-instead-of-sum", common.averaged,
         "every gradient is the right one divided by the number of rows. The loss sums over the "
         "rows, so the gradients are sums too: g.sum(axis=0, keepdims=True), not .mean."),
        ("w_grad is transposed",
         "transposed-gradient", common.transposed,
         "your w_grad[i] holds the right values transposed: g.T @ h instead of h.T @ g, which has "
         "the shape of w[i], (n_i, n_(i+1))."),
        ("the activation's deriv is missing",
         "deriv-missing", common.derivative_missing,
         "the gradients are those of a chain rule that skips the activation node: going back "
         "through it multiplies g by activation.deriv(z) before w_grad and b_grad use it."),
        ("deriv is taken at the activation's output h instead of z",
         "deriv-of-the-output", common.derivative_of_output,
         "the gradients are those of activation.deriv(h(i+1)), the node's output, in place of "
         "activation.deriv(z(i)), its input: keep every z(i) of the forward pass and pass it."),
        ("the bias gradient lost its first axis",
         "bias-gradient-rank", common.bias_rank_lost,
         "your b_grad[i] has the right values in shape (n,) instead of the row (1, n) of b[i]: "
         "g.sum(axis=0) drops the axis it sums over. Keep it with keepdims=True."),
        ("the gradient lists are in reverse layer order",
         "reverse-layer-order", _reversed_layers,
         "your w_grad and b_grad hold the right gradients, the output layer's first. Walking the "
         "graph backwards finds them in that order; the lists are in layer order, w_grad[0] the "
         "gradient of w[0]: fill them by index (w_grad[i] = ...) or reverse them before returning."),
        ("a layer index is off by one in backprop",
         "layer-index-off-by-one", common.layer_index_off_by_one,
         "your gradients are those of a backprop that takes one layer's array in place of its "
         "neighbour's: hs[i + 1] or hs[i - 1] for the input h(i) of w[i], w[i - 1] or w[i + 1] to "
         "pass g down instead of w[i], or deriv of another layer's z. hs starts with the input x, "
         "so hs[i] is what w[i] multiplies, and zs[i] = hs[i] @ w[i] + b[i]."),
    ],
})


def backprop(ours, x, y, expected, result):
    """Diagnose the student's backprop(x, y) `result`, (w_grad, b_grad), against the reference
    network `ours`'s `expected`, both from the same parameters and activation."""
    def labelled(pair):
        return {f"{name}[{i}]": g for name, grads in zip(("w_grad", "b_grad"), pair) for i, g in enumerate(grads)}

    reference = type("Activation", (), {"sigmoid": staticmethod(ours.activation.fn),
                                        "sigmoid_prime": staticmethod(ours.activation.deriv)})
    data = {
        "reference": reference,
        "weights": {i + 1: np.array(w, dtype=float) for i, w in enumerate(ours.w)},
        "biases": {i + 1: np.array(b, dtype=float) for i, b in enumerate(ours.b)},
        "x": np.asarray(x, dtype=float),
        "t": np.asarray(y, dtype=float),
        "convention": CONVENTION,
    }

    def got():
        try:
            return labelled(result)
        except TypeError:
            return {}

    return Diagnose("nn backprop", Case(labelled(expected), data=data), got, MISTAKES)
