"""The grader on further.py: the reference passes, right variants in other styles pass, and
every wrong variant fails the test it should, with the mistake named (grader/diagnoses/further.py).

Each variant is the reference with edits, written into its own folder and graded in a
subprocess as a student's folder would be. The end-to-end MNIST test runs only where it is the
point: on the reference and on the example-by-example variant (the slowest right style).
"""


import ast

import grading
import pytest
from grading import EXERCISES, by_test, edited, failures, grade_module

from coursekit import ROOT
from coursekit.stubs import BEGIN, END

E2E = "test_your_classifier_on_mnist"

SHIFT = "    e = np.exp(a - np.max(a, axis=-1, keepdims=True))\n"
NORMALISE = "    return e / np.sum(e, axis=-1, keepdims=True)\n"
LOG = "    return float(-np.sum(t * np.log(np.maximum(y, tiny))))\n"
HE = "rng.normal(0.0, np.sqrt(2 / n[k - 1]), size=(n[k - 1], n[k]))"
OUTPUT_G = "        g = self.output - targets  # dJ/da(L): the lesson derives it through the softmax's Jacobian\n"
RELU_DOWN = "                g = (g @ self.weights[k].T) * relu_prime(self.layers[k - 1])\n"
VELOCITY_W = ("            self.weights_velocity[k] = self.momentum * self.weights_velocity[k] - self.learning_rate * (\n"
              "                net.weights_grad[k] / n + self.weight_decay * net.weights[k])\n")
VELOCITY_B = ("            self.biases_velocity[k] = (self.momentum * self.biases_velocity[k]\n"
              "                                       - self.learning_rate * net.biases_grad[k] / n)\n")
APPLY = ("            net.weights[k] += self.weights_velocity[k]\n"
         "            net.biases[k] += self.biases_velocity[k]\n")
BATCHES = "        for start in range(0, n, batch_size):\n"
STEP_N = "            optimizer.step(len(x))"
EPOCH_LOOP = "    for epoch in range(epochs):\n"
PERMUTE = "        order = rng.permutation(n)  # a new order every epoch\n"


def solution_of(qualname):
    """The lines between `qualname`'s BEGIN and END SOLUTION markers in solutions/further.py: the
    part a student writes, for a variant that writes the whole of it in another way."""
    source = (grading.SOLUTIONS / "further.py").read_text(encoding="utf-8")
    lines = source.splitlines(keepends=True)
    scope = ast.parse(source)
    for name in qualname.split("."):
        scope = next(node for node in scope.body if getattr(node, "name", None) == name)
    begin = next(i for i in range(scope.lineno, scope.end_lineno) if BEGIN.match(lines[i]))
    end = next(i for i in range(begin, len(lines)) if END.match(lines[i]))
    return "".join(lines[begin + 1:end])


# Forward and backprop one example at a time, with 1-D vectors (np.outer for the weights).
PER_EXAMPLE_FORWARD = (solution_of("Classifier.forward"), '''        L = self.n_layers
        wanted = tuple(np.shape(features)[:-1]) + (self.definition[-1],)
        if tuple(np.shape(targets)) != wanted:
            raise ValueError(f"targets: shape {np.shape(targets)}; the output: shape {wanted}")
        layers = {k: [] for k in range(1, L + 1)}
        outputs, loss = [], 0.0
        for x, t in zip(np.atleast_2d(features), np.atleast_2d(targets)):
            h = x
            for k in range(1, L + 1):
                layers[k].append(self.biases[k] + h @ self.weights[k])
                h = np.maximum(layers[k][-1], 0) if k < L else softmax(layers[k][-1])
            outputs.append(h)
            loss += cross_entropy(h, t)
        one = np.ndim(features) == 1
        self.layers = {k: (rows[0] if one else np.array(rows)) for k, rows in layers.items()}
        self.activations = {0: features}
        for k in range(1, L):
            self.activations[k] = np.maximum(self.layers[k], 0)
        self.activations[L] = self.output = outputs[0] if one else np.array(outputs)
        self.loss = loss
''')
PER_EXAMPLE_BACKPROP = (solution_of("Classifier.backprop"), '''        wg = {k: np.zeros(W.shape) for k, W in self.weights.items()}
        bg = {k: np.zeros(b.shape) for k, b in self.biases.items()}
        outputs, wanted = np.atleast_2d(self.output), np.atleast_2d(targets)
        for i in range(len(outputs)):
            g = outputs[i] - wanted[i]
            for k in range(self.n_layers, 0, -1):
                below = np.atleast_2d(self.activations[k - 1])[i]
                bg[k] += g
                wg[k] += np.outer(below, g)
                if k > 1:
                    g = (self.weights[k] @ g) * (np.atleast_2d(self.layers[k - 1])[i] > 0)
        self.weights_grad, self.biases_grad = wg, bg
''')

