"""The grader on autodiff.py (lesson 8): the reference passes, the stub is "not attempted", right
styles pass, and every wrong variant fails the test it should, with the mistake named
(grader/diagnoses/autodiff.py).

The right styles are whole modules in tests/right/<style>/autodiff.py, each written from
CONTRACT.md in a style the reference does not use: micrograd's closures with a recursive
topological sort, Kahn's algorithm with vector-Jacobian products, one class per operation, and
the creation order as the topological order; tests/test_right_variants.py grades them with every
other style. The wrong variants are the reference (or a right style) with edits. The MNIST test
runs on the reference and on one right style only.
"""

from pathlib import Path

import grading
import pytest
from grading import EXERCISES, by_test, edited, failures, grade_module

from coursekit import ROOT

E2E = "test_your_classifier_on_mnist"
RIGHT = Path(__file__).resolve().parent / "right"  # tests/right/<style>/autodiff.py

SHARE = "                    g[id(parent)] = g[id(parent)] + part if id(parent) in g else part\n"
ADD_GRAD = "            tensor.grad = tensor.grad + share\n"
ORDER = """        order, seen, stack = [], {id(self)}, [(self, iter(self.parents))]
        while stack:
            tensor, parents = stack[-1]
            parent = next(parents, None)
            if parent is None:
                stack.pop()
                order.append(tensor)
            elif id(parent) not in seen:
                seen.add(id(parent))
                stack.append((parent, iter(parent.parents)))
"""
BREADTH_FIRST = """        order, seen, queue = [], {id(self)}, [self]
        while queue:
            tensor = queue.pop(0)
            order.insert(0, tensor)
            for parent in tensor.parents:
                if id(parent) not in seen:
                    seen.add(id(parent))
                    queue.append(parent)
"""
SUM_BACK = "    g = np.sum(g, axis=tuple(range(np.ndim(g) - len(shape))))  # the axes the operand did not have\n"
MATMUL_RULE = "            return (g @ b.T).reshape(self.data.shape), (a.T @ g).reshape(other.data.shape)\n"
LOG_SOFTMAX = ("    shifted = logits.data - np.max(logits.data, axis=-1, keepdims=True)\n"
               "    log_softmax = shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))\n")
LOSS = "    return Tensor(-np.sum(t * log_softmax), (logits,), rule)\n"
STEP = "        p.data -= learning_rate * p.grad / n\n"
SIGMOID = "        y = np.exp(-np.logaddexp(0.0, -self.data))  # 1 / (1 + exp(-x)), with exp(-x) never formed\n"

# name: (edits of solutions/autodiff.py, the test expected to fail, the mistake named or None)
WRONG = {
    "shares overwrite": ([(SHARE, "                    g[id(parent)] = part\n")],
                         "test_gradients_add_up_where_a_tensor_is_used_twice", "a gradient overwritten instead of added"),
    "backward sets grad": ([(ADD_GRAD, "            tensor.grad = share\n")],
                           "test_backward_twice_adds_twice", "a gradient overwritten instead of added"),
    "breadth-first order": ([(ORDER, BREADTH_FIRST)], "test_rules_run_in_reverse_topological_order",
                            "no topological order"),
    "broadcast not summed back": ([(SUM_BACK, "    return g\n" + SUM_BACK)],
                                  "test_add_gradients_summed_back_to_the_operands_shape",
                                  "the broadcast gradient not summed back"),
    "matmul's shares transposed": ([(MATMUL_RULE, "            return (g @ b).reshape(self.data.shape), "
                                                  "(a.T @ g).T.reshape(other.data.shape)\n")],
                                   "test_matmul_gradients", "matmul's gradient transposed"),
    "sgd_step without zero_grad": ([("    zero_grad(parameters)\n    # END SOLUTION\n# --8<-- [end:sgd_step]",
                                     "    # END SOLUTION\n# --8<-- [end:sgd_step]")],
                                   "test_sgd_step", "backward twice without zero_grad"),
    "sgd_step not divided by n": ([(STEP, STEP.replace(" / n", ""))], "test_sgd_step",
                                  "the gradient not divided by the batch size"),
    "cross-entropy without the shift": ([(LOG_SOFTMAX, "    log_softmax = np.log(np.exp(logits.data) / np.sum("
                                                       "np.exp(logits.data), axis=-1, keepdims=True))\n")],
                                        "test_cross_entropy_of_large_entries", "cross-entropy unstable"),
    "cross-entropy averaged": ([(LOSS, "    return Tensor(-np.sum(t * log_softmax) / len(np.atleast_2d(t)), "
                                       "(logits,), rule)\n")],
                               "test_cross_entropy_values", "the cross-entropy averaged over the batch"),
    "relu's slope 1 at 0": ([("        on = self.data > 0\n", "        on = self.data >= 0\n")],
                            "test_relu_gradients", None),
    "sigmoid overflows": ([(SIGMOID, "        y = 1 / (1 + np.exp(-self.data))\n")], "test_sigmoid_values", None),
    "He variance 1/n": ([("np.sqrt(2 / n[k - 1]), size=(n[k - 1], n[k]))", "np.sqrt(1 / n[k - 1]), size=(n[k - 1], n[k]))")],
                        "test_model_init_is_he", None),
}

