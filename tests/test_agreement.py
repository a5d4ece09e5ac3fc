"""Trace, hint and the grader agree on the same wrong submissions: which method to fix first.

Each case is a copy of the reference with one realistic mistake (most of them found by trying
lessons 1 to 7 as a student would, issue 27). The grader is run as a student runs it
(`pytest grader --module M`, its MNIST run left out), then `python -m grader.trace M` and
`python -m grader.hint M`; all three must name the same method: the grader's "next:" line names
a failed test, whose method is the last of its `uses` in the lesson's order (grader.verdict).
"""

import json
import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from coursekit import ROOT
from grader import verdict
from grader.submissions import grader_command
from tests.grading import SOLUTIONS, edited
from tests.wrong_code import NN_BACKPROP, SEED_STYLE_BACKPROP

NO_MNIST = ("-k", "not test_your_classifier_on_mnist and not test_train_your_network_on_mnist")

# (name, module, edits to solutions/<module>.py, the method to fix first)
WRONG = [
    ("sign-flipped", "network", [("g = 2 * (self.output - targets)", "g = 2 * (targets - self.output)")],
     "Network.backprop"),
    ("bias-gradient-keepdims", "network", [("self.biases_grad[k] = g_rows.sum(axis=0)",
                                            "self.biases_grad[k] = g_rows.sum(axis=0, keepdims=True)")],
     "Network.backprop"),
    ("no-sigmoid-on-the-output", "network", [("            h = sigmoid(a)\n            self.layers[k] = a",
                                              "            h = sigmoid(a) if k < self.n_layers else a\n"
                                              "            self.layers[k] = a")],
     "Network.forward"),
    ("sigma-overflows", "functional", [("    e = np.exp(-np.abs(x))  # in (0, 1]: both branches below are safe for every x\n"
                                        "    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))",
                                        "    return 1 / (1 + np.exp(-x))")], "sigma"),
    ("loss-without-the-half", "functional", [("    return 0.5 * np.sum((yhat - y) ** 2)",
                                              "    return np.sum((yhat - y) ** 2)")], "loss"),
    ("backward-lists-reversed", "functional", [(
        '    model["grad_weights"], model["grad_biases"] = grad_weights, grad_biases',
        '    model["grad_weights"], model["grad_biases"] = grad_weights[::-1], grad_biases[::-1]')], "backward"),
    ("tanh-derivative-of-the-output", "nn", [("        return 1 - np.tanh(x) ** 2", "        return 1 - x ** 2")],
     "Tanh.deriv"),
    ("nn-backprop-lists-reversed", "nn", [("        return w_grad, b_grad\n", "        return w_grad[::-1], b_grad[::-1]\n")],
     "NN.backprop"),
    ("divided-by-the-batch-maximum", "data", [("    return flat.astype(np.float32) / 255",
                                               "    return flat.astype(np.float32) / flat.max()")], "to_features"),
    ("one-hot-from-the-labels-seen", "data", [(
        "    targets = np.zeros((len(labels), n_classes), dtype=np.float32)",
        "    targets = np.zeros((len(labels), int(labels.max()) + 1), dtype=np.float32)")], "one_hot"),
    ("accuracy-counts", "training", [("    return float(np.mean(np.asarray(predictions) == np.asarray(labels)))",
                                      "    return float(np.sum(np.asarray(predictions) == np.asarray(labels)))")],
     "accuracy"),
    ("targets-not-shuffled", "training", [("        np.take(targets, order, axis=0, out=shuffled_targets)",
                                           "        shuffled_targets[:] = targets")], "train"),
    ("softmax-without-the-shift", "further", [("    e = np.exp(a - np.max(a, axis=-1, keepdims=True))",
                                               "    e = np.exp(a)")], "softmax"),
    ("he-variance-one-over-n", "further", [("np.sqrt(2 / n[k - 1])", "np.sqrt(1 / n[k - 1])")],
     "Classifier.__init__"),
    ("relu-slope-below-the-output-missing", "further", [(
        "                g = (g @ self.weights[k].T) * relu_prime(self.layers[k - 1])",
        "                g = g @ self.weights[k].T")], "Classifier.backprop"),
    ("cosine-off-by-one", "further", [("math.cos(math.pi * step / total_steps)",
                                       "math.cos(math.pi * step / (total_steps - 1))")], "cosine_schedule"),
    ("sigmoid-object-overflows", "nn", [("        e = np.exp(-np.abs(x))\n        return np.where(x >= 0, 1 / (1 + e), e / (1 + e))",
                                        "        return 1 / (1 + np.exp(-x))")], "Sigmoid.fn"),
    ("relu-deriv-booleans", "nn", [("        return np.where(x > 0, 1.0, 0.0)", "        return x > 0")], "ReLU.deriv"),
    ("unscaled-weights", "functional", [("rng.normal(0.0, 1 / np.sqrt(n_in), size=(n_out, n_in))",
                                         "rng.normal(size=(n_out, n_in))")], "initialize_model"),
    ("global-seed", "functional", [("    rng = np.random.default_rng(seed)\n    weights, biases = [], []",
                                    "    np.random.seed(seed)\n    rng = np.random\n    weights, biases = [], []")],
     "initialize_model"),
    ("relu-prime-booleans", "further", [("    return (x > 0).astype(np.result_type(x.dtype, np.float32))",
                                         "    return x > 0")], "relu_prime"),
    ("cosine-returns-a-numpy-scalar", "further", [(
        "    return float(peak * (1 + math.cos(math.pi * step / total_steps)) / 2)",
        "    return peak * (1 + np.cos(np.pi * step / total_steps)) / 2")], "cosine_schedule"),
    ("momentum-without-the-mean", "further", [("net.weights_grad[k] / n + self.weight_decay",
                                               "net.weights_grad[k] + self.weight_decay")], "Momentum.step"),
    ("matmul-gradient-transposed", "autodiff", [(
        "            return (g @ b.T).reshape(self.data.shape), (a.T @ g).reshape(other.data.shape)",
        "            return (g @ b).reshape(self.data.shape), (a.T @ g).T.reshape(other.data.shape)")],
     "Tensor.__matmul__"),  # its test is `about` matmul: backward's tests that run no matmul pass
    ("backward-seeded-with-two", "autodiff", [("        g = {id(self): np.ones_like(self.data)}",
                                               "        g = {id(self): 2 * np.ones_like(self.data)}")],
     "Tensor.backward"),  # every rule's test fails too, but backward fails where that rule never runs
    # Issue 27's garbled and unnamed messages, mended: the grader, trace and hint name the same method.
    ("features-shuffled-in-place-targets-not", "training", [(
        "        order = rng.permutation(n)  # a new order every epoch\n"
        "        np.take(features, order, axis=0, out=shuffled_features)\n"
        "        np.take(targets, order, axis=0, out=shuffled_targets)\n",
        "        rng.shuffle(features)\n        shuffled_features[:] = features\n"
        "        shuffled_targets[:] = targets\n")], "train"),
    ("reshaped-in-fortran-order", "data", [("    flat = images.reshape(len(images), -1)",
                                            '    flat = images.reshape(len(images), -1, order="F")')], "to_features"),
    ("divided-by-each-images-maximum", "data", [("    return flat.astype(np.float32) / 255",
                                                 "    return flat.astype(np.float32) / flat.max(axis=1, keepdims=True)")],
     "to_features"),
    ("cross-entropy-for-batches-only", "further", [(
        "    return float(-np.sum(t * np.log(np.maximum(y, tiny))))",
        "    return float(-np.sum(np.log(y[np.arange(len(y)), t.argmax(axis=1)])))")], "cross_entropy"),
    ("never-shuffled-a-step-per-example", "training", [
        ("        order = rng.permutation(n)  # a new order every epoch\n", "        order = np.arange(n)\n"),
        ("            network.forward(x, t)\n            network.backprop(t)\n            network.update(step)\n",
         "            for x1, t1 in zip(x, t):\n                network.forward(x1, t1)\n"
         "                network.backprop(t1)\n                network.update(step)\n")], "train"),
    ("sigma-prime-not-the-slope-of-sigma", "functional", [("    return s * (1 - s)\n", "    return s * (1 + s)\n")],
     "sigma_prime"),
    ("backward-previous-activation-off-by-one", "functional", [(
        "grad_weights[l - 1] = delta @ activations[l - 1].T", "grad_weights[l - 1] = delta @ activations[l - 2].T")],
     "backward"),
    ("nn-previous-activation-off-by-one", "nn", [("w_grad[i] = hs[i].T @ g", "w_grad[i] = hs[i - 1].T @ g")],
     "NN.backprop"),
    ("seed-style-nn-backprop", "nn", [(NN_BACKPROP, SEED_STYLE_BACKPROP)], "NN.backprop"),
]
CASES = [getattr(case, "values", case) for case in WRONG]

