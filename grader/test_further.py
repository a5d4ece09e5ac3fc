"""Grades further.py, lesson 7: softmax, cross-entropy, ReLU, He initialisation, momentum, fit.

The Classifier is compared with the reference from identical parameters on real MNIST digits,
and its gradients against the slope of the student's own loss, by the checks that grade lesson
1's Network too (grader/twins.py). Momentum is stepped on the gradients of real digits, step by
step; fit() drives a stand-in network that writes down every call. Then the student's own
Classifier, Momentum and fit learn MNIST past 97 %.
"""


import numpy as np
import pytest

from coursekit import gradcheck
from grader import remote
from grader.cases import every_combination, sample
from grader.checks import (
    WrongAnswer,
    cpu_budget,
    describe,
    expect,
    expect_array,
    expect_floats,
    expect_scalar,
    quietly,
)
from grader.diagnoses import further as mistakes
from grader.twins import Twins

SHAPES = {
    "784-30-10": (784, 30, 10),
    "784-16-16-10": (784, 16, 16, 10),  # two ReLU layers: g passes through relu_prime twice
    "784-10": (784, 10),  # softmax straight on the pixels: no hidden layer to hide behind
}
BATCHES = {"one example": 1, "batch of 32": 32}
EVERY_SHAPE_AND_BATCH = every_combination(definition=SHAPES, batch=BATCHES)
CLASSIFIER = ["Classifier.__init__", "Classifier.forward"]
MOMENTUM = ["Momentum.__init__", "Momentum.step"]


def twin_classifiers(student, reference, definition):
    """A student's Classifier and the reference's, with identical (non-zero) parameters."""
    return Twins(student, reference("further"), "Classifier", definition)


# --- relu, relu_prime --------------------------------------------------------------------------

@pytest.mark.grade(uses=["relu"], section="relu")
def test_relu(student):
    rng = np.random.default_rng(3)
    for x in (np.array([-2.0, -0.5, 0.0, 0.5, 3.0]), rng.normal(size=(4, 7)), rng.normal(size=(2, 3, 5))):
        expect_array(student.relu(x.copy()), np.maximum(x, 0), f"relu of shape {x.shape}")


@pytest.mark.grade(uses=["relu_prime"], section="relu")
def test_relu_prime(student):
    x = np.array([[-2.0, -1e-9, 0.0, 1e-9, 3.0], [5.0, -5.0, 0.0, 0.25, -0.25]])
    expected = (x > 0).astype(float)
    got = student.relu_prime(x.copy())
    expect_floats(got, f"relu_prime({x.tolist()})", hint=" (1.0 or 0.0: the slope is a number, and `1 - mask` or "
                  "`-mask` of a boolean mask is an error in NumPy; `(x > 0).astype(x.dtype)`)")
    if got is not None and np.shape(got) == x.shape and float(np.asarray(got, dtype=float)[0, 2]) != 0:
        raise WrongAnswer(f"relu_prime(0) is {float(np.asarray(got, dtype=float)[0, 2]):g}; the contract "
                          "takes ReLU's slope at 0 as 0 (1 only where x > 0)")
    expect_array(got, expected, f"relu_prime({x.tolist()})")


# --- softmax, cross_entropy --------------------------------------------------------------------

def pre_activations(reference, digits, batch):
    """Real output pre-activations a(L) of a reference Classifier on `batch` digits, (batch, 10)."""
    net = reference.Classifier((784, 30, 10), seed=5)
    x, t = sample(digits, batch)
    net.forward(x, t)
    return 3 * np.asarray(net.layers[2])  # larger than a fresh network's: the rows differ more


@pytest.mark.grade(uses=["softmax"], section="softmax")
@pytest.mark.parametrize("batch", [1, 10, 32], ids=["one example (10,)", "batch of 10 (square)", "batch of 32"])
def test_softmax_matches_reference(student, reference, digits, batch):
    further = reference("further")
    a = pre_activations(further, digits, batch)
    got = student.softmax(a.copy())
    expect_array(got, further.softmax(a), f"softmax(a) of shape {a.shape}",
                 diagnose=mistakes.softmax(further, a, got))
    rows = np.atleast_2d(np.asarray(got, dtype=float))
    expect(np.allclose(rows.sum(axis=-1), 1), f"the rows of softmax(a) sum to {rows.sum(axis=-1)}; expected 1 each")


