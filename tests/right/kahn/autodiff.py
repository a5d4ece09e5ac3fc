"""autodiff.py with an iterative topological order found by counting users (Kahn's algorithm),
written from CONTRACT.md. Each operation is a function of arrays that returns its value and its
vector-Jacobian products; backward() keeps this call's gradients in a dict keyed by Tensor."""

from collections import deque

import numpy as np


def reduce_to(g, shape):
    """Sum a broadcast gradient back to `shape`."""
    extra = g.ndim - len(shape)
    axes = tuple(range(extra)) + tuple(extra + i for i, n in enumerate(shape) if n == 1 and g.shape[extra + i] != 1)
    return g.sum(axis=axes).reshape(shape) if axes else g.reshape(shape)


def _add(a, b):
    return a + b, lambda g: (reduce_to(g, a.shape), reduce_to(g, b.shape))


def _mul(a, b):
    return a * b, lambda g: (reduce_to(g * b, a.shape), reduce_to(g * a, b.shape))


def _matmul(a, b):
    def vjp(g):
        if a.ndim == 1 and b.ndim == 1:
            return g * b, g * a
        if a.ndim == 1:
            return b @ g, np.outer(a, g)
        if b.ndim == 1:
            return np.outer(g, b), a.T @ g
        return g @ b.T, a.T @ g
    return a @ b, vjp


class Tensor:
    __array_ufunc__ = None

    def __init__(self, data, inputs=(), vjp=None):
        self.data = np.asarray(data, dtype=np.float64).copy()
        self.grad = np.zeros_like(self.data)
        self.inputs = inputs
        self.vjp = vjp

    @staticmethod
    def lift(x):
        return x if isinstance(x, Tensor) else Tensor(x)

    def _apply(self, fn, other):
        other = Tensor.lift(other)
        value, vjp = fn(self.data, other.data)
        return Tensor(value, (self, other), vjp)

    def __add__(self, other):
        return self._apply(_add, other)

    def __mul__(self, other):
        return self._apply(_mul, other)

    def __matmul__(self, other):
        return self._apply(_matmul, other)

    def __neg__(self):
        return Tensor(-self.data, (self,), lambda g: (-g,))

    def __sub__(self, other):
        other = Tensor.lift(other)
        return Tensor(self.data - other.data, (self, other),
                      lambda g: (reduce_to(g, self.data.shape), reduce_to(-g, other.data.shape)))

    def __radd__(self, other):
        return Tensor.lift(other) + self

    def __rsub__(self, other):
        return Tensor.lift(other) - self

    def __rmul__(self, other):
        return Tensor.lift(other) * self

    def __rmatmul__(self, other):
        return Tensor.lift(other) @ self

    def sum(self):
        shape = self.data.shape
        return Tensor(self.data.sum(), (self,), lambda g: (np.broadcast_to(g, shape).copy(),))

    def relu(self):
        mask = (self.data > 0).astype(float)
        return Tensor(self.data * mask, (self,), lambda g: (g * mask,))

    def sigmoid(self):
        s = 0.5 * (1 + np.tanh(0.5 * self.data))
        return Tensor(s, (self,), lambda g: (g * s * (1 - s),))

    def backward(self):
        users = {}
        nodes = {id(self): self}
        todo = [self]
        while todo:
            node = todo.pop()
            for parent in node.inputs:
                users[id(parent)] = users.get(id(parent), 0) + 1
                if id(parent) not in nodes:
                    nodes[id(parent)] = parent
                    todo.append(parent)
        pending = {id(self): np.ones_like(self.data)}
        ready = deque([self])
        while ready:
            node = ready.popleft()
            g = pending.pop(id(node), np.zeros_like(node.data))
            node.grad = node.grad + g
            if node.vjp is None:
                continue
            for parent, share in zip(node.inputs, node.vjp(g)):
                pending[id(parent)] = pending.get(id(parent), 0) + share
                users[id(parent)] -= 1
                if users[id(parent)] == 0:
                    ready.append(parent)


def cross_entropy(logits, targets):
    logits = Tensor.lift(logits)
    t = np.asarray(targets, dtype=np.float64)
    z = logits.data - logits.data.max(axis=-1, keepdims=True)
    log_p = z - np.log(np.exp(z).sum(axis=-1, keepdims=True))
    return Tensor(-(t * log_p).sum(), (logits,),
                  lambda g: (g * (np.exp(log_p) * t.sum(axis=-1, keepdims=True) - t),))


def zero_grad(tensors):
    for t in tensors:
        t.grad = np.zeros_like(t.data)


class Model:
    def __init__(self, definition, seed=None):
        rng = np.random.default_rng(seed)
        self.definition = tuple(definition)
        self.weights = {}
        self.biases = {}
        k = 1
        while k < len(self.definition):
            n_in, n_out = self.definition[k - 1], self.definition[k]
            self.weights[k] = Tensor(rng.normal(scale=np.sqrt(2.0 / n_in), size=(n_in, n_out)))
            self.biases[k] = Tensor(np.zeros((n_out,)))
            k += 1

    def parameters(self):
        return [t for k in sorted(self.weights) for t in (self.weights[k], self.biases[k])]

    def forward(self, features):
        h = Tensor(features)
        last = len(self.weights)
        for k in range(1, last + 1):
            h = h @ self.weights[k] + self.biases[k]
            h = h.relu() if k < last else h
        return h

    def loss(self, features, targets):
        return cross_entropy(self.forward(features), targets)

    def predict(self, features):
        return np.argmax(self.forward(features).data, axis=-1)


def sgd_step(parameters, learning_rate, n):
    ps = list(parameters)
    for p in ps:
        p.data -= learning_rate * p.grad / n
    zero_grad(ps)
