"""A fully connected feed-forward network, vectorised over a batch of examples.

Lesson 1, "The Network class". Notation (row convention, one example per row):

    h(0) = x                        features, shape (B, n0), or (n0,) for one example
    a(k) = b(k) + h(k-1) W(k)       pre-activation of layer k, shape (B, nk)
    h(k) = f(a(k))                  activation of layer k, f the logistic sigmoid
    y    = h(L)                     the output, shape (B, nL)
    J    = sum((y - t)**2)          the loss, summed over every element

W(k) has shape (n(k-1), nk): it is the transpose of the matrix in Goodfellow et al., which
is why every product below reads "h W" where the book reads "W h".
"""

from itertools import pairwise

import numpy as np


def sigmoid(x):
    """The logistic function 1 / (1 + exp(-x)), element-wise, for any shape.

    Written as (1 + tanh(x / 2)) / 2, the same function: tanh never overflows, its limits are
    exactly -1 and 1, and it costs one NumPy call where the exp form needs a guard against
    overflow (lesson 2 builds that one).
    """
    return 0.5 + 0.5 * np.tanh(0.5 * x)


def sigmoid_prime(x):
    """The derivative of the sigmoid at x: f'(x) = f(x) (1 - f(x))."""
    s = sigmoid(x)
    return s * (1 - s)


class Network:
    """A network with layer widths `definition = (n0, n1, ..., nL)` and sigmoid activations.

    Parameters live in dicts keyed by layer, k = 1 ... L, as in the lesson's notation:
    `weights[k]` is W(k), shape (n(k-1), nk), and `biases[k]` is b(k), shape (nk,).
    """

    def __init__(self, definition, seed=None, dtype=np.float64):
        # dtype: float64 by default, what the grader compares with; float32 trains about
        # twice as fast for the same accuracy (lesson 6, "Making an epoch fast").
        self.definition = tuple(definition)
        self.n_layers = len(self.definition) - 1
        rng = np.random.default_rng(seed)
        self.weights, self.biases = {}, {}
        self.weights_grad, self.biases_grad = {}, {}
        for k, (n_in, n_out) in enumerate(pairwise(self.definition), start=1):
            # Variance 1/n_in keeps every a(k) of order one, where the sigmoid still has a
            # slope; uniform weights in [0, 1) would saturate it from the first layer.
            self.weights[k] = rng.normal(0.0, 1 / np.sqrt(n_in), size=(n_in, n_out)).astype(dtype)
            self.biases[k] = np.zeros(n_out, dtype=dtype)
            self.weights_grad[k] = np.zeros((n_in, n_out), dtype=dtype)
            self.biases_grad[k] = np.zeros(n_out, dtype=dtype)
        # Filled in by forward(): a(k) in layers, h(k) in activations.
        self.layers = {}
        self.activations = {}
        self.output = None
        self.loss = None

    def forward(self, features, targets):
        """Forward propagation (Goodfellow et al., Algorithm 6.3), then the loss.

        features: (n0,) for one example or (B, n0) for a batch.
        targets:  the output's shape, (nL,) or (B, nL).
        Stores layers[k] = a(k) and activations[k] = h(k), output = h(L) and loss = J.
        """
        # TODO: check the targets' shape, then compute and store a(k), h(k) for k = 1..L, the output
        # and the loss
        ...

    def backprop(self, targets):
        """Back-propagation (Goodfellow et al., Algorithm 6.4), after forward().

        Stores weights_grad[k] = dJ/dW(k) and biases_grad[k] = dJ/db(k) for every layer,
        summed over the rows of a batch, overwriting what a previous call stored. One array g
        carries the gradient down: dJ/dy, then dJ/da(k), then dJ/dh(k-1) for the layer below.
        """
        # TODO: start from g = dJ/dy, then for k = L..1 apply f'(a(k)), store both gradients and
        # pass g down through W(k)
        ...

    def compute_loss(self, targets):
        """The loss J = sum((output - targets)**2) of the stored output, as a float."""
        # TODO: the sum of squared differences between the stored output and the targets
        ...

    def update(self, learning_rate):
        """One step of gradient descent: W(k) -= learning_rate * dJ/dW(k), same for b(k)."""
        # TODO: step every W(k) and b(k) against its gradient
        ...

    def predict(self, features):
        """The digit the network votes for: an int for (n0,), an int array (B,) for (B, n0).

        Runs its own forward pass, so it leaves the members stored by forward() alone.
        """
        # TODO: run the layers without storing anything, then take the largest output
        ...
