"""Computed on columns, (n, N), with explicit transposes at the edges of every method."""

import numpy as np


class Sigmoid:
    # sigma(x) = (1 + tanh(x/2)) / 2, so sigma' = (1 - tanh(x/2)**2) / 4: no exp to overflow.
    def fn(self, x):
        return 0.5 + 0.5 * np.tanh(x / 2)

    def deriv(self, x):
        t = np.tanh(x / 2)
        return 0.25 * (1 - t * t)


class Tanh:
    def fn(self, x):
        return np.tanh(x)

    def deriv(self, x):
        t = np.tanh(x)
        return 1 - t * t


class ReLU:
    def fn(self, x):
        return np.where(x > 0, x, 0.0)

    def deriv(self, x):
        return np.heaviside(x, 0.0)


class L2:
    def fn(self, yhat, y):
        d = np.ravel(yhat - y)
        return d @ d

    def deriv(self, yhat, y):
        return (yhat - y) * 2


class NN:
    def __init__(self, sizes, activation, loss, seed=None):
        self.sizes = sizes
        self.activation = activation
        self.loss = loss
        rng = np.random.default_rng(seed)
        self.w = [(rng.standard_normal((n, m)) / np.sqrt(m)).T for m, n in zip(sizes, sizes[1:])]
        self.b = [np.zeros((n, 1)).T for n in sizes[1:]]

    def _columns_forward(self, x):
        a = np.atleast_2d(x).T  # (n0, N)
        zs, hs = [], [a]
        for w, b in zip(self.w, self.b):
            zs.append(w.T @ hs[-1] + b.T)
            hs.append(self.activation.fn(zs[-1]))
        return zs, hs

    def forward_pass(self, x):
        return self._columns_forward(x)[1][-1].T

    def eval_loss(self, x, y):
        out = self._columns_forward(x)[1][-1]  # (nL, N)
        return float(self.loss.fn(out.T, y))

    def backprop(self, x, y):
        zs, hs = self._columns_forward(x)
        out = hs[-1].T
        g = self.loss.deriv(out, np.reshape(y, out.shape)).T  # (nL, N)
        w_grad, b_grad = [], []
        for i in range(len(self.w) - 1, -1, -1):
            g = g * self.activation.deriv(zs[i])
            w_grad.insert(0, (g @ hs[i].T).T)
            b_grad.insert(0, g.sum(axis=1, keepdims=True).T)
            g = self.w[i] @ g
        return w_grad, b_grad
