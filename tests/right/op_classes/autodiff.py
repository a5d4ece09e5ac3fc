"""autodiff.py with one class per operation (PyTorch's autograd.Function, MiniTorch's ScalarFunction),
written from CONTRACT.md: each Operation keeps what its backward needs from its forward; a Tensor
remembers the Operation that made it; the topological order is a post-order of an explicit stack."""

import numpy as np


def unbroadcast(g, shape):
    while g.ndim > len(shape):
        g = g.sum(0)
    for axis in range(len(shape)):
        if shape[axis] == 1 and g.shape[axis] > 1:
            g = g.sum(axis, keepdims=True)
    return g


class Operation:
    """forward(*arrays) -> array; backward(g) -> one gradient per input."""

    @classmethod
    def apply(cls, *inputs):
        inputs = [x if isinstance(x, Tensor) else Tensor(x) for x in inputs]
        op = cls()
        result = Tensor(op.forward(*[x.data for x in inputs]))
        result.creator, result.inputs = op, inputs
        return result


class Add(Operation):
    def forward(self, a, b):
        self.shapes = a.shape, b.shape
        return a + b

    def backward(self, g):
        return [unbroadcast(g, s) for s in self.shapes]


class Mul(Operation):
    def forward(self, a, b):
        self.a, self.b = a, b
        return a * b

    def backward(self, g):
        return [unbroadcast(g * self.b, self.a.shape), unbroadcast(g * self.a, self.b.shape)]


class MatMul(Operation):
    def forward(self, a, b):
        self.a, self.b = a, b
        return np.matmul(a, b)

    def backward(self, g):
        a2 = self.a[None, :] if self.a.ndim == 1 else self.a
        b2 = self.b[:, None] if self.b.ndim == 1 else self.b
        g2 = np.reshape(g, (a2.shape[0], b2.shape[1]))
        return [np.dot(g2, b2.T).reshape(self.a.shape), np.dot(a2.T, g2).reshape(self.b.shape)]


class Neg(Operation):
    def forward(self, a):
        return -a

    def backward(self, g):
        return [-g]


class Sum(Operation):
    def forward(self, a):
        self.shape = a.shape
        return np.sum(a)

    def backward(self, g):
        return [np.full(self.shape, float(g))]


class ReLU(Operation):
    def forward(self, a):
        self.on = a > 0
        return np.maximum(a, 0.0)

    def backward(self, g):
        return [np.where(self.on, g, 0.0)]


class Sigmoid(Operation):
    def forward(self, a):
        with np.errstate(over="ignore"):
            self.y = np.where(a >= 0, 1.0 / (1.0 + np.exp(-np.abs(a))), np.exp(-np.abs(a)) / (1.0 + np.exp(-np.abs(a))))
        return self.y

    def backward(self, g):
        return [g * self.y * (1.0 - self.y)]


class CrossEntropy(Operation):
    def forward(self, z, t):
        shifted = z - np.max(z, axis=-1, keepdims=True)
        self.log_p = shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))
        self.t = t
        return -np.sum(t * self.log_p)

    def backward(self, g):
        p = np.exp(self.log_p)
        return [g * (p * np.sum(self.t, axis=-1, keepdims=True) - self.t), np.zeros_like(self.t)]


class Tensor:
    __array_ufunc__ = None

    def __init__(self, data):
        self.data = np.array(data, dtype=float)
        self.grad = np.zeros(self.data.shape)
        self.creator, self.inputs = None, []

    __add__ = lambda self, o: Add.apply(self, o)  # noqa: E731
    __radd__ = lambda self, o: Add.apply(o, self)  # noqa: E731
    __mul__ = lambda self, o: Mul.apply(self, o)  # noqa: E731
    __rmul__ = lambda self, o: Mul.apply(o, self)  # noqa: E731
    __matmul__ = lambda self, o: MatMul.apply(self, o)  # noqa: E731
    __rmatmul__ = lambda self, o: MatMul.apply(o, self)  # noqa: E731
    __neg__ = lambda self: Neg.apply(self)  # noqa: E731
    __sub__ = lambda self, o: Add.apply(self, Neg.apply(o))  # noqa: E731
    __rsub__ = lambda self, o: Add.apply(o, Neg.apply(self))  # noqa: E731

    def sum(self):
        return Sum.apply(self)

    def relu(self):
        return ReLU.apply(self)

    def sigmoid(self):
        return Sigmoid.apply(self)

    def backward(self):
        post, done, stack = [], set(), [(self, False)]
        while stack:
            node, expanded = stack.pop()
            if expanded:
                post.append(node)
                continue
            if id(node) in done:
                continue
            done.add(id(node))
            stack.append((node, True))
            stack.extend((parent, False) for parent in node.inputs if id(parent) not in done)
        gradients = {id(self): np.ones(self.data.shape)}
        for node in post[::-1]:
            g = gradients.pop(id(node))
            node.grad = node.grad + g
            if node.creator is not None:
                for parent, share in zip(node.inputs, node.creator.backward(g)):
                    gradients[id(parent)] = gradients[id(parent)] + share if id(parent) in gradients else share


def cross_entropy(logits, targets):
    return CrossEntropy.apply(logits, targets)


def zero_grad(tensors):
    for tensor in tensors:
        tensor.grad = np.zeros(tensor.data.shape)


class Model:
    def __init__(self, definition, seed=None):
        rng = np.random.default_rng(seed)
        n = list(definition)
        self.weights = {k: Tensor(rng.normal(0, (2 / n[k - 1]) ** 0.5, (n[k - 1], n[k]))) for k in range(1, len(n))}
        self.biases = {k: Tensor(np.zeros(n[k])) for k in range(1, len(n))}

    def parameters(self):
        out = []
        for k in range(1, len(self.weights) + 1):
            out.append(self.weights[k])
            out.append(self.biases[k])
        return out

    def logits(self, x):
        a = x
        for k in range(1, len(self.weights) + 1):
            if k > 1:
                a = a.relu()
            a = a @ self.weights[k] + self.biases[k]
        return a

    def loss(self, features, targets):
        return cross_entropy(self.logits(features), targets)

    def predict(self, features):
        return self.logits(features).data.argmax(-1)


def sgd_step(parameters, learning_rate, n):
    parameters = list(parameters)
    for p in parameters:
        p.data = p.data - learning_rate * (p.grad / n)
    zero_grad(parameters)
