"""Past 98 % on MNIST: softmax with cross-entropy, ReLU, He initialisation, momentum, a schedule.

Lesson 7, "Going further". Row convention and notation as in network.py (lesson 1):

    h(0) = x                        features, shape (B, n0), or (n0,) for one example
    a(k) = b(k) + h(k-1) W(k)       pre-activation of layer k, shape (B, nk)
    h(k) = relu(a(k))               hidden layers, k < L
    y    = softmax(a(L))            the output, shape (B, nL): each row sums to 1
    J    = -sum(t * log(y))         the cross-entropy, summed over every element

`Classifier` keeps `Network`'s members and signatures, so lesson 6's `train` could drive it;
`Momentum` and `fit` replace `update` and `train` with the steps the lesson adds. Standalone:
this file imports no other exercise module.
"""

import math

import numpy as np


def relu(x):
    """max(x, 0) element-wise, for any shape."""
    # TODO: the element-wise maximum of x and 0
    ...


def relu_prime(x):
    """ReLU's slope at the pre-activation x: 1 where x > 0, 0 where x <= 0, x's shape."""
    # TODO: 1 where x is positive, else 0, as floats of x's precision
    ...


def softmax(a):
    """exp(a) / sum(exp(a)) along the last axis of (n,) or (B, n): positive rows summing to 1.

    Exact, and without overflow, for entries as large as +-1000.
    """
    # TODO: subtract each row's largest entry, exponentiate, divide by the row's sum
    ...


def cross_entropy(y, t):
    """J = -sum(t * log(y)) over every element of y and t (same shape), as a float.

    Finite where an entry of y has underflowed to 0 and t is 0 there.
    """
    # TODO: sum t * log(y), with y clipped to the smallest positive float first, and negate
    ...


class Classifier:
    """A network with layer widths `definition = (n0, ..., nL)`: ReLU hidden layers, softmax output.

    Members as in `Network`: `weights[k]` is W(k), shape (n(k-1), nk), `biases[k]` is b(k),
    shape (nk,), for k = 1 ... L; `weights_grad`, `biases_grad` the same shapes; `layers`,
    `activations`, `output` and `loss` are filled in by forward().
    """

    def __init__(self, definition, seed=None, dtype=np.float64):
        """He initialisation: W(k) ~ normal(0, variance 2 / n(k-1)), b(k) = 0; gradients zero.

        The same seed gives the same network. dtype: float64 by default; float32 trains faster.
        """
        # TODO: store the definition, draw every W(k) with standard deviation sqrt(2 / n(k-1)), zero
        # biases and gradients
        ...

    def forward(self, features, targets):
        """The forward pass and the cross-entropy, as Network.forward with ReLU and softmax.

        features: (n0,) or (B, n0); targets: the output's shape, (nL,) or (B, nL), else
        ValueError naming both shapes. Stores layers[k] = a(k), activations[k] = h(k)
        (activations[0] = features), output = softmax(a(L)) and loss = J.
        """
        # TODO: check the targets' shape; relu after every hidden layer, softmax after the last;
        # store everything and the cross-entropy
        ...

    def backprop(self, targets):
        """dJ/dW(k) and dJ/db(k) into weights_grad[k] and biases_grad[k], after forward().

        Summed over the rows of a batch and overwritten on every call. At the output,
        dJ/da(L) = output - targets (the softmax's Jacobian and the cross-entropy's 1/y cancel);
        below it, g passes back through W(k) and ReLU's slope at a(k-1).
        """
        # TODO: g = output - targets; for k = L..1 store both gradients, then pass g down through
        # W(k) and relu_prime(a(k-1))
        ...

    def predict(self, features):
        """The most probable digit: an int for (n0,), an int array (B,) for (B, n0).

        Stores nothing: the members forward() stored are left alone.
        """
        # TODO: run the layers without storing anything; the largest pre-activation of the last
        # layer is the largest probability
        ...


class Momentum:
    """Gradient descent with momentum and weight decay on a network's `weights` and `biases`.

    `step(n)`, after backprop() on a batch of n examples, for every layer k:

        v_W(k) = momentum * v_W(k) - learning_rate * (weights_grad[k] / n + weight_decay * W(k))
        W(k)  += v_W(k)
        v_b(k) = momentum * v_b(k) - learning_rate * biases_grad[k] / n     (no weight decay)
        b(k)  += v_b(k)

    The velocities start at zero and belong to the optimizer; `learning_rate` may be changed
    between steps (a schedule does).
    """

    def __init__(self, network, learning_rate, momentum=0.9, weight_decay=0.0):
        """Keep the network and the settings; one zero velocity per parameter array, its shape."""
        # TODO: store the four arguments, and zero velocities shaped like every W(k) and b(k)
        ...

    def step(self, n):
        """One update from the gradients backprop() stored for a batch of `n` examples."""
        # TODO: per layer, the new velocity from the old one and the mean gradient (plus weight
        # decay on W only), then add it to the parameter in place
        ...


def cosine_schedule(step, total_steps, peak):
    """The learning rate at `step` of `total_steps`: peak * (1 + cos(pi * step / total_steps)) / 2.

    A float: peak at step 0, peak / 2 half-way, 0 at total_steps.
    """
    # TODO: the half cosine from peak down to 0, as a Python float
    ...


def fit(network, optimizer, features, targets, epochs, batch_size, seed=None, schedule=None):
    """Train `network` with `optimizer`; returns the mean per-example loss of every epoch.

    features (N, n0), targets (N, nL). Mini-batches as lesson 6's train: a fresh random order
    every epoch from default_rng(seed), the last batch keeping the N % batch_size left over.
    Per batch: forward, backprop, optimizer.step(n), n the batch's own size. With a
    `schedule`, optimizer.learning_rate = schedule(j) before step j = 0, 1, ... of the run.
    """
    # TODO: as train: shuffle every epoch, then per batch set the scheduled rate, forward, backprop,
    # optimizer.step(len(batch)); record the mean loss
    ...
