"""autodiff.py in micrograd's own style, written from CONTRACT.md: `_backward` closures that read the
result's `grad` and add into the operands' `grad`, and a recursive topological sort.

micrograd's backward() sends each Tensor's whole grad down, so it is not meant to run twice; the
contract asks that a second call add the same again, so backward() here sets the graph's grads
aside, runs micrograd's pass from zeros, and adds what it set aside back.
"""

import numpy as np


def _unbroadcast(grad, shape):
    while grad.ndim > len(shape):
        grad = grad.sum(axis=0)
    for i, size in enumerate(shape):
        if size == 1:
            grad = grad.sum(axis=i, keepdims=True)
    return grad


class Tensor:
    __array_ufunc__ = None

    def __init__(self, data, _children=(), _op=""):
        self.data = np.array(data, dtype=np.float64)
        self.grad = np.zeros(self.data.shape)
        self._backward = lambda: None
        self._prev = set(_children)
        self._op = _op

    @staticmethod
    def _wrap(other):
        return other if isinstance(other, Tensor) else Tensor(other)

    def __add__(self, other):
        other = self._wrap(other)
        out = Tensor(self.data + other.data, (self, other), "+")

        def _backward():
            self.grad += _unbroadcast(out.grad, self.data.shape)
            other.grad += _unbroadcast(out.grad, other.data.shape)
        out._backward = _backward
        return out

    def __mul__(self, other):
        other = self._wrap(other)
        out = Tensor(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad += _unbroadcast(other.data * out.grad, self.data.shape)
            other.grad += _unbroadcast(self.data * out.grad, other.data.shape)
        out._backward = _backward
        return out

    def __matmul__(self, other):
        other = self._wrap(other)
        out = Tensor(np.matmul(self.data, other.data), (self, other), "@")

        def _backward():
            left = np.atleast_2d(self.data)
            right = other.data if other.data.ndim == 2 else other.data[:, None]
            upstream = out.grad.reshape(left.shape[0], right.shape[1])
            self.grad += (upstream @ right.T).reshape(self.data.shape)
            other.grad += (left.T @ upstream).reshape(other.data.shape)
        out._backward = _backward
        return out

    def __neg__(self):
        return self * -1.0

    def __sub__(self, other):
        return self + (-self._wrap(other))

    def __radd__(self, other):
        return self._wrap(other) + self

    def __rsub__(self, other):
        return self._wrap(other) - self

    def __rmul__(self, other):
        return self._wrap(other) * self

    def __rmatmul__(self, other):
        return self._wrap(other) @ self

    def sum(self):
        out = Tensor(self.data.sum(), (self,), "sum")

        def _backward():
            self.grad += out.grad * np.ones_like(self.data)
        out._backward = _backward
        return out

    def relu(self):
        out = Tensor(self.data * (self.data > 0), (self,), "relu")

        def _backward():
            self.grad += (out.data > 0) * out.grad
        out._backward = _backward
        return out

    def sigmoid(self):
        x = self.data
        z = np.exp(-np.abs(x))
        s = np.where(x >= 0, 1 / (1 + z), z / (1 + z))
        out = Tensor(s, (self,), "sigmoid")

        def _backward():
            self.grad += s * (1 - s) * out.grad
        out._backward = _backward
        return out

    def backward(self):
        topo, visited = [], set()

        def build_topo(v):
            if v not in visited:
                visited.add(v)
                for child in v._prev:
                    build_topo(child)
                topo.append(v)
        build_topo(self)
        kept = [v.grad for v in topo]
        for v in topo:
            v.grad = np.zeros(v.data.shape)
        self.grad = np.ones(self.data.shape)
        for v in reversed(topo):
            v._backward()
        for v, old in zip(topo, kept):
            v.grad = v.grad + old


def cross_entropy(logits, targets):
    logits = logits if isinstance(logits, Tensor) else Tensor(logits)
    targets = np.asarray(targets, dtype=np.float64)
    z = logits.data
    m = z.max(axis=-1, keepdims=True)
    lse = m + np.log(np.exp(z - m).sum(axis=-1, keepdims=True))
    out = Tensor(-(targets * (z - lse)).sum(), (logits,), "xent")

    def _backward():
        p = np.exp(z - lse)
        logits.grad += out.grad * (p * targets.sum(axis=-1, keepdims=True) - targets)
    out._backward = _backward
    return out


def zero_grad(tensors):
    for t in tensors:
        t.grad = np.zeros(t.data.shape)


class Model:
    def __init__(self, definition, seed=None):
        sizes = list(definition)
        generator = np.random.default_rng(seed)
        self.weights = {}
        self.biases = {}
        for layer, (fan_in, fan_out) in enumerate(zip(sizes, sizes[1:]), 1):
            self.weights[layer] = Tensor(generator.standard_normal((fan_in, fan_out)) * (2.0 / fan_in) ** 0.5)
            self.biases[layer] = Tensor(np.zeros(fan_out))

    def parameters(self):
        found = []
        for layer in sorted(self.weights):
            found += [self.weights[layer], self.biases[layer]]
        return found

    def _scores(self, features):
        layers = sorted(self.weights)
        activation = Tensor(features)
        for layer in layers:
            activation = activation @ self.weights[layer] + self.biases[layer]
            if layer != layers[-1]:
                activation = activation.relu()
        return activation

    def loss(self, features, targets):
        return cross_entropy(self._scores(features), targets)

    def predict(self, features):
        return self._scores(features).data.argmax(axis=-1)


def sgd_step(parameters, learning_rate, n):
    parameters = list(parameters)
    for p in parameters:
        p.data = p.data - (learning_rate / n) * p.grad
    zero_grad(parameters)
