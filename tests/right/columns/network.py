"""Network computed in the book's column convention: W(k).T h, with explicit transposes back to rows."""

import numpy as np


def sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))


class Network:
    def __init__(self, definition, seed=None):
        self.definition = tuple(definition)
        self.n_layers = len(definition) - 1
        rng = np.random.default_rng(seed)
        self.weights = {k: rng.normal(0, 1 / np.sqrt(m), (m, n))
                        for k, (m, n) in enumerate(zip(definition[:-1], definition[1:]), start=1)}
        self.biases = {k: np.zeros(n) for k, n in enumerate(definition[1:], start=1)}
        self.weights_grad = {k: np.zeros_like(W) for k, W in self.weights.items()}
        self.biases_grad = {k: np.zeros_like(b) for k, b in self.biases.items()}
        self.layers, self.activations, self.output, self.loss = {}, {}, None, None

    @staticmethod
    def _columns(a):
        """(B, n) rows or (n,) -> (n, B) columns."""
        return np.atleast_2d(a).T

    def forward(self, features, targets):
        one = np.ndim(features) == 1
        expected = (self.definition[-1],) if one else (len(features), self.definition[-1])
        if np.shape(targets) != expected:
            raise ValueError(f"expected targets of shape {expected}, got {np.shape(targets)}")
        back = (lambda c: c[:, 0]) if one else (lambda c: c.T)  # columns -> the caller's layout
        h = self._columns(features)
        self.activations, self.layers = {0: features}, {}
        for k in range(1, self.n_layers + 1):
            a = self.weights[k].T @ h + self.biases[k][:, None]
            h = sigmoid(a)
            self.layers[k], self.activations[k] = back(a), back(h)
        self.output = self.activations[self.n_layers]
        diff = self._columns(self.output) - self._columns(targets)
        self.loss = float((diff.T @ diff).trace())

    def backprop(self, targets):
        one = np.ndim(targets) == 1
        delta = 2 * (self._columns(self.output) - self._columns(targets))
        for k in range(self.n_layers, 0, -1):
            h = self._columns(self.activations[k])
            delta = delta * h * (1 - h)
            self.weights_grad[k] = (delta @ self._columns(self.activations[k - 1]).T).T
            self.biases_grad[k] = delta.sum(axis=1)
            delta = self.weights[k] @ delta
        if one:
            self.biases_grad = {k: g.reshape(-1) for k, g in self.biases_grad.items()}

    def compute_loss(self, targets):
        return float(np.sum((self.output - np.asarray(targets)) ** 2))

    def update(self, learning_rate):
        for k in range(1, self.n_layers + 1):
            self.weights[k] = self.weights[k] - learning_rate * self.weights_grad[k]
            self.biases[k] = self.biases[k] - learning_rate * self.biases_grad[k]

    def predict(self, features):
        h = self._columns(features)
        for k in range(1, self.n_layers + 1):
            h = sigmoid(self.weights[k].T @ h + self.biases[k][:, None])
        best = np.argmax(h, axis=0)
        return best[0] if np.ndim(features) == 1 else best
