"""Mini-batch SGD computed the way Nielsen's network.py computes it, for the benchmarks.

His network.py (Neural Networks and Deep Learning, chapter 1) stores every example as a column
vector, every weight matrix as (n_out, n_in) in a Python list, runs backpropagation once per
example, and adds up the per-example gradients with list comprehensions. This module follows
that algorithm, written for this project (none of his code is copied), so that the benchmark of
the reference `train` has the baseline issue 7 names: "one backprop per example, summed over the
mini-batch, as Nielsen's network.py does".

Two things tie it to the reference, so that both end an epoch with the same weights:

- `from_network` starts from a `solutions.network.Network`'s parameters, transposed
  (W(k) there is (n_in, n_out), here (n_out, n_in)) and biases made columns (n, 1);
- `sgd` takes the seed of `solutions.training.train` and visits the examples in the same order
  (default_rng(seed).permutation, a fresh one every epoch), where his code calls
  `random.shuffle`.

His cost is 0.5 * sum((a - y)**2), so `cost_derivative` is a - y, half of our gradient: his
eta = 3.0 takes the same steps as our learning_rate = 1.5 (CONTRACT.md, "Details the grader
relies on"). Nothing else is scaled.
"""

from __future__ import annotations

import numpy as np


def sigmoid(z):
    """The logistic function, written as network.py writes it (no guard against overflow)."""
    return 1.0 / (1.0 + np.exp(-z))


def sigmoid_prime(z):
    return sigmoid(z) * (1 - sigmoid(z))


def column_data(features, targets):
    """(N, n0) features and (N, nL) targets as a list of N pairs of columns (n0, 1), (nL, 1).

    This is the form network.py's data loader hands to SGD; the conversion is done once,
    before any timing, as his loader does it once when the data is read.
    """
    return [(x.reshape(-1, 1), t.reshape(-1, 1)) for x, t in zip(features, targets)]


# --8<-- [start:nielsen_style]
class NielsenStyleNetwork:
    """A sigmoid network in column form: weights[i] is (n_out, n_in), biases[i] is (n_out, 1)."""

    def __init__(self, weights, biases):
        self.weights, self.biases = weights, biases
        self.num_layers = len(weights) + 1

    def feedforward(self, a):
        for b, w in zip(self.biases, self.weights):
            a = sigmoid(np.dot(w, a) + b)
        return a

    def sgd(self, training_data, epochs, mini_batch_size, eta, seed=None):
        rng = np.random.default_rng(seed)  # the order of solutions/training.py's `train`
        n = len(training_data)
        for _ in range(epochs):
            order = rng.permutation(n)
            shuffled = [training_data[i] for i in order]
            mini_batches = [shuffled[k:k + mini_batch_size] for k in range(0, n, mini_batch_size)]
            for mini_batch in mini_batches:
                self.update_mini_batch(mini_batch, eta)

    def update_mini_batch(self, mini_batch, eta):
        nabla_b = [np.zeros(b.shape) for b in self.biases]
        nabla_w = [np.zeros(w.shape) for w in self.weights]
        for x, y in mini_batch:  # one backprop per example, the gradients summed
            delta_nabla_b, delta_nabla_w = self.backprop(x, y)
            nabla_b = [nb + dnb for nb, dnb in zip(nabla_b, delta_nabla_b)]
            nabla_w = [nw + dnw for nw, dnw in zip(nabla_w, delta_nabla_w)]
        self.weights = [w - (eta / len(mini_batch)) * nw for w, nw in zip(self.weights, nabla_w)]
        self.biases = [b - (eta / len(mini_batch)) * nb for b, nb in zip(self.biases, nabla_b)]

    def backprop(self, x, y):
        """The gradients of 0.5 * sum((a - y)**2) for one example, as two lists by layer."""
        nabla_b = [np.zeros(b.shape) for b in self.biases]
        nabla_w = [np.zeros(w.shape) for w in self.weights]
        activation = x
        activations = [x]  # every layer's output, the input first
        zs = []  # every layer's weighted input
        for b, w in zip(self.biases, self.weights):
            z = np.dot(w, activation) + b
            zs.append(z)
            activation = sigmoid(z)
            activations.append(activation)
        delta = self.cost_derivative(activations[-1], y) * sigmoid_prime(zs[-1])
        nabla_b[-1] = delta
        nabla_w[-1] = np.dot(delta, activations[-2].transpose())
        for layer in range(2, self.num_layers):  # backwards: layer 2 is the last hidden one
            sp = sigmoid_prime(zs[-layer])
            delta = np.dot(self.weights[-layer + 1].transpose(), delta) * sp
            nabla_b[-layer] = delta
            nabla_w[-layer] = np.dot(delta, activations[-layer - 1].transpose())
        return nabla_b, nabla_w

    def cost_derivative(self, output_activations, y):
        return output_activations - y
# --8<-- [end:nielsen_style]

    def evaluate(self, test_data):
        """How many (x, label) pairs the network gets right, one example at a time."""
        return sum(int(np.argmax(self.feedforward(x)) == label) for x, label in test_data)

    @classmethod
    def from_network(cls, network):
        """The same parameters as a solutions.network.Network, in column form (copies)."""
        layers = range(1, network.n_layers + 1)
        return cls([network.weights[k].T.copy() for k in layers],
                   [network.biases[k].reshape(-1, 1).copy() for k in layers])

    def to_network(self, network_class):
        """A `network_class` (solutions.network.Network) holding these parameters, in rows."""
        sizes = [self.weights[0].shape[1]] + [w.shape[0] for w in self.weights]
        network = network_class(sizes, seed=0)
        for k, (w, b) in enumerate(zip(self.weights, self.biases), start=1):
            network.weights[k] = w.T.copy()
            network.biases[k] = b.ravel().copy()
        return network