@pytest.mark.grade(uses=["softmax"], section="softmax")
def test_softmax_of_large_entries(student, reference):
    """Exact for entries of +-1000, without an overflow warning (exp(1000) is inf in float64)."""
    further = reference("further")
    for a in (np.array([1000.0, 0.0, -1000.0]), np.array([[1000.0, 999.0, 0.0], [-1000.0, -1000.0, -999.0]]),
              np.array([[1000.0, 1000.0], [-1000.0, -1000.0]])):
        got, caught = quietly(student.softmax, a.copy())
        diagnose = mistakes.softmax(further, a, got, caught)
        expect(not caught, f"softmax({a.tolist()}) warned: {'; '.join(sorted(set(caught)))}", diagnose)
        expect_array(got, further.softmax(a), f"softmax({a.tolist()})", diagnose=diagnose)


def shown(name, value):
    """`name` of shape (...) = its values, all of them for a small array."""
    value = np.asarray(value)
    text = np.array2string(value, precision=4, suppress_small=True, separator=", ",
                           threshold=24 if value.size <= 24 else 8, edgeitems=3)
    return f"{name} of shape {value.shape} = {_indent(text, 4)}"


def _indent(text, pad):
    return text.replace("\n", "\n" + " " * pad)


def called_with_its_input(function, name, right, *named, note=""):
    """function(*values) for `named` (name, value) pairs; if the student's function raises, a
    message that shows what it was given (shapes and values) and what it should have returned."""
    values = [value for _, value in named]
    try:
        return function(*(np.array(value, copy=True) for value in values))
    except remote.StudentRaised as error:
        at = f"\n    at {error.place}" if error.place else ""
        given = "\n    ".join(shown(n, v) for n, v in named)
        names = ", ".join(n for n, _ in named)
        raise WrongAnswer(f"your {name}({names}) raised {error.type_name}: {error.message}{at}\n"
                          f"    given {' and '.join(f'{n} of shape {np.shape(v)}' for n, v in named)}{note}:\n"
                          f"    {given}\n    expected: {right(*values):.6g}") from None


@pytest.mark.grade(uses=["cross_entropy"], section="cross-entropy")
@pytest.mark.parametrize("batch, shape", [(1, (10,)), (1, (1, 10)), (32, (32, 10))],
                         ids=["one example", "a batch of one (1, 10)", "batch of 32"])
def test_cross_entropy_matches_reference(student, reference, digits, batch, shape):
    further = reference("further")
    y = np.reshape(further.softmax(pre_activations(further, digits, batch)), shape)
    t = np.reshape(sample(digits, batch)[1], shape)
    one = (" (one example is a 1-D row (n,), as everywhere in the course, or a batch of one (1, n): -sum(t * log(y)) "
           "over every element serves both)" if batch == 1 else "")
    got = called_with_its_input(student.cross_entropy, "cross_entropy", further.cross_entropy,
                                ("y", y), ("t", t), note=one)
    expect_scalar(got, further.cross_entropy(y, t), f"cross_entropy(y, t) of shape {np.shape(y)} "
                                                    "(summed over every element)",
                  diagnose=mistakes.loss(y, t, got))


@pytest.mark.grade(uses=["cross_entropy"], section="cross-entropy")
def test_cross_entropy_where_the_output_underflows(student):
    """y has entries that underflowed to exactly 0 where t is 0: the loss stays finite and right."""
    y = np.array([[0.0, 0.75, 0.25], [1.0, 0.0, 0.0]])
    t = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
    expected = -np.log(0.75)
    got, caught = quietly(student.cross_entropy, y.copy(), t.copy())
    diagnose = mistakes.log_zero(got, caught)
    expect(isinstance(got, (int, float, np.number, np.ndarray)) and np.all(np.isfinite(got)),
           f"cross_entropy(y, t) with y = {y.tolist()}, t = {t.tolist()} is {got!r}; expected "
           f"{expected:.6g}, finite", diagnose)
    expect_scalar(got, expected, f"cross_entropy(y, t) with y = {y.tolist()} and t = {t.tolist()}",
                  diagnose=diagnose)
    expect(not caught, f"cross_entropy(y, t) with y = {y.tolist()} warned: {'; '.join(sorted(set(caught)))} "
                       "(the right value, but log(0) was computed on the way)", diagnose)


