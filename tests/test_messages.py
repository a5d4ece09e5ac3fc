"""The grader's messages say what went wrong, on wrong submissions found by trying the lessons
(issue 27): each case is solutions/<module>.py with realistic edits, graded as a student grades
it (the warm grader, `--module`, only the tests the case is about), and the failure message of
one test must say certain things, and must not say others (a message that points the wrong way).
"""

import shutil

import pytest
from grading import SOLUTIONS, edited, grade_module
from wrong_code import NN_BACKPROP, SEED_STYLE_BACKPROP

FEATURES_LINE = "    return flat.astype(np.float32) / 255"
FLAT_LINE = "    flat = images.reshape(len(images), -1)"

REVERSED, BIAS_RANK = "the gradient lists are in reverse layer order", "the bias gradient lost its first axis"

# (name, module, edits, the test (a prefix of its name), what its message must say, must not say)
CASES = [
    # A deriv that is not the slope of its own fn is the activation's fault, not the loss's.
    ("tanh deriv 1 - x**2", "nn", [("        return 1 - np.tanh(x) ** 2", "        return 1 - x ** 2")],
     "test_activation_deriv_finite_differences[Tanh]",
     ["your Tanh().deriv disagrees with the finite differences of your Tanh().fn itself"],
     ["does not belong to the loss"]),
    ("sigmoid deriv at the output", "nn", [("        s = self.fn(x)\n        return s * (1 - s)",
                                            "        return x * (1 - x)")],
     "test_activation_deriv_finite_differences[Sigmoid]",
     ["your Sigmoid().deriv disagrees with the finite differences of your Sigmoid().fn itself"],
     ["does not belong to the loss"]),
    ("L2 fn a mean, deriv of the sum", "nn", [("return np.sum((yhat - y) ** 2)", "return np.mean((yhat - y) ** 2)")],
     "test_l2_deriv",
     ["your L2().deriv disagrees with the finite differences of your L2().fn itself"],
     ["does not belong to the loss"]),
    ("functional: sigma_prime not sigma's slope", "functional",
     [("    return s * (1 - s)\n", "    return s * (1 + s)\n")],
     "test_backward_finite_differences",
     ["your sigma_prime disagrees with the finite differences of your sigma itself", "fix sigma_prime first"],
     ["does not belong to the loss"]),
    # The pixel order, not the scale: the largest feature is right, the same number twice said nothing.
    ("reshaped in Fortran order", "data", [(FLAT_LINE, '    flat = images.reshape(len(images), -1, order="F")')],
     "test_to_features_values_in_row_major_order", ["in column-major order", 'order="F"'],
     ["wrapped", "dividing by 255 gives"]),
    ("each image upside down", "data", [(FLAT_LINE, "    flat = images[:, ::-1].reshape(len(images), -1)")],
     "test_to_features_values_in_row_major_order", ["with each image upside down"], ["wrapped"]),
    ("pixels of the images mixed", "data",
     [(FLAT_LINE, "    flat = images.transpose(1, 2, 0).reshape(len(images), -1)")],
     "test_to_features_values_in_row_major_order", ["pixels of different images mixed"], ["wrapped"]),
    ("divided by each image's largest pixel", "data",
     [(FEATURES_LINE, "    return flat.astype(np.float32) / flat.max(axis=1, keepdims=True)")],
     "test_to_features_scales_dim_digits", ["as a division by the largest pixel"], []),
    ("seed-style backprop, a batch", "nn", [(NN_BACKPROP, SEED_STYLE_BACKPROP)],
     "test_backprop_matches_reference[Sigmoid-784-32-10-batch of 32]",
     ["probably 2 mistakes at once, each needed to explain the numbers", f"- {REVERSED}:", f"- {BIAS_RANK}:"],
     ["does not recognise"]),
    ("seed-style backprop, four layers", "nn", [(NN_BACKPROP, SEED_STYLE_BACKPROP)],
     "test_backprop_matches_reference[Tanh-784-16-16-16-10-batch of 32]",
     ["probably 2 mistakes at once", f"- {REVERSED}:", f"- {BIAS_RANK}:"], ["does not recognise"]),
    ("seed-style backprop, one row", "nn", [(NN_BACKPROP, SEED_STYLE_BACKPROP)],
     "test_backprop_matches_reference[Sigmoid-784-32-10-one row (1-D)]",
     ["raised ValueError", "runs on the same example given as a row", "a 1-D x is one row",
      "probably 2 mistakes at once", f"- {REVERSED}:", f"- {BIAS_RANK}:"], ["does not recognise"]),
    ("seed-style backprop, one row, y (1, 10)", "nn", [(NN_BACKPROP, SEED_STYLE_BACKPROP)],
     "test_backprop_one_row_target_shapes[y (1, 10)]",
     ["a 1-D x is one row", f"- {REVERSED}:", f"- {BIAS_RANK}:"], ["does not recognise"]),
    # The step count of a train() that steps after every example and never shuffles: both mistakes
    # are needed for the numbers (before, "never shuffled" alone was named for a count it cannot give).
    ("never shuffled, a step per example", "training", [
        ("        order = rng.permutation(n)  # a new order every epoch\n", "        order = np.arange(n)\n"),
        ("            network.forward(x, t)\n            network.backprop(t)\n            network.update(step)\n",
         "            for x1, t1 in zip(x, t):\n                network.forward(x1, t1)\n"
         "                network.backprop(t1)\n                network.update(step)\n")],
     "test_train_visits_every_example_once_per_epoch",
     ["made 69 steps", "probably 2 mistakes at once, each needed to explain the numbers",
      "- the examples are never shuffled:", "- a step for every example instead of every batch:"],
     ["probably: the examples are never shuffled"]),
    # A step count no known mistake gives: nothing is named for it, though the steps are unshuffled.
    ("never shuffled, an epoch too many", "training", [
        ("        order = rng.permutation(n)  # a new order every epoch\n", "        order = np.arange(n)\n"),
        ("    for epoch in range(epochs):\n", "    for epoch in range(epochs + 1):\n")],
     "test_train_shuffles_every_epoch",
     ["made 25 steps", "the grader does not recognise this mistake"], ["probably"]),
    # A loss written for batches only crashes on one example: the message shows what it was given.
    ("cross_entropy for batches only", "further", [(
        "    return float(-np.sum(t * np.log(np.maximum(y, tiny))))",
        "    return float(-np.sum(np.log(y[np.arange(len(y)), t.argmax(axis=1)])))")],
     "test_cross_entropy_matches_reference[one example]",
     ["your cross_entropy(y, t) raised AxisError", "further.py:", "in cross_entropy()",
      "given y of shape (10,) and t of shape (10,)",
      "y of shape (10,) = [", "t of shape (10,) = [0., 0.", "expected: "],
     []),
    ("cross_entropy for one 1-D example only", "further", [(
        "    return float(-np.sum(t * np.log(np.maximum(y, tiny))))",
        "    return float(-np.log(y[int(np.argmax(t))]))")],
     "test_cross_entropy_matches_reference[a batch of one (1, 10)]",
     ["your cross_entropy(y, t) raised IndexError", "given y of shape (1, 10) and t of shape (1, 10)",
      "y of shape (1, 10) = [[", "expected: "],
     []),
]


