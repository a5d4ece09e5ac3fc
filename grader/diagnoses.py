"""Naming the mistake behind a wrong answer, from the numbers alone.

When a result is wrong, the grader can say more than "weights_grad[2] is off by 0.37": it
recomputes, with the REFERENCE module and the very parameters and inputs the student's code
was given, what each known mistake would have produced, and names the mistake whose numbers
the student's agree with, as a TA looking over the student's shoulder would. The student's
source is never read: a diagnosis is offered only when it explains the numbers.

    diagnose = diagnoses.network_backprop(network, ours, x, t, theirs)
    expect_array(theirs.weights_grad[k], ours.weights_grad[k], "weights_grad[2]", diagnose=diagnose)

`diagnose()` returns the lines added to the failure message: "probably: <mistake>: <why>" and a
link to the lesson section that covers it, or the plain sentence `UNRECOGNISED`.

The catalogue, `CATALOGUE`, is a list of `Mistake` entries. Each names the kind of result it
predicts (`checks`: "backprop", "forward", "loss", ...) and a function `produce(case)` that
returns what the student would have produced under that mistake, as `{label: array}` (or a list
of such alternatives, or None when the mistake changes nothing for this case, e.g. a mean over a
batch of one). Results that are not numbers to recompute (the order train() visits examples in)
use `recognise(case, got)` instead. Other modules add their own entries and a small builder like
`network_backprop`. When several mistakes explain the numbers (a one-layer network cannot tell
"derivative missing" from "missing on the output layer"), all of them are listed.

How a mistake is matched: every array of the student's result that is wrong (it fails the
test's own tolerance against the reference) must agree with the mistake's prediction to MATCH
of its scale, and the prediction there must differ from the right answer by more than DISTINCT
of its scale; arrays the student got right are left alone. So two mistakes are told apart
whenever their predictions differ by more than about a thousandth, and an unrelated mistake
(a wrong constant, a little noise) is named by none.
"""

from dataclasses import dataclass, replace
from typing import Any, Callable

import numpy as np

from grader import catalog

MATCH = 1e-4  # the student's array agrees with a prediction: max |difference| <= MATCH * scale
DISTINCT = 1e-3  # a prediction differs from the right answer: max |difference| > DISTINCT * scale
UNRECOGNISED = ("the grader does not recognise this mistake from the numbers (none of the common "
                "mistakes it knows gives them): compare your code with the lesson line by line")


@dataclass(frozen=True)
class Mistake:
    """A known mistake: what it is, why it happens, and what a student making it would get."""

    name: str  # what the student did, in a few words
    why: str  # one or two sentences: why it gives these numbers, and what is right
    module: str  # the exercise module; its lesson (catalog.MODULES) covers the mistake
    checks: tuple  # the kinds of result it predicts: "backprop", "forward", "loss", ...
    produce: Callable[[Any], Any] = None  # case -> {label: array}, a list of them, or None
    anchor: str = "common-mistakes"  # the heading in the module's lesson
    # For results that are not numbers to recompute (the order train() visits examples in):
    # (case, got) -> whether the mistake shows in them. Used instead of `produce`.
    recognise: Callable[[Any, Any], bool] = None

    def explains(self, case, got):
        if self.recognise is not None:
            return bool(self.recognise(case, got))
        predicted = self.produce(case)
        if predicted is None:
            return False
        alternatives = predicted if isinstance(predicted, list) else [predicted]
        got = {label: _as_array(value) for label, value in got.items()}
        return any(_explains(p, got, case.correct, case.rtol, case.atol) for p in alternatives)

    def describe(self):
        url = catalog.lesson_url(self.module, self.anchor) if self.module in catalog.MODULES else ""
        return f"{self.name}: {self.why}" + (f"\n      about this mistake: {url}" if url else "")


@dataclass
class Case:
    """What a check compared: the right result by label, and anything `produce` needs to redo it."""

    correct: dict = None  # label -> the reference's array (what the test expects)
    rtol: float = 1e-5  # the test's own tolerance: which of the student's arrays are wrong
    atol: float = 1e-8
    data: dict = None  # reference module, parameters, inputs: whatever the mistakes need

    def __getattr__(self, name):
        data = self.__dict__.get("data") or {}
        if name in data:
            return data[name]
        raise AttributeError(name)


class Diagnose:
    """A callable for `expect_array(..., diagnose=...)`: the diagnosis lines for a failed check.

    `got()` collects the student's whole result ({label: array}) when the check fails, so a
    mistake is judged on every array, not only on the first one found wrong.
    """

    def __init__(self, check, case, got, catalogue=None):
        self.check, self.case, self.got = check, case, got
        self.catalogue = CATALOGUE if catalogue is None else catalogue

    def mistakes(self):
        """The mistakes that explain the student's numbers, without repeating a name."""
        got = self.got()
        found = {}
        for mistake in self.catalogue:
            if self.check in mistake.checks and mistake.name not in found and mistake.explains(self.case, got):
                found[mistake.name] = mistake
        return list(found.values())

    def __call__(self):
        found = self.mistakes()
        if not found:
            return UNRECOGNISED
        if len(found) == 1:
            return "probably: " + found[0].describe()
        return ("probably one or more of these mistakes, which each explain the numbers:\n      - "
                + "\n      - ".join(m.describe() for m in found))


