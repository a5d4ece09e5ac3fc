"""The functional.py grader tells the reference from deliberately wrong copies of it.

Each variant is the reference with one textual edit (the edit is asserted to apply, so a change
to the reference can't silently turn a variant into a copy of it). The grader runs in a
subprocess on a folder holding only that file, as a student would run it.
"""


import pytest
from grading import EXERCISES, edited, grade_module

from coursekit import ROOT

# name -> (text in the reference, its replacement, a test the variant must fail)
VARIANTS = {
    "naive sigma overflows": (
        "    e = np.exp(-np.abs(x))  # in (0, 1]: both branches below are safe for every x\n"
        "    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))\n",
        "    return 1 / (1 + np.exp(-x))\n",
        "test_sigma_large_inputs",
    ),
    "sigma with both branches evaluated (np.where overflow)": (
        "    e = np.exp(-np.abs(x))  # in (0, 1]: both branches below are safe for every x\n"
        "    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))\n",
        "    return np.where(x >= 0, 1 / (1 + np.exp(-x)), np.exp(x) / (1 + np.exp(x)))\n",
        "test_sigma_large_inputs",
    ),
    "sign flip in delta(L)": (
        "delta = loss_prime(activations[L], y) * sigma_prime",
        "delta = -loss_prime(activations[L], y) * sigma_prime",
        "test_backward_matches_reference",
    ),
    "loss without the 0.5": (
        "return 0.5 * np.sum((yhat - y) ** 2)",
        "return np.sum((yhat - y) ** 2)",
        "test_loss",
    ),
    "sigma_prime at a instead of z": (
        "* sigma_prime(z_inputs[l - 2])",
        "* sigma_prime(activations[l - 1])",
        "test_backward_matches_reference",
    ),
    "transposed weight gradient": (
        "grad_weights[l - 1] = delta @ activations[l - 1].T",
        "grad_weights[l - 1] = (delta @ activations[l - 1].T).T",
        "test_backward_matches_reference",
    ),
    "W instead of its transpose going down": (
        "delta = (weights[l - 1].T @ delta)",
        "delta = (weights[l - 1] @ delta)",
        "test_backward_matches_reference",
    ),
    "mean over columns instead of sum": (
        "grad_biases[l - 1] = delta.sum(axis=1, keepdims=True)",
        "grad_biases[l - 1] = delta.mean(axis=1, keepdims=True)",
        "test_backward_matches_reference",
    ),
    "bias gradient as a flat vector": (
        "grad_biases[l - 1] = delta.sum(axis=1, keepdims=True)",
        "grad_biases[l - 1] = delta.sum(axis=1)",
        "test_backward_matches_reference",
    ),
    "update adds the gradient": (
        "[W - eta * dW for",
        "[W + eta * dW for",
        "test_update_values",
    ),
    "update keeps the keys": (
        "        del model[key]\n",
        "        pass\n",
        "test_update_removes_the_keys",
    ),
    "loss recorded after the step": (
        "        if epoch % every == 0:\n"
        "            epochs.append(epoch)\n"
        "            losses.append(loss(yhat, y))\n"
        "        model = backward(y, model)\n"
        "        model = update(eta, model)\n",
        "        model = backward(y, model)\n"
        "        model = update(eta, model)\n"
        "        if epoch % every == 0:\n"
        "            epochs.append(epoch)\n"
        "            losses.append(loss(forward(X, model)[0], y))\n"
        "            model = update(0.0, backward(y, model))\n",
        "test_gradient_descent_matches_reference",
    ),
    "epochs off by one": (
        "            epochs.append(epoch)\n",
        "            epochs.append(epoch + 1)\n",
        "test_gradient_descent_every",
    ),
    "initialize_model unseeded": (
        "rng = np.random.default_rng(seed)",
        "rng = np.random.default_rng()",
        "test_initialize_model_is_seeded_and_random",
    ),
}


def grade(folder, tmp_path):
    """Run the functional grader on `folder`; (exit code, {test name: (status, output)}, all output)."""
    graded = grade_module("functional", folder, tmp_path / "results.json")
    statuses = {test["name"].removeprefix("functional.py: "): (test["status"], test["output"])
                for test in graded.results["tests"]}
    return graded.exit_code, statuses, graded.stdout + graded.stderr


def variant_folder(tmp_path, old, new):
    folder = tmp_path / "submission"
    folder.mkdir()
    (folder / "functional.py").write_text(edited("functional", [(old, new)]), encoding="utf-8")
    return folder


def test_reference_passes_every_test(tmp_path):
    code, statuses, output = grade(ROOT / "solutions", tmp_path)
    assert code == 0, output[-3000:]
    assert statuses and all(status == "passed" for status, _ in statuses.values()), statuses


@pytest.mark.parametrize("old, new, must_fail", VARIANTS.values(), ids=VARIANTS.keys())
def test_wrong_variant_fails(tmp_path, old, new, must_fail):
    code, statuses, output = grade(variant_folder(tmp_path, old, new), tmp_path)
    assert "INTERNALERROR" not in output, output[-3000:]
    assert code == 1, f"exit status {code}, expected 1\n{output[-3000:]}"
    failed = {name: message for name, (status, message) in statuses.items() if status == "failed"}
    assert any(name.split("[")[0] == must_fail for name in failed), (
        f"{must_fail} did not fail; failed: {sorted(failed)}")
    for name, message in failed.items():
        # A wrong answer is told in the student's terms, never as a crash of the grader.
        assert message and "Traceback" not in message, (name, message)


def test_the_exercise_is_not_attempted(tmp_path):
    code, statuses, output = grade(EXERCISES, tmp_path)
    assert code == 1, output[-3000:]
    assert statuses and all(message.startswith("not attempted") for _, message in statuses.values()), statuses
