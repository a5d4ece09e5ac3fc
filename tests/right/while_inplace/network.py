"""Network with while loops and in-place NumPy operations (out=, -=, [...] =)."""

import numpy as np


def sigmoid(a, out=None):
    out = np.multiply(a, 0.5, out=out)
    np.tanh(out, out=out)
    out += 1
    out *= 0.5
    return out


class Network:
    def __init__(self, definition, seed=None):
        self.definition = tuple(definition)
        self.L = len(definition) - 1
        rng = np.random.default_rng(seed)
        self.weights, self.biases, self.weights_grad, self.biases_grad = {}, {}, {}, {}
        k = 1
        while k <= self.L:
            n_in, n_out = definition[k - 1], definition[k]
            self.weights[k] = rng.normal(0, 1, (n_in, n_out))
            self.weights[k] /= np.sqrt(n_in)
            self.biases[k] = np.zeros(n_out)
            self.weights_grad[k] = np.zeros((n_in, n_out))
            self.biases_grad[k] = np.zeros(n_out)
            k += 1
        self.layers, self.activations, self.output, self.loss = {}, {}, None, None

    def forward(self, features, targets):
        expected = np.shape(features)[:-1] + (self.definition[-1],)
        if np.shape(targets) != expected:
            raise ValueError(f"the targets' shape {np.shape(targets)} is not the output's shape {expected}")
        self.activations = {0: features}
        self.layers = {}
        k = 1
        while k <= self.L:
            a = self.activations[k - 1] @ self.weights[k]
            a += self.biases[k]
            self.layers[k] = a
            self.activations[k] = sigmoid(a)
            k += 1
        self.output = self.activations[self.L]
        d = self.output - targets
        np.square(d, out=d)
        self.loss = d.sum()

    def backprop(self, targets):
        g = self.output - targets
        g *= 2
        k = self.L
        while k >= 1:
            h = self.activations[k]
            g *= h
            g *= 1 - h
            rows = g.reshape(-1, g.shape[-1])
            inputs = np.reshape(self.activations[k - 1], (len(rows), -1))
            self.biases_grad[k] = rows.sum(axis=0)
            self.weights_grad[k] = inputs.T @ rows
            g = g @ self.weights[k].T
            k -= 1

    def compute_loss(self, targets):
        return float(((self.output - targets) ** 2).sum())

    def update(self, learning_rate):
        for k in self.weights:
            np.subtract(self.weights[k], learning_rate * self.weights_grad[k], out=self.weights[k])
            self.biases[k] -= learning_rate * self.biases_grad[k]

    def predict(self, features):
        h = np.array(features, dtype=float)
        k = 1
        while k <= self.L:
            h = sigmoid(h @ self.weights[k] + self.biases[k])
            k += 1
        return np.argmax(h, axis=-1)
