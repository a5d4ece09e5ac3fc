"""Reverse-mode automatic differentiation on NumPy arrays: the graph of lesson 3, differentiating itself.

Lesson 8, "Your own autodiff". Every operation on a `Tensor` makes a new Tensor that remembers
two things, side by side with the value it computed: its `parents` (the Tensors it was computed
from) and its `rule`, which turns g = dJ/d(this Tensor) into one share of the gradient for each
parent (the chain rule, one operation at a time). `backward()` then walks the graph once, from
the result to the inputs, in reverse topological order, adding every share where it belongs:

    backward(J):   order = every Tensor J depends on, each after all the Tensors it was made from
                   g[J] = 1
                   for t in reversed(order):          t's users have all added their shares
                       t.grad += g[t]
                       for parent, share in zip(t.parents, t.rule(g[t])):
                           g[parent] += share           a Tensor used twice gets two shares

Gradients ACCUMULATE in `grad`, as in PyTorch and micrograd (lesson 7's backprop overwrote
them): `zero_grad` clears them. `Model` is lesson 7's Classifier rebuilt from Tensors, in the
row convention of lesson 1, a(k) = b(k) + h(k-1) W(k). Standalone: this file imports no other
exercise module.
"""

import numpy as np


def sum_to_shape(g, shape):
    """The gradient g of a broadcast result, summed back to the operand's `shape`.

    Broadcasting adds leading axes and stretches axes of length 1; the operand's value was
    used once along each of them, so its gradient is the sum of g over them.
    """
    # TODO: sum g over the leading axes broadcasting added, then over every axis that was 1 in shape
    # (keepdims)
    ...


def as_tensor(value):
    """`value` if it is a Tensor, else a constant Tensor holding it (no operation made it)."""
    return value if isinstance(value, Tensor) else Tensor(value)


class Tensor:
    """An array that remembers how it was computed: `data`, `grad`, `parents` and `rule`.

    data:    a float64 array, any shape (0-d for one number)
    grad:    dJ/d(data) once backward() has run on J, data's shape; zeros until then
    parents: the Tensors this one was computed from (none for an input)
    rule:    g -> one share of the gradient per parent, each of that parent's shape, where g is
             this Tensor's gradient (its shape); None for an input
    """

    # array + Tensor and array @ Tensor: NumPy steps aside, so Python asks Tensor.__radd__ etc.
    __array_ufunc__ = None

    def __init__(self, data, parents=(), rule=None):
        self.data = np.array(data, dtype=np.float64)  # a copy: changing the caller's array changes nothing here
        self.grad = np.zeros_like(self.data)
        self.parents = tuple(parents)
        self.rule = rule

    def __repr__(self):
        return f"Tensor({self.data!r})"

    def __add__(self, other):
        """self + other, NumPy's broadcasting; other a Tensor, an array or a number."""
        # TODO: the sum of the two data, with a rule that passes g to both, each summed back to its
        # shape
        ...

    def __mul__(self, other):
        """self * other, element-wise, NumPy's broadcasting."""
        # TODO: the product of the data, with a rule giving each operand g times the OTHER operand,
        # summed back
        ...

    def __matmul__(self, other):
        """self @ other, the matrix product of operands of one or two dimensions.

        A 1-D operand is a row on the left, (n,) @ (n, m) -> (m,), and a column on the right.
        """
        # TODO: the product of the data; the rule gives self g @ other.T and other self.T @ g, 1-D
        # operands as a row or a column
        ...

    def __neg__(self):
        """-self."""
        # TODO: minus the data; the rule gives minus g
        ...

    def __sub__(self, other):
        """self - other, NumPy's broadcasting."""
        # TODO: self plus minus other: the two operations already have their rules
        ...

    # The reflected operations: 2 * t, x @ W, 1 - t (a number or an array on the left).
    def __radd__(self, other):
        return as_tensor(other) + self

    def __rsub__(self, other):
        return as_tensor(other) - self

    def __rmul__(self, other):
        return as_tensor(other) * self

    def __rmatmul__(self, other):
        return as_tensor(other) @ self

    def sum(self):
        """The sum of every element, a 0-d Tensor."""
        # TODO: the sum of the data; the rule gives every element the one number g
        ...

    def relu(self):
        """max(self, 0) element-wise; its slope at 0 is 0."""
        # TODO: the element-wise maximum with 0; the rule passes g only where the data is positive
        ...

    def sigmoid(self):
        """1 / (1 + exp(-self)) element-wise, without overflow for entries as large as +-1000."""
        # TODO: exp of minus logaddexp(0, -x) never overflows; the rule is g * y * (1 - y)
        ...

    def backward(self):
        """Add dself/ds to s.grad for every Tensor s that self depends on, self included (share 1).

        self holds one number. Every Tensor's rule runs once, after all the Tensors made from it
        have added their shares of its gradient. Calling backward twice adds twice.
        """
        # TODO: order the graph (each Tensor after its parents), then from the end: add g to grad,
        # run the rule, add each share to its parent's g
        ...


