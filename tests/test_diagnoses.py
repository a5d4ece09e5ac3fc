"""The grader names the mistake: each known mistake, made on purpose, gets its own diagnosis.

Every variant below is solutions/<module>.py with one textual edit (asserted to apply exactly
once). The grader is run on it in a subprocess with --results-json, as a student would run it;
then the failing tests' messages must name the expected mistake ("probably: <name>") and no
other mistake of the catalogue. The reference gets no diagnosis at all, and mistakes the
catalogue does not know (a wrong constant, a little noise) get the "does not recognise"
sentence and no name. The catalogue's own recomputation is checked against the reference too.
"""

import shutil
import sys

import numpy as np
import pytest

from coursekit import ROOT

sys.path.insert(0, str(ROOT))

from grader import diagnoses  # noqa: E402
from grader.diagnoses import functional as functional_mistakes  # noqa: E402
from grader.diagnoses import network as network_mistakes  # noqa: E402
from grader.diagnoses import nn as nn_mistakes  # noqa: E402
from tests.grading import grade_module  # noqa: E402

SOLUTIONS = ROOT / "solutions"

# name -> (module, [(old, new), ...], the mistake's name in the catalogue, or None: no diagnosis)
VARIANTS = {
    "sign flipped": ("network", [
        ("g = 2 * (self.output - targets)", "g = 2 * (targets - self.output)"),
    ], "the sign of g is flipped"),
    "factor 2 missing": ("network", [
        ("g = 2 * (self.output - targets)", "g = self.output - targets"),
    ], "the factor 2 of the square is missing"),
    "factor 2 too many": ("network", [
        ("g = 2 * (self.output - targets)", "g = 4 * (self.output - targets)"),
    ], "a factor 2 too many"),
    "mean over the batch": ("network", [
        ("self.biases_grad[k] = g_rows.sum(axis=0)", "self.biases_grad[k] = g_rows.mean(axis=0)"),
        ("self.weights_grad[k] = h_rows.T @ g_rows", "self.weights_grad[k] = h_rows.T @ g_rows / len(g_rows)"),
    ], "the mean over the batch instead of the sum"),
    "transposed weight gradient": ("network", [
        ("self.weights_grad[k] = h_rows.T @ g_rows", "self.weights_grad[k] = g_rows.T @ h_rows"),
    ], "the weight gradient is transposed"),
    # Transposed where the shape cannot show it: only the values of square gradients are wrong.
    "transposed, square layers only": ("network", [
        ("self.weights_grad[k] = h_rows.T @ g_rows",
         "self.weights_grad[k] = h_rows.T @ g_rows\n"
         "            if self.weights_grad[k].shape[0] == self.weights_grad[k].shape[1]:\n"
         "                self.weights_grad[k] = self.weights_grad[k].T"),
    ], "the weight gradient is transposed"),
    "derivative missing": ("network", [
        ("g = g * (h * (1 - h))", "g = g * 1.0"),
    ], "the activation derivative is missing"),
    "derivative at h": ("network", [
        ("g = g * (h * (1 - h))", "g = g * sigmoid_prime(h)"),
    ], "the activation derivative is taken at h instead of a"),
    "derivative missing on the output layer": ("network", [
        ("g = g * (h * (1 - h))",
         "g = g * (h * (1 - h) if k < self.n_layers else 1.0)"),
    ], "the activation derivative is missing on the output layer"),
    "last layer linear": ("network", [
        ("h = sigmoid(a)\n", "h = sigmoid(a) if k < self.n_layers else a\n"),
    ], "the last layer is left linear"),
    "bias gradient from the first row": ("network", [
        ("self.biases_grad[k] = g_rows.sum(axis=0)", "self.biases_grad[k] = g_rows[0]"),
    ], "the bias gradient comes from one row of the batch"),
    "bias gradient from the last row": ("network", [
        ("self.biases_grad[k] = g_rows.sum(axis=0)", "self.biases_grad[k] = g_rows[-1]"),
    ], "the bias gradient comes from one row of the batch"),
    "gradients accumulate": ("network", [
        ("self.weights_grad[k] = h_rows.T @ g_rows", "self.weights_grad[k] += h_rows.T @ g_rows"),
    ], "the gradients accumulate across calls"),
    "previous activation off by one": ("network", [
        ("h_rows = np.atleast_2d(self.activations[k - 1])", "h_rows = np.atleast_2d(self.activations[k])"),
    ], "the previous layer's activation is off by one"),
    "update adds": ("network", [
        ("self.weights[k] -= learning_rate", "self.weights[k] += learning_rate"),
        ("self.biases[k] -= learning_rate", "self.biases[k] += learning_rate"),
    ], "update adds the gradient instead of subtracting it"),
    "update adds, weights only": ("network", [
        ("self.weights[k] -= learning_rate", "self.weights[k] += learning_rate"),
    ], "update adds the gradient instead of subtracting it"),
    "predict over the wrong axis": ("network", [
        ("return np.argmax(h, axis=-1)", "return np.argmax(h, axis=0)"),
    ], "predict takes the argmax over the wrong axis"),
    "loss with a half": ("network", [
        ("self.loss = np.sum((self.output - targets) ** 2)", "self.loss = 0.5 * np.sum((self.output - targets) ** 2)"),
    ], "the loss carries a 1/2"),
    "loss averaged over the batch": ("network", [
        ("self.loss = np.sum((self.output - targets) ** 2)",
         "self.loss = np.sum((self.output - targets) ** 2) / len(np.atleast_2d(targets))"),
    ], "the loss is averaged over the batch"),
    "loss with np.mean": ("network", [
        ("return float(np.sum((self.output - targets) ** 2))", "return float(np.mean((self.output - targets) ** 2))"),
    ], "the loss is averaged over every element (np.mean)"),
    # Mistakes the catalogue does not know: failures, but no name.
    "g times 1.37": ("network", [
        ("g = 2 * (self.output - targets)", "g = 2 * 1.37 * (self.output - targets)"),
    ], None),
    "gradient off by noise": ("network", [
        ("g = 2 * (self.output - targets)",
         "g = 2 * (self.output - targets) * (1 + 1e-3 * np.random.default_rng(0).standard_normal(np.shape(targets)))"),
    ], None),
    "wrong sigmoid derivative": ("network", [
        ("g = g * (h * (1 - h))", "g = g * (h * (1 + h))"),
    ], None),
    "update with half the step": ("network", [
        ("self.weights[k] -= learning_rate", "self.weights[k] -= 0.5 * learning_rate"),
    ], None),
    "bias gradient off by a constant": ("network", [
        ("self.biases_grad[k] = g_rows.sum(axis=0)", "self.biases_grad[k] = g_rows.sum(axis=0) + 0.01"),
    ], None),
    # training.py, run on the grader's recording stand-in network
    "never shuffled": ("training", [
        ("order = rng.permutation(n)  # a new order every epoch", "order = np.arange(n)"),
    ], "the examples are never shuffled"),
    "shuffled once, before the epochs": ("training", [
        ("    for epoch in range(epochs):\n        order = rng.permutation(n)  # a new order every epoch\n",
         "    order = rng.permutation(n)\n    for epoch in range(epochs):\n"),
    ], "the examples are shuffled once, not every epoch"),
    "generator re-seeded every epoch": ("training", [
        ("order = rng.permutation(n)  # a new order every epoch", "order = np.random.default_rng(seed).permutation(n)"),
    ], "the examples are shuffled once, not every epoch"),
    "learning rate not divided by the batch size": ("training", [
        ("step = learning_rate / batch_size", "step = learning_rate"),
    ], "the learning rate is not divided by the batch size"),
    "last mini-batch dropped": ("training", [
        ("for start in range(0, n, batch_size):", "for start in range(0, n - batch_size + 1, batch_size):"),
    ], "the last, partial mini-batch is dropped"),
    "a step per example": ("training", [
        ("            network.forward(x, t)\n            network.backprop(t)\n            network.update(step)\n",
         "            for x1, t1 in zip(x, t):\n                network.forward(x1, t1)\n"
         "                network.backprop(t1)\n                network.update(step)\n"),
    ], "a step for every example instead of every batch"),
    "learning rate divided by n": ("training", [
        ("step = learning_rate / batch_size", "step = learning_rate / n"),
    ], None),
    "first example skipped": ("training", [
        ("for start in range(0, n, batch_size):", "for start in range(1, n, batch_size):"),
    ], None),
    # functional.py: lesson 2's backward, one example per column, for a loss with a 0.5
    "functional: sign flipped": ("functional", [
        ("return yhat - y\n", "return y - yhat\n"),
    ], "the sign of delta is flipped"),
    "functional: the 0.5 not cancelled": ("functional", [
        ("return yhat - y\n", "return 2 * (yhat - y)\n"),
    ], "the gradient of a loss without the 0.5"),
    "functional: mean over the columns": ("functional", [
        ("grad_biases[l - 1] = delta.sum(axis=1, keepdims=True)",
         "grad_biases[l - 1] = delta.mean(axis=1, keepdims=True)"),
        ("grad_weights[l - 1] = delta @ activations[l - 1].T",
         "grad_weights[l - 1] = delta @ activations[l - 1].T / delta.shape[1]"),
    ], "the mean over the columns instead of the sum"),
    "functional: transposed weight gradient": ("functional", [
        ("grad_weights[l - 1] = delta @ activations[l - 1].T", "grad_weights[l - 1] = activations[l - 1] @ delta.T"),
    ], "grad_weights is transposed"),
    "functional: derivative missing": ("functional", [
        (" * sigma_prime(z_inputs[L - 1])", ""), (" * sigma_prime(z_inputs[l - 2])", ""),
    ], "sigma_prime is missing"),
    "functional: derivative at the activation": ("functional", [
        ("sigma_prime(z_inputs[L - 1])", "sigma_prime(activations[L])"),
        ("sigma_prime(z_inputs[l - 2])", "sigma_prime(activations[l - 1])"),
    ], "sigma_prime is taken at the activation a(l) instead of z(l)"),
    "functional: delta times 1.37": ("functional", [
        ("return yhat - y\n", "return 1.37 * (yhat - y)\n"),
    ], None),
    # nn.py: lesson 3's backprop, one example per row, with the reference's activations and L2
    "nn: sign flipped": ("nn", [
        ("g = self.loss.deriv(h, y)  #", "g = -self.loss.deriv(h, y)  #"),
    ], "the sign of g is flipped in backprop"),
    "nn: the 2 missing": ("nn", [
        ("g = self.loss.deriv(h, y)  #", "g = h - y  #"),
    ], "the 2 of L2's derivative is missing"),
    "nn: mean over the rows": ("nn", [
        ("b_grad[i] = g.sum(axis=0, keepdims=True)", "b_grad[i] = g.mean(axis=0, keepdims=True)"),
        ("w_grad[i] = hs[i].T @ g", "w_grad[i] = hs[i].T @ g / len(g)"),
    ], "the mean over the rows instead of the sum"),
    "nn: transposed weight gradient": ("nn", [
        ("w_grad[i] = hs[i].T @ g", "w_grad[i] = g.T @ hs[i]"),
    ], "w_grad is transposed"),
    "nn: derivative missing": ("nn", [
        ("g = g * self.activation.deriv(zs[i])", "g = g * 1.0"),
    ], "the activation's deriv is missing"),
    "nn: derivative at the activation": ("nn", [
        ("g = g * self.activation.deriv(zs[i])", "g = g * self.activation.deriv(hs[i + 1])"),
    ], "deriv is taken at the activation's output h instead of z"),
    "functional: bias gradient without keepdims": ("functional", [
        ("grad_biases[l - 1] = delta.sum(axis=1, keepdims=True)", "grad_biases[l - 1] = delta.sum(axis=1)"),
    ], "the bias gradient lost its second axis"),
    "nn: bias gradient without keepdims": ("nn", [
        ("b_grad[i] = g.sum(axis=0, keepdims=True)", "b_grad[i] = g.sum(axis=0)"),
    ], "the bias gradient lost its first axis"),
    "nn: gradients in reverse layer order": ("nn", [
        ("        return w_grad, b_grad\n", "        return w_grad[::-1], b_grad[::-1]\n"),
    ], "the gradient lists are in reverse layer order"),
    # A layer index off by one that still runs: the previous layer's input is a(l-2), and at the first
    # layer index -1 wraps around to the output (a wrong shape there, wrong values above it).
    "functional: previous activation off by one": ("functional", [
        ("grad_weights[l - 1] = delta @ activations[l - 1].T", "grad_weights[l - 1] = delta @ activations[l - 2].T"),
    ], "a layer index is off by one in backward"),
    "nn: previous activation off by one": ("nn", [
        ("w_grad[i] = hs[i].T @ g", "w_grad[i] = hs[i - 1].T @ g"),
    ], "a layer index is off by one in backprop"),
    # lesson 7's Classifier: the layer's own output for its input; runs where the hidden layers are square
    "further: previous activation off by one": ("further", [
        ("h_rows = np.atleast_2d(self.activations[k - 1])", "h_rows = np.atleast_2d(self.activations[k])"),
    ], "a layer index is off by one in backprop"),
    "nn: g times 1.37": ("nn", [
        ("g = self.loss.deriv(h, y)  #", "g = 1.37 * self.loss.deriv(h, y)  #"),
    ], None),
}
# the MNIST run proves nothing here
GRADER_ARGS = {"training": ["-k", "not your_network_on_mnist"], "further": ["-k", "not your_classifier_on_mnist"]}

