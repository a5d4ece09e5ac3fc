"""Checks shared by lessons 1 and 7: a student's network beside the reference's, the same parameters.

network.py's Network and further.py's Classifier have the same members (CONTRACT.md):
`weights[k]`, shape (n(k-1), nk), and `biases[k]`, shape (nk,), for k = 1 ... L; forward(features,
targets) stores `layers[k]` = a(k), `activations[k]` = h(k) (h(0) the features), `output` and
`loss`; backprop(targets) stores `weights_grad[k]` and `biases_grad[k]`, overwriting them.
grader/test_network.py and grader/test_further.py grade both classes with these checks; each
passes its own lesson's diagnoses (grader/diagnoses/network.py, further.py).

The student's network lives in the process that runs the student's code (grader/remote.py):
every member read here is a copy, so a parameter is changed by assigning the whole dict back
(`remote_slope`), never by changing the copy in place.
"""

import math

import numpy as np

from coursekit.gradcheck import STEP, numerical_gradient
from grader.cases import sample
from grader.checks import WrongAnswer, describe, expect, expect_array, expect_scalar, expect_slope


class Twins:
    """A student's network and the reference's of the class `name`, with identical (non-zero)
    parameters, and the features x and targets t they last ran forward() on."""

    def __init__(self, student, reference, name, definition, seed=0):
        """`student` and `reference` are the two modules, `name` the class ("Network", "Classifier")."""
        ours = getattr(reference, name)(definition, seed=seed)
        rng = np.random.default_rng(seed + 1)
        for k in ours.biases:
            ours.biases[k] = rng.normal(0, 0.5, size=ours.biases[k].shape)  # zero biases hide mistakes
        theirs = getattr(student, name)(definition, seed=seed)
        theirs.weights = {k: W.copy() for k, W in ours.weights.items()}
        theirs.biases = {k: b.copy() for k, b in ours.biases.items()}
        self.reference, self.theirs, self.ours = reference, theirs, ours
        self.x = self.t = None

    def forward(self, x, t):
        """Both networks' forward(x, t); returns the twins."""
        self.x, self.t = x, t
        self.theirs.forward(x, t)
        self.ours.forward(x, t)
        return self

    def diagnosis(self, mistakes):
        """`mistakes(reference, ours, x, t, theirs)`: a lesson's diagnosis of the last run
        (mistakes.forward or mistakes.backprop of grader/diagnoses/<module>.py)."""
        return mistakes(self.reference, self.ours, self.x, self.t, self.theirs)

    def expect_forward(self, output, loss, mistakes):
        """What forward() stored agrees with the reference's: layers a(k) and activations h(k),
        then the output and the loss, which `output` and `loss` describe to the student."""
        theirs, ours = self.theirs, self.ours
        L = len(ours.weights)
        diagnose = self.diagnosis(mistakes)
        expect_layer_dict(theirs.layers, ours.layers, "layers (the pre-activations a(k))", range(1, L + 1), diagnose)
        expect_layer_dict(theirs.activations, ours.activations, "activations (h(k))", range(0, L + 1), diagnose)
        expect_array(theirs.output, ours.output, output, diagnose=diagnose)
        expect_scalar(theirs.loss, ours.loss, loss, diagnose=diagnose)

    def expect_backprop(self, mistakes):
        """Both networks' backprop(t) after forward(): every gradient agrees with the reference's."""
        theirs, ours = self.theirs, self.ours
        theirs.backprop(self.t)
        ours.backprop(self.t)
        diagnose = self.diagnosis(mistakes)
        for k in range(len(ours.weights), 0, -1):  # from the output down: the first wrong layer is the one to fix
            expect_array(theirs.biases_grad.get(k), ours.biases_grad[k], f"biases_grad[{k}] (dJ/db({k}))",
                         diagnose=diagnose)
            expect_array(theirs.weights_grad.get(k), ours.weights_grad[k], f"weights_grad[{k}] (dJ/dW({k}))",
                         diagnose=diagnose)

    def expect_rejects_mismatched_targets(self, digits):
        """The student's forward(features, targets) with targets of another shape than the output
        raises a ValueError naming both shapes; an assert whose message names them is accepted too.

        Some of the targets have the output's number of values, or broadcast against it, so that only
        a comparison of shapes rejects them.
        """
        x, t = sample(digits, 8)
        x1, t1 = sample(digits, 1)
        cases = [(x, t[:, :9], (8, 10)), (x, t[:4], (8, 10)), (x, t[0], (8, 10)), (x, t.T, (8, 10)),
                 (x, t.reshape(-1), (8, 10)), (x1, t1.reshape(1, 10), (10,)), (x1, t[:2], (10,))]
        for features, bad, shape in cases:  # (features, targets of a wrong shape, the output's shape)
            try:
                self.theirs.forward(features, bad)
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

    def expect_accepts_matching_targets(self, digits):
        """The student's forward(features, targets) with targets of the output's shape, for a batch
        and for one example, raises nothing and stores the reference's output: rejecting the wrong
        shapes counts only in a forward pass that runs on the right ones."""
        for batch in (8, 1):
            x, t = sample(digits, batch)
            self.forward(x, t)
            expect_array(self.theirs.output, self.ours.output,
                         f"output after forward() with targets of the output's own shape {t.shape} "
                         "(a forward pass that checks the targets still computes the output)")

    def expect_slopes(self, x, t, picks):
        """After the student's forward(x, t) and backprop(t), the entries of weights_grad[k] and
        biases_grad[k] that `picks(name, k, shape)` lists (index tuples; name "weights" or "biases"),
        from layer L down, agree with the slope of the student's own loss along that parameter
        (coursekit.gradcheck)."""
        network = self.theirs

        def loss():
            network.forward(x, t)
            return stored_loss(network)

        network.forward(x, t)
        network.backprop(t)
        for k in range(len(network.weights), 0, -1):
            for name, grads in (("weights", network.weights_grad), ("biases", network.biases_grad)):
                params = getattr(network, name)  # a copy: nudged here, sent whole for each loss()
                analytic = np.asarray(grads[k], dtype=float)
                expect(analytic.shape == params[k].shape,
                       f"{name}_grad[{k}] has shape {analytic.shape}, expected {params[k].shape}")
                for index in picks(name, k, params[k].shape):
                    slope = remote_slope(network, name, params, k, index, loss)
                    expect_slope(analytic[index], slope, f"{name}_grad[{k}]{index}", f"{name}[{k}]{index}")
        expect_some_gradient(network.weights_grad, len(np.atleast_2d(x)))

    def expect_backprop_overwrites(self, x, t, mistakes=None):
        """The student's second backprop(t) after forward(x, t) gives the first one's weight
        gradients again; `mistakes(first, theirs)` diagnoses a difference (grader/diagnoses/network.py)."""
        network = self.theirs
        network.forward(x, t)
        network.backprop(t)
        first = {k: np.array(g, dtype=float) for k, g in network.weights_grad.items()}
        network.backprop(t)
        diagnose = mistakes(first, network) if mistakes else None
        for k in first:
            expect_array(network.weights_grad[k], first[k],
                         f"weights_grad[{k}] after a second backprop() (gradients must be overwritten, not added to)",
                         diagnose=diagnose)
        expect_some_gradient(first, len(np.atleast_2d(x)))  # zeros overwritten by zeros prove nothing

    def predicted_classes(self, x):
        """The student's predict(x) of a batch x (B, 784), after checking that it is an int array."""
        got = self.theirs.predict(x)
        single = "" if isinstance(got, np.ndarray) else (
            " (np.argmax without axis= gives one index for the whole batch: take it along the last axis)")
        expect(isinstance(got, np.ndarray) and np.issubdtype(got.dtype, np.integer),
               f"predict() of a batch of {len(x)} returned {describe(got)}; expected an int array of shape "
               f"({len(x)},){single}")
        return got

    def expect_one_prediction(self, x):
        """The student's predict() of one example x (784,) is a single int, the reference's."""
        got = self.theirs.predict(x)
        expect(isinstance(got, (int, np.integer)) and not isinstance(got, bool),
               f"predict() of one example (shape (784,)) returned {describe(got)}; expected a single int")
        expected = int(self.ours.predict(x))
        expect(int(got) == expected, f"your predict() returned {int(got)}; the largest output is at {expected}")