def _as_array(value):
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return None
    return array


def _close(a, b, fraction):
    """Same shape, and max |a - b| within `fraction` of b's largest magnitude."""
    if a is None or b is None or a.shape != b.shape:
        return False
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        return False
    scale = float(np.max(np.abs(b))) if b.size else 0.0
    return b.size == 0 or float(np.max(np.abs(a - b))) <= fraction * scale + 1e-12


def _right(a, b, rtol, atol):
    """The test's own verdict: `a` passes against the right answer `b`."""
    return a is not None and a.shape == b.shape and bool(np.allclose(a, b, rtol=rtol, atol=atol))


def _explains(predicted, got, correct, rtol, atol):
    wrong = [label for label, right in correct.items()
             if not _right(got.get(label), np.asarray(right, dtype=float), rtol, atol)]
    if not wrong:
        return False
    for label in wrong:
        if label not in predicted:
            return False
        p = np.asarray(predicted[label], dtype=float)
        right = np.asarray(correct[label], dtype=float)
        if not _close(got.get(label), p, MATCH) or _close(p, right, DISTINCT):
            return False
    return True


# ---------------------------------------------------------------------------------------------
# network.py: the Network class (lesson 1)
# ---------------------------------------------------------------------------------------------

@dataclass
class _Run:
    """One pass of the reference's algorithm, possibly with a mistake in it."""

    layers: dict  # a(k)
    activations: dict  # h(k), h(0) = x
    output: np.ndarray
    loss: float
    g: dict  # dJ/da(k) as rows, (B, nk)


def _run(case, *, derivative="a", output_derivative=None, last_linear=False):
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
    return _Run(a, h, output, loss, gs)


def _gradients(run, previous=lambda k: k - 1, bias_row=None):
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


def _scaled(case, factor, labels=None):
    """The right result times `factor` (on `labels` only, if given)."""
    return {label: np.asarray(value, dtype=float) * (factor if labels is None or label in labels else 1)
            for label, value in case.correct.items()}


def _batch(case):
    return 1 if np.ndim(case.x) == 1 else len(case.x)


def _transposed(case):
    return {label: (np.asarray(v).T if label.startswith("weights_grad") else v)
            for label, v in case.correct.items()}


def _loss_over(case, divisor):
    if divisor == 1:
        return None
    return {"loss": np.float64(case.correct["loss"]) / divisor}


