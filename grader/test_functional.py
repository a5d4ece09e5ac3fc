"""Grades functional.py, lesson 2: the network as a dict and functions, one example per column.

The `digits` fixture holds one digit per row, (64, 784); this lesson's functions take one per
column, so every sample is transposed here. Each comparison starts the student's model and the
reference's from the same parameters, and each function is fed the reference's results for the
steps before it, so that a difference points at the function being graded.
"""

import copy
import warnings

import numpy as np
import pytest

from coursekit.gradcheck import STEP, agrees, numerical_gradient
from grader import remote
from grader.cases import every_combination
from grader.checks import WrongAnswer, expect, expect_array, expect_scalar, expect_slope
from grader.diagnoses import functional as mistakes

SHAPES = {
    "784-30-10": (784, 30, 10),
    "784-16-16-16-10": (784, 16, 16, 16, 10),  # deeper, with square layers: a transpose shows
    "784-10": (784, 10),  # a single layer: no hidden loop to hide behind
}
BATCHES = {"one column": 1, "batch of 32": 32}
FORWARD_KEYS = ("z_inputs", "activations")
BACKWARD_KEYS = ("grad_weights", "grad_biases")


def columns(digits, batch, n_out=10):
    """`batch` real digits as columns: x of shape (784, batch), y of shape (n_out, batch)."""
    features, targets = digits
    return features[:batch].T.copy(), targets[:batch, :n_out].T.copy()


def twin_models(reference, dimensions, seed=0):
    """Two independent copies of one model dict with non-zero biases: (the student's, ours)."""
    ours = reference.initialize_model(list(dimensions), seed=seed)
    rng = np.random.default_rng(seed + 1)
    ours["biases"] = [rng.normal(0, 0.5, size=b.shape) for b in ours["biases"]]  # zeros hide mistakes
    return copy.deepcopy(ours), ours


def layer(i):
    """How the lesson names list index i: index 0 is layer 1."""
    return f"layer {i + 1}"


def expect_model(model, function):
    expect(isinstance(model, dict), f"{function} returned a {type(model).__name__} where the model "
                                    "dict was expected")


def expect_list(actual, expected, what, name):
    """A list (or tuple) of arrays, one per layer, each as expected; `name(i)` describes entry i."""
    expect(isinstance(actual, (list, tuple)),
           f"{what} is a {type(actual).__name__}; expected a list of {len(expected)} arrays")
    expect(len(actual) == len(expected),
           f"{what} has {len(actual)} entries; expected {len(expected)} ({name(0)} to {name(len(expected) - 1)})")
    for i, (got, want) in enumerate(zip(actual, expected)):
        expect_array(got, want, f"{what}[{i}] ({name(i)})")