# name: what the grader's terminal output, trace's and hint's must each say about the mistake
SAID = {
    "features-shuffled-in-place-targets-not": ["the examples and their targets were shuffled with different orders"] * 3,
    "reshaped-in-fortran-order": ["in column-major order"] * 3,
    "cross-entropy-for-batches-only": ["given y of shape (10,) and t of shape (10,)"] * 3,
    "never-shuffled-a-step-per-example": ["- a step for every example instead of every batch:"] * 3,
    "backward-previous-activation-off-by-one": ["probably: a layer index is off by one in backward:"] * 3,
    "nn-previous-activation-off-by-one": ["probably: a layer index is off by one in backprop:"] * 3,
    "seed-style-nn-backprop": ["- the gradient lists are in reverse layer order:"] * 3,
}  # (name, module, edits, first), marks aside


def make(folder, module, edits):
    folder.mkdir(parents=True)
    for path in SOLUTIONS.glob("*.py"):
        shutil.copy(path, folder / path.name)
    (folder / f"{module}.py").write_text(edited(module, edits), encoding="utf-8")
    return folder


def grader_first(module, folder, scratch):
    """The method the grader says to fix first: its "next:" line's test, and that test's uses."""
    results, markers = scratch / "results.json", scratch / "markers.json"
    command = grader_command(folder, results, "--module", module, "--markers-json", markers, *NO_MNIST,
                             tests=[f"grader/test_{module}.py"], quiet=False)
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 1, done.stdout + done.stderr
    line = next(line for line in done.stdout.splitlines() if line.startswith("next: fix "))
    test = line.split(", ", 1)[1].split(": ", 1)[0]
    described = json.loads(markers.read_text())[f"{module}.py: {test}"]
    return verdict.Blame(module).own(described["uses"], described["about"]), done.stdout