NETWORK = [
    # --- backprop: the gradients of one forward/backprop, against the reference's ---
    Mistake(
        "the sign of g is flipped",
        "every gradient is exactly minus the right one. This happens when g starts as "
        "targets - output instead of output - targets: J then grows along your gradient, and "
        "update() climbs the loss instead of descending it.",
        "network", ("backprop",), lambda case: _scaled(case, -1)),
    Mistake(
        "the factor 2 of the square is missing",
        "every gradient is half the right one. The derivative of (y - t)**2 is 2 (y - t); "
        "without the 2 you have the gradient of Nielsen's loss, which carries a 1/2 ours does not.",
        "network", ("backprop",), lambda case: _scaled(case, 0.5)),
    Mistake(
        "a factor 2 too many",
        "every gradient is twice the right one: the 2 from the square is counted twice, "
        "e.g. 4 * (y - t), or 2 * (y - t) doubled again further on.",
        "network", ("backprop",), lambda case: _scaled(case, 2)),
    Mistake(
        "the mean over the batch instead of the sum",
        "every gradient is the right one divided by the batch size. The loss sums over the rows "
        "of a batch, so its gradients are sums too (np.sum, not np.mean); dividing by the batch "
        "size belongs to training, in the learning rate.",
        "network", ("backprop",), lambda case: _scaled(case, 1 / _batch(case)) if _batch(case) > 1 else None),
    Mistake(
        "the weight gradient is transposed",
        "your weights_grad[k] holds the right values transposed: g^T h instead of h(k-1)^T g. "
        "dJ/dW(k) has the shape of W(k), (n(k-1), n(k)); with square layers the transpose even "
        "has the right shape, so only its values show the mistake.",
        "network", ("backprop",), _transposed),
    Mistake(
        "the activation derivative is missing",
        "the gradients are those of a chain rule without f'(a(k)). h(k) = f(a(k)), so going "
        "back through a layer multiplies g by sigmoid_prime(layers[k]) before g is used.",
        "network", ("backprop",), lambda case: _gradients(_run(case, derivative="none"))),
    Mistake(
        "the activation derivative is taken at h instead of a",
        "the gradients are those of f'(h(k)) = f'(f(a(k))) in place of f'(a(k)): "
        "sigmoid_prime expects the pre-activation layers[k]; with activations[k] = h, "
        "use h * (1 - h) instead.",
        "network", ("backprop",), lambda case: _gradients(_run(case, derivative="h"))),
    Mistake(
        "the activation derivative is missing on the output layer",
        "the hidden layers are right but for the g they receive: the output is a sigmoid too, "
        "y = f(a(L)), so g = 2 (y - t) is dJ/dy and needs f'(a(L)) to become dJ/da(L).",
        "network", ("backprop",), lambda case: _gradients(_run(case, output_derivative="none"))),
    Mistake(
        "the last layer is left linear",
        "your numbers are those of a network whose output is a(L) instead of f(a(L)). Every "
        "layer applies the sigmoid, the output layer included.",
        "network", ("backprop",),
        lambda case: [_gradients(_run(case, last_linear=True)),
                      _gradients(_run(case, last_linear=True, output_derivative="none"))]),
    Mistake(
        "the bias gradient comes from one row of the batch",
        "biases_grad[k] is g of a single example. b(k) is added to every row of the batch, so "
        "dJ/db(k) sums g over the rows: g.sum(axis=0).",
        "network", ("backprop",),
        lambda case: ([_gradients(_run(case), bias_row=0), _gradients(_run(case), bias_row=-1)]
                      if _batch(case) > 1 else None)),
    Mistake(
        "the previous layer's activation is off by one",
        "weights_grad[k] uses activations[k], the layer's own output. W(k) multiplies the "
        "layer's input h(k-1), so dJ/dW(k) = activations[k - 1]^T g.",
        "network", ("backprop",), lambda case: _gradients(_run(case), previous=lambda k: k)),
    # --- forward (and compute_loss): the stored members and the loss ---
    Mistake(
        "the last layer is left linear",
        "your output is a(L) instead of f(a(L)). Every layer applies the sigmoid, the output "
        "layer included, so the output lies in (0, 1) like the one-hot targets.",
        "network", ("forward",), lambda case: _forward_result(_run(case, last_linear=True))),
    Mistake(
        "the loss carries a 1/2",
        "your loss is half the right one. Ours is sum((y - t)**2), without the 1/2 of "
        "Nielsen's quadratic cost (whose gradients are then half of ours).",
        "network", ("forward", "loss"), lambda case: {"loss": np.float64(case.correct["loss"]) / 2}),
    Mistake(
        "the loss is averaged over the batch",
        "your loss is the right one divided by the batch size. The loss sums over every row; "
        "dividing by the batch size belongs to training.",
        "network", ("forward", "loss"), lambda case: _loss_over(case, _batch(case))),
    Mistake(
        "the loss is averaged over every element (np.mean)",
        "your loss is the right one divided by the number of outputs. The loss is a sum over "
        "every element: np.sum, not np.mean.",
        "network", ("forward", "loss"), lambda case: _loss_over(case, np.size(case.t))),
    # --- backprop called twice after one forward ---
    Mistake(
        "the gradients accumulate across calls",
        "the second backprop() gives twice the first: weights_grad[k] += ... adds to what the "
        "previous call left. Each call must overwrite the gradients: weights_grad[k] = ...",
        "network", ("backprop twice",), lambda case: _scaled(case, 2)),
    # --- update ---
    Mistake(
        "update adds the gradient instead of subtracting it",
        "your parameters moved by +learning_rate * gradient: that is a step up the loss. "
        "Gradient descent steps against the gradient, W(k) -= learning_rate * weights_grad[k].",
        "network", ("update",),
        lambda case: {label: 2 * np.asarray(case.before[label], dtype=float) - np.asarray(right, dtype=float)
                      for label, right in case.correct.items()}),
    # --- predict on a batch ---
    Mistake(
        "predict takes the argmax over the wrong axis",
        "your predict() picks, for every output unit, the example with the largest value "
        "(axis=0). The digit of each example is the largest output in its row: axis=-1 "
        "(or 1), which also works for a single example.",
        "network", ("predict",), lambda case: {"predict": np.argmax(_run(case).output, axis=0)}),
]



def _network_data(network, ours, x, t):
    """A copy of `ours`'s parameters and the inputs: what `_run` needs."""
    return {
        "reference": network,
        "weights": {k: np.array(W, dtype=float) for k, W in ours.weights.items()},
        "biases": {k: np.array(b, dtype=float) for k, b in ours.biases.items()},
        "x": np.asarray(x, dtype=float),
        "t": np.asarray(t, dtype=float),
    }


def _members(network, *names):
    """{'weights_grad[2]': array, ...} from the dicts a (student's) network holds; missing is left out."""
    result = {}
    for name in names:
        members = getattr(network, name, None)
        if isinstance(members, dict):
            result.update({f"{name}[{k}]": value for k, value in members.items()})
        elif members is not None and not callable(members):
            result[name] = members
    return result


def network_backprop(network, ours, x, t, theirs):
    """Diagnose `theirs`'s gradients, after forward(x, t) and backprop(t), against `ours`'s."""
    correct = _members(ours, "biases_grad", "weights_grad")
    case = Case(correct, data=_network_data(network, ours, x, t))
    return Diagnose("backprop", case, lambda: _members(theirs, "biases_grad", "weights_grad"))


def network_forward(network, ours, x, t, theirs):
    """Diagnose `theirs`'s stored layers, activations, output and loss after forward(x, t)."""
    correct = _members(ours, "layers", "activations", "output", "loss")
    case = Case(correct, data=_network_data(network, ours, x, t))
    return Diagnose("forward", case, lambda: _members(theirs, "layers", "activations", "output", "loss"))


def network_loss(network, ours, x, t, got):
    """Diagnose a loss value `got` (compute_loss) against the reference's `ours.loss`."""
    case = Case({"loss": np.float64(ours.loss)}, data=_network_data(network, ours, x, t))
    return Diagnose("loss", case, lambda: {"loss": got})


