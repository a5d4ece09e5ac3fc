"""Grades nn.py, lesson 3: backprop as a computational graph, with pluggable activations.

The activations and the loss are graded on their own, against the reference and against
finite differences of the student's own `fn`. The network runs with the student's OWN
activation and loss objects plugged in: the student's code runs in a process of its own, which
no object of the grader's can reach. So that a mistake in, say, Tanh.deriv is reported as that
mistake and not as one of NN's, each network test first checks the student's activation and
L2 on the very values the network hands them (`expect_own_parts`), and fails naming the part
to fix first if they are wrong. Every comparison starts the student's NN and the reference's
from the same parameters.
"""

import warnings

import numpy as np
import pytest

from coursekit.gradcheck import STEP, agrees, numerical_gradient
from grader import remote
from grader.cases import every_combination, sample
from grader.checks import WrongAnswer, expect, expect_array, expect_floats, expect_scalar, expect_slope
from grader.diagnoses import nn as mistakes
from grader.twins import remote_slope

ACTIVATIONS = ("Sigmoid", "Tanh", "ReLU")
SHAPES = {
    "784-32-10": (784, 32, 10),
    "784-16-16-16-10": (784, 16, 16, 16, 10),  # square layers: a transposed product still fits
    "784-10": (784, 10),  # a single layer: no hidden loop to hide behind
}
BATCHES = {"one row (1-D)": 1, "batch of 32": 32}
EVERY_ACTIVATION_SHAPE_AND_BATCH = every_combination(activation=ACTIVATIONS, sizes=SHAPES, batch=BATCHES)


def grid():
    """Points to evaluate activations at: a (5, 6) array from -6 to 6, zero excluded."""
    x = np.linspace(-6, 6, 31)
    return np.delete(x, 15).reshape(5, 6)  # x[15] == 0: ReLU's kink is tested on its own


def twin_networks(student, reference, sizes, activation, seed=0):
    """A student's NN and the reference's with identical (non-zero) parameters, each built with
    its own module's activation and L2 objects (ours cannot be handed to the student's code)."""
    ours = reference.NN(sizes, getattr(reference, activation)(), reference.L2(), seed=seed)
    rng = np.random.default_rng(seed + 1)
    ours.b = [rng.normal(0, 0.5, size=b.shape) for b in ours.b]  # zero biases hide mistakes
    theirs = student.NN(sizes, getattr(student, activation)(), student.L2(), seed=seed)
    theirs.w = [w.copy() for w in ours.w]
    theirs.b = [b.copy() for b in ours.b]
    return theirs, ours


FORWARD_PARTS = ("fn",)  # what forward_pass hands values to
LOSS_PARTS = ("fn", "L2.fn")  # eval_loss
GRADIENT_PARTS = ("fn", "deriv", "L2.deriv")  # backprop


def pre_activations(ours, x):
    """The reference network's z(i) for x, layer by layer, and its output yhat: the values an
    NN hands its activation and its loss."""
    h = x.reshape(1, -1) if x.ndim == 1 else x
    zs = []
    for w, b in zip(ours.w, ours.b):
        zs.append(h @ w + b)
        h = ours.activation.fn(zs[-1])
    return zs, h


def expect_own_parts(student, ours, activation, x, y, parts):
    """The student's `activation` and L2, which the student's NN runs with, give the reference's
    values on what the reference network `ours` hands them for x and y: `parts` names the
    methods to check ("fn", "deriv", "L2.fn", "L2.deriv"). A wrong one fails the test here,
    named, so that it is fixed before NN is looked at."""
    zs, yhat = pre_activations(ours, x)
    unit, loss = getattr(student, activation)(), student.L2()
    for method in ("fn", "deriv"):
        if method not in parts:
            continue
        for i, z in enumerate(zs):
            expect_array(getattr(unit, method)(z), getattr(ours.activation, method)(z),
                         f"your {activation}().{method}(z) on this network's z({i}) of shape {z.shape} (this test "
                         f"runs your NN with your own {activation}: fix {activation}.{method} first)")
    if "L2.fn" in parts:
        expect_scalar(loss.fn(yhat, y), float(ours.loss.fn(yhat, y)),
                      "your L2().fn(yhat, y) on this network's output (this test runs your NN with your own L2: "
                      "fix L2.fn first)")
    if "L2.deriv" in parts:
        expect_array(loss.deriv(yhat, y), ours.loss.deriv(yhat, y),
                     f"your L2().deriv(yhat, y) on this network's output yhat of shape {yhat.shape} and y of shape "
                     f"{np.shape(y)} (this test runs your NN with your own L2: fix L2.deriv first)")