# --- Classifier --------------------------------------------------------------------------------

@pytest.mark.grade(uses=["Classifier.__init__"], section="he-initialisation")
def test_classifier_init_is_he(student):
    definition = (784, 100, 10)
    net = student.Classifier(definition, seed=0)
    for k, (n_in, n_out) in enumerate(zip(definition[:-1], definition[1:]), start=1):
        for name, shape in (("weights", (n_in, n_out)), ("biases", (n_out,)),
                            ("weights_grad", (n_in, n_out)), ("biases_grad", (n_out,))):
            members = getattr(net, name, None)
            expect(isinstance(members, dict) and k in members,
                   f"Classifier{definition}.{name} has no key {k}; expected a dict keyed by layer 1 ... L")
            expect(np.shape(members[k]) == shape,
                   f"Classifier{definition}.{name}[{k}] has shape {np.shape(members[k])}, expected {shape}")
        expect_array(net.biases[k], np.zeros(n_out), f"biases[{k}] of a new Classifier (zero)")
        W = np.asarray(net.weights[k], dtype=float)
        std, wanted = float(W.std()), float(np.sqrt(2 / n_in))
        # 7,840 or more draws: the sample's spread is within 3 % of the true one.
        expect(abs(std - wanted) <= 0.05 * wanted and abs(float(W.mean())) <= 0.1 * wanted,
               f"weights[{k}] of Classifier{definition} has mean {W.mean():.4g} and standard deviation "
               f"{std:.4g}; He initialisation draws mean 0 and standard deviation sqrt(2 / {n_in}) = "
               f"{wanted:.4g}", mistakes.init(std, n_in))
    again = student.Classifier(definition, seed=0)
    for k in net.weights:
        expect_array(again.weights[k], net.weights[k],
                     f"weights[{k}] of a second Classifier{definition} with seed=0 (the same seed, the same network)")


@pytest.mark.grade(uses=CLASSIFIER, section="forward")
@EVERY_SHAPE_AND_BATCH
def test_forward_matches_reference(student, reference, digits, definition, batch):
    twins = twin_classifiers(student, reference, definition).forward(*sample(digits, batch))
    twins.expect_forward("output (softmax(a(L)))", "loss (the cross-entropy, summed over every element)",
                         mistakes.forward)


@pytest.mark.grade(uses=CLASSIFIER, section="forward")
def test_forward_rejects_mismatched_targets(student, reference, digits):
    twin_classifiers(student, reference, SHAPES["784-30-10"]).expect_rejects_mismatched_targets(digits)


@pytest.mark.grade(uses=CLASSIFIER + ["Classifier.backprop"], section="backprop")
@EVERY_SHAPE_AND_BATCH
def test_backprop_matches_reference(student, reference, digits, definition, batch):
    twins = twin_classifiers(student, reference, definition).forward(*sample(digits, batch))
    twins.expect_backprop(mistakes.backprop)


def expect_a_gradient(network, x, t):
    """The student's forward(x, t) then backprop(t) on real digits store a weight gradient that is not
    zero everywhere. A network whose loss is flat zero agrees with its own zero slope, and a zero
    gradient is overwritten by itself: the checks of consistency need a gradient to check."""
    network.forward(x, t)
    network.backprop(t)
    found = getattr(network, "weights_grad", None)
    values = found.values() if isinstance(found, dict) else ()
    expect(any(np.any(as_floats(g) != 0) for g in values),
           f"after your forward() and backprop() on {len(x)} real digits, weights_grad is {in_words(found)}: the "
           "cross-entropy's gradient on real digits is never zero everywhere, and backprop(targets) stores "
           "dJ/dW(k) in weights_grad[k] for every layer k")


def as_floats(value):
    """`value` as an array of floats, or an empty array if it is not numbers."""
    try:
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return np.zeros(0)


def in_words(members):
    """weights_grad as the student's network holds it, in a few words."""
    if not isinstance(members, dict):
        return f"{members!r} (not a dict keyed by layer)"
    return "zero everywhere" if members else "an empty dict"