CATALOGUE = diagnoses.catalogue()
NAMES = sorted({m.name for m in CATALOGUE})


def variant_source(module, edits):
    source = (SOLUTIONS / f"{module}.py").read_text(encoding="utf-8")
    for old, new in edits:
        count = source.count(old)
        assert count == 1, f"{old!r} occurs {count} times in solutions/{module}.py (update the variant)"
        source = source.replace(old, new)
    return source


def grade(folder, module):
    """Run the grader's tests of `module` on `folder`; returns (exit code, results.json, stdout)."""
    graded = grade_module(module, folder, folder.parent / f"{folder.name}.json", *GRADER_ARGS.get(module, []))
    return graded.exit_code, graded.results, graded.stdout


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Every variant, and the reference, graded once, one after another in the warm grader."""
    base = tmp_path_factory.mktemp("diagnoses")
    jobs = {}
    references = [("reference", ("network", [], None)), ("training reference", ("training", [], None)),
                  ("functional reference", ("functional", [], None)), ("nn reference", ("nn", [], None))]
    for name, (module, edits, _) in [*references, *VARIANTS.items()]:
        folder = base / name.replace(" ", "_").replace(",", "").replace(":", "")
        folder.mkdir()
        for path in SOLUTIONS.glob("*.py"):
            shutil.copy(path, folder / path.name)
        (folder / f"{module}.py").write_text(variant_source(module, edits), encoding="utf-8")
        jobs[name] = (folder, module)
    return {name: grade(*job) for name, job in jobs.items()}


def failed_outputs(results):
    return {t["name"]: t["output"] for t in results["tests"] if t["status"] == "failed"}


def named(output):
    """The catalogue's mistakes an output names ("probably: <name>: ..." or "- <name>: ...")."""
    return {name for name in NAMES if f"probably: {name}:" in output or f"- {name}:" in output}