def per_activation(uses, section):
    """One parameter per activation, each with its own grade marker: a Tanh still left as a
    stub leaves the Sigmoid test graded."""
    return [pytest.param(name, id=name, marks=pytest.mark.grade(
        uses=[use.format(name) for use in uses], section=section)) for name in ACTIVATIONS]


def expect_gradients(result, expected, n_layers, call, diagnose=None):
    """`result` is (w_grad, b_grad), two lists of n_layers arrays, equal to `expected`; a wrong
    array's message names the known mistake behind it if `diagnose` recognises one."""
    expect(isinstance(result, (tuple, list)) and len(result) == 2,
           f"{call} returned {type(result).__name__}; expected a pair (w_grad, b_grad) of lists")
    for name, got in zip(("w_grad", "b_grad"), result):
        expect(isinstance(got, (list, tuple)) and len(got) == n_layers,
               f"{call}: {name} is {type(got).__name__}"
               f"{f' of length {len(got)}' if isinstance(got, (list, tuple)) else ''}; "
               f"expected a list of {n_layers} arrays, one per layer, in layer order (w[0] first)")
    w_grad, b_grad = result
    for i in reversed(range(n_layers)):  # from the output down: the first wrong layer is the one to fix
        expect_array(b_grad[i], expected[1][i], f"{call}: b_grad[{i}] (dloss/db[{i}])", diagnose=diagnose)
        expect_array(w_grad[i], expected[0][i], f"{call}: w_grad[{i}] (dloss/dw[{i}])", diagnose=diagnose)


def backprop_of(theirs, ours, x, y, expected, call):
    """The student's backprop(x, y). When it raises on a 1-D x but runs on the same example as a
    row, x (1, n0) and y (1, nL), the failure says so (the 1-D x was not made a row), and also
    what is wrong with the row's gradients, named by the diagnosis if they are wrong too."""
    try:
        return theirs.backprop(x.copy(), y.copy())
    except remote.StudentRaised as error:
        if np.ndim(x) != 1:
            raise
        try:
            row = theirs.backprop(x.reshape(1, -1), np.reshape(y, (1, -1)))
        except remote.StudentRaised:
            raise error from None
        at = f"\n    at {error.place}" if error.place else ""
        message = (f"your {call} raised {error.type_name}: {error.message}{at}\n"
                   f"    but it runs on the same example given as a row, x (1, {x.size}) and y (1, {np.size(y)}): "
                   "a 1-D x is one row (the contract), so make it one before the forward pass, "
                   "x = x.reshape(1, -1) when x.ndim == 1")
        row_call = f"backprop(x (1, {x.size}), y (1, {np.size(y)}))"
        try:
            expect_gradients(row, expected, len(ours.w), row_call, mistakes.backprop(ours, x, y, expected, row))
        except WrongAnswer as wrong:
            message += f"\n    and on that row, {wrong}"
        raise WrongAnswer(message) from None


def expect_some_w_grad(w_grad, call):
    """Some entry of the student's w_grad (a list by layer) is not zero. Zeros of the right shapes
    agree with a flat loss's zero slopes, and cost nothing to make: the checks need a gradient."""
    expect(any(np.any(np.nan_to_num(np.asarray(g, dtype=float)) != 0) for g in w_grad),
           f"{call} returned a w_grad that is zero everywhere: the loss's gradient is never zero everywhere "
           "for these inputs, and w_grad[i] holds dloss/dw[i]")


# --- activations and the loss ----------------------------------------------------------------


@pytest.mark.parametrize("activation", per_activation(["{}.fn"], "activations-and-losses-as-objects"))
def test_activation_fn(student, reference, activation):
    x = grid()
    got = getattr(student, activation)().fn(x.copy())
    expect_array(got, getattr(reference("nn"), activation)().fn(x), f"{activation}().fn(x) on a (5, 6) grid in [-6, 6]")


@pytest.mark.parametrize("activation", per_activation(["{}.deriv"], "activations-and-losses-as-objects"))
def test_activation_deriv(student, reference, activation):
    x = grid()
    got = getattr(student, activation)().deriv(x.copy())
    expect_array(got, getattr(reference("nn"), activation)().deriv(x),
                 f"{activation}().deriv(x) on a (5, 6) grid in [-6, 6] (x is the pre-activation, "
                 "not the activation's output)")