def cross_entropy(logits, targets):
    """J = -sum(targets * log_softmax(logits)), summed over every element; a 0-d Tensor.

    logits: a Tensor (n,) or (B, n); targets: a constant array of its shape. The log-softmax
    runs along the last axis, exact and without overflow for entries as large as +-1000. Its
    rule: dJ/dlogits = g * (softmax(logits) - targets) for one-hot rows.
    """
    # TODO: log-softmax from logits shifted by each row's maximum; the rule is g * (softmax * row
    # sum of targets - targets)
    ...


def zero_grad(tensors):
    """Set the grad of every Tensor in `tensors` to zeros of its data's shape."""
    # TODO: a new zero array for each Tensor's grad
    ...


class Model:
    """Lesson 7's Classifier made of Tensors: ReLU after every hidden layer, the cross-entropy of
    the softmax at the output, `definition = (n0, ..., nL)`.

    weights[k]: Tensor W(k), shape (n(k-1), nk); biases[k]: Tensor b(k), shape (nk,); k = 1 ... L.
    """

    def __init__(self, definition, seed=None):
        """He initialisation, as lesson 7's Classifier: W(k) ~ normal(0, variance 2 / n(k-1)), b(k) = 0."""
        # TODO: draw every W(k) as Classifier does, and keep W(k) and b(k) as Tensors
        ...

    def parameters(self):
        """[weights[1], biases[1], ..., weights[L], biases[L]]: the Tensors themselves."""
        # TODO: W(k) then b(k), layer by layer
        ...

    def loss(self, features, targets):
        """The cross-entropy of the last layer's pre-activation a(L), summed over the batch: a 0-d Tensor.

        features: (n0,) or (B, n0), an array; targets: one-hot, the output's shape.
        """
        # TODO: the cross-entropy of the logits a(L) against the targets
        ...

    def predict(self, features):
        """The most probable digit: an int for (n0,), an int array (B,) for (B, n0)."""
        # TODO: the index of the largest entry of a(L), along the last axis
        ...

    def logits(self, features):
        """a(L), a Tensor: the layers of lesson 7's Classifier, without the softmax.

        features: (n0,) or (B, n0), an array; a(L) then has shape (nL,) or (B, nL).
        """
        # TODO: lesson 1's loop with Tensors: a = b(k) + h @ W(k), then relu below the last layer
        ...


def sgd_step(parameters, learning_rate, n):
    """One step of gradient descent after backward() on a batch of `n` examples, then zero grads.

    p.data -= learning_rate * p.grad / n for every parameter p (the loss sums over the batch:
    / n makes the step follow the mean gradient), then every grad is set to zeros.
    """
    # TODO: step every parameter's data along its mean gradient, then zero every grad (the next
    # backward adds)
    ...
