"""Network, one example at a time (Nielsen's style): a batch is a loop over its rows."""

import numpy as np


def sigmoid(z):
    """Nielsen's 1 / (1 + exp(-z)), element-wise: below z = -709 exp overflows to inf, and 1 / inf is
    the right 0, so the overflow is no error."""
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-z))


class Network:
    def __init__(self, definition, seed=None):
        self.definition = tuple(definition)
        rng = np.random.default_rng(seed)
        self.weights, self.biases, self.weights_grad, self.biases_grad = {}, {}, {}, {}
        for k in range(1, len(self.definition)):
            n_in, n_out = self.definition[k - 1], self.definition[k]
            self.weights[k] = rng.standard_normal((n_in, n_out)) / np.sqrt(n_in)
            self.biases[k] = np.zeros(n_out)
            self.weights_grad[k] = np.zeros((n_in, n_out))
            self.biases_grad[k] = np.zeros(n_out)
        self.layers, self.activations, self.output, self.loss = {}, {}, None, None

    def _one(self, x):
        """(pre-activations, activations) of one example x (n0,)."""
        a_list, h_list = [], [x]
        for k in range(1, len(self.definition)):
            a = self.biases[k] + np.dot(h_list[-1], self.weights[k])
            a_list.append(a)
            h_list.append(sigmoid(a))
        return a_list, h_list

    def forward(self, features, targets):
        features = np.asarray(features, dtype=float)
        out_shape = features.shape[:-1] + (self.definition[-1],)
        if np.shape(targets) != out_shape:
            raise ValueError(f"targets {np.shape(targets)} do not match the output {out_shape}")
        rows = [features] if features.ndim == 1 else list(features)
        per_example = [self._one(x) for x in rows]
        L = len(self.definition) - 1
        if features.ndim == 1:
            a_list, h_list = per_example[0]
            self.layers = {k: a_list[k - 1] for k in range(1, L + 1)}
            self.activations = {k: h_list[k] for k in range(L + 1)}
        else:
            self.layers = {k: np.array([p[0][k - 1] for p in per_example]) for k in range(1, L + 1)}
            self.activations = {k: np.array([p[1][k] for p in per_example]) for k in range(L + 1)}
            self.activations[0] = features
        self.output = self.activations[L]
        self.loss = sum(float(np.dot(y - t, y - t)) for y, t in zip(np.atleast_2d(self.output), np.atleast_2d(targets)))

    def backprop(self, targets):
        L = len(self.definition) - 1
        nabla_w = {k: np.zeros_like(self.weights[k]) for k in self.weights}
        nabla_b = {k: np.zeros_like(self.biases[k]) for k in self.biases}
        hs = {k: np.atleast_2d(v) for k, v in self.activations.items()}
        for row, t in enumerate(np.atleast_2d(targets)):
            h_out = hs[L][row]
            delta = 2 * (h_out - t) * h_out * (1 - h_out)
            for k in range(L, 0, -1):
                nabla_b[k] += delta
                nabla_w[k] += np.outer(hs[k - 1][row], delta)
                if k > 1:
                    h = hs[k - 1][row]
                    delta = np.dot(self.weights[k], delta) * h * (1 - h)
        self.weights_grad, self.biases_grad = nabla_w, nabla_b

    def compute_loss(self, targets):
        return float(np.sum((np.asarray(self.output) - targets) ** 2))

    def update(self, learning_rate):
        for k in self.weights:
            self.weights[k] = self.weights[k] - learning_rate * self.weights_grad[k]
            self.biases[k] = self.biases[k] - learning_rate * self.biases_grad[k]

    def predict(self, features):
        features = np.asarray(features, dtype=float)
        if features.ndim == 1:
            return int(np.argmax(self._one(features)[1][-1]))
        return np.array([np.argmax(self._one(x)[1][-1]) for x in features], dtype=int)
