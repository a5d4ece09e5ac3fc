"""The grader on training.py: the reference passes, right variants pass, every wrong variant fails.

Each variant is the reference with one edit, written into its own folder (with the reference
network.py beside it, or a broken one) and graded in a subprocess, as a student's folder would be.
The end-to-end MNIST test is run only where it is the point (it takes a few seconds).
"""


import pytest
from grading import EXERCISES, by_test, edited, failures, grade_module

from coursekit import ROOT

NETWORK = (ROOT / "solutions" / "network.py").read_text(encoding="utf-8")
NETWORK_STUB = (EXERCISES / "network.py").read_text(encoding="utf-8")
E2E = "test_train_your_network_on_mnist"

PERMUTATION = "        order = rng.permutation(n)  # a new order every epoch\n"
LOOP = "    for epoch in range(epochs):\n"
BATCHES = "        for start in range(0, n, batch_size):\n"
APPEND = "        losses.append(total / n)  # mean per example\n"
STEP = "    step = learning_rate / batch_size"
MEAN = "    return float(np.mean(np.asarray(predictions) == np.asarray(labels)))\n"
TAKE_TARGETS = "        np.take(targets, order, axis=0, out=shuffled_targets)\n"
BACKPROP_UPDATE = "            network.backprop(t)\n            network.update(step)\n"

# name: (edits (old, new) applied to the reference, a test expected to fail)
WRONG = {
    "no shuffle": ([(PERMUTATION, "        order = np.arange(n)\n")], "test_train_shuffles_every_epoch"),
    "shuffle once": ([(LOOP + PERMUTATION, "    order = rng.permutation(n)\n" + LOOP)],
                     "test_train_shuffles_every_epoch"),
    "same order every epoch with seed": (
        [(PERMUTATION, "        order = np.random.default_rng(seed).permutation(n)\n")],
        "test_train_shuffles_every_epoch"),
    "seed ignored": ([("    rng = np.random.default_rng(seed)\n", "    rng = np.random.default_rng()\n")],
                     "test_train_same_seed_same_run"),
    "lr not divided by batch size": ([(STEP, "    step = learning_rate")],
                                     "test_train_step_is_learning_rate_over_batch_size"),
    "lr times batch size": ([(STEP, "    step = learning_rate * batch_size")],
                            "test_train_step_is_learning_rate_over_batch_size"),
    "last batch dropped": ([(BATCHES, "        for start in range(0, n - batch_size + 1, batch_size):\n")],
                           "test_train_keeps_the_last_partial_batch"),
    "loss summed not averaged": ([(APPEND, "        losses.append(total)\n")],
                                 "test_train_returns_mean_loss_per_example"),
    "mean loss per batch": ([(APPEND, "        losses.append(total / -(-n // batch_size))\n")],
                            "test_train_returns_mean_loss_per_example"),
    "targets shuffled apart": ([(TAKE_TARGETS, TAKE_TARGETS.replace("order", "rng.permutation(n)"))],
                               "test_train_visits_every_example_once_per_epoch"),
    "update before backprop": ([(BACKPROP_UPDATE, "            network.update(step)\n            network.backprop(t)\n")],
                               "test_train_step_is_learning_rate_over_batch_size"),
    "Nielsen-style, one update per example": ([(
        "            network.forward(x, t)\n            network.backprop(t)\n            network.update(step)\n",
        "            for x1, t1 in zip(x, t):\n"
        "                network.forward(x1, t1)\n"
        "                network.backprop(t1)\n"
        "                network.update(step)\n")], "test_train_keeps_the_last_partial_batch"),
    "gradient of the first example only": ([(
        "            network.forward(x, t)\n",
        "            network.forward(x, t)\n            x, t = x[:1], t[:1]\n            network.forward(x, t)\n")],
        "test_train_visits_every_example_once_per_epoch"),
    "accuracy as count": ([(MEAN, MEAN.replace("np.mean", "np.sum"))], "test_accuracy"),
    "accuracy of mistakes": ([(MEAN, MEAN.replace("==", "!="))], "test_accuracy"),
}
RIGHT = {
    "last batch divided by its size": [(STEP, "    step = learning_rate / batch_size\n    rate = learning_rate"),
                                       ("            network.update(step)\n",
                                        "            network.update(rate / len(x))\n")],
    "fancy indexing per epoch": [("        np.take(features, order, axis=0, out=shuffled_features)\n"
                                  + TAKE_TARGETS,
                                  "        shuffled_features, shuffled_targets = features[order], targets[order]\n")],
    "compute_loss": [("            total += float(network.loss)", "            total += network.compute_loss(t)")],
    # Failed before (CONTRACT.md, "Details the grader relies on"): the mean over the batches of
    # (batch loss / batch size), which differs from the sum over N only for a shorter last batch.
    "loss as the mean of batch means": [
        ("        total = 0.0\n", "        means = []\n"),
        ("            total += float(network.loss)  # the batch's summed loss\n",
         "            means.append(float(network.loss) / len(x))\n"),
        (APPEND, "        losses.append(sum(means) / len(means))\n")],
    # Failed before ("epoch 1 saw 5 examples"): Nielsen's update_mini_batch, forward and
    # backprop once per example, the gradients summed, one update per mini-batch.
    "Nielsen's update_mini_batch": [(
        "            network.forward(x, t)\n            network.backprop(t)\n            network.update(step)\n"
        "            total += float(network.loss)  # the batch's summed loss\n",
        "            summed_w = {k: 0 * W for k, W in network.weights.items()}\n"
        "            summed_b = {k: 0 * b for k, b in network.biases.items()}\n"
        "            for x1, t1 in zip(x, t):\n"
        "                network.forward(x1, t1)\n"
        "                network.backprop(t1)\n"
        "                total += float(network.loss)\n"
        "                for k in summed_w:\n"
        "                    summed_w[k] = summed_w[k] + network.weights_grad[k]\n"
        "                    summed_b[k] = summed_b[k] + network.biases_grad[k]\n"
        "            network.weights_grad, network.biases_grad = summed_w, summed_b\n"
        "            network.update(step)\n")],
    # The mean gradient with the learning rate itself is the same step.
    "gradients averaged, learning rate undivided": [
        ("            network.update(step)\n",
         "            for k in network.weights_grad:\n"
         "                network.weights_grad[k] = network.weights_grad[k] / batch_size\n"
         "                network.biases_grad[k] = network.biases_grad[k] / batch_size\n"
         "            network.update(learning_rate)\n")],
}