def remote_slope(network, name, params, key, index, loss):
    """The slope of `loss()` along network.<name>[key][index], by coursekit.gradcheck.

    `params` is network.<name> as read from the student's network: a copy, since the network
    lives in the student's process. numerical_gradient nudges the copy's entry in place, so
    the copy is sent back whole before each loss(), and once more after, with the entry restored.
    """
    def nudged():
        setattr(network, name, params)
        return loss()

    slope = numerical_gradient(nudged, params[key], index, h=STEP)
    setattr(network, name, params)
    return slope


def stored_loss(network):
    """The loss the student's forward() stored, as a float, or a WrongAnswer saying what it is."""
    found = network.loss
    try:
        return float(found)
    except (TypeError, ValueError):
        raise WrongAnswer(f"after your forward(), loss is {found!r}; expected a single number") from None


def expect_some_gradient(weights_grad, batch):
    """`weights_grad` (a network's, by layer) is not zero everywhere after forward() and backprop()
    on `batch` real digits. A network whose loss is flat agrees with its own zero slope, and zero
    gradients are overwritten by themselves: the checks of consistency need a gradient to check."""
    values = weights_grad.values() if isinstance(weights_grad, dict) else ()
    expect(any(np.any(np.nan_to_num(_numbers(g)) != 0) for g in values),
           f"after your forward() and backprop() on {batch} real digits, weights_grad is "
           f"{'zero everywhere' if isinstance(weights_grad, dict) and weights_grad else repr(weights_grad)}: "
           "the loss's gradient on real digits is never zero everywhere, and backprop(targets) stores "
           "dJ/dW(k) in weights_grad[k] for every layer k")


def _numbers(value):
    """`value` as an array of floats, or an empty array if it is not numbers."""
    try:
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return np.zeros(0)


def expect_layer_dict(actual, expected, what, keys, diagnose=None):
    """`actual` is a dict holding, for each layer k of `keys`, an array that agrees with expected[k]."""
    expect(isinstance(actual, dict), f"{what} is a {type(actual).__name__}; expected a dict keyed by layer")
    missing = sorted(set(keys) - set(actual))
    expect(not missing, f"{what} has keys {sorted(actual)}; expected {list(keys)} (missing {missing})")
    for k in keys:
        expect_array(actual[k], expected[k], f"{what}[{k}]", diagnose=diagnose)


def random_entries(rng, count):
    """A `picks` for expect_slopes: `count` entries of each array at random (all of a smaller one)."""
    def picks(name, k, shape):
        flat = rng.choice(math.prod(shape), size=min(count, math.prod(shape)), replace=False)
        return [tuple(int(j) for j in np.unravel_index(i, shape)) for i in flat]
    return picks
