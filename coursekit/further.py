"""Lesson 7, "Going further": the improvements that take MNIST from 95 % to 98 %.

Not part of the student contract: a small, self-contained network in the row convention of
lesson 1 (`a = b + h W`), in float32, with each improvement behind one switch of a `Recipe`,
so that the lesson can measure them one at a time.

    softmax       the output layer is a softmax and the loss is the cross-entropy
                  J = -sum(t * log(y)): its gradient at the pre-activation is simply y - t
    relu          hidden layers use max(0, a) instead of the sigmoid: no saturation for a > 0
    he_init       weights drawn with variance 2 / n_in, the right scale for ReLU (He et al. 2015)
    momentum      v = momentum * v - step * grad; W += v: steps keep some of their direction
    schedule      the learning rate decays along a half cosine, to zero at the last epoch
    weight_decay  every step also shrinks W by step * weight_decay * W (L2 regularisation)
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace  # noqa: F401  (replace: for callers)

import numpy as np


@dataclass(frozen=True)
class Recipe:
    hidden: tuple = (100,)
    softmax: bool = False
    relu: bool = False
    he_init: bool = False
    momentum: float = 0.0
    schedule: bool = False
    weight_decay: float = 0.0
    learning_rate: float = 1.5  # per-example rate: the step is learning_rate / batch_size * sum
    batch_size: int = 10
    epochs: int = 30


# --8<-- [start:activations]
def sigmoid(a):
    return 0.5 * (1 + np.tanh(0.5 * a))  # the logistic function, without overflow


def softmax(a):
    e = np.exp(a - a.max(axis=1, keepdims=True))  # shifting by the row's max changes nothing
    return e / e.sum(axis=1, keepdims=True)       # ... but keeps exp from overflowing
# --8<-- [end:activations]


class Net:
    """A fully connected network for a `Recipe`, float32 throughout."""

    def __init__(self, sizes, recipe, seed=None):
        rng = np.random.default_rng(seed)
        self.recipe = recipe
        self.W, self.b, self.vW, self.vb = [], [], [], []
        for n_in, n_out in zip(sizes[:-1], sizes[1:]):
            scale = np.sqrt(2 / n_in) if recipe.he_init else np.sqrt(1 / n_in)
            self.W.append((rng.standard_normal((n_in, n_out)) * scale).astype(np.float32))
            self.b.append(np.zeros(n_out, dtype=np.float32))
            self.vW.append(np.zeros((n_in, n_out), dtype=np.float32))
            self.vb.append(np.zeros(n_out, dtype=np.float32))

    def forward(self, x):
        """The output, and every layer's activation h(0) = x ... h(L) for backward()."""
        hs = [x]
        for k, (W, b) in enumerate(zip(self.W, self.b)):
            a = b + hs[-1] @ W
            if k == len(self.W) - 1:
                hs.append(softmax(a) if self.recipe.softmax else sigmoid(a))
            else:
                hs.append(np.maximum(a, 0) if self.recipe.relu else sigmoid(a))
        return hs

    def loss(self, y, t):
        if self.recipe.softmax:
            return float(-np.sum(t * np.log(np.maximum(y, 1e-30))))
        return float(np.sum((y - t) ** 2))

    # --8<-- [start:step]
    def step(self, x, t, rate):
        """One mini-batch step: forward, backward, and the update with every switch."""
        r = self.recipe
        hs = self.forward(x)
        y = hs[-1]
        # dJ/da at the output: y - t for softmax with cross-entropy, else the quadratic's.
        g = (y - t) if r.softmax else 2 * (y - t) * y * (1 - y)
        step = rate / len(x)
        for k in range(len(self.W) - 1, -1, -1):
            gW, gb = hs[k].T @ g, g.sum(axis=0)
            if k > 0:  # pass g down through W, then through the hidden activation
                h = hs[k]
                g = (g @ self.W[k].T) * ((h > 0) if r.relu else h * (1 - h))
            if r.weight_decay:  # L2: the loss gains weight_decay/2 |W|^2 per example
                gW += (r.weight_decay * len(x)) * self.W[k]
            self.vW[k] = r.momentum * self.vW[k] - step * gW
            self.vb[k] = r.momentum * self.vb[k] - step * gb
            self.W[k] += self.vW[k]
            self.b[k] += self.vb[k]
        return self.loss(y, t)
    # --8<-- [end:step]

    def predict(self, x):
        return np.argmax(self.forward(x)[-1], axis=1)


def rate_at(recipe, epoch):
    """The learning rate for `epoch` (0-based): constant, or a half cosine down to 0."""
    if not recipe.schedule:
        return recipe.learning_rate
    # float(): a NumPy float64 scalar would turn every float32 array it touches into float64.
    return recipe.learning_rate * 0.5 * (1 + float(np.cos(np.pi * epoch / recipe.epochs)))


def fit(recipe, train_x, train_t, test_x, test_labels, seed=0):
    """Train a fresh Net; returns {"accuracy": per epoch on the test set, "seconds": training time}."""
    sizes = (train_x.shape[1], *recipe.hidden, train_t.shape[1])
    net = Net(sizes, recipe, seed=seed)
    rng = np.random.default_rng(seed)
    accuracy, losses, seconds = [], [], 0.0
    for epoch in range(recipe.epochs):
        start = time.perf_counter()
        order = rng.permutation(len(train_x))
        x, t = train_x[order], train_t[order]
        rate, total = rate_at(recipe, epoch), 0.0
        for i in range(0, len(x), recipe.batch_size):
            total += net.step(x[i:i + recipe.batch_size], t[i:i + recipe.batch_size], rate)
        seconds += time.perf_counter() - start
        losses.append(total / len(x))
        accuracy.append(float(np.mean(net.predict(test_x) == test_labels)))
    return {"accuracy": accuracy, "loss": losses, "seconds": seconds, "net": net}


# The lesson's table: each row adds one switch to the row above. Batches of 64 for every row,
# so that only the switch changes (and matrix products of 64 rows keep NumPy busy).
BASE = Recipe(hidden=(100,), learning_rate=3.0, batch_size=64, epochs=17)
MODERN = replace(BASE, softmax=True, learning_rate=0.5)
STEPS = [
    ("sigmoid, quadratic loss (lesson 6)", BASE),
    ("+ softmax and cross-entropy", MODERN),
    ("+ ReLU", replace(MODERN, relu=True, learning_rate=0.2)),
    ("+ He initialisation", replace(MODERN, relu=True, he_init=True, learning_rate=0.2)),
    ("+ momentum 0.9", replace(MODERN, relu=True, he_init=True, momentum=0.9, learning_rate=0.1)),
    ("+ cosine schedule", replace(MODERN, relu=True, he_init=True, momentum=0.9, learning_rate=0.1,
                                  schedule=True)),
    ("+ weight decay", replace(MODERN, relu=True, he_init=True, momentum=0.9, learning_rate=0.1,
                               schedule=True, weight_decay=1e-4)),
]