@pytest.mark.grade(uses=CLASSIFIER + ["Classifier.backprop"], section="backprop")
def test_backprop_finite_differences(student, reference, digits):
    """The student's gradients against the slope of the student's own cross-entropy."""
    twins = twin_classifiers(student, reference, (784, 12, 12, 10))
    x, t = sample(digits, 4)
    twins.ours.forward(x, t)
    # Away from ReLU's kink: no pre-activation within 1000 steps of 0, so a nudge of STEP to
    # one parameter cannot move any a(k) across it (a grader's own check, not the student's).
    nearest = min(float(np.min(np.abs(twins.ours.layers[k]))) for k in (1, 2))
    assert nearest > 1000 * gradcheck.STEP, f"the finite-difference inputs come within {nearest:g} of ReLU's kink"
    expect_a_gradient(twins.theirs, x, t)
    rng = np.random.default_rng(7)

    def picks(name, k, shape):
        """6 entries of each bias; of each weight matrix, 2 in each of 6 rows whose input is not 0
        in every example (a pixel that is 0 everywhere has zero gradients)."""
        if name == "biases":
            return [(int(j),) for j in rng.choice(shape[0], size=min(6, shape[0]), replace=False)]
        live = np.flatnonzero(np.any(np.atleast_2d(x) != 0, axis=0)) if k == 1 else np.arange(shape[0])
        rows = rng.choice(live, size=min(6, live.size), replace=False)
        return [(int(i), int(j)) for i in rows for j in rng.choice(shape[1], size=2, replace=False)]

    twins.expect_slopes(x, t, picks)


@pytest.mark.grade(uses=CLASSIFIER + ["Classifier.backprop"], section="backprop")
def test_backprop_twice_gives_same_gradients(student, reference, digits):
    twins = twin_classifiers(student, reference, SHAPES["784-30-10"])
    x, t = sample(digits, 16)
    expect_a_gradient(twins.theirs, x, t)
    twins.expect_backprop_overwrites(x, t)


@pytest.mark.grade(uses=["Classifier.__init__", "Classifier.predict"], section="predict")
def test_predict(student, reference, digits):
    twins = twin_classifiers(student, reference, SHAPES["784-16-16-10"])
    x, _ = sample(digits, 64)
    expect_array(twins.predicted_classes(x), twins.ours.predict(x), "predict() of 64 digits (one class index per row)",
                 rtol=0, atol=0)
    twins.expect_one_prediction(x[0])


# --- Momentum ----------------------------------------------------------------------------------

class Parameters:
    """A network's parameters and gradients only: what an optimizer reads and steps (the
    reference's; the student's optimizer gets the runner's own, grader/harness.py's Parameters)."""

    def __init__(self, weights, biases):
        self.weights = {k: np.array(W, dtype=float) for k, W in weights.items()}
        self.biases = {k: np.array(b, dtype=float) for k, b in biases.items()}
        self.weights_grad = {k: np.zeros_like(W) for k, W in self.weights.items()}
        self.biases_grad = {k: np.zeros_like(b) for k, b in self.biases.items()}


def gradient_batches(reference, digits):
    """A [784, 30, 10] reference Classifier's parameters, and its gradients on three batches of
    real digits (4, 4 and 3 examples: the last one shorter), as [(n, weights_grad, biases_grad)]."""
    net = reference.Classifier((784, 30, 10), seed=2)
    features, targets = digits
    batches = []
    for start, n in ((0, 4), (4, 4), (8, 3)):
        x, t = features[start:start + n], targets[start:start + n]
        net.forward(x, t)
        net.backprop(t)
        batches.append((n, {k: g.copy() for k, g in net.weights_grad.items()},
                        {k: g.copy() for k, g in net.biases_grad.items()}))
    return net, batches


def run_momentum(module, params, batches, rates, momentum, weight_decay):
    """Parameters after every step of module.Momentum on `params`, as {"weights[k] after step s": array}."""
    layers = list(params.weights)
    optimizer = module.Momentum(params, rates[0], momentum=momentum, weight_decay=weight_decay)
    after = {}
    for s, ((n, weights_grad, biases_grad), rate) in enumerate(zip(batches, rates), start=1):
        optimizer.learning_rate = rate
        params.weights_grad = {k: g.copy() for k, g in weights_grad.items()}
        params.biases_grad = {k: g.copy() for k, g in biases_grad.items()}
        optimizer.step(n)
        weights, biases = params.weights, params.biases  # one read each: a proxy's reads are copies
        for k in layers:
            after[f"weights[{k}] after step {s}"] = copied(weights, k)
            after[f"biases[{k}] after step {s}"] = copied(biases, k)
    return after


