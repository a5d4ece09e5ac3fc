"""Grades network.py, lesson 1: the Network class on real MNIST digits.

Every comparison starts the student's network and the reference from the same parameters,
so a difference can only come from the code being graded; a wrong answer then names the
common mistake that explains its numbers, if one does (grader/diagnoses/network.py).
"""

import numpy as np
import pytest

from coursekit.gradcheck import STEP, numerical_gradient
from grader.checks import WrongAnswer, expect, expect_array, expect_scalar, expect_slope
from grader.diagnoses import network as mistakes

SHAPES = {
    "784-30-10": (784, 30, 10),
    "784-16-16-16-10": (784, 16, 16, 16, 10),  # deeper, with square layers: a transpose shows
    "784-10": (784, 10),  # a single layer: no hidden loop to hide behind
}
BATCHES = {"one example": 1, "batch of 32": 32}


def twin_networks(student, reference, definition, seed=0):
    """A student's Network and the reference's, with identical (non-zero) parameters."""
    ours = reference.Network(definition, seed=seed)
    rng = np.random.default_rng(seed + 1)
    for k in ours.biases:
        ours.biases[k] = rng.normal(0, 0.5, size=ours.biases[k].shape)  # zero biases hide mistakes
    theirs = student.Network(definition, seed=seed)
    theirs.weights = {k: W.copy() for k, W in ours.weights.items()}
    theirs.biases = {k: b.copy() for k, b in ours.biases.items()}
    return theirs, ours


def sample(digits, batch, n_out=10):
    """`batch` real digits: (784,) and (10,) for one example, else (batch, 784) and (batch, 10)."""
    features, targets = digits
    if batch == 1:
        return features[0], targets[0, :n_out]
    return features[:batch], targets[:batch, :n_out]


def expect_layer_dict(actual, expected, what, keys, diagnose=None):
    expect(isinstance(actual, dict), f"{what} is a {type(actual).__name__}; expected a dict keyed by layer")
    missing = sorted(set(keys) - set(actual))
    expect(not missing, f"{what} has keys {sorted(actual)}; expected {list(keys)} (missing {missing})")
    for k in keys:
        expect_array(actual[k], expected[k], f"{what}[{k}]", diagnose=diagnose)


@pytest.mark.grade(uses=["Network.forward"], section="the-forward-pass")
@pytest.mark.parametrize("batch", BATCHES.values(), ids=BATCHES.keys())
@pytest.mark.parametrize("definition", SHAPES.values(), ids=SHAPES.keys())
def test_forward_matches_reference(student, reference, digits, definition, batch):
    network = reference("network")
    theirs, ours = twin_networks(student, network, definition)
    x, t = sample(digits, batch)
    theirs.forward(x, t)
    ours.forward(x, t)
    L = len(definition) - 1
    diagnose = mistakes.forward(network, ours, x, t, theirs)
    expect_layer_dict(theirs.layers, ours.layers, "layers (the pre-activations a(k))", range(1, L + 1), diagnose)
    expect_layer_dict(theirs.activations, ours.activations, "activations (h(k))", range(0, L + 1), diagnose)
    expect_array(theirs.output, ours.output, "output", diagnose=diagnose)
    expect_scalar(theirs.loss, ours.loss, "loss (sum of squared differences over every element)",
                  diagnose=diagnose)


def stored_members(network):
    """Copies of what forward() stores: layers, activations, output and loss."""
    def copied(value):
        if isinstance(value, dict):
            return {k: np.array(v, dtype=float) for k, v in value.items()}
        return None if value is None else np.array(value, dtype=float)
    return {name: copied(getattr(network, name, None)) for name in ("layers", "activations", "output", "loss")}


def expect_unchanged(network, before, when):
    after = stored_members(network)
    for name, value in before.items():
        if isinstance(value, dict):
            expect(isinstance(after[name], dict) and set(after[name]) == set(value),
                   f"{name} {when} has other keys than before")
            for k in value:
                expect_array(after[name][k], value[k], f"{name}[{k}] {when}")
        else:
            expect_array(after[name], value, f"{name} {when}")