def network_backprop_twice(first, theirs):
    """Diagnose a second backprop's weights_grad against the first call's (`first`, by layer)."""
    case = Case({f"weights_grad[{k}]": g for k, g in first.items()})
    return Diagnose("backprop twice", case, lambda: _members(theirs, "weights_grad"))


def network_update(before, ours, theirs):
    """Diagnose `theirs`'s parameters after update() against `ours`'s; `before` the parameters
    both started from, as {'weights[k]': ..., 'biases[k]': ...}."""
    case = Case(_members(ours, "weights", "biases"), data={"before": before})
    return Diagnose("update", case, lambda: _members(theirs, "weights", "biases"))


def network_predict(network, ours, x, got):
    """Diagnose predict(x) of a batch, `got`, against the reference's."""
    data = _network_data(network, ours, x, np.zeros((len(x), ours.definition[-1])))
    case = Case({"predict": np.asarray(ours.predict(x))}, rtol=0, atol=0, data=data)
    return Diagnose("predict", case, lambda: {"predict": got})


def parameters(network):
    """{'weights[k]': W(k), 'biases[k]': b(k)}: a network's parameters by label."""
    return _members(network, "weights", "biases")


# ---------------------------------------------------------------------------------------------
# training.py: mini-batch SGD (lesson 6). The result is the record of train()'s calls on a
# stand-in network: steps [(indices of the batch's examples, learning rate given to update)].
# Which examples a shuffle picks cannot be recomputed (any generator is right), so these
# mistakes are recognised from properties of the record instead of recomputed numbers.
# ---------------------------------------------------------------------------------------------

def _epoch_orders(case, steps):
    """The order of the examples in each epoch, if the steps split into `epochs` equal runs."""
    if not steps or len(steps) % case.epochs:
        return None
    per_epoch = len(steps) // case.epochs
    return [[i for indices, _ in steps[e * per_epoch:(e + 1) * per_epoch] for i in indices]
            for e in range(case.epochs)]


def _unshuffled(case, steps):
    orders = _epoch_orders(case, steps)
    return orders is not None and all(order == list(range(len(order))) for order in orders)


def _shuffled_once(case, steps):
    orders = _epoch_orders(case, steps)
    return (orders is not None and case.epochs > 1 and orders[0] != list(range(len(orders[0])))
            and all(order == orders[0] for order in orders))


def _rate_not_divided(case, steps):
    full = [rate for indices, rate in steps if len(indices) == case.batch_size]
    return (case.batch_size > 1 and bool(full)
            and all(abs(rate - case.learning_rate) <= 1e-9 * case.learning_rate for rate in full))