RIGHT = {
    "example by example": [PER_EXAMPLE_FORWARD, PER_EXAMPLE_BACKPROP],
    "einsum": [("            a = self.biases[k] + h @ self.weights[k]\n            h = relu(a) if",
                "            a = self.biases[k] + np.einsum('...i,ij->...j', h, self.weights[k])\n            h = relu(a) if"),
               ("            self.weights_grad[k] = h_rows.T @ g_rows\n",
                "            self.weights_grad[k] = np.einsum('bi,bj->ij', h_rows, g_rows)\n")],
    "float32 by default": [("    def __init__(self, definition, seed=None, dtype=np.float64):",
                            "    def __init__(self, definition, seed=None, dtype=np.float32):")],
    "helpers, clipped log, where": [
        ("    return np.maximum(x, 0)\n", "    return x * (x > 0)\n"),
        ("    x = np.asarray(x)\n    return (x > 0).astype(np.result_type(x.dtype, np.float32))\n",
         "    return np.where(np.asarray(x) > 0, 1.0, 0.0)\n"),
        (LOG, "    return -np.sum(t * np.log(np.where(t != 0, y, 1)))\n"),
        (SHIFT + NORMALISE, "    return np.exp(a - _logsumexp(a))\n\n\ndef _logsumexp(a):\n"
                            "    m = np.max(a, axis=-1, keepdims=True)\n"
                            "    return m + np.log(np.sum(np.exp(a - m), axis=-1, keepdims=True))\n")],
    "v = beta v + eta g, W -= v, not in place": [
        (VELOCITY_W, VELOCITY_W.replace(" - self.learning_rate", " + self.learning_rate")),
        (VELOCITY_B, VELOCITY_B.replace("- self.learning_rate", "+ self.learning_rate")),
        (APPLY, "            net.weights[k] = net.weights[k] - self.weights_velocity[k]\n"
                "            net.biases[k] = net.biases[k] - self.biases_velocity[k]\n")],
    # np.cos gives a NumPy float64, which the lesson's "one trap" warns about: float() of it is right
    # (a bare NumPy scalar fails, tests/test_agreement.py's cosine-returns-a-numpy-scalar).
    "numpy cos, assert, probabilities in predict": [
        ("    return float(peak * (1 + math.cos(math.pi * step / total_steps)) / 2)\n",
         "    return float(peak * 0.5 * (1 + np.cos(np.pi * step / total_steps)))\n"),
        ("        return np.argmax(a, axis=-1)", "        return np.argmax(softmax(a), axis=-1)"),
        ("        if np.shape(targets) != output_shape:\n            raise ValueError(",
         "        assert np.shape(targets) == output_shape, (")],
    "fit gathers each batch, counts steps itself": [
        ("        shuffled_features, shuffled_targets = features[order], targets[order]\n", ""),
        ("            x = shuffled_features[start:start + batch_size]  # the last slice may be shorter\n"
         "            t = shuffled_targets[start:start + batch_size]\n",
         "            batch = order[start:start + batch_size]\n            x, t = features[batch], targets[batch]\n"),
        ("                optimizer.learning_rate = schedule(j)\n",
         "                optimizer.learning_rate = schedule(epoch * (-(-n // batch_size)) + start // batch_size)\n")],
}