@pytest.mark.grade(uses=["Network.forward"], section="checking-the-targets-shape")
def test_forward_rejects_mismatched_targets(student, reference, digits):
    """A ValueError naming both shapes; an assert whose message names them is accepted too.

    Whether forward() stored anything before raising is not graded (CONTRACT.md): checking
    first is the better habit, but a forward pass that checks at the end is right.
    """
    theirs, _ = twin_networks(student, reference("network"), SHAPES["784-30-10"])
    x, t = sample(digits, 8)
    x1, t1 = sample(digits, 1)
    # (features, targets of a wrong shape, the output's shape). Some have the output's number
    # of values, or broadcast against it, so that only a comparison of shapes rejects them.
    cases = [(x, t[:, :9], (8, 10)), (x, t[:4], (8, 10)), (x, t[0], (8, 10)), (x, t.T, (8, 10)),
             (x, t.reshape(-1), (8, 10)), (x1, t1.reshape(1, 10), (10,)), (x1, t[:2], (10,))]
    for features, bad, shape in cases:
        try:
            theirs.forward(features, bad)
        except (ValueError, AssertionError) as error:
            said = str(error).replace(" ", "")  # "(8, 10)" or "(8,10)": either names the shape
            named = str(tuple(bad.shape)).replace(" ", "") in said and str(shape).replace(" ", "") in said
            kind = type(error).__name__
            habit = ("" if isinstance(error, ValueError) else
                     " (raising ValueError is the better habit: `python -O` drops every assert)")
            expect(named, f"your forward() raised {kind}({str(error)!r}) for targets of shape "
                          f"{tuple(bad.shape)}; its message should name both shapes, {tuple(bad.shape)} "
                          f"for the targets and {shape} for the output{habit}")
        else:
            raise WrongAnswer(f"your forward() accepted targets of shape {bad.shape} for an output of shape "
                              f"{shape}; it should raise ValueError naming both shapes")


@pytest.mark.grade(uses=["Network.forward", "Network.compute_loss"], section="the-loss")
@pytest.mark.parametrize("batch", BATCHES.values(), ids=BATCHES.keys())
def test_compute_loss(student, reference, digits, batch):
    network = reference("network")
    theirs, ours = twin_networks(student, network, SHAPES["784-30-10"])
    x, t = sample(digits, batch)
    theirs.forward(x, t)
    ours.forward(x, t)
    got = theirs.compute_loss(t)
    expect_scalar(got, ours.compute_loss(t), "compute_loss(targets)",
                  diagnose=mistakes.loss(network, ours, x, t, got))


@pytest.mark.grade(uses=["Network.forward", "Network.backprop"], section="backpropagation")
@pytest.mark.parametrize("batch", BATCHES.values(), ids=BATCHES.keys())
@pytest.mark.parametrize("definition", SHAPES.values(), ids=SHAPES.keys())
def test_backprop_matches_reference(student, reference, digits, definition, batch):
    network = reference("network")
    theirs, ours = twin_networks(student, network, definition)
    x, t = sample(digits, batch)
    theirs.forward(x, t)
    ours.forward(x, t)
    theirs.backprop(t)
    ours.backprop(t)
    L = len(definition) - 1
    diagnose = mistakes.backprop(network, ours, x, t, theirs)
    for k in range(L, 0, -1):  # from the output down: the first wrong layer is the one to fix
        expect_array(theirs.biases_grad.get(k), ours.biases_grad[k], f"biases_grad[{k}] (dJ/db({k}))",
                     diagnose=diagnose)
        expect_array(theirs.weights_grad.get(k), ours.weights_grad[k], f"weights_grad[{k}] (dJ/dW({k}))",
                     diagnose=diagnose)


def your_loss(network, x, t):
    network.forward(x, t)
    return float(network.loss)


@pytest.mark.grade(uses=["Network.forward", "Network.backprop"], section="checking-with-finite-differences")
def test_backprop_finite_differences(student, reference, digits):
    """The student's gradients against the slope of the student's own loss."""
    theirs, _ = twin_networks(student, reference("network"), (784, 12, 10))
    x, t = sample(digits, 4)
    theirs.forward(x, t)
    theirs.backprop(t)
    rng = np.random.default_rng(7)
    for k in (2, 1):
        for name, params, grads in (("weights", theirs.weights, theirs.weights_grad),
                                    ("biases", theirs.biases, theirs.biases_grad)):
            analytic = np.asarray(grads[k], dtype=float)
            expect(analytic.shape == params[k].shape,
                   f"{name}_grad[{k}] has shape {analytic.shape}, expected {params[k].shape}")
            picks = rng.choice(params[k].size, size=min(12, params[k].size), replace=False)
            for i in picks:
                at = tuple(int(j) for j in np.unravel_index(i, params[k].shape))
                slope = numerical_gradient(lambda: your_loss(theirs, x, t), params[k], at, h=STEP)
                got = analytic[at]
                expect_slope(got, slope, f"{name}_grad[{k}]{at}", f"{name}[{k}]{at}")