def no_floating_point_trouble(function, x, what):
    """function(x), failing if NumPy warns or flags overflow, division by zero or nan on the way.

    Underflow to 0 is allowed: it is exactly what makes sigma(-1000) == 0.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with np.errstate(over="warn", divide="warn", invalid="warn", under="ignore"):
            result = function(x)
    runtime = [w for w in caught if issubclass(w.category, RuntimeWarning)]
    expect(not runtime, f"{what} made NumPy warn: {runtime[0].message if runtime else ''}. Compute exp only "
                        "of numbers <= 0 (np.where evaluates both branches for every element)")
    try:
        with np.errstate(over="raise", divide="raise", invalid="raise", under="ignore"):
            function(x)
    except FloatingPointError as error:
        raise WrongAnswer(f"{what}: {error} (NumPy set to raise instead of warn). Compute exp only of "
                          "numbers <= 0") from None
    return result


# --- initialize_model ----------------------------------------------------------------------


@pytest.mark.grade(uses=["initialize_model"], section="the-model-dictionary")
@pytest.mark.parametrize("dimensions", SHAPES.values(), ids=SHAPES.keys())
def test_initialize_model_shapes(student, dimensions):
    model = student.initialize_model(list(dimensions), seed=0)
    expect_model(model, "initialize_model()")
    missing = sorted({"nlayers", "weights", "biases"} - set(model))
    expect(not missing, f"the model has keys {sorted(model)}; missing {missing}")
    L = len(dimensions) - 1
    expect(model["nlayers"] == L, f"model['nlayers'] is {model['nlayers']!r} for dimensions {list(dimensions)}; "
                                  f"expected {L} (the input is not a layer)")
    for key, shape in (("weights", lambda l: (dimensions[l], dimensions[l - 1])),
                       ("biases", lambda l: (dimensions[l], 1))):
        entries = model[key]
        expect(isinstance(entries, (list, tuple)) and len(entries) == L,
               f"model['{key}'] should be a list of {L} arrays, one per layer; got {type(entries).__name__} "
               f"of length {len(entries) if hasattr(entries, '__len__') else '?'}")
        for l in range(1, L + 1):
            got = np.shape(entries[l - 1])
            hint = " (the transpose: rows are the layer's own units)" if got == shape(l)[::-1] else ""
            expect(got == shape(l), f"model['{key}'][{l - 1}] ({key[0]}({l}), layer {l}) has shape {got}; "
                                    f"expected {shape(l)}{hint}")
    for l in range(L):  # right shapes of one constant are no network yet
        expect_drawn(model["weights"][l], l)


def expect_drawn(W, l):
    """The weight matrix at index l of a new model holds more than one value: drawn at random."""
    W = np.asarray(W, dtype=float)
    expect(np.ptp(W) > 0, f"weights[{l}] ({layer(l)}) has every entry equal to {W.flat[0]:.4g}: units "
                          "that start equal get equal gradients and stay equal; draw the weights at random")


@pytest.mark.grade(uses=["initialize_model"], section="the-model-dictionary")
def test_initialize_model_is_seeded_and_random(student):
    dimensions = [784, 16, 16, 10]
    first = student.initialize_model(dimensions, seed=5)
    second = student.initialize_model(dimensions, seed=5)
    for l in range(3):
        expect_array(second["weights"][l], first["weights"][l],
                     f"weights[{l}] ({layer(l)}) of a second initialize_model(..., seed=5) "
                     "(the same seed must give the same network: use np.random.default_rng(seed))",
                     rtol=0, atol=0)
        expect_array(second["biases"][l], first["biases"][l],
                     f"biases[{l}] ({layer(l)}) of a second initialize_model(..., seed=5)", rtol=0, atol=0)
        expect_drawn(first["weights"][l], l)


@pytest.mark.grade(uses=["initialize_model"], section="the-model-dictionary")
def test_initialize_model_scale_and_generator(student):
    """Weights of standard deviation 1/sqrt(n(l-1)), drawn from a generator of the function's own."""
    dimensions = [784, 30, 16, 10]
    global_random = getattr(student, "np", None)  # the student's numpy, in the runner, if imported as np
    before = _global_state(global_random)
    model = student.initialize_model(dimensions, seed=5)
    after = _global_state(global_random)
    expect(before is None or _same_state(before, after),
           "initialize_model(..., seed=5) reseeded or drew from NumPy's global generator (np.random.seed, "
           "np.random.randn): every other random draw of the program then depends on it. Draw from a "
           "generator of your own, rng = np.random.default_rng(seed), as the lesson's pseudocode does")
    for l in range(1, len(dimensions)):
        W = np.asarray(model["weights"][l - 1], dtype=float)
        wanted = 1 / np.sqrt(dimensions[l - 1])
        std = float(np.std(W))
        # The lesson's 1/sqrt(n) keeps z(l) of order one; the common variants (Xavier's, He's
        # sqrt(2/n)) are within a factor 1.5 of it, unscaled draws (std 1) 4 to 28 times off here.
        expect(wanted / 2 <= std <= 2 * wanted,
               f"weights[{l - 1}] ({layer(l - 1)}, {dimensions[l - 1]} inputs) has standard deviation {std:.4g}; "
               f"expected about 1/sqrt({dimensions[l - 1]}) = {wanted:.4g} (the lesson's; sqrt(2/n) is fine too)",
               diagnose=mistakes.init(std, dimensions[l - 1]))


def _global_state(numpy):
    """The state of NumPy's global generator in the runner (None if the module has no `np`)."""
    try:
        return numpy.random.get_state(legacy=True)
    except Exception:  # noqa: BLE001  (no np, or not NumPy: nothing to compare)
        return None


def _same_state(before, after):
    return after is not None and all(np.array_equal(np.asarray(a), np.asarray(b)) for a, b in zip(before, after))


# --- sigma, sigma_prime --------------------------------------------------------------------


