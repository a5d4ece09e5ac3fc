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


# --8<-- [start:sum_to_shape]
def sum_to_shape(g, shape):
    """The gradient g of a broadcast result, summed back to the operand's `shape`.

    Broadcasting adds leading axes and stretches axes of length 1; the operand's value was
    used once along each of them, so its gradient is the sum of g over them.
    """
    # BEGIN SOLUTION: sum g over the leading axes broadcasting added, then over every axis that was 1 in shape (keepdims)
    g = np.sum(g, axis=tuple(range(np.ndim(g) - len(shape))))  # the axes the operand did not have
    stretched = tuple(axis for axis, n in enumerate(shape) if n == 1 and g.shape[axis] != 1)
    return np.sum(g, axis=stretched, keepdims=True).reshape(shape)
    # END SOLUTION
# --8<-- [end:sum_to_shape]


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

    # --8<-- [start:init]
    def __init__(self, data, parents=(), rule=None):
        self.data = np.array(data, dtype=np.float64)  # a copy: changing the caller's array changes nothing here
        self.grad = np.zeros_like(self.data)
        self.parents = tuple(parents)
        self.rule = rule
    # --8<-- [end:init]

    def __repr__(self):
        return f"Tensor({self.data!r})"

    # --8<-- [start:add]
    def __add__(self, other):
        """self + other, NumPy's broadcasting; other a Tensor, an array or a number."""
        # BEGIN SOLUTION: the sum of the two data, with a rule that passes g to both, each summed back to its shape
        other = as_tensor(other)

        def rule(g):  # d(a + b)/da = d(a + b)/db = 1
            return sum_to_shape(g, self.data.shape), sum_to_shape(g, other.data.shape)

        return Tensor(self.data + other.data, (self, other), rule)
        # END SOLUTION
    # --8<-- [end:add]

    # --8<-- [start:mul]
    def __mul__(self, other):
        """self * other, element-wise, NumPy's broadcasting."""
        # BEGIN SOLUTION: the product of the data, with a rule giving each operand g times the OTHER operand, summed back
        other = as_tensor(other)

        def rule(g):  # d(ab)/da = b, d(ab)/db = a
            return sum_to_shape(g * other.data, self.data.shape), sum_to_shape(g * self.data, other.data.shape)

        return Tensor(self.data * other.data, (self, other), rule)
        # END SOLUTION
    # --8<-- [end:mul]

    # --8<-- [start:matmul]
    def __matmul__(self, other):
        """self @ other, the matrix product of operands of one or two dimensions.

        A 1-D operand is a row on the left, (n,) @ (n, m) -> (m,), and a column on the right.
        """
        # BEGIN SOLUTION: the product of the data; the rule gives self g @ other.T and other self.T @ g, 1-D operands as a row or a column
        other = as_tensor(other)

        def rule(g):
            a = self.data.reshape(1, -1) if self.data.ndim == 1 else self.data  # a row
            b = other.data.reshape(-1, 1) if other.data.ndim == 1 else other.data  # a column
            g = np.reshape(g, (a.shape[0], b.shape[1]))
            # J depends on a through a @ b: dJ/da = g b^T (n, m)(m, ...) and dJ/db = a^T g.
            return (g @ b.T).reshape(self.data.shape), (a.T @ g).reshape(other.data.shape)

        return Tensor(self.data @ other.data, (self, other), rule)
        # END SOLUTION
    # --8<-- [end:matmul]

    # --8<-- [start:neg]
    def __neg__(self):
        """-self."""
        # BEGIN SOLUTION: minus the data; the rule gives minus g
        return Tensor(-self.data, (self,), lambda g: (-g,))
        # END SOLUTION
    # --8<-- [end:neg]

    # --8<-- [start:sub]
    def __sub__(self, other):
        """self - other, NumPy's broadcasting."""
        # BEGIN SOLUTION: self plus minus other: the two operations already have their rules
        return self + (-as_tensor(other))
        # END SOLUTION
    # --8<-- [end:sub]

    # The reflected operations: 2 * t, x @ W, 1 - t (a number or an array on the left).
    def __radd__(self, other):
        return as_tensor(other) + self

    def __rsub__(self, other):
        return as_tensor(other) - self

    def __rmul__(self, other):
        return as_tensor(other) * self

    def __rmatmul__(self, other):
        return as_tensor(other) @ self

    # --8<-- [start:sum]
    def sum(self):
        """The sum of every element, a 0-d Tensor."""
        # BEGIN SOLUTION: the sum of the data; the rule gives every element the one number g
        return Tensor(np.sum(self.data), (self,), lambda g: (np.full(self.data.shape, g),))
        # END SOLUTION
    # --8<-- [end:sum]

    # --8<-- [start:relu]
    def relu(self):
        """max(self, 0) element-wise; its slope at 0 is 0."""
        # BEGIN SOLUTION: the element-wise maximum with 0; the rule passes g only where the data is positive
        on = self.data > 0
        return Tensor(np.where(on, self.data, 0.0), (self,), lambda g: (g * on,))
        # END SOLUTION
    # --8<-- [end:relu]

    # --8<-- [start:sigmoid]
    def sigmoid(self):
        """1 / (1 + exp(-self)) element-wise, without overflow for entries as large as +-1000."""
        # BEGIN SOLUTION: exp of minus logaddexp(0, -x) never overflows; the rule is g * y * (1 - y)
        y = np.exp(-np.logaddexp(0.0, -self.data))  # 1 / (1 + exp(-x)), with exp(-x) never formed
        return Tensor(y, (self,), lambda g: (g * y * (1 - y),))
        # END SOLUTION
    # --8<-- [end:sigmoid]

    # --8<-- [start:backward]
    def backward(self):
        """Add dself/ds to s.grad for every Tensor s that self depends on, self included (share 1).

        self holds one number. Every Tensor's rule runs once, after all the Tensors made from it
        have added their shares of its gradient. Calling backward twice adds twice.
        """
        # BEGIN SOLUTION: order the graph (each Tensor after its parents), then from the end: add g to grad, run the rule, add each share to its parent's g
        if self.data.size != 1:
            raise ValueError(f"backward() starts from one number, not from data of shape {self.data.shape}: "
                             "take .sum() first")
        # A depth-first search without recursion (a long graph would pass Python's recursion
        # limit): a Tensor goes into `order` once all its parents are in it.
        order, seen, stack = [], {id(self)}, [(self, iter(self.parents))]
        while stack:
            tensor, parents = stack[-1]
            parent = next(parents, None)
            if parent is None:
                stack.pop()
                order.append(tensor)
            elif id(parent) not in seen:
                seen.add(id(parent))
                stack.append((parent, iter(parent.parents)))
        # This call's gradients, apart from `grad`: a second backward() adds the same again.
        g = {id(self): np.ones_like(self.data)}
        for tensor in reversed(order):  # every user of a Tensor comes before it
            share = g.pop(id(tensor))
            tensor.grad = tensor.grad + share
            if tensor.rule is not None:
                for parent, part in zip(tensor.parents, tensor.rule(share)):
                    g[id(parent)] = g[id(parent)] + part if id(parent) in g else part
        # END SOLUTION
    # --8<-- [end:backward]