def copied(members, k):
    """A copy of members[k] as floats (the reference steps its arrays in place), or what is there
    instead for the check to describe."""
    found = members.get(k) if isinstance(members, dict) else members
    if found is None:  # np.array(None, dtype=float) would be a nan
        return None
    try:
        return np.array(found, dtype=float)
    except (TypeError, ValueError):
        return found


MOMENTUM_CASES = {
    "velocities": dict(rates=[0.5, 0.5, 0.5], momentum=0.9, weight_decay=0.0),
    "weight decay on weights only": dict(rates=[0.5, 0.5, 0.5], momentum=0.9, weight_decay=0.2),
    "a changed learning rate": dict(rates=[0.5, 0.5, 0.05], momentum=0.8, weight_decay=0.0),
}


@pytest.mark.grade(uses=MOMENTUM, section="momentum")
@pytest.mark.parametrize("case", MOMENTUM_CASES.values(), ids=MOMENTUM_CASES.keys())
def test_momentum_step_by_step(student, reference, digits, case):
    further = reference("further")
    start, batches = gradient_batches(further, digits)
    expected = run_momentum(further, Parameters(start.weights, start.biases), batches, **case)
    got = run_momentum(student, remote.build(student, "Parameters", start.weights, start.biases), batches, **case)
    setting = (f"Momentum(network, learning_rate={case['rates'][0]}, momentum={case['momentum']}, "
               f"weight_decay={case['weight_decay']}), steps on batches of 4, 4 and 3 real digits with "
               f"learning rates {case['rates']}")
    diagnose = mistakes.momentum(start, batches, case, expected, got)
    for label in expected:  # step by step: the first wrong step is the one to look at
        expect_array(got[label], expected[label], f"{label} of {setting}", diagnose=diagnose)


# --- cosine_schedule ---------------------------------------------------------------------------

@pytest.mark.grade(uses=["cosine_schedule"], section="cosine-schedule")
def test_cosine_schedule(student):
    points = [(0, 100, 0.1), (50, 100, 0.1), (100, 100, 0.1), (25, 100, 0.1), (1, 3, 2.0), (7, 10, 0.5),
              (780, 2346, 0.1)]
    rates = [student.cosine_schedule(step, total, peak) for step, total, peak in points]
    # A mistake is named only if it gives every one of these rates (the right ones included).
    diagnose = mistakes.cosine_schedule_at(points, rates)
    for (step, total, peak), got in zip(points, rates):
        expected = peak * (1 + np.cos(np.pi * step / total)) / 2
        expect_scalar(got, expected, f"cosine_schedule({step}, {total}, {peak})", atol=1e-12, diagnose=diagnose)
        expect(type(got) is float, f"cosine_schedule({step}, {total}, {peak}) returned {describe(got)}; expected a "
               "Python float: a NumPy scalar times float32 parameters can make them float64 (the lesson's \"one "
               "trap\": math.cos, or float(...) around the result)")


# --- fit ---------------------------------------------------------------------------------------

N, BATCH, EPOCHS = 23, 5, 3  # 23 = 4 full batches of 5 and a last one of 3


def examples(n=N):
    """Features (n, 3) and targets (n, 2) whose column 0 is the example's index; column 1 of the
    features is the example's loss in the FitRecorder: 1, 2, ..., 7, 1, ..."""
    index = np.arange(n, dtype=float)
    return np.column_stack([index, index % 7 + 1, np.ones(n)]), np.column_stack([index, -index])


def fit_steps(calls, finished=True):
    """[(indices, n given to step, learning rate at that step)] from the calls fit() made on the
    runner's FitRecorder (grader/harness.py), after checking their order; `finished=False` for a
    fit() that raised: only the batches given to forward() are checked."""
    for call in calls:  # the stand-in network would have stopped fit() at the first mismatch
        if call[0] == "forward" and call[2] != call[1]:
            raise WrongAnswer(f"forward() received features of examples {call[1]} but targets of examples "
                              f"{call[2]}: shuffle both with the same order")
    if not finished:
        return None
    steps, pending = [], None
    for call in calls:
        if call[0] == "forward":
            expect(pending is None, "fit() called forward() twice without backprop() and step() between")
            pending = [call[1], False]
        elif call[0] == "backprop":
            expect(pending is not None and call[1] == pending[0],
                   "fit() called backprop() without forward() on the same batch just before it")
            pending[1] = True
        else:
            expect(pending is not None and pending[1], "fit() called optimizer.step() without forward() "
                                                       "then backprop() just before it")
            steps.append((pending[0], call[1], call[2]))
            pending = None
    expect(pending is None, "the last forward() of fit() was not followed by backprop() and optimizer.step()")
    return steps


