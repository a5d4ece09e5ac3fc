"""Grades network.py, lesson 1: the Network class on real MNIST digits.

Every comparison starts the student's network and the reference from the same parameters
(grader/twins.py, whose checks grade lesson 7's Classifier too), so a difference can only come
from the code being graded; a wrong answer then names the common mistake that explains its
numbers, if one does (grader/diagnoses/network.py).
"""

import numpy as np
import pytest

from grader.cases import every_combination, sample
from grader.checks import expect, expect_array, expect_scalar
from grader.diagnoses import network as mistakes
from grader.twins import Twins, random_entries

SHAPES = {
    "784-30-10": (784, 30, 10),
    "784-16-16-16-10": (784, 16, 16, 16, 10),  # deeper, with square layers: a transpose shows
    "784-10": (784, 10),  # a single layer: no hidden loop to hide behind
}
BATCHES = {"one example": 1, "batch of 32": 32}
EVERY_SHAPE_AND_BATCH = every_combination(definition=SHAPES, batch=BATCHES)


def twin_networks(student, reference, definition):
    """A student's Network and the reference's, with identical (non-zero) parameters."""
    return Twins(student, reference("network"), "Network", definition)


@pytest.mark.grade(uses=["Network.forward"], section="the-forward-pass")
@EVERY_SHAPE_AND_BATCH
def test_forward_matches_reference(student, reference, digits, definition, batch):
    twins = twin_networks(student, reference, definition).forward(*sample(digits, batch))
    twins.expect_forward("output", "loss (sum of squared differences over every element)", mistakes.forward)


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
    first is the better habit, but a forward pass that checks at the end is right. Targets of
    the right shape must then be accepted, with the right output stored.
    """
    twins = twin_networks(student, reference, SHAPES["784-30-10"])
    twins.expect_rejects_mismatched_targets(digits)
    twins.expect_accepts_matching_targets(digits)


@pytest.mark.grade(uses=["Network.forward", "Network.compute_loss"], section="the-loss")
@pytest.mark.parametrize("batch", BATCHES.values(), ids=BATCHES.keys())
def test_compute_loss(student, reference, digits, batch):
    x, t = sample(digits, batch)
    twins = twin_networks(student, reference, SHAPES["784-30-10"]).forward(x, t)
    got = twins.theirs.compute_loss(t)
    expect_scalar(got, twins.ours.compute_loss(t), "compute_loss(targets)",
                  diagnose=mistakes.loss(twins.reference, twins.ours, x, t, got))


@pytest.mark.grade(uses=["Network.forward", "Network.backprop"], section="backpropagation")
@EVERY_SHAPE_AND_BATCH
def test_backprop_matches_reference(student, reference, digits, definition, batch):
    twins = twin_networks(student, reference, definition).forward(*sample(digits, batch))
    twins.expect_backprop(mistakes.backprop)


@pytest.mark.grade(uses=["Network.forward", "Network.backprop"], section="checking-with-finite-differences")
def test_backprop_finite_differences(student, reference, digits):
    """The student's gradients against the slope of the student's own loss: 12 entries at random
    of each parameter array."""
    twins = twin_networks(student, reference, (784, 12, 10))
    twins.expect_slopes(*sample(digits, 4), random_entries(np.random.default_rng(7), 12))


@pytest.mark.grade(uses=["Network.forward", "Network.backprop"], section="backpropagation")
def test_backprop_twice_gives_same_gradients(student, reference, digits):
    twins = twin_networks(student, reference, SHAPES["784-30-10"])
    twins.expect_backprop_overwrites(*sample(digits, 16), mistakes.backprop_twice)


@pytest.mark.grade(uses=["Network.forward", "Network.backprop", "Network.update"],
                   section="one-step-of-gradient-descent")
def test_update_steps_against_the_gradient(student, reference, digits):
    twins = twin_networks(student, reference, SHAPES["784-16-16-16-10"])
    theirs, ours = twins.theirs, twins.ours
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
    # Left alone proves something only of what forward() should have stored: the reference's output.
    expect_array(stored["output"], ours.output, "output stored by your forward() before update(0.25) "
                                                "(which update must leave as it was)")


@pytest.mark.grade(uses=["Network.predict"], section="predicting-a-digit")
def test_predict_one_example(student, reference, digits):
    twins = twin_networks(student, reference, SHAPES["784-30-10"])
    twins.expect_one_prediction(sample(digits, 1)[0])


@pytest.mark.grade(uses=["Network.predict"], section="predicting-a-digit")
def test_predict_batch(student, reference, digits):
    twins = twin_networks(student, reference, SHAPES["784-16-16-16-10"])
    x, _ = sample(digits, 64)
    got = twins.predicted_classes(x)
    expect_array(got, twins.ours.predict(x), "predict() of 64 digits (one class index per row)", rtol=0, atol=0,
                 diagnose=mistakes.predict(twins.reference, twins.ours, x, got))
