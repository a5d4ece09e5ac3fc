"""The mistakes of functional.py, the network as a dict and functions (lesson 2):
grader/test_functional.py's diagnoses.

One example per column: backward() is lesson 1's backprop transposed, for a loss with a 1/2, so
the mistakes are recomputed by network.recompute on the transposed parameters, and the
gradients transposed back and halved.
"""

import numpy as np

from grader.diagnoses import Case, Diagnose, common, mistakes_of, recognises
from grader.diagnoses.network import gradients, recompute


def recompute_gradients(case, **mistake):
    """backward()'s {'grad_weights[i]', 'grad_biases[i]'} for the case, with `recompute`'s `mistake`."""
    rows = gradients(recompute(case, **mistake))
    result = {}
    for k in range(1, len(case.weights) + 1):
        result[f"grad_weights[{k - 1}]"] = 0.5 * rows[f"weights_grad[{k}]"].T
        result[f"grad_biases[{k - 1}]"] = 0.5 * rows[f"biases_grad[{k}]"].reshape(-1, 1)
    return result


CONVENTION = common.Convention("grad_weights", "grad_biases", recompute_gradients)

def _reversed_lists(case):
    """The right gradient lists in reverse order, the last layer's first (None for one layer)."""
    L = len(case.weights)
    if L < 2:
        return None
    return {f"{key}[{i}]": case.correct[f"{key}[{L - 1 - i}]"] for key in ("grad_weights", "grad_biases")
            for i in range(L)}


@recognises
def _unscaled(case, got):
    return abs(case.std - 1) <= 0.1


# {checks: [(name, anchor, what the student's gradients would be, why)]}
MISTAKES = mistakes_of("functional", {
    "backward": [
        ("the sign of delta is flipped",
         "sign-flipped", common.sign_flipped,
         "every gradient is exactly minus the right one: loss_prime returns y - yhat instead of "
         "yhat - y, and update() then climbs the loss instead of descending it."),
        ("the gradient of a loss without the 0.5",
         "factor-2", common.doubled,
         "every gradient is twice the right one: loss_prime (or delta) carries 2 (yhat - y), the "
         "derivative of sum((yhat - y)**2). Our loss has the 0.5, which cancels the 2: "
         "loss_prime is yhat - y."),
        # (the rows of case.x, x transposed, are functional's columns)
        ("the mean over the columns instead of the sum",
         "mean-instead-of-sum", common.averaged,
         "every gradient is the right one divided by N, the number of columns. The loss sums over "
         "the examples, so the gradients are sums too: delta.sum(axis=1, keepdims=True), not .mean."),
        ("grad_weights is transposed",
         "transposed-gradient", common.transposed,
         "your grad_weights[l - 1] holds the right values transposed: a(l-1) delta^T instead of "
         "delta a(l-1)^T, which has the shape of W(l), (nl, n(l-1))."),
        ("sigma_prime is missing",
         "sigma-prime-missing", common.derivative_missing,
         "the gradients are those of BP1 and BP2 without the factor sigma_prime(z(l)): a(l) = "
         "sigma(z(l)), so every delta(l) is multiplied by sigma_prime(z_inputs[l - 1])."),
        ("sigma_prime is taken at the activation a(l) instead of z(l)",
         "sigma-prime-of-the-activation", common.derivative_of_output,
         "the gradients are those of sigma_prime(activations[l]) = sigma'(sigma(z(l))) in place of "
         "sigma'(z(l)): use sigma_prime(z_inputs[l - 1]), or a (1 - a) with a the activation."),
        ("the bias gradient lost its second axis",
         "bias-gradient-rank", common.bias_rank_lost,
         "your grad_biases[l - 1] has the right values in shape (nl,) instead of the column (nl, 1) "
         "of b(l): delta.sum(axis=1) drops the axis it sums over. Keep it with keepdims=True; "
         "otherwise b - eta * db broadcasts a column against a row into an (nl, nl) matrix."),
        ("the gradient lists are in reverse layer order",
         "reverse-layer-order", _reversed_lists,
         "your grad_weights[0] is the last layer's gradient: a loop from l = L down to 1 that appends "
         "builds the lists output layer first. Index 0 is layer 1, like model['weights']: fill the "
         "lists by index (grad_weights[l - 1] = ...) or reverse them before storing."),
        ("a layer index is off by one in backward",
         "layer-index-off-by-one", common.layer_index_off_by_one,
         "your gradients are those of a backward that takes one layer's array in place of its "
         "neighbour's: activations[l] or activations[l - 2] for a(l-1), weights[l] or weights[l - 2] "
         "to pass delta down instead of W(l), or sigma_prime of another layer's z. The lists count "
         "from 0 and the layers from 1: list index l - 1 holds W(l), b(l) and z(l), while "
         "activations[l - 1] is a(l-1), because activations[0] is the input."),
    ],
    "init": [
        ("unscaled weights",
         "unscaled-weights", _unscaled,
         "your weights have standard deviation 1 (rng.normal(size=...) or standard_normal without "
         "the scale): z(l) sums n(l-1) products, so it grows like sqrt(n(l-1)) and the sigmoid "
         "saturates, where its slope is nearly 0. Draw with standard deviation 1/sqrt(n(l-1))."),
    ],
})


def backward(functional, ours, x, y, theirs):
    """Diagnose `theirs`'s gradients (the student's model after backward(y, model)) against
    `ours`'s (the reference's), both after the reference's forward(x, model)."""
    correct = {f"{key}[{i}]": g for key in ("grad_weights", "grad_biases") for i, g in enumerate(ours[key])}
    reference = type("Sigmoid", (), {"sigmoid": staticmethod(functional.sigma),
                                     "sigmoid_prime": staticmethod(functional.sigma_prime)})
    data = {
        "reference": reference,
        "weights": {i + 1: np.array(W, dtype=float).T for i, W in enumerate(ours["weights"])},
        "biases": {i + 1: np.array(b, dtype=float).T for i, b in enumerate(ours["biases"])},
        "x": np.asarray(x, dtype=float).T,
        "t": np.asarray(y, dtype=float).T,
        "convention": CONVENTION,
    }

    def got():
        result = {}
        for key in ("grad_weights", "grad_biases"):
            grads = theirs.get(key) if isinstance(theirs, dict) else None
            if isinstance(grads, (list, tuple)):
                result.update({f"{key}[{i}]": g for i, g in enumerate(grads)})
        return result

    return Diagnose("backward", Case(correct, data=data), got, MISTAKES)


def init(std, n_in):
    """Diagnose weights of standard deviation `std` for a layer with `n_in` inputs."""
    return Diagnose("init", Case({}, data={"std": std, "n_in": n_in}), lambda: {}, MISTAKES)
