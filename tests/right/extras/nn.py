"""An NN with extra members (a cache of the forward pass, a step count), helper methods, and a
Glorot-uniform start with small non-zero biases."""

import numpy as np


class Activation:
    """A base class: subclasses give fn and deriv."""

    name = "activation"

    def __call__(self, x):
        return self.fn(x)


class Sigmoid(Activation):
    name = "sigmoid"

    def fn(self, x):
        x = np.asarray(x, dtype=float)
        z = np.exp(-np.abs(x))
        return np.where(x >= 0, 1 / (1 + z), z / (1 + z))

    def deriv(self, x):
        s = self.fn(x)
        return s * (1 - s)


class Tanh(Activation):
    name = "tanh"

    def fn(self, x):
        return np.tanh(x)

    def deriv(self, x):
        return 1 - np.tanh(x) ** 2


class ReLU(Activation):
    name = "relu"

    def fn(self, x):
        return np.maximum(x, 0)

    def deriv(self, x):
        return np.asarray(x > 0, dtype=float)


class L2:
    def fn(self, yhat, y):
        return np.sum(np.square(yhat - y))

    def deriv(self, yhat, y):
        return 2 * (yhat - y)


class NN:
    def __init__(self, sizes, activation, loss, seed=None):
        self.sizes, self.activation, self.loss = tuple(sizes), activation, loss
        rng = np.random.default_rng(seed)
        self.w, self.b = [], []
        for m, n in self.shapes():
            limit = np.sqrt(6 / (m + n))
            self.w.append(rng.uniform(-limit, limit, (m, n)))
            self.b.append(np.full((1, n), 0.01))
        self.cache = None
        self.calls = 0

    def shapes(self):
        return list(zip(self.sizes[:-1], self.sizes[1:]))

    @staticmethod
    def as_rows(x):
        x = np.asarray(x, dtype=float)
        return x[None, :] if x.ndim == 1 else x

    def _forward(self, x):
        hs, zs = [self.as_rows(x)], []
        for w, b in zip(self.w, self.b):
            zs.append(hs[-1] @ w + b)
            hs.append(self.activation.fn(zs[-1]))
        self.cache = (hs, zs)
        self.calls += 1
        return hs, zs

    def forward_pass(self, x):
        return self._forward(x)[0][-1]

    def eval_loss(self, x, y):
        return self.loss.fn(self.forward_pass(x), y).item()

    def backprop(self, x, y):
        hs, zs = self._forward(x)
        g = self.loss.deriv(hs[-1], self.as_rows(y))
        grads = []
        for i in range(len(self.w) - 1, -1, -1):
            g = g * self.activation.deriv(zs[i])
            grads.append((hs[i].T @ g, g.sum(0)[None]))
            g = g @ self.w[i].T
        grads.reverse()
        return [gw for gw, _ in grads], [gb for _, gb in grads]