@pytest.mark.grade(uses=["sigma"], section="a-sigmoid-that-never-overflows")
@pytest.mark.parametrize("shape", [(7,), (3, 5), (2, 3, 4)], ids=["1-D", "2-D", "3-D"])
def test_sigma_values(student, reference, shape):
    x = np.random.default_rng(3).normal(0, 4, size=shape)
    expect_array(student.sigma(x), reference("functional").sigma(x), f"sigma(x) for x of shape {shape}")


@pytest.mark.grade(uses=["sigma"], section="a-sigmoid-that-never-overflows")
def test_sigma_large_inputs(student):
    x = np.array([-1000.0, -800.0, -710.0, -40.0, 0.0, 40.0, 710.0, 800.0, 1000.0])
    got = no_floating_point_trouble(student.sigma, x, "sigma(x) for x in [-1000, 1000]")
    expect(np.shape(got) == x.shape, f"sigma(x) has shape {np.shape(got)}; expected {x.shape}")
    got = np.asarray(got, dtype=float)
    expect(not np.any(np.isnan(got)), f"sigma(x) is nan at x = {x[np.isnan(got)].tolist()}")
    expect(got[0] == 0.0, f"your sigma(-1000) is {got[0]!r}; expected exactly 0.0")
    expect(got[-1] == 1.0, f"your sigma(1000) is {got[-1]!r}; expected exactly 1.0")
    expect(got[4] == 0.5, f"your sigma(0) is {got[4]!r}; expected 0.5")


@pytest.mark.grade(uses=["sigma_prime"], section="a-sigmoid-that-never-overflows")
@pytest.mark.parametrize("shape", [(7,), (3, 5)], ids=["1-D", "2-D"])
def test_sigma_prime_values(student, reference, shape):
    x = np.random.default_rng(4).normal(0, 4, size=shape)
    expect_array(student.sigma_prime(x), reference("functional").sigma_prime(x),
                 f"sigma_prime(x) for x of shape {shape} (the derivative sigma(x) (1 - sigma(x)))")
    expect_scalar(np.asarray(student.sigma_prime(np.zeros(1)))[0], 0.25, "sigma_prime(0)")


@pytest.mark.grade(uses=["sigma_prime"], section="a-sigmoid-that-never-overflows")
def test_sigma_prime_large_inputs(student):
    x = np.array([-1000.0, -710.0, 0.0, 710.0, 1000.0])
    got = no_floating_point_trouble(student.sigma_prime, x, "sigma_prime(x) for x in [-1000, 1000] "
                                                                 "(if it calls your sigma, fix sigma first)")
    got = np.asarray(got, dtype=float)
    expect(got.shape == x.shape, f"sigma_prime(x) has shape {got.shape}; expected {x.shape}")
    expect(got[0] == 0.0 and got[-1] == 0.0,
           f"sigma_prime(-1000) and sigma_prime(1000) are {got[0]!r} and {got[-1]!r}; expected exactly 0.0")
    expect(np.isclose(got[2], 0.25), f"your sigma_prime(0) is {got[2]!r}; expected 0.25")


# --- loss, loss_prime ----------------------------------------------------------------------


@pytest.mark.grade(uses=["loss"], section="the-loss-and-its-one-half")
@pytest.mark.parametrize("batch", BATCHES.values(), ids=BATCHES.keys())
def test_loss(student, reference, digits, batch):
    _, y = columns(digits, batch)
    yhat = np.random.default_rng(5).uniform(size=y.shape)
    expected = float(reference("functional").loss(yhat, y))
    got = student.loss(yhat, y)
    if isinstance(got, (int, float, np.integer, np.floating)) and np.isclose(float(got), 2 * expected):
        raise WrongAnswer(f"your loss(yhat, y) is {float(got):.6g}, twice the right value {expected:.6g}: "
                          "the loss is 0.5 * sum((yhat - y)**2)")
    expect_scalar(got, expected, f"loss(yhat, y) for yhat and y of shape {y.shape} (0.5 * sum of squares)")


@pytest.mark.grade(uses=["loss_prime"], section="the-loss-and-its-one-half")
@pytest.mark.parametrize("batch", BATCHES.values(), ids=BATCHES.keys())
def test_loss_prime(student, reference, digits, batch):
    _, y = columns(digits, batch)
    yhat = np.random.default_rng(6).uniform(size=y.shape)
    expect_array(student.loss_prime(yhat, y), reference("functional").loss_prime(yhat, y),
                 f"loss_prime(yhat, y) for shape {y.shape} (the gradient of loss with respect to yhat)")


