"""Network with every product written as np.einsum; train steps the parameters by hand."""

import numpy as np


def sigmoid(a):
    e = np.exp(-np.abs(a))
    return np.where(a >= 0, 1 / (1 + e), e / (1 + e))


class Network:
    def __init__(self, definition, seed=None):
        self.definition = tuple(definition)
        rng = np.random.default_rng(seed)
        L = len(definition) - 1
        self.weights = {k: rng.normal(0.0, np.sqrt(1 / definition[k - 1]), (definition[k - 1], definition[k]))
                        for k in range(1, L + 1)}
        self.biases = {k: np.zeros(definition[k]) for k in range(1, L + 1)}
        self.weights_grad = {k: np.zeros_like(self.weights[k]) for k in self.weights}
        self.biases_grad = {k: np.zeros_like(self.biases[k]) for k in self.biases}
        self.layers, self.activations, self.output, self.loss = {}, {}, None, None

    def forward(self, features, targets):
        if np.shape(targets) != np.shape(features)[:-1] + self.definition[-1:]:
            raise ValueError(f"targets of shape {np.shape(targets)} for an output of shape "
                             f"{np.shape(features)[:-1] + self.definition[-1:]}")
        h = np.asarray(features)
        self.activations, self.layers = {0: h}, {}
        for k in sorted(self.weights):
            a = np.einsum("...i,ij->...j", h, self.weights[k]) + self.biases[k]
            h = sigmoid(a)
            self.layers[k], self.activations[k] = a, h
        self.output = h
        d = self.output - targets
        self.loss = np.einsum("i,i->", d.ravel(), d.ravel())

    def backprop(self, targets):
        g = 2 * (self.output - targets)
        for k in sorted(self.weights, reverse=True):
            h = self.activations[k]
            g = np.einsum("...j,...j->...j", g, h * (1 - h))
            rows_h, rows_g = np.atleast_2d(self.activations[k - 1]), np.atleast_2d(g)  # one example: one row
            self.weights_grad[k] = np.einsum("ni,nj->ij", rows_h, rows_g)
            self.biases_grad[k] = np.einsum("nj->j", rows_g)
            g = np.einsum("...j,ij->...i", g, self.weights[k])

    def compute_loss(self, targets):
        d = np.asarray(self.output) - targets
        return float(np.einsum("i,i->", d.ravel(), d.ravel()))

    def update(self, learning_rate):
        for k in self.weights:
            self.weights[k] = self.weights[k] - learning_rate * self.weights_grad[k]
            self.biases[k] = self.biases[k] - learning_rate * self.biases_grad[k]

    def predict(self, features):
        h = np.asarray(features)
        for k in sorted(self.weights):
            h = sigmoid(np.einsum("...i,ij->...j", h, self.weights[k]) + self.biases[k])
        return np.argmax(h, axis=-1)