# (name, module, edits, the section every failure's "reread:" line links, a section none may link)
LINKS = [
    ("divided by each image's largest pixel", "data",
     [(FEATURES_LINE, "    return flat.astype(np.float32) / flat.max(axis=1, keepdims=True)")],
     "#scaling-the-pixels", "#flattening-row-by-row"),
    ("reshaped in Fortran order", "data", [(FLAT_LINE, '    flat = images.reshape(len(images), -1, order="F")')],
     "#flattening-row-by-row", "#scaling-the-pixels"),
    ("each image transposed", "data", [(FLAT_LINE, "    flat = images.transpose(0, 2, 1).reshape(len(images), -1)")],
     "#flattening-row-by-row", "#scaling-the-pixels"),
    ("each image upside down", "data", [(FLAT_LINE, "    flat = images[:, ::-1].reshape(len(images), -1)")],
     "#flattening-row-by-row", "#scaling-the-pixels"),
]


def folder_for(tmp_path, module, edits):
    folder = tmp_path / "work"
    folder.mkdir()
    for path in SOLUTIONS.glob("*.py"):
        shutil.copy(path, folder / path.name)
    (folder / f"{module}.py").write_text(edited(module, edits), encoding="utf-8")
    return folder


def message_of(graded, module, test):
    """The output of the first failed test whose name starts with `test` (None if none failed)."""
    for result in graded.results["tests"]:
        name = result["name"].removeprefix(f"{module}.py: ")
        if name.startswith(test) and result["status"] == "failed":
            return result["output"]
    return None


@pytest.mark.parametrize(("name", "module", "edits", "test", "says", "never"), CASES, ids=[c[0] for c in CASES])
def test_the_message_says_what_went_wrong(tmp_path, name, module, edits, test, says, never):
    folder = folder_for(tmp_path, module, edits)
    graded = grade_module(module, folder, tmp_path / "results.json", "-k", test.split("[")[0])
    output = message_of(graded, module, test)
    assert output is not None, f"{test} did not fail:\n{graded.stdout[-3000:]}"
    for fragment in says:
        assert fragment in output, f"{fragment!r} not in:\n{output}"
    for fragment in never:
        assert fragment not in output, f"{fragment!r} in:\n{output}"
    assert "Traceback" not in output and "grader/test_" not in output, output


@pytest.mark.parametrize(("name", "module", "edits", "section", "never"), LINKS, ids=[c[0] for c in LINKS])
def test_every_failure_links_the_section_of_the_mistake(tmp_path, name, module, edits, section, never):
    graded = grade_module(module, folder_for(tmp_path, module, edits), tmp_path / "results.json")
    failed = [t["output"] for t in graded.results["tests"] if t["status"] == "failed"]
    assert failed, graded.stdout[-3000:]
    for output in failed:
        reread = output.rsplit("reread: ", 1)[-1]
        assert reread.endswith(section) and never not in output, output