# --- forward -------------------------------------------------------------------------------

# The forward and backward passes are graded on every shape, with one column and with a batch.
EVERY_SHAPE_AND_BATCH = every_combination(dimensions=SHAPES, batch=BATCHES)


@pytest.mark.grade(uses=["forward"], section="forward-propagation")
@EVERY_SHAPE_AND_BATCH
def test_forward_matches_reference(student, reference, digits, dimensions, batch):
    functional = reference("functional")
    theirs, ours = twin_models(functional, dimensions)
    x, _ = columns(digits, batch)
    expected, ours = functional.forward(x.copy(), ours)
    returned = student.forward(x.copy(), theirs)
    expect(isinstance(returned, tuple) and len(returned) == 2,
           f"forward(x, model) returned a {type(returned).__name__}; expected the pair (a(L), model)")
    output, model = returned
    expect_model(model, "forward(x, model)")
    expect_array(output, expected, f"the output a(L) for x of shape {x.shape}")
    for key in FORWARD_KEYS:
        expect(key in model, f"after forward the model has keys {sorted(model)}; missing '{key}'")
    expect_list(model["z_inputs"], ours["z_inputs"], "model['z_inputs']", lambda i: f"z({i + 1})")
    expect_list(model["activations"], ours["activations"], "model['activations']",
                lambda i: "a(0), the input x" if i == 0 else f"a({i})")


# --- backward ------------------------------------------------------------------------------


def after_reference_forward(functional, dimensions, x):
    """(student's model, ours), both holding the reference's forward results for x."""
    theirs, ours = twin_models(functional, dimensions)
    _, ours = functional.forward(x, ours)
    for key in FORWARD_KEYS:
        theirs[key] = [a.copy() for a in ours[key]]
    return theirs, ours


@pytest.mark.grade(uses=["backward"], section="backpropagation-in-four-equations")
@EVERY_SHAPE_AND_BATCH
def test_backward_matches_reference(student, reference, digits, dimensions, batch):
    functional = reference("functional")
    x, y = columns(digits, batch)
    theirs, ours = after_reference_forward(functional, dimensions, x)
    ours = functional.backward(y, ours)
    model = student.backward(y.copy(), theirs)
    expect_model(model, "backward(y, model)")
    for key in BACKWARD_KEYS:
        expect(key in model, f"after backward the model has keys {sorted(model)}; missing '{key}'")
    L = len(dimensions) - 1
    for name, key, symbol in (("grad_biases", "grad_biases", "b"), ("grad_weights", "grad_weights", "W")):
        got = model[key]
        expect(isinstance(got, (list, tuple)) and len(got) == L,
               f"model['{key}'] should be a list of {L} arrays in layer order; got {type(got).__name__} "
               f"of length {len(got) if hasattr(got, '__len__') else '?'}")
    diagnose = mistakes.backward(functional, ours, x, y, model)  # names a known mistake
    for i in range(L - 1, -1, -1):  # from the output down: the first wrong layer is the one to fix
        summed = " summed over the columns" if batch > 1 else ""
        expect_array(model["grad_biases"][i], ours["grad_biases"][i],
                     f"grad_biases[{i}] (dE/db({i + 1}), {layer(i)}{summed})", diagnose=diagnose)
        expect_array(model["grad_weights"][i], ours["grad_weights"][i],
                     f"grad_weights[{i}] (dE/dW({i + 1}), {layer(i)}{summed})", diagnose=diagnose)


def sigma_prime_against_sigma(student):
    """What a finite-difference failure of backward means when the student's sigma_prime is not the
    slope of the student's own sigma (then backward, which uses it, cannot agree); else None."""
    x = np.linspace(-4, 4, 17)
    try:
        above = np.asarray(student.sigma(x + STEP), dtype=float)
        slope = (above - np.asarray(student.sigma(x - STEP), dtype=float)) / (2 * STEP)
        got = np.asarray(student.sigma_prime(x.copy()), dtype=float)
    except remote.StudentRaised:  # graded by sigma's and sigma_prime's own tests
        return None
    if got.shape == x.shape and all(agrees(a, n) for a, n in zip(got, slope)):
        return None
    j = int(np.argmax(np.abs(got - slope))) if got.shape == x.shape else 0
    at = (f" (at x = {x[j]:g} yours is {got[j]:.6g}, the slope of your sigma {slope[j]:.6g})"
          if got.shape == x.shape else "")
    return (f"your sigma_prime disagrees with the finite differences of your sigma itself{at}, and backward "
            "uses it: fix sigma_prime first, sigma(x) (1 - sigma(x)) at the pre-activation z")


