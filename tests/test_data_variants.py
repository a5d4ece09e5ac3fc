"""The grader on data.py: the reference passes, right variants pass, every wrong variant fails.

Each variant is the reference with one edit, written into its own folder and graded in a
subprocess, exactly as a student's folder would be.
"""


import pytest
from grading import edited, grade_module

from coursekit import ROOT

FEATURES_LINE = "    return flat.astype(np.float32) / 255\n"
FLAT_LINE = "    flat = images.reshape(len(images), -1)"
ZEROS_LINE = "    targets = np.zeros((len(labels), n_classes), dtype=np.float32)\n"
ONES_LINE = "    targets[np.arange(len(labels)), labels] = 1\n"
RETURN_TARGETS = "    return targets\n"

# name: (edits (old, new) applied to the reference, a test expected to fail)
WRONG = {
    "column-major flatten": ([(FLAT_LINE, "    flat = images.transpose(0, 2, 1).reshape(len(images), -1)")],
                             "test_to_features_values_in_row_major_order"),
    "no scaling": ([(FEATURES_LINE, "    return flat.astype(np.float32)\n")], "test_to_features_range"),
    "uint8 overflow": ([(FEATURES_LINE, "    return (flat * 2).astype(np.float32) / 510\n")],
                       "test_to_features_values_in_row_major_order"),
    "integer division": ([(FEATURES_LINE, "    return (flat // 255).astype(np.float32)\n")],
                         "test_to_features_values_in_row_major_order"),
    "uint8 features": ([(FEATURES_LINE, "    return flat\n")], "test_to_features_shape_and_dtype"),
    "rows of 28": ([(FLAT_LINE, "    flat = images.reshape(-1, 28)")], "test_to_features_shape_and_dtype"),
    "one-hot transposed": ([(RETURN_TARGETS, "    return targets.T\n")], "test_one_hot_on_mnist_labels"),
    "labels as floats": ([(RETURN_TARGETS, "    return labels.astype(np.float32)\n")],
                         "test_one_hot_on_mnist_labels"),
    "one-hot of ints": ([(ZEROS_LINE, ZEROS_LINE.replace("np.float32", "np.int64"))],
                        "test_one_hot_on_mnist_labels"),
    "n_classes ignored": ([(ZEROS_LINE, ZEROS_LINE.replace("n_classes)", "10)"))], "test_one_hot_n_classes"),
    "off by one": ([(ONES_LINE, ONES_LINE.replace("labels] = 1", "labels - 1] = 1"))],
                   "test_one_hot_on_mnist_labels"),
    # Passed before the dimmed digits and the dark image: every MNIST batch has a pixel of 255.
    "divided by the batch's largest pixel": ([(FEATURES_LINE, "    return flat.astype(np.float32) / flat.max()\n")],
                                            "test_to_features_scales_dim_digits_by_a_fixed_constant"),
    "divided by each image's largest pixel": (
        [(FEATURES_LINE, "    return flat.astype(np.float32) / flat.max(axis=1, keepdims=True)\n")],
        "test_to_features_scales_dim_digits_by_a_fixed_constant"),
    # Passed before labels without the highest class: MNIST's 500 labels hold every digit.
    "classes from labels.max() + 1": ([(ZEROS_LINE, ZEROS_LINE.replace("n_classes)", "labels.max() + 1)"))],
                                      "test_one_hot_labels_without_the_last_class"),
    "classes from labels.max() + 1, n_classes other than 10": (
        [(ZEROS_LINE, ZEROS_LINE.replace("n_classes)", "labels.max() + 1)"))], "test_one_hot_n_classes"),
}
RIGHT = {
    "divide by 256": [(FEATURES_LINE, "    return flat.astype(np.float32) / 256\n")],
    "float64": [(FEATURES_LINE, "    return flat / 255.0\n")],
    "np.eye": [(ZEROS_LINE + ONES_LINE, "    targets = np.eye(n_classes)[labels]\n")],
}


def variant(tmp_path, edits):
    (tmp_path / "data.py").write_text(edited("data", edits), encoding="utf-8")
    return tmp_path


def grade(target, tmp_path):
    graded = grade_module("data", target, tmp_path / "results.json")
    return graded.exit_code, graded.results["tests"]


def test_reference_passes(tmp_path):
    code, tests = grade(ROOT / "solutions", tmp_path)
    assert code == 0, [t for t in tests if t["status"] != "passed"]


@pytest.mark.parametrize("name", RIGHT)
def test_right_variants_pass(name, tmp_path):
    (tmp_path / "v").mkdir()
    code, tests = grade(variant(tmp_path / "v", RIGHT[name]), tmp_path)
    assert code == 0, [t for t in tests if t["status"] != "passed"]


@pytest.mark.parametrize("name", WRONG)
def test_wrong_variants_fail(name, tmp_path):
    (tmp_path / "v").mkdir()
    edits, expected_failure = WRONG[name]
    code, tests = grade(variant(tmp_path / "v", edits), tmp_path)
    assert code == 1, f"exit status {code}: 1 expected for a wrong answer"
    failed = {t["name"].split(": ", 1)[1].split("[")[0]: t["output"] for t in tests if t["status"] == "failed"}
    assert expected_failure in failed, f"{name}: {expected_failure} passed; failed: {sorted(failed)}"
    for test, output in failed.items():  # a message for the student, not a crash of the grader
        assert output and "Traceback" not in output and "grader/test_" not in output, (test, output)
