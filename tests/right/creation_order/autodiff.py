"""autodiff.py whose topological order is the order the Tensors were made in, written from
CONTRACT.md: a Tensor is always made after the Tensors it is computed from, so sorting the graph
by a counter stamped at creation, newest first, runs every user before what it uses. Each
operation is a closure `send(g, add)` that hands its operands their shares through `add`."""

import itertools

import numpy as np

_clock = itertools.count()


def shrink(g, shape):
    g = np.asarray(g, dtype=float)
    while g.ndim > len(shape):
        g = g.sum(axis=0)
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
    return g.sum(axis=axes, keepdims=True) if axes else g


class Tensor:
    __array_ufunc__ = None

    def __init__(self, data, operands=(), send=None):
        self.data = np.array(data, dtype="float64")
        self.grad = np.zeros_like(self.data)
        self.operands = list(operands)
        self.send = send
        self.stamp = next(_clock)

    def _binary(self, other, value, shares):
        other = other if isinstance(other, Tensor) else Tensor(other)
        a, b = self, other

        def send(g, add):
            ga, gb = shares(g, a.data, b.data)
            add(a, shrink(ga, a.data.shape))
            add(b, shrink(gb, b.data.shape))
        return Tensor(value(a.data, b.data), (a, b), send)

    def __add__(self, other):
        return self._binary(other, np.add, lambda g, a, b: (g, g))

    def __radd__(self, other):
        return Tensor(other) + self if not isinstance(other, Tensor) else other + self

    def __mul__(self, other):
        return self._binary(other, np.multiply, lambda g, a, b: (g * b, g * a))

    def __rmul__(self, other):
        return Tensor(other) * self

    def __matmul__(self, other):
        def shares(g, a, b):
            A = a.reshape(1, -1) if a.ndim == 1 else a
            Bm = b.reshape(-1, 1) if b.ndim == 1 else b
            G = np.reshape(g, (A.shape[0], Bm.shape[1]))
            return np.einsum("ij,kj->ik", G, Bm).reshape(a.shape), np.einsum("ki,kj->ij", A, G).reshape(b.shape)
        return self._binary(other, np.matmul, shares)

    def __rmatmul__(self, other):
        return Tensor(other) @ self

    def __neg__(self):
        return self * -1

    def __sub__(self, other):
        return self._binary(other, np.subtract, lambda g, a, b: (g, -g))

    def __rsub__(self, other):
        return Tensor(other) - self

    def sum(self):
        x = self
        return Tensor(x.data.sum(), (x,), lambda g, add: add(x, np.ones_like(x.data) * g))

    def relu(self):
        x = self
        return Tensor(np.clip(x.data, 0, None), (x,), lambda g, add: add(x, g * np.greater(x.data, 0)))

    def sigmoid(self):
        x = self
        y = np.exp(-np.logaddexp(0, -x.data))
        return Tensor(y, (x,), lambda g, add: add(x, g * y * (1 - y)))

    def backward(self):
        seen, todo = {id(self): self}, [self]
        while todo:
            for operand in todo.pop().operands:
                if id(operand) not in seen:
                    seen[id(operand)] = operand
                    todo.append(operand)
        pending = {id(self): np.ones_like(self.data)}

        def add(tensor, share):
            pending[id(tensor)] = pending.get(id(tensor), 0.0) + share

        for tensor in sorted(seen.values(), key=lambda t: t.stamp, reverse=True):
            g = pending.pop(id(tensor), None)
            if g is None:
                continue
            tensor.grad = tensor.grad + g
            if tensor.send is not None:
                tensor.send(g, add)


def cross_entropy(logits, targets):
    logits = logits if isinstance(logits, Tensor) else Tensor(logits)
    t = np.array(targets, dtype=float)
    top = logits.data.max(axis=-1, keepdims=True)
    log_sum = top + np.log(np.exp(logits.data - top).sum(axis=-1, keepdims=True))
    log_p = logits.data - log_sum

    def send(g, add):
        add(logits, g * (np.exp(log_p) * t.sum(axis=-1, keepdims=True) - t))
    return Tensor(-(t * log_p).sum(), (logits,), send)


def zero_grad(tensors):
    for tensor in tensors:
        tensor.grad = tensor.grad * 0.0


class Model:
    def __init__(self, definition, seed=None):
        rng = np.random.default_rng(seed)
        self.weights, self.biases = {}, {}
        for k, (a, b) in enumerate(zip(definition[:-1], definition[1:]), start=1):
            self.weights[k] = Tensor(rng.normal(0.0, 1.0, size=(a, b)) * np.sqrt(2.0 / a))
            self.biases[k] = Tensor(np.zeros(b))

    def parameters(self):
        return [p for k in self.weights for p in (self.weights[k], self.biases[k])]

    def output(self, features):
        h = features
        for k in self.weights:
            a = h @ self.weights[k] + self.biases[k]
            h = a if k == len(self.weights) else a.relu()
        return h

    def loss(self, features, targets):
        return cross_entropy(self.output(features), targets)

    def predict(self, features):
        return np.argmax(self.output(features).data, axis=-1)


def sgd_step(parameters, learning_rate, n):
    parameters = list(parameters)
    for parameter in parameters:
        parameter.data = parameter.data - learning_rate / n * parameter.grad
    zero_grad(parameters)