@pytest.mark.parametrize("reference", ["reference", "training reference", "functional reference", "nn reference"])
def test_the_reference_gets_no_diagnosis(graded, reference):
    code, results, stdout = graded[reference]
    assert code == 0, stdout
    assert not failed_outputs(results)
    assert "probably" not in stdout and diagnoses.UNRECOGNISED not in stdout


@pytest.mark.parametrize("variant", [v for v, (_, _, m) in VARIANTS.items() if m is not None])
def test_each_mistake_gets_its_own_diagnosis(graded, variant):
    module, _, mistake = VARIANTS[variant]
    code, results, stdout = graded[variant]
    failed = failed_outputs(results)
    assert code == 1 and failed, stdout
    assert any(f"probably: {mistake}:" in output for output in failed.values()), "\n\n".join(failed.values())
    for test, output in failed.items():
        others = named(output) - {mistake}
        if others:
            # Allowed only where the numbers cannot tell the mistakes apart, and said so.
            assert "probably one or more of these mistakes" in output and mistake in output, f"{test}:\n{output}"
            assert others <= AMBIGUOUS.get(mistake, set()), f"{test}:\n{output}"


# Mistakes that give the very same numbers in some graded case, and are then listed together.
AMBIGUOUS = {
    # With a single layer (784-10), the output layer is every layer.
    "the activation derivative is missing": {"the activation derivative is missing on the output layer"},
    "the activation derivative is missing on the output layer": {"the activation derivative is missing"},
}