@pytest.mark.parametrize("activation", per_activation(["{}.fn", "{}.deriv"], "local-derivatives"))
def test_activation_deriv_finite_differences(student, activation):
    """deriv against the slope of the student's own fn, away from ReLU's kink."""
    unit = getattr(student, activation)()
    x = np.random.default_rng(3).uniform(-4, 4, size=40)
    x = x[np.abs(x) > 0.01]
    slope = (np.asarray(unit.fn(x + STEP), dtype=float) - np.asarray(unit.fn(x - STEP), dtype=float)) / (2 * STEP)
    got = np.asarray(unit.deriv(x.copy()), dtype=float)
    expect(got.shape == x.shape, f"your {activation}().deriv(x) of 40 points has shape {got.shape}; expected {x.shape}")
    wrong = [j for j in range(x.size) if not agrees(got[j], slope[j])]
    if wrong:
        j = max(wrong, key=lambda j: abs(got[j] - slope[j]))
        expect_slope(got[j], slope[j], f"{activation}().deriv({x[j]:.6g})", f"x = {x[j]:.6g} by h = {STEP:g}",
                     f"your {activation}().fn",
                     f"your {activation}().deriv disagrees with the finite differences of your {activation}().fn "
                     f"itself: deriv(x) must be the slope of fn at the same x (the pre-activation)")
    # A flat fn agrees with a zero deriv: the check needs a slope to check.
    expect(np.any(slope != 0), f"your {activation}().fn has slope 0 at every one of {x.size} points in [-4, 4]: "
                               f"it is not the activation (test_activation_fn[{activation}] compares it), so "
                               "its deriv cannot be checked against it")


@pytest.mark.grade(uses=["Sigmoid.fn"], section="activations-and-losses-as-objects")
def test_sigmoid_fn_large_inputs(student):
    """Sigmoid().fn at +-1000 without an overflow warning, exactly 0 and 1 there (its docstring's promise)."""
    x = np.array([-1000.0, -710.0, -40.0, 0.0, 40.0, 710.0, 1000.0])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with np.errstate(over="warn", divide="warn", invalid="warn", under="ignore"):
            got = student.Sigmoid().fn(x.copy())
    runtime = [w for w in caught if issubclass(w.category, RuntimeWarning)]
    expect(not runtime, f"Sigmoid().fn(x) for x in [-1000, 1000] made NumPy warn: "
                        f"{runtime[0].message if runtime else ''}. Take exp only of numbers <= 0, as lesson 2's "
                        "sigma does (or use np.tanh: sigma(z) = (1 + tanh(z / 2)) / 2)")
    expect_array(got, [0.0, 0.0, 1 / (1 + np.exp(40.0)), 0.5, 1 / (1 + np.exp(-40.0)), 1.0, 1.0],
                 "Sigmoid().fn([-1000, -710, -40, 0, 40, 710, 1000])", rtol=1e-9, atol=1e-12)


@pytest.mark.grade(uses=["ReLU.deriv"], section="activations-and-losses-as-objects")
def test_relu_deriv_at_and_below_zero(student):
    x = np.array([-3.0, -1e-12, 0.0, 1e-12, 3.0])
    got = student.ReLU().deriv(x.copy())
    expect_floats(got, "ReLU().deriv([-3, -1e-12, 0, 1e-12, 3])", hint=" (1.0 or 0.0: the slope is a number; "
                  "np.where(x > 0, 1.0, 0.0))")
    expect_array(got, [0.0, 0.0, 0.0, 1.0, 1.0],
                 "ReLU().deriv([-3, -1e-12, 0, 1e-12, 3]) (the slope is 0 for x <= 0, 0 included, "
                 "and 1 for x > 0)", rtol=0, atol=0)


@pytest.mark.grade(uses=["L2.fn"], section="the-loss")
def test_l2_fn(student, reference):
    rng = np.random.default_rng(5)
    yhat, y = rng.uniform(size=(8, 10)), np.eye(10)[rng.integers(10, size=8)]
    got = student.L2().fn(yhat.copy(), y.copy())
    expect_scalar(got, float(reference("nn").L2().fn(yhat, y)),
                  "L2().fn(yhat, y) for (8, 10) arrays (one number: the sum over every element of (yhat - y)**2)")