@pytest.mark.grade(uses=["Network.forward", "Network.backprop"], section="backpropagation")
def test_backprop_twice_gives_same_gradients(student, reference, digits):
    theirs, _ = twin_networks(student, reference("network"), SHAPES["784-30-10"])
    x, t = sample(digits, 16)
    theirs.forward(x, t)
    theirs.backprop(t)
    first = {k: np.array(g, dtype=float) for k, g in theirs.weights_grad.items()}
    theirs.backprop(t)
    diagnose = mistakes.backprop_twice(first, theirs)
    for k in first:
        expect_array(theirs.weights_grad[k], first[k],
                     f"weights_grad[{k}] after a second backprop() (gradients must be overwritten, not added to)",
                     diagnose=diagnose)


@pytest.mark.grade(uses=["Network.forward", "Network.backprop", "Network.update"],
                   section="one-step-of-gradient-descent")
def test_update_steps_against_the_gradient(student, reference, digits):
    theirs, ours = twin_networks(student, reference("network"), SHAPES["784-16-16-16-10"])
    x, t = sample(digits, 16)
    ours.forward(x, t)
    ours.backprop(t)
    theirs.forward(x, t)
    theirs.weights_grad = {k: g.copy() for k, g in ours.weights_grad.items()}
    theirs.biases_grad = {k: g.copy() for k, g in ours.biases_grad.items()}
    stored = stored_members(theirs)
    before = {label: np.array(p) for label, p in mistakes.parameters(ours).items()}
    ours.update(0.25)
    theirs.update(0.25)
    diagnose = mistakes.update(before, ours, theirs)
    for k in ours.weights:
        expect_array(theirs.weights[k], ours.weights[k], f"weights[{k}] after update(0.25)", diagnose=diagnose)
        expect_array(theirs.biases[k], ours.biases[k], f"biases[{k}] after update(0.25)", diagnose=diagnose)
        expect_array(theirs.weights_grad[k], ours.weights_grad[k],
                     f"weights_grad[{k}] after update (update changes only the parameters)")
        expect_array(theirs.biases_grad[k], ours.biases_grad[k],
                     f"biases_grad[{k}] after update (update changes only the parameters)")
    expect_unchanged(theirs, stored, "after update (update changes only the parameters)")


@pytest.mark.grade(uses=["Network.predict"], section="predicting-a-digit")
def test_predict_one_example(student, reference, digits):
    theirs, ours = twin_networks(student, reference("network"), SHAPES["784-30-10"])
    x, _ = sample(digits, 1)
    got = theirs.predict(x)
    expect(isinstance(got, (int, np.integer)) and not isinstance(got, bool),
           f"predict() of one example (shape (784,)) returned {type(got).__name__} "
           f"{np.shape(got) if isinstance(got, np.ndarray) else ''}; expected a single int")
    expected = int(ours.predict(x))
    expect(int(got) == expected, f"your predict() returned {int(got)}; the largest output is at {expected}")


@pytest.mark.grade(uses=["Network.predict"], section="predicting-a-digit")
def test_predict_batch(student, reference, digits):
    network = reference("network")
    theirs, ours = twin_networks(student, network, SHAPES["784-16-16-16-10"])
    x, _ = sample(digits, 64)
    got = theirs.predict(x)
    expect(isinstance(got, np.ndarray) and np.issubdtype(got.dtype, np.integer),
           f"predict() of a batch returned {type(got).__name__} {getattr(got, 'dtype', '')}; "
           "expected an int array of shape (64,)")
    expect_array(got, ours.predict(x), "predict() of 64 digits (one class index per row)", rtol=0, atol=0,
                 diagnose=mistakes.predict(network, ours, x, got))