def tool(name, module, folder, state):
    env = {**os.environ, "COURSE_HINTS_STATE": str(state)}
    return subprocess.run([sys.executable, "-m", f"grader.{name}", module, "--target", str(folder)], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def verdicts(tmp_path_factory):
    """Every case graded, traced and hinted, two at a time: {name: (grader's, trace, hint)}."""
    def one(case):
        name, module, edits, _ = case
        scratch = tmp_path_factory.mktemp(name)
        folder = make(scratch / "work", module, edits)
        graded = grader_first(module, folder, scratch)
        return name, (graded, tool("trace", module, folder, scratch / "h.json"),
                      tool("hint", module, folder, scratch / "h.json"))

    tmp_path_factory.getbasetemp()  # made here, once: two threads making it at once collide (FileExistsError)
    with ThreadPoolExecutor(2) as pool:
        return dict(pool.map(one, CASES))


def test_every_lesson_has_cases():
    from coursekit import course

    assert len(WRONG) >= 15 and {module for _, module, _, _ in CASES} == set(course.MODULES)


@pytest.mark.parametrize(("name", "module", "edits", "first"), WRONG, ids=[case[0] for case in CASES])
def test_trace_hint_and_grader_name_the_same_method_first(verdicts, name, module, edits, first):
    (graded, stdout), traced, hinted = verdicts[name]
    assert graded == first, stdout
    assert traced.returncode == 1, traced.stdout + traced.stderr
    assert f"the first method to fix: {first}\n" in traced.stdout, traced.stdout
    assert "values agree with the reference\n" not in traced.stdout  # never 'all agree' on a failing module
    assert f"the first method not done yet: {first} (" in hinted.stdout, hinted.stdout + hinted.stderr


@pytest.mark.parametrize("name", SAID)
def test_grader_trace_and_hint_name_the_mistake_alike(verdicts, name):
    (_, stdout), traced, hinted = verdicts[name]
    for fragment, output in zip(SAID[name], (stdout, traced.stdout, hinted.stdout)):
        assert " ".join(fragment.split()) in " ".join(output.split()), output


def test_a_failure_fed_by_an_earlier_function_says_which_to_fix_first(tmp_path):
    """Lesson 2: a backward whose bias gradients lost their axis fails gradient_descent with a
    ValueError in forward(); that failure names backward, and the grader's next step is backward's."""
    folder = make(tmp_path / "work", "functional", [(
        "grad_biases[l - 1] = delta.sum(axis=1, keepdims=True)", "grad_biases[l - 1] = delta.sum(axis=1)")])
    command = grader_command(folder, tmp_path / "r.json", "--module", "functional", "--function", "backward",
                             "--function", "gradient_descent", tests=["grader/test_functional.py"], quiet=False)
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    results = {test["name"]: test["output"] for test in json.loads((tmp_path / "r.json").read_text())["tests"]}
    descent = results["functional.py: test_gradient_descent_matches_reference"]
    assert "ValueError" in descent and "fix backward first: test_backward_matches_reference" in descent
    assert "fix backward first" not in results["functional.py: test_backward_matches_reference[784-30-10-one column]"]
    assert "next: fix functional.py, test_backward_matches_reference" in done.stdout


def test_trace_does_not_blame_update_for_backprops_values(tmp_path):
    folder = make(tmp_path / "work", "network", WRONG[1][2])  # bias gradients of shape (1, n)
    traced = tool("trace", "network", folder, tmp_path / "h.json")
    assert "stopped in Network.update" in traced.stdout
    assert "Network.backprop, before it, already gave values that differ: fix Network.backprop first" in traced.stdout
    assert "reread: http://" in traced.stdout and "#backpropagation" in traced.stdout.split("stopped in")[1]
    assert "Network.update        ok" in traced.stdout  # the grader's own check of update passes
    assert "the first method to fix: Network.backprop" in traced.stdout


def test_a_rule_test_fed_by_a_wrong_backward_says_to_fix_backward_first(tmp_path):
    """Lesson 8: test_add_gradients is `about` Tensor.__add__ and runs before backward's own tests;
    with backward wrong, the line under it, written once every test ran, names backward (not a
    note under backward's tests naming __add__), in the terminal and in results.json alike."""
    case = next(case for case in CASES if case[0] == "backward-seeded-with-two")
    folder = make(tmp_path / "work", "autodiff", case[2])
    command = grader_command(folder, tmp_path / "r.json", "--module", "autodiff", "--function", "Tensor.__add__",
                             "--function", "Tensor.backward", tests=["grader/test_autodiff.py"], quiet=False)
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    results = {test["name"]: test["output"] for test in json.loads((tmp_path / "r.json").read_text())["tests"]}
    add = results["autodiff.py: test_add_gradients_summed_back_to_the_operands_shape[(3,)]"]
    assert "fix Tensor.backward first: test_gradients_add_up_where_a_tensor_is_used_twice failed" in add
    assert add.index("fix Tensor.backward first") < add.index("reread:")
    assert not any("fix Tensor.__add__ first" in output for output in results.values())
    assert "fix Tensor.__add__ first" not in done.stdout and "fix Tensor.backward first" in done.stdout
    assert "next: fix autodiff.py, test_gradients_add_up_where_a_tensor_is_used_twice" in done.stdout