@pytest.mark.grade(uses=["L2.fn", "L2.deriv"], section="the-loss")
def test_l2_deriv(student, reference):
    rng = np.random.default_rng(6)
    yhat, y = rng.uniform(size=(8, 10)), np.eye(10)[rng.integers(10, size=8)]
    loss = student.L2()
    got = loss.deriv(yhat.copy(), y.copy())
    right = reference("nn").L2().deriv(yhat, y)
    hint = ""
    if np.shape(got) == right.shape and np.allclose(got, -right):
        hint = ": yours is minus the right one, 2 (y - yhat), which climbs the loss; the derivative is 2 (yhat - y)"
    elif np.shape(got) == right.shape and np.allclose(got, right / 2):
        hint = (": yours is half the right one, the derivative of lesson 2's loss with a 1/2; the 2 of the "
                "square is missing, d/dyhat (yhat - y)**2 = 2 (yhat - y)")
    expect_array(got, right, f"L2().deriv(yhat, y) for (8, 10) arrays (dfn/dyhat){hint}")
    for index in ((0, 0), (3, 7), (7, 2)):
        slope = numerical_gradient(lambda: loss.fn(yhat, y), yhat, index, h=STEP)
        expect_slope(got[index], slope, f"L2().deriv(yhat, y){index}", f"yhat{index}", "your L2().fn",
                     "your L2().deriv disagrees with the finite differences of your L2().fn itself: deriv "
                     "must be the derivative of fn with respect to yhat")


# --- the network -----------------------------------------------------------------------------


@pytest.mark.grade(uses=["NN.forward_pass"], section="the-forward-pass")
@EVERY_ACTIVATION_SHAPE_AND_BATCH
def test_forward_pass_matches_reference(student, reference, digits, activation, sizes, batch):
    theirs, ours = twin_networks(student, reference("nn"), sizes, activation)
    x, y = sample(digits, batch)
    expect_own_parts(student, ours, activation, x, y, FORWARD_PARTS)
    shape = "x of shape (784,), one row" if batch == 1 else f"x of shape {x.shape}"
    expect_array(theirs.forward_pass(x.copy()), ours.forward_pass(x),
                 f"forward_pass(x) for {shape}, {activation} after every layer")


@pytest.mark.grade(uses=["NN.forward_pass", "NN.eval_loss"], section="the-loss")
@pytest.mark.parametrize("batch", BATCHES.values(), ids=BATCHES.keys())
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_eval_loss_matches_reference(student, reference, digits, activation, batch):
    theirs, ours = twin_networks(student, reference("nn"), SHAPES["784-32-10"], activation)
    x, y = sample(digits, batch)
    expect_own_parts(student, ours, activation, x, y, LOSS_PARTS)
    expect_scalar(theirs.eval_loss(x.copy(), y.copy()), ours.eval_loss(x, y),
                  f"eval_loss(x, y) for x {x.shape} and y {y.shape}, {activation} "
                  "(loss.fn of the forward pass, as a float)")


@pytest.mark.grade(uses=["NN.backprop"], section="backprop-in-code")
@EVERY_ACTIVATION_SHAPE_AND_BATCH
def test_backprop_matches_reference(student, reference, digits, activation, sizes, batch):
    theirs, ours = twin_networks(student, reference("nn"), sizes, activation)
    x, y = sample(digits, batch)
    expect_own_parts(student, ours, activation, x, y, GRADIENT_PARTS)
    call = f"backprop(x {x.shape}, y {y.shape}) with {activation}"
    expected = ours.backprop(x, y)
    result = backprop_of(theirs, ours, x, y, expected, call)
    expect_gradients(result, expected, len(sizes) - 1, call, mistakes.backprop(ours, x, y, expected, result))


@pytest.mark.grade(uses=["NN.backprop"], section="one-row-or-a-batch")
@pytest.mark.parametrize("y_shape", [(10,), (1, 10)], ids=["y (10,)", "y (1, 10)"])
def test_backprop_one_row_target_shapes(student, reference, digits, y_shape):
    theirs, ours = twin_networks(student, reference("nn"), SHAPES["784-16-16-16-10"], "Sigmoid")
    x, y = sample(digits, 1)
    expect_own_parts(student, ours, "Sigmoid", x, y.reshape(y_shape), GRADIENT_PARTS)
    expected = ours.backprop(x, y)
    call = f"backprop(x (784,), y {y_shape})"
    result = backprop_of(theirs, ours, x, y.reshape(y_shape), expected, call)
    expect_gradients(result, expected, 4, call, mistakes.backprop(ours, x, y.reshape(y_shape), expected, result))