def _last_batch_dropped(case, steps):
    return (case.n % case.batch_size != 0 and len(steps) == case.epochs * (case.n // case.batch_size)
            and all(len(indices) == case.batch_size for indices, _ in steps))


TRAINING = [
    Mistake(
        "the examples are never shuffled",
        "every epoch visits the examples in their stored order 0, 1, 2, ... Stochastic gradient "
        "descent draws a random order (rng.permutation(n)) before cutting the batches, so that "
        "the batches differ from one epoch to the next.",
        "training", ("train",), recognise=lambda case, got: _unshuffled(case, got["steps"])),
    Mistake(
        "the examples are shuffled once, not every epoch",
        "every epoch visits the examples in the same random order: the permutation is drawn "
        "once before the loop over epochs, or by a generator re-made from the seed inside it. "
        "Make the generator once, np.random.default_rng(seed), and draw a fresh permutation at "
        "the start of every epoch.",
        "training", ("train",), recognise=lambda case, got: _shuffled_once(case, got["steps"])),
    Mistake(
        "the learning rate is not divided by the batch size",
        "update() received learning_rate itself. backprop() gives the gradient of the batch's "
        "summed loss, so the step along the mean per-example gradient is "
        "update(learning_rate / batch_size).",
        "training", ("train",), recognise=lambda case, got: _rate_not_divided(case, got["steps"])),
    Mistake(
        "the last, partial mini-batch is dropped",
        "every batch holds batch_size examples and the n % batch_size left over are never seen. "
        "range(0, n, batch_size) and the slice [start:start + batch_size] give the last, shorter "
        "batch by themselves.",
        "training", ("train",), recognise=lambda case, got: _last_batch_dropped(case, got["steps"])),
]


def training(steps, n, batch_size, epochs, learning_rate):
    """Diagnose the steps [(indices, learning rate)] train() made on n examples."""
    case = Case(data={"n": n, "batch_size": batch_size, "epochs": epochs, "learning_rate": learning_rate})
    return Diagnose("train", case, lambda: {"steps": steps})


# ---------------------------------------------------------------------------------------------
# functional.py: the network as a dict and functions, one example per column (lesson 2). Its
# backward() is lesson 1's backprop transposed, for a loss with a 1/2: the mistakes are
# recomputed by `_run` on the transposed parameters, and the gradients transposed back and halved.
# ---------------------------------------------------------------------------------------------

def _functional_gradients(case, **mistake):
    """backward()'s {'grad_weights[i]', 'grad_biases[i]'} for the case, with `_run`'s `mistake`."""
    rows = _gradients(_run(case, **mistake))
    result = {}
    for k in range(1, len(case.weights) + 1):
        result[f"grad_weights[{k - 1}]"] = 0.5 * rows[f"weights_grad[{k}]"].T
        result[f"grad_biases[{k - 1}]"] = 0.5 * rows[f"biases_grad[{k}]"].reshape(-1, 1)
    return result


def _columns(case):
    return np.shape(case.x)[0]  # the rows of case.x are functional's columns


def _bias_rank_lost(case, prefix):
    """The right gradients, with every bias gradient flattened to (n,): a sum without keepdims."""
    return {label: (np.asarray(v).reshape(-1) if label.startswith(prefix) else v) for label, v in case.correct.items()}


def _transposed_grad_weights(case):
    return {label: (np.asarray(v).T if label.startswith("grad_weights") else v) for label, v in case.correct.items()}


FUNCTIONAL = [
    Mistake(
        "the sign of delta is flipped",
        "every gradient is exactly minus the right one: loss_prime returns y - yhat instead of "
        "yhat - y, and update() then climbs the loss instead of descending it.",
        "functional", ("backward",), lambda case: _scaled(case, -1)),
    Mistake(
        "the gradient of a loss without the 0.5",
        "every gradient is twice the right one: loss_prime (or delta) carries 2 (yhat - y), the "
        "derivative of sum((yhat - y)**2). Our loss has the 0.5, which cancels the 2: "
        "loss_prime is yhat - y.",
        "functional", ("backward",), lambda case: _scaled(case, 2)),
    Mistake(
        "the mean over the columns instead of the sum",
        "every gradient is the right one divided by N, the number of columns. The loss sums over "
        "the examples, so the gradients are sums too: delta.sum(axis=1, keepdims=True), not .mean.",
        "functional", ("backward",),
        lambda case: _scaled(case, 1 / _columns(case)) if _columns(case) > 1 else None),
    Mistake(
        "grad_weights is transposed",
        "your grad_weights[l - 1] holds the right values transposed: a(l-1) delta^T instead of "
        "delta a(l-1)^T, which has the shape of W(l), (nl, n(l-1)).",
        "functional", ("backward",), _transposed_grad_weights),
    Mistake(
        "sigma_prime is missing",
        "the gradients are those of BP1 and BP2 without the factor sigma_prime(z(l)): a(l) = "
        "sigma(z(l)), so every delta(l) is multiplied by sigma_prime(z_inputs[l - 1]).",
        "functional", ("backward",), lambda case: _functional_gradients(case, derivative="none")),
    Mistake(
        "sigma_prime is taken at the activation a(l) instead of z(l)",
        "the gradients are those of sigma_prime(activations[l]) = sigma'(sigma(z(l))) in place of "
        "sigma'(z(l)): use sigma_prime(z_inputs[l - 1]), or a (1 - a) with a the activation.",
        "functional", ("backward",), lambda case: _functional_gradients(case, derivative="h")),
    Mistake(
        "the bias gradient lost its second axis",
        "your grad_biases[l - 1] has the right values in shape (nl,) instead of the column (nl, 1) "
        "of b(l): delta.sum(axis=1) drops the axis it sums over. Keep it with keepdims=True; "
        "otherwise b - eta * db broadcasts a column against a row into an (nl, nl) matrix.",
        "functional", ("backward",), lambda case: _bias_rank_lost(case, "grad_biases")),
]


def functional_backward(functional, ours, x, y, theirs):
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
    }

    def got():
        result = {}
        for key in ("grad_weights", "grad_biases"):
            grads = theirs.get(key) if isinstance(theirs, dict) else None
            if isinstance(grads, (list, tuple)):
                result.update({f"{key}[{i}]": g for i, g in enumerate(grads)})
        return result

    return Diagnose("backward", Case(correct, data=data), got)


# ---------------------------------------------------------------------------------------------
# nn.py: backprop as a computational graph (lesson 3). Rows as in lesson 1, any activation
# object, the L2 loss: `_run` recomputes the mistakes with the activation's fn and deriv.
# ---------------------------------------------------------------------------------------------

def _nn_gradients(case, **mistake):
    """backprop()'s {'w_grad[i]', 'b_grad[i]'} for the case, with `_run`'s `mistake`."""
    rows = _gradients(_run(case, **mistake))
    result = {}
    for k in range(1, len(case.weights) + 1):
        result[f"w_grad[{k - 1}]"] = rows[f"weights_grad[{k}]"]
        result[f"b_grad[{k - 1}]"] = rows[f"biases_grad[{k}]"].reshape(1, -1)
    return result


def _reversed_layers(case):
    """The right gradient lists in reverse order, output layer first (None for one layer)."""
    L = sum(label.startswith("w_grad") for label in case.correct)
    if L < 2:
        return None
    return {f"{name}[{i}]": case.correct[f"{name}[{L - 1 - i}]"] for name in ("w_grad", "b_grad") for i in range(L)}


def _transposed_w_grad(case):
    return {label: (np.asarray(v).T if label.startswith("w_grad") else v) for label, v in case.correct.items()}