def run_fit(student, n=N, batch_size=BATCH, epochs=EPOCHS, seed=0, schedule=None):
    """(steps, returned losses) of the student's fit() with the runner's FitRecorder as both the
    network and the optimizer."""
    recorder = remote.build(student, "FitRecorder")
    features, targets = examples(n)
    try:
        losses = student.fit(recorder, recorder, features, targets, epochs=epochs, batch_size=batch_size,
                             seed=seed, schedule=schedule)
    except remote.StudentRaised:
        fit_steps(recorder.record(), finished=False)
        raise
    return fit_steps(recorder.record()), losses


def by_epoch(steps, n=N, batch_size=BATCH, epochs=EPOCHS):
    per_epoch = -(-n // batch_size)
    expect(len(steps) == epochs * per_epoch,
           f"fit() on {n} examples with batch_size={batch_size} for {epochs} epochs made {len(steps)} steps; "
           f"expected {epochs} x {per_epoch} = {epochs * per_epoch}: {n // batch_size} full batches and a last "
           f"one of {n % batch_size} in every epoch")
    return [steps[e * per_epoch:(e + 1) * per_epoch] for e in range(epochs)]


@pytest.mark.grade(uses=["fit"], section="fit")
def test_fit_visits_every_example_once_per_epoch_in_a_fresh_order(student):
    steps, _ = run_fit(student)
    orders = []
    for e, epoch in enumerate(by_epoch(steps), start=1):
        order = [i for indices, _, _ in epoch for i in indices]
        expect(sorted(order) == list(range(N)),
               f"epoch {e} of fit() saw the examples {order}; every epoch must visit each of the {N} "
               "examples exactly once")
        orders.append(order)
    expect(orders[0] != list(range(N)), "fit() visited the examples in their stored order: shuffle them "
                                        "(rng.permutation) every epoch")
    for e in range(1, len(orders)):
        expect(orders[e] != orders[e - 1], f"epochs {e} and {e + 1} of fit() visited the examples in the "
                                           "same order: draw a fresh permutation every epoch")
    again, _ = run_fit(student)
    expect(again == steps, "two calls of fit() with seed=0 visited the examples in different orders: "
                           "make the generator with np.random.default_rng(seed)")
    other, _ = run_fit(student, seed=1)
    expect([s[0] for s in other] != [s[0] for s in steps],
           "fit() with seed=0 and seed=1 visited the examples in the same order: the seed must choose it")


@pytest.mark.grade(uses=["fit"], section="fit")
def test_fit_keeps_the_last_partial_batch_and_steps_by_its_size(student):
    steps, _ = run_fit(student)
    for e, epoch in enumerate(by_epoch(steps), start=1):
        sizes = [len(indices) for indices, _, _ in epoch]
        expect(sizes == [BATCH] * (N // BATCH) + [N % BATCH],
               f"epoch {e} of fit() with {N} examples and batch_size={BATCH} used batches of {sizes}; "
               f"expected {[BATCH] * (N // BATCH) + [N % BATCH]}: full batches, then the remainder")
        given = [n for _, n, _ in epoch]
        expect(given == sizes, f"epoch {e} of fit() called optimizer.step(n) with n = {given} for batches of "
                               f"{sizes}: n is the batch's own size (the last one is shorter)")


@pytest.mark.grade(uses=["fit"], section="fit")
def test_fit_sets_the_scheduled_rate_before_every_step(student):
    schedule = remote.build(student, "Schedule", 0.5)  # 0.5 + j: a different rate at every step, telling them apart
    steps, _ = run_fit(student, schedule=schedule)
    # No step at all would leave nothing to compare: fit() must step to be graded on its rates.
    expect(steps, "fit() made no step: every mini-batch takes forward(), backprop(), then optimizer.step(n)")
    rates = [rate for _, _, rate in steps]
    expected = [0.5 + j for j in range(len(steps))]
    expect(rates == expected, f"with schedule=lambda j: 0.5 + j, fit()'s {len(steps)} steps ran at learning "
                              f"rates {rates}; expected {expected}: optimizer.learning_rate = schedule(j) "
                              "before step j, counting from 0 over the whole run (not restarting each epoch)")
    plain, _ = run_fit(student)
    expect(all(rate == 1.0 for _, _, rate in plain),
           "without a schedule, fit() changed optimizer.learning_rate; it must leave it as it is")


@pytest.mark.grade(uses=["fit"], section="fit")
def test_fit_returns_mean_loss_per_example(student):
    _, losses = run_fit(student, epochs=2)
    expect(isinstance(losses, (list, tuple, np.ndarray)) and len(losses) == 2,
           f"fit() for 2 epochs returned {losses!r}; expected a list of 2 floats, one per epoch")
    features, _ = examples()
    expected = float(np.sum(features[:, 1])) / N
    for e, loss in enumerate(losses, start=1):
        expect_scalar(loss, expected, f"the loss fit() returned for epoch {e} ({N} examples), "
                                      "the mean per-example loss (the sum of the batch losses / N)")


# --- the student's own classifier on MNIST -------------------------------------------------------

# The reference reaches about 97.6 % (97.5 to 97.7 over seeds) in about 5 s of CPU (a per-example
# solution: about 45 s): 50,000 training images, 3 epochs of batches of 64, momentum 0.9, a cosine
# schedule from 0.1.
E2E_TRAIN, E2E_EPOCHS, E2E_BATCH, E2E_RATE, E2E_DECAY, E2E_BAR = 50_000, 3, 64, 0.1, 1e-4, 0.97
# The limit is CPU time, which other programs on a busy machine do not inflate: 3x what the
# example-by-example solution needs. The wall-clock timeout only stops a run that hangs.
E2E_CPU_SECONDS, E2E_WALL_SECONDS = 150, 400


@pytest.mark.grade(uses=CLASSIFIER + ["Classifier.backprop", "Classifier.predict"] + MOMENTUM
                   + ["cosine_schedule", "fit"], section="your-classifier-on-mnist",
                   end_to_end=True)
@pytest.mark.timeout(E2E_WALL_SECONDS, method="signal")
def test_your_classifier_on_mnist(student, mnist):
    # Made in the runner from the images and labels (a quarter of the bytes cross), as
    # `images.reshape(-1, 784).astype(np.float32) / 255` and `np.eye(10, dtype=np.float32)[labels]`.
    features = remote.build(student, "pixels", mnist.train_images[:E2E_TRAIN])
    targets = remote.build(student, "one_hot", mnist.train_labels[:E2E_TRAIN], 10)
    total = E2E_EPOCHS * -(-E2E_TRAIN // E2E_BATCH)
    schedule = remote.build(student, "CallWith", student.cosine_schedule, total, E2E_RATE)
    with cpu_budget(E2E_CPU_SECONDS, reference_seconds=5, example_by_example_seconds=45):
        network = student.Classifier((784, 100, 10), seed=0)
        optimizer = student.Momentum(network, E2E_RATE, momentum=0.9, weight_decay=E2E_DECAY)
        losses = student.fit(network, optimizer, features, targets, epochs=E2E_EPOCHS, batch_size=E2E_BATCH,
                             seed=0, schedule=schedule)
    tests = len(mnist.test_labels)
    predictions = np.asarray(network.predict(remote.build(student, "pixels", mnist.test_images)))
    expect(predictions.shape == (tests,),
           f"your Classifier's predict() of {tests:,} test digits returned shape {predictions.shape}; "
           f"expected ({tests},)")
    reached = float(np.mean(predictions == mnist.test_labels))
    try:
        shown = "[" + ", ".join(f"{float(loss):.4g}" for loss in losses) + "]"
    except (TypeError, ValueError):
        shown = repr(losses)
    expect(reached >= E2E_BAR,
           f"your fit() with your Classifier((784, 100, 10)) and Momentum on {E2E_TRAIN:,} MNIST images "
           f"({E2E_EPOCHS} epochs, batch_size={E2E_BATCH}, a cosine schedule from {E2E_RATE}) reached "
           f"{reached:.2%} on {tests:,} test digits; expected at least {E2E_BAR:.0%} (the "
           f"reference reaches about 97.6%). Losses per epoch: {shown}")