@pytest.mark.grade(uses=["NN.forward_pass", "NN.eval_loss", "NN.backprop"], section="checking-your-gradients")
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_backprop_finite_differences(student, reference, digits, activation):
    """The student's gradients against the slope of the student's own eval_loss.

    For each parameter array, checks its 4 entries with the largest reference gradient (so a
    zero gradient, common for ReLU and blank pixels, cannot pass by accident) and 4 at random.
    """
    theirs, ours = twin_networks(student, reference("nn"), (784, 12, 12, 10), activation)
    x, y = sample(digits, 4)
    expect_own_parts(student, ours, activation, x, y, LOSS_PARTS + GRADIENT_PARTS)
    result = theirs.backprop(x.copy(), y.copy())
    w_grad, b_grad = result
    expected_w, expected_b = ours.backprop(x, y)
    diagnose = mistakes.backprop(ours, x, y, (expected_w, expected_b), result)
    rng = np.random.default_rng(7)

    def loss():
        return theirs.eval_loss(x, y)

    for i in reversed(range(3)):
        for name, grads, guide in (("w", w_grad, expected_w), ("b", b_grad, expected_b)):
            params = getattr(theirs, name)  # a copy: nudged here, sent whole for each eval_loss
            analytic = np.asarray(grads[i], dtype=float)
            expect(analytic.shape == params[i].shape,
                   f"{name}_grad[{i}] has shape {analytic.shape}, expected {params[i].shape} "
                   f"(the shape of {name}[{i}])", diagnose)
            largest = np.argsort(-np.abs(guide[i]), axis=None)[:4]
            picks = np.concatenate([largest, rng.choice(guide[i].size, size=4, replace=False)])
            for flat in picks:
                index = tuple(int(j) for j in np.unravel_index(flat, params[i].shape))
                slope = remote_slope(theirs, name, params, i, index, loss)
                expect_slope(analytic[index], slope, f"{name}_grad[{i}]{index}", f"{name}[{i}]{index}",
                             "your eval_loss")
    expect_some_w_grad(w_grad, f"your backprop(x {x.shape}, y {y.shape})")


@pytest.mark.grade(uses=["NN.forward_pass", "NN.backprop"], section="the-forward-pass")
@pytest.mark.parametrize("sizes", [SHAPES["784-16-16-16-10"], (5, 3)], ids=["784-16-16-16-10", "5-3"])
def test_parameters_and_gradients_have_the_contract_shapes(student, reference, sizes):
    """Your own NN's w[i], b[i], and backprop's lists, before any parameter is replaced by the
    grader's: w[i] is (sizes[i], sizes[i+1]) and b[i] is (1, sizes[i+1]), a row, not (sizes[i+1],).
    The NN runs with your own Sigmoid and L2, checked first on the values it hands them."""
    net = student.NN(list(sizes), student.Sigmoid(), student.L2(), seed=0)
    L = len(sizes) - 1
    for name, shape in (("w", lambda i: (sizes[i], sizes[i + 1])), ("b", lambda i: (1, sizes[i + 1]))):
        params = getattr(net, name, None)
        expect(isinstance(params, (list, tuple)) and len(params) == L,
               f"your NN({list(sizes)}).{name} is {type(params).__name__}"
               f"{f' of length {len(params)}' if isinstance(params, (list, tuple)) else ''}; expected a list "
               f"of {L} arrays, one per layer")
        for i, p in enumerate(params):
            hint = " (a row: b[i] is added to every row of h @ w[i], and b_grad[i] keeps that shape)" \
                if name == "b" and np.shape(p) == (sizes[i + 1],) else ""
            expect(np.shape(p) == shape(i), f"your NN({list(sizes)}).{name}[{i}] has shape {np.shape(p)}; "
                                            f"expected {shape(i)}{hint}")
    x = np.random.default_rng(2).uniform(size=(3, sizes[0]))
    y = np.eye(sizes[-1])[[0, 1, 2]]
    ours = reference("nn").NN(list(sizes), reference("nn").Sigmoid(), reference("nn").L2())
    ours.w, ours.b = net.w, net.b  # the reference's parts run on your NN's own parameters
    expect_own_parts(student, ours, "Sigmoid", x, y, GRADIENT_PARTS)
    result = net.backprop(x, y)
    expect(isinstance(result, (tuple, list)) and len(result) == 2,
           f"your backprop() returned {type(result).__name__}; expected a pair (w_grad, b_grad) of lists")

    def diagnose():  # made only for a failure: the reference runs on your NN's own parameters
        return mistakes.backprop(ours, x, y, ours.backprop(x, y), result)()

    for name, grads, params in (("w_grad", result[0], net.w), ("b_grad", result[1], net.b)):
        expect(isinstance(grads, (list, tuple)) and len(grads) == L,
               f"your backprop(): {name} is not a list of {L} arrays, one per layer")
        for i, (g, p) in enumerate(zip(grads, params)):
            expect(np.shape(g) == np.shape(p), f"your backprop(x (3, {sizes[0]}), y (3, {sizes[-1]})): "
                                               f"{name}[{i}] has shape {np.shape(g)}; expected {np.shape(p)}, "
                                               f"the shape of {name[0]}[{i}]", diagnose)
    expect_some_w_grad(result[0], f"your backprop(x (3, {sizes[0]}), y (3, {sizes[-1]}))")