NN = [
    Mistake(
        "the sign of g is flipped in backprop",
        "every gradient is exactly minus the right one: g starts as minus loss.deriv (or "
        "2 (y - yhat)), and a step along it climbs the loss instead of descending it.",
        "nn", ("nn backprop",), lambda case: _scaled(case, -1)),
    Mistake(
        "the 2 of L2's derivative is missing",
        "every gradient is half the right one: g starts as yhat - y, the derivative of lesson 2's "
        "loss with a 1/2. L2 has none: d/dyhat (yhat - y)**2 = 2 (yhat - y), which is loss.deriv.",
        "nn", ("nn backprop",), lambda case: _scaled(case, 0.5)),
    Mistake(
        "the mean over the rows instead of the sum",
        "every gradient is the right one divided by the number of rows. The loss sums over the "
        "rows, so the gradients are sums too: g.sum(axis=0, keepdims=True), not .mean.",
        "nn", ("nn backprop",), lambda case: _scaled(case, 1 / _batch(case)) if _batch(case) > 1 else None),
    Mistake(
        "w_grad is transposed",
        "your w_grad[i] holds the right values transposed: g.T @ h instead of h.T @ g, which has "
        "the shape of w[i], (n_i, n_(i+1)).",
        "nn", ("nn backprop",), _transposed_w_grad),
    Mistake(
        "the activation's deriv is missing",
        "the gradients are those of a chain rule that skips the activation node: going back "
        "through it multiplies g by activation.deriv(z) before w_grad and b_grad use it.",
        "nn", ("nn backprop",), lambda case: _nn_gradients(case, derivative="none")),
    Mistake(
        "deriv is taken at the activation's output h instead of z",
        "the gradients are those of activation.deriv(h(i+1)), the node's output, in place of "
        "activation.deriv(z(i)), its input: keep every z(i) of the forward pass and pass it.",
        "nn", ("nn backprop",), lambda case: _nn_gradients(case, derivative="h")),
    Mistake(
        "the bias gradient lost its first axis",
        "your b_grad[i] has the right values in shape (n,) instead of the row (1, n) of b[i]: "
        "g.sum(axis=0) drops the axis it sums over. Keep it with keepdims=True.",
        "nn", ("nn backprop",), lambda case: _bias_rank_lost(case, "b_grad")),
    Mistake(
        "the gradient lists are in reverse layer order",
        "your w_grad and b_grad hold the right gradients, the output layer's first. Walking the "
        "graph backwards finds them in that order; the lists are in layer order, w_grad[0] the "
        "gradient of w[0]: fill them by index (w_grad[i] = ...) or reverse them before returning.",
        "nn", ("nn backprop",), _reversed_layers),
]


def nn_backprop(ours, x, y, expected, result):
    """Diagnose the student's backprop(x, y) `result`, (w_grad, b_grad), against the reference
    network `ours`'s `expected`, both from the same parameters and activation."""
    labelled = lambda pair: {f"{name}[{i}]": g for name, grads in zip(("w_grad", "b_grad"), pair)
                             for i, g in enumerate(grads)}
    reference = type("Activation", (), {"sigmoid": staticmethod(ours.activation.fn),
                                        "sigmoid_prime": staticmethod(ours.activation.deriv)})
    data = {
        "reference": reference,
        "weights": {i + 1: np.array(w, dtype=float) for i, w in enumerate(ours.w)},
        "biases": {i + 1: np.array(b, dtype=float) for i, b in enumerate(ours.b)},
        "x": np.asarray(x, dtype=float),
        "t": np.asarray(y, dtype=float),
    }

    def got():
        try:
            return labelled(result)
        except TypeError:
            return {}

    return Diagnose("nn backprop", Case(labelled(expected), data=data), got)


# The heading, under "Common mistakes" in the module's lesson, that explains each mistake.
ANCHORS = {
    "the sign of g is flipped": "sign-flipped",
    "the factor 2 of the square is missing": "factor-2",
    "a factor 2 too many": "factor-2",
    "the loss carries a 1/2": "factor-2",
    "the mean over the batch instead of the sum": "mean-instead-of-sum",
    "the loss is averaged over the batch": "mean-instead-of-sum",
    "the loss is averaged over every element (np.mean)": "mean-instead-of-sum",
    "the weight gradient is transposed": "transposed-gradient",
    "the activation derivative is missing": "activation-derivative",
    "the activation derivative is taken at h instead of a": "activation-derivative",
    "the activation derivative is missing on the output layer": "activation-derivative",
    "the last layer is left linear": "linear-output",
    "the bias gradient comes from one row of the batch": "bias-from-one-row",
    "the previous layer's activation is off by one": "activation-off-by-one",
    "the gradients accumulate across calls": "accumulating-gradients",
    "update adds the gradient instead of subtracting it": "update-adds",
    "predict takes the argmax over the wrong axis": "predict-axis",
    "the examples are never shuffled": "no-shuffle",
    "the examples are shuffled once, not every epoch": "shuffled-once",
    "the learning rate is not divided by the batch size": "learning-rate-not-divided",
    "the last, partial mini-batch is dropped": "last-batch-dropped",
    "the sign of delta is flipped": "sign-flipped",
    "the gradient of a loss without the 0.5": "factor-2",
    "the mean over the columns instead of the sum": "mean-instead-of-sum",
    "grad_weights is transposed": "transposed-gradient",
    "sigma_prime is missing": "sigma-prime-missing",
    "sigma_prime is taken at the activation a(l) instead of z(l)": "sigma-prime-of-the-activation",
    "the sign of g is flipped in backprop": "sign-flipped",
    "the 2 of L2's derivative is missing": "factor-2",
    "the mean over the rows instead of the sum": "mean-instead-of-sum",
    "w_grad is transposed": "transposed-gradient",
    "the activation's deriv is missing": "deriv-missing",
    "deriv is taken at the activation's output h instead of z": "deriv-of-the-output",
    "the bias gradient lost its second axis": "bias-gradient-rank",
    "the bias gradient lost its first axis": "bias-gradient-rank",
    "the gradient lists are in reverse layer order": "reverse-layer-order",
}
CATALOGUE = [replace(mistake, anchor=ANCHORS[mistake.name]) for mistake in NETWORK + TRAINING + FUNCTIONAL + NN]


