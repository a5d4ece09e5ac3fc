"""Deliberately wrong network.py files, each a small edit of solutions/network.py.

`WRONG[name] = (old, new)`: replace `old` by `new` in the reference. `wrong_source(name)` checks
that `old` occurs exactly once, so a refactor of the solution breaks these tests loudly
instead of silently grading the reference under a wrong name.

Each is a mistake students make; the grader must fail at least one test for each.
"""

from coursekit import ROOT

REFERENCE = ROOT / "solutions" / "network.py"

WRONG = {
    # dJ/dy with the sign flipped: every gradient points uphill.
    "sign flipped": (
        "g = 2 * (self.output - targets)",
        "g = 2 * (targets - self.output)",
    ),
    # The factors of the outer product swapped: (n(k), n(k-1)) instead of (n(k-1), n(k)).
    "weight gradient transposed": (
        "self.weights_grad[k] = h_rows.T @ g_rows",
        "self.weights_grad[k] = g_rows.T @ h_rows",
    ),
    # The chain rule forgets f'(a(k)).
    "activation derivative missing": (
        "g = g * (h * (1 - h))",
        "g = g * 1.0",
    ),
    # f' evaluated at h(k) = f(a(k)) instead of at a(k).
    "derivative at h instead of a": (
        "g = g * (h * (1 - h))",
        "g = g * sigmoid_prime(h)",
    ),
    # Averaged over the batch instead of summed: right for one example only.
    "mean over the batch": (
        "self.biases_grad[k] = g_rows.sum(axis=0)\n"
        "            self.weights_grad[k] = h_rows.T @ g_rows",
        "self.biases_grad[k] = g_rows.mean(axis=0)\n"
        "            self.weights_grad[k] = h_rows.T @ g_rows / len(g_rows)",
    ),
    # Gradients added to the previous call's: right the first time only.
    "gradients accumulate": (
        "self.weights_grad[k] = h_rows.T @ g_rows",
        "self.weights_grad[k] += h_rows.T @ g_rows",
    ),
    # No sigmoid on the last layer: a linear output.
    "linear output": (
        "h = sigmoid(a)\n",
        "h = sigmoid(a) if k < self.n_layers else a\n",
    ),
    # The loss without its square.
    "loss without the square": (
        "self.loss = np.sum((self.output - targets) ** 2)",
        "self.loss = np.sum(self.output - targets)",
    ),
    # Nielsen's 1/2 in the loss, which the gradients then don't match.
    "loss with a half": (
        "self.loss = np.sum((self.output - targets) ** 2)",
        "self.loss = 0.5 * np.sum((self.output - targets) ** 2)",
    ),
    # The bias gradient from the first example of the batch only.
    "bias gradient from the first row": (
        "self.biases_grad[k] = g_rows.sum(axis=0)",
        "self.biases_grad[k] = g_rows[0]",
    ),
    # h(k) where h(k-1) belongs in dJ/dW(k).
    "previous activation off by one": (
        "h_rows = np.atleast_2d(self.activations[k - 1])",
        "h_rows = np.atleast_2d(self.activations[k])",
    ),
    # Gradient ascent.
    "update adds": (
        "self.weights[k] -= learning_rate * self.weights_grad[k]",
        "self.weights[k] += learning_rate * self.weights_grad[k]",
    ),
    # argmax over the examples instead of over the classes.
    "predict over the wrong axis": (
        "return np.argmax(h, axis=-1)",
        "return np.argmax(h, axis=0)",
    ),
    # Targets of any shape accepted (NumPy broadcasts, or fails with its own message).
    "no shape check in forward": (
        "if np.shape(targets) != expected:",
        "if False:",
    ),
    # The squared differences themselves instead of their sum.
    "compute_loss returns an array": (
        "return float(np.sum((self.output - targets) ** 2))",
        "return (self.output - targets) ** 2",
    ),
}


def wrong_source(name):
    """The text of solutions/network.py with the edit `WRONG[name]` made."""
    old, new = WRONG[name]
    source = REFERENCE.read_text(encoding="utf-8")
    count = source.count(old)
    assert count == 1, (f"wrong variant {name!r}: {old!r} occurs {count} times in {REFERENCE} "
                        "(the reference changed: update tests/variants_network.py)")
    return source.replace(old, new)
