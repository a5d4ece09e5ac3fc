"""Pluggable activations and losses; backprop one row at a time, the gradients summed."""

import math

import numpy as np


class Sigmoid:
    def fn(self, x):
        return 0.5 * (1 + np.tanh(0.5 * x))

    def deriv(self, x):
        s = self.fn(x)
        return s - s * s


class Tanh:
    def fn(self, x):
        return np.tanh(x)

    def deriv(self, x):
        return 1 / np.cosh(x) ** 2


class ReLU:
    def fn(self, x):
        return x * (x > 0)

    def deriv(self, x):
        return (x > 0).astype(float)


class L2:
    def fn(self, yhat, y):
        return float(np.sum((yhat - y) * (yhat - y)))

    def deriv(self, yhat, y):
        return 2.0 * (yhat - y)


class NN:
    def __init__(self, sizes, activation, loss, seed=None):
        rng = np.random.default_rng(seed)
        self.sizes, self.activation, self.loss = list(sizes), activation, loss
        self.w = [rng.normal(size=(m, n)) / math.sqrt(m) for m, n in zip(sizes[:-1], sizes[1:])]
        self.b = [np.zeros((1, n)) for n in sizes[1:]]

    def forward_pass(self, x):
        rows = np.atleast_2d(x)
        out = []
        for row in rows:
            h = row
            for w, b in zip(self.w, self.b):
                h = self.activation.fn(h @ w + b[0])
            out.append(h)
        return np.array(out)

    def eval_loss(self, x, y):
        return float(self.loss.fn(self.forward_pass(x), np.reshape(y, (-1, self.sizes[-1]))))

    def _backprop_row(self, x, y):
        zs, hs = [], [x]
        for w, b in zip(self.w, self.b):
            zs.append(hs[-1] @ w + b[0])
            hs.append(self.activation.fn(zs[-1]))
        g = self.loss.deriv(hs[-1], y)
        w_grad, b_grad = [], []
        for i in range(len(self.w) - 1, -1, -1):
            g = g * self.activation.deriv(zs[i])
            w_grad.append(np.outer(hs[i], g))
            b_grad.append(g.reshape(1, -1))
            g = self.w[i] @ g
        return w_grad[::-1], b_grad[::-1]  # built from the output layer down

    def backprop(self, x, y):
        xs = np.atleast_2d(x)
        ys = np.reshape(y, (len(xs), -1))
        w_grad = [np.zeros_like(w) for w in self.w]
        b_grad = [np.zeros_like(b) for b in self.b]
        for row, target in zip(xs, ys):
            dw, db = self._backprop_row(row, target)
            for i in range(len(self.w)):
                w_grad[i] += dw[i]
                b_grad[i] += db[i]
        return w_grad, b_grad
