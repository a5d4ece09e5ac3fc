"""The graph walked recursively: each layer's backprop calls the one above it first."""

import numpy as np


class Sigmoid:
    def fn(self, x):
        return np.where(x >= 0, 1 / (1 + np.exp(-np.abs(x))), np.exp(-np.abs(x)) / (1 + np.exp(-np.abs(x))))

    def deriv(self, x):
        return self.fn(x) * self.fn(-x)


class Tanh:
    def fn(self, x):
        return 2 / (1 + np.exp(-2 * np.clip(x, -300, 300))) - 1

    def deriv(self, x):
        return 1 - self.fn(x) ** 2


class ReLU:
    def fn(self, x):
        return np.maximum(0, x)

    def deriv(self, x):
        return 1.0 * (x > 0)


class L2:
    def fn(self, yhat, y):
        return ((yhat - y) ** 2).sum()

    def deriv(self, yhat, y):
        return 2 * (yhat - y)


class NN:
    def __init__(self, sizes, activation, loss, seed=None):
        rng = np.random.default_rng(seed)
        self.sizes, self.activation, self.loss = sizes, activation, loss
        self.w = [rng.normal(0, 1 / np.sqrt(a), (a, b)) for a, b in zip(sizes, sizes[1:])]
        self.b = [rng.normal(0, 0.01, (1, b)) for b in sizes[1:]]

    def forward_pass(self, x, i=0):
        if i == 0:
            x = x.reshape(1, -1) if x.ndim == 1 else x
        if i == len(self.w):
            return x
        return self.forward_pass(self.activation.fn(x @ self.w[i] + self.b[i]), i + 1)

    def eval_loss(self, x, y):
        return float(self.loss.fn(self.forward_pass(x), y))

    def _grads(self, i, h, y):
        """(dloss/dh(i), w_grad[i:], b_grad[i:]) for the input h of layer i."""
        if i == len(self.w):
            return self.loss.deriv(h, y), [], []
        z = h @ self.w[i] + self.b[i]
        g, w_grad, b_grad = self._grads(i + 1, self.activation.fn(z), y)
        g = g * self.activation.deriv(z)
        return g @ self.w[i].T, [h.T @ g] + w_grad, [g.sum(axis=0, keepdims=True)] + b_grad

    def backprop(self, x, y):
        _, w_grad, b_grad = self._grads(0, np.atleast_2d(x), y)
        return w_grad, b_grad
