"""Learning MNIST with mini-batch stochastic gradient descent.

Lesson 6, "Training on MNIST". `train` drives any object with the Network's interface
(lesson 1): `forward(features, targets)` stores `loss`, `backprop(targets)` stores the
gradients of that loss, `update(learning_rate)` steps every parameter against its gradient.
This module never imports network.py: the network is handed in, already built.

One epoch, for N examples and batches of B:

    shuffle the N examples (a fresh order every epoch)
    for each run of B consecutive examples in that order (the last run may be shorter):
        forward, backprop                  gradients of the batch's summed loss
        W -= (learning_rate / B) dJ/dW     a full batch: the step along the MEAN per-example gradient
"""

import numpy as np


def accuracy(predictions, labels):
    """The fraction of predictions equal to the labels: a float in [0, 1]."""
    # TODO: the mean of the element-wise comparison, as a Python float
    ...


def train(network, features, targets, epochs, batch_size, learning_rate, seed=None):
    """Mini-batch SGD on `network`; returns the mean per-example loss of every epoch.

    features (N, n0) and targets (N, nL) hold one example per row. Each epoch visits every
    example once, in a fresh random order drawn from default_rng(seed): the same seed gives
    the same orders, hence identical results. The last batch keeps the N % batch_size
    examples left over.
    """
    # TODO: every epoch, shuffle the examples, then step through them batch by batch (forward,
    # backprop, update with learning_rate / batch_size) and record the mean loss
    ...