# --8<-- [start:cross_entropy]
def cross_entropy(logits, targets):
    """J = -sum(targets * log_softmax(logits)), summed over every element; a 0-d Tensor.

    logits: a Tensor (n,) or (B, n); targets: a constant array of its shape. The log-softmax
    runs along the last axis, exact and without overflow for entries as large as +-1000. Its
    rule: dJ/dlogits = g * (softmax(logits) - targets) for one-hot rows.
    """
    # BEGIN SOLUTION: log-softmax from logits shifted by each row's maximum; the rule is g * (softmax * row sum of targets - targets)
    logits, t = as_tensor(logits), np.asarray(targets, dtype=np.float64)
    if t.shape != logits.data.shape:
        raise ValueError(f"targets have shape {t.shape}, the logits {logits.data.shape}: they must be the same")
    # log softmax(z) = z - log(sum(exp(z))); shifted by the row's maximum, exp never overflows,
    # and the log of the sum (at least 1) never meets 0.
    shifted = logits.data - np.max(logits.data, axis=-1, keepdims=True)
    log_softmax = shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))

    def rule(g):  # dJ/dz = softmax(z) * sum(t) - t along each row: softmax(z) - t when t is one-hot
        return (g * (np.exp(log_softmax) * np.sum(t, axis=-1, keepdims=True) - t),)

    return Tensor(-np.sum(t * log_softmax), (logits,), rule)
    # END SOLUTION