def variant(folder, edits, network=NETWORK):
    folder.mkdir()
    (folder / "training.py").write_text(edited("training", edits), encoding="utf-8")
    (folder / "network.py").write_text(network, encoding="utf-8")
    return folder


def grade(target, tmp_path, end_to_end=False):
    graded = grade_module("training", target, tmp_path / "results.json",
                          *(() if end_to_end else ("-k", f"not {E2E}")))
    return graded.exit_code, by_test(graded)


def test_reference_passes_end_to_end(tmp_path):
    code, tests = grade(ROOT / "solutions", tmp_path, end_to_end=True)
    assert code == 0, failures(tests)
    assert E2E in tests


@pytest.mark.parametrize("name", RIGHT)
def test_right_variants_pass(name, tmp_path):
    code, tests = grade(variant(tmp_path / "v", RIGHT[name]), tmp_path)
    assert code == 0, failures(tests)


@pytest.mark.parametrize("name", WRONG)
def test_wrong_variants_fail(name, tmp_path):
    edits, expected = WRONG[name]
    code, tests = grade(variant(tmp_path / "v", edits), tmp_path)
    assert code == 1, f"exit status {code}: 1 expected for a wrong answer"
    failed = failures(tests)
    assert expected in failed, f"{name}: {expected} passed; failed: {sorted(failed)}"


def test_a_wrong_network_fails_end_to_end(tmp_path):
    """A right train() with a Network that climbs the gradient does not learn: only that test fails."""
    ascent = NETWORK.replace("self.weights[k] -= learning_rate", "self.weights[k] += learning_rate")
    assert ascent != NETWORK
    code, tests = grade(variant(tmp_path / "v", [], network=ascent), tmp_path, end_to_end=True)
    assert code == 1
    failed = failures(tests)
    assert list(failed) == [E2E] and "reached" in failed[E2E], failed


def test_a_stub_network_is_not_attempted(tmp_path):
    code, tests = grade(variant(tmp_path / "v", [], network=NETWORK_STUB), tmp_path, end_to_end=True)
    assert code == 1
    assert "not attempted" in tests[E2E]["output"] and "network.py" in tests[E2E]["output"]
    assert all(t["status"] == "passed" for name, t in tests.items() if name != E2E)
