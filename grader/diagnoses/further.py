"""The mistakes of further.py, softmax, cross-entropy, ReLU, He, momentum (lesson 7):
grader/test_further.py's diagnoses.
"""

import numpy as np

from grader.diagnoses import Case, Diagnose, as_array, loss_over, members, mistakes_of, recognises


def _softmax(a, axis=-1, shift_axis=None):
    """The softmax of `a` along `axis`, shifted by the maximum along `shift_axis` (default: axis)."""
    a = np.asarray(a, dtype=float)
    e = np.exp(a - np.max(a, axis=axis if shift_axis is None else shift_axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


@recognises
def _overflowed(case, got):
    """The softmax or cross-entropy warned, or gave inf or nan, where the right answer is finite."""
    values = [v for v in got.values() if v is not None]
    return bool(case.warnings) or any(not np.all(np.isfinite(as_array(v))) for v in values
                                      if as_array(v) is not None and as_array(v).dtype.kind == "f")


def _wrong_axis(case):
    a = case.a
    if np.ndim(a) < 2:
        return None
    return [{"softmax": _softmax(a, axis=0)}, {"softmax": _softmax(a, axis=None)},
            {"softmax": _softmax(a, axis=-1, shift_axis=0)}]


def _classifier_run(case, *, output_slope=False, relu_slope=True, output_axis=-1, previous=0, weights=0,
                    slope_at=0):
    """Forward and backward through the case's parameters; returns (forward result, gradients).
    `output_slope` multiplies g at the output by the sigmoid's y (1 - y); `relu_slope=False`
    leaves relu' out; `output_axis` is the axis of the output's softmax. Layer indices off by
    one: `previous` shifts the h(k-1) of dJ/dW(k), `weights` the W(k) that passes g down,
    `slope_at` the a(k-1) of relu'; a missing layer raises KeyError, shapes that do not fit
    ValueError (the student's code would have failed there)."""
    W, b = case.weights, case.biases
    L = len(W)
    h, a = {0: np.asarray(case.x, dtype=float)}, {}
    for k in range(1, L + 1):
        a[k] = b[k] + h[k - 1] @ W[k]
        h[k] = np.maximum(a[k], 0) if k < L else _softmax(a[k], axis=output_axis)
    output, t = h[L], np.asarray(case.t, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        loss = float(-np.sum(t * np.log(np.where(t != 0, output, 1))))
    forward = {f"layers[{k}]": v for k, v in a.items()}
    forward.update({f"activations[{k}]": v for k, v in h.items()})
    forward.update(output=output, loss=np.float64(loss))
    g = output - t
    if output_slope:
        g = g * output * (1 - output)
    grads = {}
    for k in range(L, 0, -1):
        rows, below = np.atleast_2d(g), np.atleast_2d(h[k - 1 + previous])
        grads[f"biases_grad[{k}]"] = rows.sum(axis=0)
        grads[f"weights_grad[{k}]"] = below.T @ rows
        if k > 1:
            g = g @ W[k + weights].T
            if relu_slope:
                g = g * (a[k - 1 + slope_at] > 0)
    return forward, grads


def _index_off_by_one(case):
    alternatives = []
    for shift in ({"previous": 1}, {"previous": -1}, {"weights": 1}, {"weights": -1}, {"slope_at": 1},
                  {"slope_at": -1}):
        try:
            alternatives.append(_classifier_run(case, **shift)[1])
        except (KeyError, ValueError):
            continue
    return alternatives or None


def _momentum_after(case, *, sign=1, old_velocity=False, decay_biases=False, divide=True):
    """Parameters after every step of the momentum test's sequence, under a mistake (or none):
    `sign=-1` adds the gradient step, `old_velocity` moves the parameters by the velocity before
    updating it, `decay_biases` decays the biases too, `divide=False` leaves out the 1/n."""
    settings, start, after = case.settings, case.start, {}
    W = {k: np.array(v, dtype=float) for k, v in start.weights.items()}
    b = {k: np.array(v, dtype=float) for k, v in start.biases.items()}
    vW, vb = {k: np.zeros_like(v) for k, v in W.items()}, {k: np.zeros_like(v) for k, v in b.items()}
    beta, decay = settings["momentum"], settings["weight_decay"]
    for s, ((n, gW, gb), rate) in enumerate(zip(case.batches, settings["rates"]), start=1):
        m = n if divide else 1
        for k in W:
            new_vW = beta * vW[k] - sign * rate * (gW[k] / m + decay * W[k])
            new_vb = beta * vb[k] - sign * rate * (gb[k] / m + (decay * b[k] if decay_biases else 0))
            W[k] += vW[k] if old_velocity else new_vW
            b[k] += vb[k] if old_velocity else new_vb
            vW[k], vb[k] = new_vW, new_vb
            after[f"weights[{k}] after step {s}"] = W[k].copy()
            after[f"biases[{k}] after step {s}"] = b[k].copy()
    return after


# What the student would have produced (or what shows the mistake), row by row of the table below.

def _softmax_down_the_columns(case):
    return _classifier_run(case, output_axis=0)[0] if np.ndim(case.x) == 2 else None


def _sigmoid_slope_kept(case):
    return _classifier_run(case, output_slope=True)[1]


def _relu_slope_missing(case):
    return _classifier_run(case, relu_slope=False)[1] if len(case.weights) > 1 else None


def _loss_averaged(case):
    return loss_over(case, len(case.t) if np.ndim(case.t) == 2 else 1)


def _std_near(case, wanted):
    # 5 %: the grader draws 7,840 or more weights, whose spread is within 3 % of the true one
    return abs(case.std - wanted) <= 0.05 * wanted


@recognises
def _he_variance_halved(case, got):
    return _std_near(case, np.sqrt(1 / case.n_in))


@recognises
def _variance_as_std(case, got):
    return _std_near(case, 2 / case.n_in)


def _momentum_sign_flipped(case):
    return _momentum_after(case, sign=-1)


def _momentum_old_velocity(case):
    return _momentum_after(case, old_velocity=True)


def _momentum_decays_biases(case):
    return _momentum_after(case, decay_biases=True) if case.settings["weight_decay"] else None


def _momentum_not_divided(case):
    return _momentum_after(case, divide=False)


def _label(step, total, peak):
    return f"cosine_schedule({step}, {total}, {peak})"


def _cosine_all(case, rate):
    """{label: rate(step, total, peak)} at every point of the case; None if `rate` has no value at one."""
    result = {}
    for step, total, peak in case.points:
        value = rate(step, total, peak)
        if value is None:
            return None
        result[_label(step, total, peak)] = value
    return result


def _cosine_off_by_one(case):
    return _cosine_all(case, lambda s, n, p: np.float64(p * (1 + np.cos(np.pi * s / (n - 1))) / 2) if n > 1 else None)


def _cosine_step_off_by_one(case):
    return _cosine_all(case, lambda s, n, p: np.float64(p * (1 + np.cos(np.pi * (s + 1) / n)) / 2))


def _cosine_without_pi(case):
    return _cosine_all(case, lambda s, n, p: np.float64(p * (1 + np.cos(s / n)) / 2))


# {checks: [(name, anchor, what the student's result would be, why)]}
MISTAKES = mistakes_of("further", {
    "softmax": [
        ("softmax without subtracting the row maximum",
         "softmax-overflow", _overflowed,
         "exp(1000) overflows to inf, and inf / inf is nan. Subtracting each row's largest entry "
         "first changes no probability (numerator and denominator are both divided by exp(max)) "
         "and leaves exp only numbers <= 0: np.exp(a - a.max(axis=-1, keepdims=True))."),
        ("softmax over the wrong axis",
         "softmax-axis", _wrong_axis,
         "your probabilities are normalised down the columns (axis=0), or over the whole batch, "
         "instead of along each row: each example's row must sum to 1. Use axis=-1 with "
         "keepdims=True for both the maximum and the sum, which also works for one example (n,)."),
    ],
    "further forward": [
        ("softmax over the wrong axis",
         "softmax-axis", _softmax_down_the_columns,
         "your output is normalised down the columns (axis=0) instead of along each row: each "
         "example's probabilities must sum to 1. Use axis=-1 with keepdims=True."),
    ],
    "further backprop": [
        ("the sigmoid's slope kept at the softmax output",
         "sigmoid-slope-at-the-output", _sigmoid_slope_kept,
         "your g at the output is (y - t) * y * (1 - y): the sigmoid's slope belongs to lesson 1's "
         "quadratic loss. Through the softmax's Jacobian, the cross-entropy's gradient at a(L) is "
         "exactly y - t, with nothing more to multiply."),
        ("ReLU's slope is left out",
         "relu-slope-missing", _relu_slope_missing,
         "your hidden layers pass g down through W(k) without multiplying by relu_prime(a(k-1)): "
         "a unit that was off (a <= 0) in the forward pass must get no gradient."),
        ("a layer index is off by one in backprop",
         "layer-index-off-by-one", _index_off_by_one,
         "your gradients are those of a backprop that takes one layer's array in place of its "
         "neighbour's: activations[k] or activations[k - 2] for the layer's input h(k-1), "
         "weights[k - 1] or weights[k + 1] to pass g down instead of W(k), or relu_prime of "
         "another layer's layers[k - 1]. dJ/dW(k) = h(k-1)^T g; below it, g W(k)^T times relu'(a(k-1))."),
    ],
    "log zero": [
        ("log(0)",
         "log-zero", _overflowed,
         "where y has underflowed to 0 and t is 0, t * log(y) is 0 * -inf = nan (with a warning). "
         "Those terms are 0 whatever y is: take the log only where t is not 0 "
         "(np.log(np.where(t != 0, y, 1))), or of y clipped to a tiny positive number."),
    ],
    "further loss": [
        ("the cross-entropy averaged over the batch",
         "loss-averaged", _loss_averaged,
         "your loss is the right one divided by the batch size. Like the course's other losses, "
         "the cross-entropy sums over every element; the mean belongs to the optimizer's 1/n."),
    ],
    "init": [
        ("He variance 1/n instead of 2/n",
         "he-variance", _he_variance_halved,
         "your weights have lesson 1's standard deviation sqrt(1 / n(k-1)). A ReLU zeroes half of "
         "its inputs, so He initialisation doubles the variance: np.sqrt(2 / n_in) is the standard "
         "deviation (rng.normal's scale)."),
        ("the variance 2/n used as the standard deviation",
         "he-variance", _variance_as_std,
         "rng.normal's scale is the standard deviation: the variance 2 / n(k-1) needs its square "
         "root, np.sqrt(2 / n_in)."),
    ],
    "cosine": [
        ("the schedule divided by total_steps - 1",
         "cosine-off-by-one", _cosine_off_by_one,
         "your rate reaches 0 one step early: step / (total_steps - 1) makes the last step, "
         "total_steps - 1, a step of rate 0, which is wasted. The lesson's schedule is "
         "peak * (1 + cos(pi * step / total_steps)) / 2: step 0 has the peak, and the rate only reaches "
         "0 at step total_steps, which is never taken."),
        ("the schedule counted from step 1",
         "cosine-off-by-one", _cosine_step_off_by_one,
         "your rate is the next step's: steps count from 0 (fit's first step is step 0, at the peak)."),
        ("the cosine without pi",
         "cosine-off-by-one", _cosine_without_pi,
         "cos(step / total_steps) only goes from cos(0) to cos(1): the half cosine needs "
         "cos(pi * step / total_steps), from 1 down to -1."),
    ],
    "momentum": [
        ("momentum with the wrong sign",
         "momentum-sign-or-order", _momentum_sign_flipped,
         "your parameters move up the gradient: the velocity must collect MINUS the learning rate "
         "times the gradient, v = momentum * v - learning_rate * (...), then W += v (or, "
         "equivalently, v = momentum * v + learning_rate * (...), then W -= v)."),
        ("momentum in the wrong order",
         "momentum-sign-or-order", _momentum_old_velocity,
         "your parameters move by the velocity of the step before (the first step moves nothing): "
         "compute the new velocity first, then add it, v = momentum * v - ...; W += v."),
        ("weight decay applied to the biases",
         "weight-decay-on-biases", _momentum_decays_biases,
         "your biases shrink too. Weight decay is on the weights only: the biases' velocity uses "
         "biases_grad[k] / n alone."),
        ("the gradients not divided by the batch size",
         "gradient-not-divided", _momentum_not_divided,
         "your steps are n times too large: backprop() sums the gradient over the batch's n "
         "examples, so step(n) divides weights_grad[k] and biases_grad[k] by n to step along the mean."),
    ],
})


def _classifier_data(ours, x, t):
    return {"weights": {k: np.array(W, dtype=float) for k, W in ours.weights.items()},
            "biases": {k: np.array(b, dtype=float) for k, b in ours.biases.items()},
            "x": np.asarray(x, dtype=float), "t": np.asarray(t, dtype=float)}


def softmax(further, a, got, caught=()):
    """Diagnose softmax(a) = `got` against the reference's; `caught` the warnings it raised."""
    case = Case({"softmax": further.softmax(np.asarray(a, dtype=float))}, data={"a": np.asarray(a, dtype=float),
                                                                                  "warnings": list(caught)})
    return Diagnose("softmax", case, lambda: {"softmax": got}, MISTAKES)


def loss(y, t, got):
    """Diagnose cross_entropy(y, t) = `got`."""
    t = np.asarray(t, dtype=float)
    right = float(-np.sum(t * np.log(np.where(t != 0, y, 1))))
    return Diagnose("further loss", Case({"loss": np.float64(right)}, data={"t": t}), lambda: {"loss": got}, MISTAKES)


def log_zero(got, caught):
    """Diagnose a cross-entropy that warned or is not finite where y underflowed to 0."""
    case = Case({}, data={"warnings": list(caught)})
    return Diagnose("log zero", case, lambda: {"loss": got}, MISTAKES)


def init(std, n_in):
    """Diagnose weights of standard deviation `std` for a layer with `n_in` inputs."""
    return Diagnose("init", Case({}, data={"std": std, "n_in": n_in}), lambda: {}, MISTAKES)


def forward(further, ours, x, t, theirs):
    """Diagnose `theirs`'s stored members after forward(x, t) against `ours`'s."""
    labels = ("layers", "activations", "output", "loss")
    case = Case(members(ours, *labels), data=_classifier_data(ours, x, t))
    return Diagnose("further forward", case, lambda: members(theirs, *labels), MISTAKES)


def backprop(further, ours, x, t, theirs):
    """Diagnose `theirs`'s gradients after forward(x, t) and backprop(t) against `ours`'s."""
    case = Case(members(ours, "biases_grad", "weights_grad"), data=_classifier_data(ours, x, t))
    return Diagnose("further backprop", case, lambda: members(theirs, "biases_grad", "weights_grad"), MISTAKES)


def momentum(start, batches, settings, expected, got):
    """Diagnose the parameters after every step of Momentum (`got`, by label) against `expected`."""
    case = Case(expected, data={"start": start, "batches": batches, "settings": settings})
    return Diagnose("momentum", case, lambda: got, MISTAKES)


def cosine_schedule(step, total, peak, got):
    """Diagnose cosine_schedule(step, total, peak) = `got`."""
    return cosine_schedule_at([(step, total, peak)], [got])


def cosine_schedule_at(points, rates):
    """Diagnose the rates cosine_schedule gave at every (step, total, peak) of `points`: a mistake
    explains them only if it gives every wrong one of them."""
    correct = {_label(*point): np.float64(point[2] * (1 + np.cos(np.pi * point[0] / point[1])) / 2)
               for point in points}
    case = Case(correct, rtol=1e-5, atol=1e-12, data={"points": list(points)})
    return Diagnose("cosine", case, lambda: {_label(*point): rate for point, rate in zip(points, rates)}, MISTAKES)