# --8<-- [end:cross_entropy]


# --8<-- [start:zero_grad]
def zero_grad(tensors):
    """Set the grad of every Tensor in `tensors` to zeros of its data's shape."""
    # BEGIN SOLUTION: a new zero array for each Tensor's grad
    for tensor in tensors:
        tensor.grad = np.zeros_like(tensor.data)
    # END SOLUTION
# --8<-- [end:zero_grad]


class Model:
    """Lesson 7's Classifier made of Tensors: ReLU after every hidden layer, the cross-entropy of
    the softmax at the output, `definition = (n0, ..., nL)`.

    weights[k]: Tensor W(k), shape (n(k-1), nk); biases[k]: Tensor b(k), shape (nk,); k = 1 ... L.
    """

    # --8<-- [start:model_init]
    def __init__(self, definition, seed=None):
        """He initialisation, as lesson 7's Classifier: W(k) ~ normal(0, variance 2 / n(k-1)), b(k) = 0."""
        # BEGIN SOLUTION: draw every W(k) as Classifier does, and keep W(k) and b(k) as Tensors
        self.definition = n = tuple(definition)
        rng = np.random.default_rng(seed)
        self.weights, self.biases = {}, {}
        for k in range(1, len(n)):
            self.weights[k] = Tensor(rng.normal(0.0, np.sqrt(2 / n[k - 1]), size=(n[k - 1], n[k])))
            self.biases[k] = Tensor(np.zeros(n[k]))
        # END SOLUTION
    # --8<-- [end:model_init]

    # --8<-- [start:parameters]
    def parameters(self):
        """[weights[1], biases[1], ..., weights[L], biases[L]]: the Tensors themselves."""
        # BEGIN SOLUTION: W(k) then b(k), layer by layer
        return [p for k in self.weights for p in (self.weights[k], self.biases[k])]
        # END SOLUTION
    # --8<-- [end:parameters]

    # --8<-- [start:loss]
    def loss(self, features, targets):
        """The cross-entropy of the last layer's pre-activation a(L), summed over the batch: a 0-d Tensor.

        features: (n0,) or (B, n0), an array; targets: one-hot, the output's shape.
        """
        # BEGIN SOLUTION: the cross-entropy of the logits a(L) against the targets
        return cross_entropy(self.logits(features), targets)
        # END SOLUTION
    # --8<-- [end:loss]

    # --8<-- [start:predict]
    def predict(self, features):
        """The most probable digit: an int for (n0,), an int array (B,) for (B, n0)."""
        # BEGIN SOLUTION: the index of the largest entry of a(L), along the last axis
        return np.argmax(self.logits(features).data, axis=-1)
        # END SOLUTION
    # --8<-- [end:predict]

    # --8<-- [start:logits]
    def logits(self, features):
        """a(L), a Tensor: the layers of lesson 7's Classifier, without the softmax.

        features: (n0,) or (B, n0), an array; a(L) then has shape (nL,) or (B, nL).
        """
        # BEGIN SOLUTION: lesson 1's loop with Tensors: a = b(k) + h @ W(k), then relu below the last layer
        h = features  # an array: a constant, whose gradient nobody needs
        L = len(self.weights)
        for k in range(1, L + 1):
            a = self.biases[k] + h @ self.weights[k]
            h = a.relu() if k < L else a
        return h
        # END SOLUTION
    # --8<-- [end:logits]


# --8<-- [start:sgd_step]
def sgd_step(parameters, learning_rate, n):
    """One step of gradient descent after backward() on a batch of `n` examples, then zero grads.

    p.data -= learning_rate * p.grad / n for every parameter p (the loss sums over the batch:
    / n makes the step follow the mean gradient), then every grad is set to zeros.
    """
    # BEGIN SOLUTION: step every parameter's data along its mean gradient, then zero every grad (the next backward adds)
    parameters = list(parameters)  # a generator would be used up by the loop below
    for p in parameters:
        p.data -= learning_rate * p.grad / n
    zero_grad(parameters)
    # END SOLUTION
# --8<-- [end:sgd_step]
