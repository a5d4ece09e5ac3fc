"""An all-zeros network: every method runs and answers with zeros of the right shapes (no
parameter ever changes, every gradient is zero, every prediction is class 0). It must earn
nothing: no test of the grader may be passable by an answer that ignores its inputs."""

from itertools import pairwise

import numpy as np


def sigmoid(x):
    return np.zeros_like(np.asarray(x, dtype=float))


def sigmoid_prime(x):
    return np.zeros_like(np.asarray(x, dtype=float))


class Network:
    def __init__(self, definition, seed=None, dtype=np.float64):
        self.definition = tuple(definition)
        self.n_layers = len(self.definition) - 1
        self.weights, self.biases, self.weights_grad, self.biases_grad = {}, {}, {}, {}
        for k, (n_in, n_out) in enumerate(pairwise(self.definition), start=1):
            self.weights[k] = np.zeros((n_in, n_out), dtype=dtype)
            self.biases[k] = np.zeros(n_out, dtype=dtype)
            self.weights_grad[k] = np.zeros((n_in, n_out), dtype=dtype)
            self.biases_grad[k] = np.zeros(n_out, dtype=dtype)
        self.layers, self.activations = {}, {}
        self.output, self.loss = None, None

    def forward(self, features, targets):
        features = np.asarray(features, dtype=float)
        rows = features.shape[:-1]
        self.activations = {0: features}
        for k in range(1, self.n_layers + 1):
            self.layers[k] = np.zeros((*rows, self.definition[k]))
            self.activations[k] = np.zeros((*rows, self.definition[k]))
        self.output = np.zeros(np.shape(targets))
        self.loss = 0.0

    def backprop(self, targets):
        for k in self.weights:
            self.weights_grad[k] = np.zeros_like(self.weights[k])
            self.biases_grad[k] = np.zeros_like(self.biases[k])

    def compute_loss(self, targets):
        return 0.0

    def update(self, learning_rate):
        return None

    def predict(self, features):
        features = np.asarray(features)
        return 0 if features.ndim == 1 else np.zeros(len(features), dtype=int)