# name: (edits, the test expected to fail, the mistake named in its message or None)
WRONG = {
    "softmax without the shift": ([(SHIFT, "    e = np.exp(a)\n")], "test_softmax_of_large_entries",
                                  "softmax without subtracting the row maximum"),
    "softmax over axis 0": ([(SHIFT + NORMALISE, SHIFT.replace("-1", "0") + NORMALISE.replace("-1", "0"))],
                            "test_softmax_matches_reference", "softmax over the wrong axis"),
    "sigmoid slope at the output": ([(OUTPUT_G, "        g = (self.output - targets) * self.output * (1 - self.output)\n")],
                                    "test_backprop_matches_reference", "the sigmoid's slope kept at the softmax output"),
    "log(0)": ([(LOG, "    return float(-np.sum(t * np.log(y)))\n")],
               "test_cross_entropy_where_the_output_underflows", "log(0)"),
    "cross-entropy averaged": ([(LOG, "    return float(-np.sum(t * np.log(np.maximum(y, tiny))) / len(np.atleast_2d(t)))\n")],
                               "test_cross_entropy_matches_reference", "the cross-entropy averaged over the batch"),
    "momentum climbs": ([(VELOCITY_W, VELOCITY_W.replace(" - self.learning_rate", " + self.learning_rate")),
                         (VELOCITY_B, VELOCITY_B.replace("- self.learning_rate", "+ self.learning_rate"))],
                        "test_momentum_step_by_step", "momentum with the wrong sign"),
    "momentum steps with the old velocity": ([(VELOCITY_W + VELOCITY_B + APPLY, APPLY + VELOCITY_W + VELOCITY_B)],
                                             "test_momentum_step_by_step", "momentum in the wrong order"),
    "weight decay on the biases": ([(VELOCITY_B, VELOCITY_B.replace("net.biases_grad[k] / n)",
                                                                    "(net.biases_grad[k] / n + self.weight_decay * net.biases[k]))"))],
                                   "test_momentum_step_by_step", "weight decay applied to the biases"),
    "gradients not divided by n": ([(VELOCITY_W, VELOCITY_W.replace("weights_grad[k] / n", "weights_grad[k]")),
                                    (VELOCITY_B, VELOCITY_B.replace("biases_grad[k] / n", "biases_grad[k]"))],
                                   "test_momentum_step_by_step", "the gradients not divided by the batch size"),
    "He variance 1/n": ([(HE, HE.replace("2 / n[k - 1]", "1 / n[k - 1]"))], "test_classifier_init_is_he",
                        "He variance 1/n instead of 2/n"),
    "ReLU slope left out": ([(RELU_DOWN, "                g = g @ self.weights[k].T\n")],
                            "test_backprop_matches_reference", "ReLU's slope is left out"),
    "relu_prime(0) = 1": ([("    return (x > 0).astype(", "    return (x >= 0).astype(")], "test_relu_prime", None),
    "fit drops the last batch": ([(BATCHES, "        for start in range(0, n - batch_size + 1, batch_size):\n")],
                                 "test_fit_keeps_the_last_partial_batch_and_steps_by_its_size", None),
    "fit steps by batch_size": ([(STEP_N, "            optimizer.step(batch_size)")],
                                "test_fit_keeps_the_last_partial_batch_and_steps_by_its_size", None),
    "schedule restarts every epoch": ([(EPOCH_LOOP, EPOCH_LOOP + "        j = 0\n")],
                                      "test_fit_sets_the_scheduled_rate_before_every_step", None),
    "fit shuffles once": ([(EPOCH_LOOP + PERMUTE, "    order = rng.permutation(n)\n" + EPOCH_LOOP)],
                          "test_fit_visits_every_example_once_per_epoch_in_a_fresh_order", None),
    "cosine without the half": ([("(1 + math.cos(math.pi * step / total_steps)) / 2)", "(1 + math.cos(math.pi * step / total_steps)))")],
                                "test_cosine_schedule", None),
}


def variant(folder, edits):
    folder.mkdir()
    (folder / "further.py").write_text(edited("further", edits), encoding="utf-8")
    return folder


def grade(target, tmp_path, end_to_end=False):
    graded = grade_module("further", target, tmp_path / "results.json",
                          *(() if end_to_end else ("-k", f"not {E2E}")))
    return graded.exit_code, by_test(graded)


@pytest.fixture
def patient(monkeypatch):
    """The MNIST runs' limit is the grader's CPU budget: on a busy machine their wall time can pass
    grading.RUN_SECONDS, which is not what these tests are about, so they may take longer."""
    monkeypatch.setattr(grading, "RUN_SECONDS", 900)


def test_reference_passes_end_to_end(tmp_path, patient):
    code, tests = grade(ROOT / "solutions", tmp_path, end_to_end=True)
    assert code == 0, failures(tests)
    assert E2E in tests


def test_the_exercise_is_not_attempted(tmp_path):
    code, tests = grade(EXERCISES, tmp_path, end_to_end=True)
    assert code == 1
    assert all("not attempted" in t["output"] for t in tests.values()), {n: t["output"] for n, t in tests.items()}


@pytest.mark.parametrize("name", RIGHT)
def test_right_variants_pass(name, tmp_path):
    code, tests = grade(variant(tmp_path / "v", RIGHT[name]), tmp_path)
    assert code == 0, failures(tests)


def test_example_by_example_passes_end_to_end(tmp_path, patient):
    """The slowest right style (about 6-8x the reference's CPU time, some 45 s) stays within the
    test's CPU limit."""
    code, tests = grade(variant(tmp_path / "v", RIGHT["example by example"]), tmp_path, end_to_end=True)
    assert code == 0, failures(tests)


@pytest.mark.parametrize("name", WRONG)
def test_wrong_variants_fail(name, tmp_path):
    edits, expected, mistake = WRONG[name]
    code, tests = grade(variant(tmp_path / "v", edits), tmp_path)
    assert code == 1, f"exit status {code}: 1 expected for a wrong answer"
    failed = failures(tests)
    assert expected in failed, f"{name}: {expected} passed; failed: {sorted(failed)}"
    if mistake:
        assert f"probably: {mistake}" in failed[expected] or f"- {mistake}" in failed[expected], failed[expected]


def test_a_wrong_momentum_fails_end_to_end(tmp_path, patient):
    """A Classifier that is right with a Momentum that climbs does not learn: the MNIST test fails."""
    edits, _, _ = WRONG["momentum climbs"]
    code, tests = grade(variant(tmp_path / "v", edits), tmp_path, end_to_end=True)
    assert code == 1
    assert "reached" in failures(tests)[E2E]
