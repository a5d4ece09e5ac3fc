"""Network whose forward pass and backprop recurse over the layers; the owner's draft `assert`."""

import numpy as np


def sigmoid(x):
    return 1 / (1 + np.exp(-np.clip(x, -500, 500)))


class Network:
    def __init__(self, definition, seed=None):
        self.definition = list(definition)
        rng = np.random.default_rng(seed)
        self.weights, self.biases = {}, {}
        for k in range(1, len(definition)):
            self.weights[k] = rng.normal(size=(definition[k - 1], definition[k])) / np.sqrt(definition[k - 1])
            self.biases[k] = rng.normal(0, 0.1, size=definition[k])  # small random biases: also fine
        self.weights_grad = {k: np.zeros_like(v) for k, v in self.weights.items()}
        self.biases_grad = {k: np.zeros_like(v) for k, v in self.biases.items()}
        self.layers, self.activations, self.output, self.loss = {}, {}, None, None

    def _propagate(self, k, h, store):
        """h(k-1) -> the output, layer k and every layer above it."""
        if k == len(self.definition):
            return h
        a = h @ self.weights[k] + self.biases[k]
        if store:
            self.layers[k], self.activations[k] = a, sigmoid(a)
        return self._propagate(k + 1, sigmoid(a), store)

    def forward(self, features, targets):
        expected = np.shape(features)[:-1] + (self.definition[-1],)
        assert np.shape(targets) == expected, \
            f"targets have shape {np.shape(targets)}; the output has shape {expected}"
        self.layers, self.activations = {}, {0: features}
        self.output = self._propagate(1, features, store=True)
        self.loss = np.sum(np.square(self.output - targets))

    def _back(self, k, g):
        """g = dJ/dh(k); stores the gradients of layer k and every layer below it."""
        if k == 0:
            return
        h = self.activations[k]
        g = g * h * (1 - h)
        self.biases_grad[k] = g.sum(axis=0) if g.ndim == 2 else g
        self.weights_grad[k] = np.atleast_2d(self.activations[k - 1]).T @ np.atleast_2d(g)
        self._back(k - 1, g @ self.weights[k].T)

    def backprop(self, targets):
        self._back(len(self.definition) - 1, 2 * (self.output - targets))

    def compute_loss(self, targets):
        return np.sum(np.square(self.output - targets)).item()

    def update(self, learning_rate):
        for k in self.weights:
            self.weights[k] -= learning_rate * self.weights_grad[k]
            self.biases[k] -= learning_rate * self.biases_grad[k]

    def predict(self, features):
        return self._propagate(1, features, store=False).argmax(axis=-1)