# ---------------------------------------------------------------------------------------------
# further.py: softmax, cross-entropy, ReLU, He, momentum (lesson 7). Builders named further_*.
# ---------------------------------------------------------------------------------------------

def _softmax(a, axis=-1, shift_axis=None):
    """The softmax of `a` along `axis`, shifted by the maximum along `shift_axis` (default: axis)."""
    a = np.asarray(a, dtype=float)
    e = np.exp(a - np.max(a, axis=axis if shift_axis is None else shift_axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def _overflowed(case, got):
    """The softmax or cross-entropy warned, or gave inf or nan, where the right answer is finite."""
    values = [v for v in got.values() if v is not None]
    return bool(case.warnings) or any(not np.all(np.isfinite(_as_array(v))) for v in values
                                      if _as_array(v) is not None and _as_array(v).dtype.kind == "f")


def _wrong_axis(case):
    a = case.a
    if np.ndim(a) < 2:
        return None
    return [{"softmax": _softmax(a, axis=0)}, {"softmax": _softmax(a, axis=None)},
            {"softmax": _softmax(a, axis=-1, shift_axis=0)}]


def _classifier_run(case, *, output_slope=False, relu_slope=True, output_axis=-1):
    """Forward and backward through the case's parameters; returns (forward result, gradients).
    `output_slope` multiplies g at the output by the sigmoid's y (1 - y); `relu_slope=False`
    leaves relu' out; `output_axis` is the axis of the output's softmax."""
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
        rows, below = np.atleast_2d(g), np.atleast_2d(h[k - 1])
        grads[f"biases_grad[{k}]"] = rows.sum(axis=0)
        grads[f"weights_grad[{k}]"] = below.T @ rows
        if k > 1:
            g = g @ W[k].T
            if relu_slope:
                g = g * (a[k - 1] > 0)
    return forward, grads


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


FURTHER = [
    Mistake(
        "softmax without subtracting the row maximum",
        "exp(1000) overflows to inf, and inf / inf is nan. Subtracting each row's largest entry "
        "first changes no probability (numerator and denominator are both divided by exp(max)) "
        "and leaves exp only numbers <= 0: np.exp(a - a.max(axis=-1, keepdims=True)).",
        "further", ("softmax",), recognise=_overflowed),
    Mistake(
        "softmax over the wrong axis",
        "your probabilities are normalised down the columns (axis=0), or over the whole batch, "
        "instead of along each row: each example's row must sum to 1. Use axis=-1 with "
        "keepdims=True for both the maximum and the sum, which also works for one example (n,).",
        "further", ("softmax",), _wrong_axis),
    Mistake(
        "softmax over the wrong axis",
        "your output is normalised down the columns (axis=0) instead of along each row: each "
        "example's probabilities must sum to 1. Use axis=-1 with keepdims=True.",
        "further", ("further forward",),
        lambda case: _classifier_run(case, output_axis=0)[0] if np.ndim(case.x) == 2 else None),
    Mistake(
        "the sigmoid's slope kept at the softmax output",
        "your g at the output is (y - t) * y * (1 - y): the sigmoid's slope belongs to lesson 1's "
        "quadratic loss. Through the softmax's Jacobian, the cross-entropy's gradient at a(L) is "
        "exactly y - t, with nothing more to multiply.",
        "further", ("further backprop",), lambda case: _classifier_run(case, output_slope=True)[1]),
    Mistake(
        "ReLU's slope is left out",
        "your hidden layers pass g down through W(k) without multiplying by relu_prime(a(k-1)): "
        "a unit that was off (a <= 0) in the forward pass must get no gradient.",
        "further", ("further backprop",),
        lambda case: _classifier_run(case, relu_slope=False)[1] if len(case.weights) > 1 else None),
    Mistake(
        "log(0)",
        "where y has underflowed to 0 and t is 0, t * log(y) is 0 * -inf = nan (with a warning). "
        "Those terms are 0 whatever y is: take the log only where t is not 0 "
        "(np.log(np.where(t != 0, y, 1))), or of y clipped to a tiny positive number.",
        "further", ("log zero",), recognise=_overflowed),
    Mistake(
        "the cross-entropy averaged over the batch",
        "your loss is the right one divided by the batch size. Like the course's other losses, "
        "the cross-entropy sums over every element; the mean belongs to the optimizer's 1/n.",
        "further", ("further loss",), lambda case: _loss_over(case, len(case.t) if np.ndim(case.t) == 2 else 1)),
    Mistake(
        "He variance 1/n instead of 2/n",
        "your weights have lesson 1's standard deviation sqrt(1 / n(k-1)). A ReLU zeroes half of "
        "its inputs, so He initialisation doubles the variance: np.sqrt(2 / n_in) is the standard "
        "deviation (rng.normal's scale).",
        "further", ("init",), recognise=lambda case, got: abs(case.std - np.sqrt(1 / case.n_in)) <= 0.05 * np.sqrt(1 / case.n_in)),
    Mistake(
        "the variance 2/n used as the standard deviation",
        "rng.normal's scale is the standard deviation: the variance 2 / n(k-1) needs its square "
        "root, np.sqrt(2 / n_in).",
        "further", ("init",), recognise=lambda case, got: abs(case.std - 2 / case.n_in) <= 0.05 * 2 / case.n_in),
    Mistake(
        "momentum with the wrong sign",
        "your parameters move up the gradient: the velocity must collect MINUS the learning rate "
        "times the gradient, v = momentum * v - learning_rate * (...), then W += v (or, "
        "equivalently, v = momentum * v + learning_rate * (...), then W -= v).",
        "further", ("momentum",), lambda case: _momentum_after(case, sign=-1)),
    Mistake(
        "momentum in the wrong order",
        "your parameters move by the velocity of the step before (the first step moves nothing): "
        "compute the new velocity first, then add it, v = momentum * v - ...; W += v.",
        "further", ("momentum",), lambda case: _momentum_after(case, old_velocity=True)),
    Mistake(
        "weight decay applied to the biases",
        "your biases shrink too. Weight decay is on the weights only: the biases' velocity uses "
        "biases_grad[k] / n alone.",
        "further", ("momentum",),
        lambda case: _momentum_after(case, decay_biases=True) if case.settings["weight_decay"] else None),
    Mistake(
        "the gradients not divided by the batch size",
        "your steps are n times too large: backprop() sums the gradient over the batch's n "
        "examples, so step(n) divides weights_grad[k] and biases_grad[k] by n to step along the mean.",
        "further", ("momentum",), lambda case: _momentum_after(case, divide=False)),
]

FURTHER_ANCHORS = {
    "softmax without subtracting the row maximum": "softmax-overflow",
    "softmax over the wrong axis": "softmax-axis",
    "the sigmoid's slope kept at the softmax output": "sigmoid-slope-at-the-output",
    "ReLU's slope is left out": "relu-slope-missing",
    "log(0)": "log-zero",
    "the cross-entropy averaged over the batch": "loss-averaged",
    "He variance 1/n instead of 2/n": "he-variance",
    "the variance 2/n used as the standard deviation": "he-variance",
    "momentum with the wrong sign": "momentum-sign-or-order",
    "momentum in the wrong order": "momentum-sign-or-order",
    "weight decay applied to the biases": "weight-decay-on-biases",
    "the gradients not divided by the batch size": "gradient-not-divided",
}


def _classifier_data(ours, x, t):
    return {"weights": {k: np.array(W, dtype=float) for k, W in ours.weights.items()},
            "biases": {k: np.array(b, dtype=float) for k, b in ours.biases.items()},
            "x": np.asarray(x, dtype=float), "t": np.asarray(t, dtype=float)}


def further_softmax(further, a, got, caught=()):
    """Diagnose softmax(a) = `got` against the reference's; `caught` the warnings it raised."""
    case = Case({"softmax": further.softmax(np.asarray(a, dtype=float))}, data={"a": np.asarray(a, dtype=float),
                                                                                  "warnings": list(caught)})
    return Diagnose("softmax", case, lambda: {"softmax": got})


def further_loss(y, t, got):
    """Diagnose cross_entropy(y, t) = `got`."""
    t = np.asarray(t, dtype=float)
    right = float(-np.sum(t * np.log(np.where(t != 0, y, 1))))
    return Diagnose("further loss", Case({"loss": np.float64(right)}, data={"t": t}), lambda: {"loss": got})


def further_log_zero(got, caught):
    """Diagnose a cross-entropy that warned or is not finite where y underflowed to 0."""
    case = Case({}, data={"warnings": list(caught)})
    return Diagnose("log zero", case, lambda: {"loss": got})


def further_init(std, n_in):
    """Diagnose weights of standard deviation `std` for a layer with `n_in` inputs."""
    return Diagnose("init", Case({}, data={"std": std, "n_in": n_in}), lambda: {})


def further_forward(further, ours, x, t, theirs):
    """Diagnose `theirs`'s stored members after forward(x, t) against `ours`'s."""
    labels = ("layers", "activations", "output", "loss")
    case = Case(_members(ours, *labels), data=_classifier_data(ours, x, t))
    return Diagnose("further forward", case, lambda: _members(theirs, *labels))


def further_backprop(further, ours, x, t, theirs):
    """Diagnose `theirs`'s gradients after forward(x, t) and backprop(t) against `ours`'s."""
    case = Case(_members(ours, "biases_grad", "weights_grad"), data=_classifier_data(ours, x, t))
    return Diagnose("further backprop", case, lambda: _members(theirs, "biases_grad", "weights_grad"))


def further_momentum(start, batches, settings, expected, got):
    """Diagnose the parameters after every step of Momentum (`got`, by label) against `expected`."""
    case = Case(expected, data={"start": start, "batches": batches, "settings": settings})
    return Diagnose("momentum", case, lambda: got)


ANCHORS.update(FURTHER_ANCHORS)
CATALOGUE += [replace(mistake, anchor=FURTHER_ANCHORS[mistake.name]) for mistake in FURTHER]