@pytest.mark.parametrize("variant", [v for v, (_, _, m) in VARIANTS.items() if m is None])
def test_unknown_mistakes_are_not_named(graded, variant):
    code, results, stdout = graded[variant]
    failed = failed_outputs(results)
    assert code == 1 and failed, stdout
    for test, output in failed.items():
        assert not named(output) and "probably" not in output, f"{test}:\n{output}"
    assert any(diagnoses.UNRECOGNISED in output for output in failed.values()), "\n\n".join(failed.values())


# --- the catalogue itself, without a grader run ---

def reference_network():
    import importlib.util

    spec = importlib.util.spec_from_file_location("reference_network_for_diagnoses", SOLUTIONS / "network.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def twin(network, definition, batch, seed=3):
    net = network.Network(definition, seed=seed)
    rng = np.random.default_rng(seed)
    for k in net.biases:
        net.biases[k] = rng.normal(0, 0.5, size=net.biases[k].shape)
    x = rng.random((batch, definition[0]))
    t = np.eye(definition[-1])[rng.integers(0, definition[-1], batch)]
    net.forward(x, t)
    net.backprop(t)
    return net, x, t


@pytest.mark.parametrize("definition", [(20, 6, 6, 4), (12, 4)])
def test_the_recomputed_reference_is_the_reference(definition):
    """The catalogue's own forward/backward, without a mistake, gives the reference's numbers."""
    network = reference_network()
    net, x, t = twin(network, definition, 7)
    case = diagnoses.Case({}, data=network_mistakes.network_data(network, net, x, t))
    run = network_mistakes.recompute(case)
    for label, value in network_mistakes.gradients(run).items():
        np.testing.assert_allclose(value, diagnoses.members(net, "biases_grad", "weights_grad")[label], rtol=1e-12)
    np.testing.assert_allclose(run.output, net.output, rtol=1e-12)
    assert run.loss == pytest.approx(net.loss, rel=1e-12)


@pytest.mark.parametrize("batch", [1, 2, 7, 32])
def test_backprop_mistakes_are_told_apart_with_the_tolerance(batch):
    """Every two backprop mistakes predict numbers further apart than DISTINCT, in a network with
    square layers: a result that matches one within MATCH cannot match another. (With a batch
    of 2, the mean over the batch is the factor 1/2: the grader's batches are 1 and 32.)"""
    network = reference_network()
    net, x, t = twin(network, (20, 6, 6, 4), batch)
    case = diagnoses.Case(diagnoses.members(net, "biases_grad", "weights_grad"),
                          data=network_mistakes.network_data(network, net, x, t))
    predictions = {}
    for mistake in CATALOGUE:
        if "backprop" in mistake.checks:
            produced = mistake.produce(case)
            if produced is not None:
                predictions[mistake.name] = produced if isinstance(produced, list) else [produced]
    assert len(predictions) >= (11 if batch > 1 else 9)
    confusable = {frozenset({"the factor 2 of the square is missing", "the mean over the batch instead of the sum"})}
    for a, pa in predictions.items():
        for b, pb in predictions.items():
            if a >= b or (batch == 2 and frozenset({a, b}) in confusable):
                continue
            for one in pa:
                for other in pb:
                    # the student's result is `one`: the other mistake must not explain it
                    assert not diagnoses._explains(other, one, case.correct, 1e-5, 1e-8), (a, b)
                    assert not diagnoses._explains(one, other, case.correct, 1e-5, 1e-8), (a, b)
            # and each explains its own numbers
            assert diagnoses._explains(pa[0], pa[0], case.correct, 1e-5, 1e-8), a


def test_a_wrong_answer_without_a_known_mistake_says_so():
    network = reference_network()
    net, x, t = twin(network, (20, 6, 4), 5)
    got = {label: 1.37 * value for label, value in diagnoses.members(net, "biases_grad", "weights_grad").items()}
    diagnose = network_mistakes.backprop(network, net, x, t, type("Student", (), {})())
    diagnose.got = lambda: got
    assert diagnose() == diagnoses.UNRECOGNISED
    got = {label: -value for label, value in diagnoses.members(net, "biases_grad", "weights_grad").items()}
    assert diagnose().startswith("probably: the sign of g is flipped:")
    assert "/lessons/network/#sign-flipped" in diagnose()


def reference_module(name):
    import importlib.util

    spec = importlib.util.spec_from_file_location(f"reference_{name}_for_diagnoses", SOLUTIONS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def functional_case(batch):
    functional = reference_module("functional")
    model = functional.initialize_model([20, 6, 6, 4], seed=3)
    rng = np.random.default_rng(3)
    model["biases"] = [rng.normal(0, 0.5, size=b.shape) for b in model["biases"]]
    x = rng.random((20, batch))
    y = np.eye(4)[:, rng.integers(0, 4, batch)]
    functional.forward(x, model)
    functional.backward(y, model)
    return "backward", functional_mistakes.backward(functional, model, x, y, {}).case


def nn_case(batch, activation):
    nn = reference_module("nn")
    net = nn.NN([20, 6, 6, 4], getattr(nn, activation)(), nn.L2(), seed=3)
    rng = np.random.default_rng(3)
    net.b = [rng.normal(0, 0.5, size=b.shape) for b in net.b]
    x = rng.random((batch, 20)) if batch > 1 else rng.random(20)
    y = np.eye(4)[rng.integers(0, 4, batch)] if batch > 1 else np.eye(4)[1]
    expected = net.backprop(x, y)
    return "nn backprop", nn_mistakes.backprop(net, x, y, expected, expected).case


@pytest.mark.parametrize("batch", [1, 32])
@pytest.mark.parametrize("make", [functional_case, lambda batch: nn_case(batch, "Sigmoid"),
                                  lambda batch: nn_case(batch, "Tanh")], ids=["functional", "nn Sigmoid", "nn Tanh"])
def test_functional_and_nn_mistakes_are_told_apart(make, batch):
    """Without the mistake, the recomputation gives the reference's gradients; with it, every two
    mistakes predict numbers further apart than DISTINCT, each explaining only its own."""
    check, case = make(batch)
    mistakes = [m for m in CATALOGUE if check in m.checks]
    assert len(mistakes) == 9  # lesson 2 names reversed gradient lists too, as lesson 3 does; and an index off by one
    recompute = functional_mistakes.recompute_gradients if check == "backward" else nn_mistakes.recompute_gradients
    for label, value in recompute(case).items():
        np.testing.assert_allclose(value, case.correct[label], rtol=1e-10, atol=1e-12)
    predictions = {m.name: m.produce(case) for m in mistakes}
    predictions = {name: p if isinstance(p, list) else [p] for name, p in predictions.items() if p is not None}
    assert len(predictions) == len(mistakes) - (batch == 1)  # the mean over one example changes nothing
    for a, pa in predictions.items():
        for one in pa:
            assert diagnoses._explains(one, one, case.correct, 1e-5, 1e-8), a
            for b, pb in predictions.items():
                if a != b:
                    assert not any(diagnoses._explains(other, one, case.correct, 1e-5, 1e-8) for other in pb), (a, b)


# Every mistake a lesson's "Common mistakes" lists is named by a diagnosis or a grader message, or
# said not to be: a rule of `python -m coursekit.check` (course.toml's named_by_a_message), which
# tests/test_catalog.py runs.


# --- a mistake is named only for numbers its simulation gives: all of them --------------------

def test_a_schedule_is_named_only_by_a_mistake_that_gives_every_rate():
    """cosine_schedule's rates at every point of the grader's test are judged at once: a mistake
    that gives the first wrong rate but not the others is not named."""
    from grader.diagnoses import further as further_mistakes

    points = [(0, 100, 0.1), (50, 100, 0.1), (25, 100, 0.1), (1, 3, 2.0), (7, 10, 0.5)]
    counted_from_one = [p * (1 + np.cos(np.pi * (s + 1) / n)) / 2 for s, n, p in points]
    said = further_mistakes.cosine_schedule_at(points, counted_from_one)()
    assert said.startswith("probably: the schedule counted from step 1:"), said
    mixed = counted_from_one[:-1] + [0.5 * (1 + np.cos(np.pi * 7 / 9)) / 2]  # the last: total_steps - 1
    assert further_mistakes.cosine_schedule_at(points, mixed)() == diagnoses.UNRECOGNISED


def test_two_backprop_mistakes_at_once_are_both_named_and_one_alone_is_not():
    """No single mistake gives minus the transposed gradients; the pair does, and is named as a
    pair. A mistake the catalogue does not know, on top of one it does, names nothing."""
    network = reference_network()
    net, x, t = twin(network, (20, 6, 6, 4), 5)
    right = diagnoses.members(net, "biases_grad", "weights_grad")
    diagnose = network_mistakes.backprop(network, net, x, t, type("Student", (), {})())
    diagnose.got = lambda: {label: -(v.T if label.startswith("weights") else v) for label, v in right.items()}
    said = diagnose()
    assert said.startswith("probably 2 mistakes at once, each needed to explain the numbers"), said
    assert "- the sign of g is flipped:" in said and "- the weight gradient is transposed:" in said
    diagnose.got = lambda: {label: -1.37 * (v.T if label.startswith("weights") else v) for label, v in right.items()}
    assert diagnose() == diagnoses.UNRECOGNISED