# micrograd's backward() as it is: the second call sends each Tensor's whole grad down again.
RESENT = ("        kept = [v.grad for v in topo]\n        for v in topo:\n            v.grad = np.zeros(v.data.shape)\n"
          "        self.grad = np.ones(self.data.shape)\n        for v in reversed(topo):\n            v._backward()\n"
          "        for v, old in zip(topo, kept):\n            v.grad = v.grad + old\n")
WRONG_STYLES = {
    "micrograd's backward, twice": ("recursive", [(RESENT, "        self.grad = np.ones(self.data.shape)\n"
                                                          "        for v in reversed(topo):\n"
                                                          "            v._backward()\n")],
                                    "test_backward_twice_adds_twice", "backward() sends down the accumulated grad"),
    "micrograd's backward, naive recursion": (
        "recursive", [(RESENT, "        self.grad = self.grad + np.ones(self.data.shape)\n"
                               "        def run(v):\n            v._backward()\n"
                               "            for child in v._prev:\n                run(child)\n"
                               "        run(self)\n")],
        "test_rules_run_in_reverse_topological_order", "no topological order"),
}


def variant(folder, source):
    folder.mkdir()
    (folder / "autodiff.py").write_text(source, encoding="utf-8")
    return folder


def style_source(style, edits=()):
    source = (RIGHT / style / "autodiff.py").read_text(encoding="utf-8")
    for old, new in edits:
        assert source.count(old) == 1, f"the edit no longer applies to tests/right/{style}/autodiff.py: {old!r}"
        source = source.replace(old, new)
    return source


def grade(target, tmp_path, end_to_end=False):
    graded = grade_module("autodiff", target, tmp_path / "results.json", *(() if end_to_end else ("-k", f"not {E2E}")))
    return graded.exit_code, by_test(graded)


@pytest.fixture
def patient(monkeypatch):
    """The MNIST run's limit is the grader's CPU budget, not the wall clock of a busy machine."""
    monkeypatch.setattr(grading, "RUN_SECONDS", 900)


def test_reference_passes_end_to_end(tmp_path, patient):
    code, tests = grade(ROOT / "solutions", tmp_path, end_to_end=True)
    assert code == 0, failures(tests)
    assert E2E in tests


def test_the_exercise_is_not_attempted(tmp_path):
    code, tests = grade(EXERCISES, tmp_path, end_to_end=True)
    assert code == 1
    assert all("not attempted" in t["output"] for t in tests.values()), {n: t["output"] for n, t in tests.items()}


def test_one_class_per_operation_passes_end_to_end(tmp_path, patient):
    code, tests = grade(variant(tmp_path / "v", style_source("op_classes")), tmp_path, end_to_end=True)
    assert code == 0, failures(tests)


def check_wrong(code, tests, name, expected, mistake):
    assert code == 1, f"exit status {code}: 1 expected for a wrong answer"
    failed = failures(tests)
    assert expected in failed, f"{name}: {expected} passed; failed: {sorted(failed)}"
    if mistake:
        assert f"probably: {mistake}" in failed[expected] or f"- {mistake}" in failed[expected], failed[expected]


@pytest.mark.parametrize("name", WRONG)
def test_wrong_variants_fail(name, tmp_path):
    edits, expected, mistake = WRONG[name]
    code, tests = grade(variant(tmp_path / "v", edited("autodiff", edits)), tmp_path)
    check_wrong(code, tests, name, expected, mistake)


@pytest.mark.parametrize("name", WRONG_STYLES)
def test_wrong_styles_fail(name, tmp_path):
    style, edits, expected, mistake = WRONG_STYLES[name]
    code, tests = grade(variant(tmp_path / "v", style_source(style, edits)), tmp_path)
    check_wrong(code, tests, name, expected, mistake)


def test_sgd_without_zero_grad_fails_end_to_end(tmp_path, patient):
    """A Model whose grads pile up from batch to batch does not learn: the MNIST test fails."""
    edits, _, _ = WRONG["sgd_step without zero_grad"]
    code, tests = grade(variant(tmp_path / "v", edited("autodiff", edits)), tmp_path, end_to_end=True)
    assert code == 1
    assert E2E in failures(tests)