@pytest.mark.grade(uses=["forward", "loss", "backward"], section="checking-with-finite-differences")
def test_backward_finite_differences(student, reference, digits):
    """The student's gradients against the slope of the student's own forward and loss."""
    theirs, _ = twin_models(reference("functional"), (784, 12, 10))
    x, y = columns(digits, 4)
    _, theirs = student.forward(x, theirs)
    theirs = student.backward(y, theirs)
    rng = np.random.default_rng(7)
    verdict = sigma_prime_against_sigma(student)

    def student_loss():
        output, _ = student.forward(x, theirs)
        return float(student.loss(output, y))

    for i in (1, 0):
        for name in ("weights", "biases"):
            params = theirs[name][i]
            analytic = np.asarray(theirs[f"grad_{name}"][i], dtype=float)
            expect(analytic.shape == params.shape,
                   f"grad_{name}[{i}] ({layer(i)}) has shape {analytic.shape}, expected {params.shape}")
            for j in rng.choice(params.size, size=min(10, params.size), replace=False):
                index = tuple(int(k) for k in np.unravel_index(j, params.shape))
                slope = numerical_gradient(student_loss, params, index, h=STEP)  # nudges the model's array
                expect_slope(analytic[index], slope, f"grad_{name}[{i}]{index} ({layer(i)})", f"{name}[{i}]{index}",
                             "your loss (check the 0.5 in loss, and every factor of the four equations)", verdict)
    # A flat loss agrees with its own zero slopes: the check needs a gradient to check.
    expect(any(np.any(np.asarray(g, dtype=float) != 0) for g in theirs["grad_weights"]),
           "after your forward() and backward() on 4 real digits, every grad_weights[i] is zero: the loss's "
           "gradient on real digits is never zero everywhere")


# --- update --------------------------------------------------------------------------------


@pytest.mark.grade(uses=["update"], section="the-update-step")
def test_update_values(student, reference, digits):
    functional = reference("functional")
    x, y = columns(digits, 16)
    theirs, ours = after_reference_forward(functional, SHAPES["784-16-16-16-10"], x)
    ours = functional.backward(y, ours)
    for key in BACKWARD_KEYS:
        theirs[key] = [g.copy() for g in ours[key]]
    expected = functional.update(0.25, copy.deepcopy(ours))
    model = student.update(0.25, theirs)
    expect_model(model, "update(eta, model)")
    for i in range(len(expected["weights"])):
        expect_array(model["weights"][i], expected["weights"][i],
                     f"weights[{i}] ({layer(i)}) after update(0.25, model): W - eta * dE/dW")
        expect_array(model["biases"][i], expected["biases"][i],
                     f"biases[{i}] ({layer(i)}) after update(0.25, model): b - eta * dE/db")


@pytest.mark.grade(uses=["forward", "backward", "update"], section="the-update-step")
def test_update_removes_the_keys(student, reference, digits):
    functional = reference("functional")
    theirs, ours = twin_models(functional, SHAPES["784-30-10"])
    x, y = columns(digits, 8)
    _, theirs = student.forward(x, theirs)
    theirs = student.backward(y, theirs)
    model = student.update(0.5, theirs)
    expect_model(model, "update(eta, model)")
    left = [key for key in FORWARD_KEYS + BACKWARD_KEYS if key in model]
    expect(not left, f"after update the model still holds {left}: update must delete 'z_inputs', "
                     "'activations', 'grad_weights' and 'grad_biases'")
    try:
        student.backward(y, model)
    except KeyError:
        pass
    else:
        raise WrongAnswer("backward(y, model) right after update ran without a KeyError; it should "
                          "fail, since update removed the results of forward")
    # The keys' removal counts only in an update that also steps the parameters.
    expected = functional.update(0.5, functional.backward(y, functional.forward(x, ours)[1]))
    expect_list(model.get("weights"), expected["weights"], "after your forward(), backward() and update(0.5, "
                "model), model['weights']", layer)


