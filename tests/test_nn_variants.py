"""The nn.py grader passes the reference and fails each of a set of plausible wrong answers.

Every variant is a textual edit of solutions/nn.py (the edit is asserted to apply, so a
change to the reference cannot silently turn a variant into the reference). The grader runs
in a subprocess, as a student would run it; a variant must make it exit 1 with at least one
failed test and no error of the grader's own.
"""


import pytest
from grading import edited, grade_module

from coursekit import ROOT

# name -> list of (old, new) replacements, each of which must occur exactly once.
VARIANTS = {
    "relu deriv 1 at 0": [("np.where(x > 0, 1.0, 0.0)", "np.where(x >= 0, 1.0, 0.0)")],
    "tanh deriv 1 - x**2": [("return 1 - np.tanh(x) ** 2", "return 1 - x ** 2")],
    "sigmoid deriv at the output": [("        s = self.fn(x)\n        return s * (1 - s)",
                                     "        return x * (1 - x)")],
    "L2 deriv without the 2": [("return 2 * (yhat - y)", "return yhat - y")],
    "L2 deriv sign flipped": [("return 2 * (yhat - y)", "return 2 * (y - yhat)")],
    "L2 fn is a mean": [("return np.sum((yhat - y) ** 2)", "return np.mean((yhat - y) ** 2)")],
    "no activation on the last layer (forward)": [
        ("            h = self.activation.fn(h @ w + b)\n        return h",
         "            h = self.activation.fn(h @ w + b) if w is not self.w[-1] else h @ w + b\n        return h")],
    "no activation on the last layer (backprop)": [
        ("            g = g * self.activation.deriv(zs[i])",
         "            if i < self.num_layers - 1:\n                g = g * self.activation.deriv(zs[i])")],
    "b_grad not summed over rows": [("b_grad[i] = g.sum(axis=0, keepdims=True)", "b_grad[i] = g[:1]")],
    "w_grad transposed": [("w_grad[i] = hs[i].T @ g", "w_grad[i] = (hs[i].T @ g).T")],
    "deltas through the wrong layer's weights": [("g = g @ self.w[i].T", "g = g @ self.w[i - 1 if i else i].T")],
    "activation deriv at the wrong layer": [("g = g * self.activation.deriv(zs[i])",
                                            "g = g * self.activation.deriv(zs[i] if i == self.num_layers - 1 else zs[i + 1])")],
    "backprop ignores the 1-D reshape": [("        h = x.reshape(1, -1) if x.ndim == 1 else x\n        zs, hs",
                                         "        h = x\n        zs, hs")],
    "forward_pass squeezes one row": [("            h = self.activation.fn(h @ w + b)\n        return h",
                                       "            h = self.activation.fn(h @ w + b)\n        return h[0] if x.ndim == 1 else h")],
    "eval_loss averages over rows": [("return float(self.loss.fn(self.forward_pass(x), y))",
                                      "return float(self.loss.fn(self.forward_pass(x), y)) / len(np.atleast_2d(x))")],
    "gradients in reverse layer order": [("        return w_grad, b_grad\n", "        return w_grad[::-1], b_grad[::-1]\n")],
    # Passed before: every network test replaced b with the reference's (1, n) rows.
    "biases of shape (n,)": [("self.b = [np.zeros((1, n_out)) for n_out in self.sizes[1:]]",
                              "self.b = [np.zeros(n_out) for n_out in self.sizes[1:]]")],
}


def grade(folder, tmp_path):
    return grade_module("nn", folder, tmp_path / "results.json")


def test_reference_passes_every_test(tmp_path):
    graded = grade(ROOT / "solutions", tmp_path)
    results = graded.results
    assert graded.exit_code == 0, graded
    assert results["score"] == results["max_score"] > 0
    assert all(t["status"] == "passed" for t in results["tests"])


@pytest.mark.parametrize("name", VARIANTS)
def test_wrong_variant_fails(name, tmp_path):
    folder = tmp_path / "submission"
    folder.mkdir()
    (folder / "nn.py").write_text(edited("nn", VARIANTS[name]), encoding="utf-8")
    graded = grade(folder, tmp_path)
    results = graded.results
    assert "INTERNALERROR" not in graded.stdout + graded.stderr, graded
    assert graded.exit_code == 1, graded
    failed = [t for t in results["tests"] if t["status"] == "failed"]
    assert failed, f"{name}: every test passed"
    assert results["score"] < results["max_score"]
    # Each failure reaches the student as a message, not as an empty report.
    assert all(t["output"].strip() for t in failed)