# --- gradient_descent ----------------------------------------------------------------------

DESCENT = dict(dimensions=(784, 8, 10), batch=16, eta=0.1)
ALL_STEPS = ["gradient_descent", "forward", "backward", "update", "loss"]


def descent_runs(student, reference, digits, n_epochs, every):
    """The student's and the reference's gradient_descent from the same model on 16 digits."""
    functional = reference("functional")
    theirs, ours = twin_models(functional, DESCENT["dimensions"])
    x, y = columns(digits, DESCENT["batch"])
    initial = float(functional.loss(functional.forward(x, copy.deepcopy(ours))[0], y))
    result = student.gradient_descent(x.copy(), y.copy(), theirs, DESCENT["eta"], n_epochs, every)
    expected = functional.gradient_descent(x, y, ours, DESCENT["eta"], n_epochs, every)
    expect(isinstance(result, tuple) and len(result) == 3,
           f"gradient_descent returned a {type(result).__name__}; expected the triple (model, epochs, losses)")
    return result, expected, initial


def expect_epochs(epochs, expected, n_epochs, every):
    got = [int(e) for e in np.asarray(epochs).reshape(-1)] if epochs is not None else None
    expect(got == list(expected),
           f"your epochs for n_epochs={n_epochs}, every={every} is {got}; expected {list(expected)} "
           "(0, every, 2*every, ... while below n_epochs)")


@pytest.mark.grade(uses=ALL_STEPS, section="steepest-descent-on-a-small-problem")
def test_gradient_descent_matches_reference(student, reference, digits):
    (model, epochs, losses), (ours, expected_epochs, expected_losses), initial = \
        descent_runs(student, reference, digits, n_epochs=20, every=1)
    expect_epochs(epochs, expected_epochs, 20, 1)
    losses = np.asarray(losses, dtype=float).reshape(-1)
    expect(losses.size == len(expected_losses), f"losses has {losses.size} values; expected one per "
                                                f"recorded epoch, {len(expected_losses)}")
    expect_scalar(losses[0], initial, "losses[0], the loss at the start of epoch 0 (before any step)")
    expect_array(losses, expected_losses, "losses (losses[i] is the loss at the start of epoch epochs[i])")
    expect_model(model, "gradient_descent")
    for i in range(len(ours["weights"])):
        expect_array(model["weights"][i], ours["weights"][i], f"weights[{i}] ({layer(i)}) after 20 epochs")


@pytest.mark.grade(uses=ALL_STEPS, section="steepest-descent-on-a-small-problem")
@pytest.mark.parametrize("n_epochs, every", [(10, 3), (9, 3), (7, 1), (5, 10)])
def test_gradient_descent_every(student, reference, digits, n_epochs, every):
    (_, epochs, losses), (_, expected_epochs, expected_losses), _ = \
        descent_runs(student, reference, digits, n_epochs, every)
    expect_epochs(epochs, expected_epochs, n_epochs, every)
    expect_array(np.asarray(losses, dtype=float).reshape(-1), expected_losses,
                 f"losses for n_epochs={n_epochs}, every={every} (the loss at the start of each recorded epoch)")


@pytest.mark.grade(uses=ALL_STEPS, section="steepest-descent-on-a-small-problem")
def test_gradient_descent_decreases_the_loss(student, reference, digits):
    (_, _, losses), _, _ = descent_runs(student, reference, digits, n_epochs=40, every=1)
    losses = np.asarray(losses, dtype=float).reshape(-1)
    expect(losses.size == 40, f"losses has {losses.size} values for 40 epochs with every=1; expected 40")
    rises = np.flatnonzero(np.diff(losses) > 0)
    expect(rises.size == 0, f"your loss went up from epoch {rises[0] if rises.size else 0} to the next "
                            f"({losses[rises[0]] if rises.size else 0:.6g} to "
                            f"{losses[rises[0] + 1] if rises.size else 0:.6g}) with eta = {DESCENT['eta']}: "
                            "a step must go against the gradient")
    expect(losses[-1] < 0.5 * losses[0], f"after 40 epochs your loss is {losses[-1]:.6g}, from {losses[0]:.6g}: "
                                         "it should at least halve on this small problem")
