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


# --8<-- [start:accuracy]
def accuracy(predictions, labels):
    """The fraction of predictions equal to the labels: a float in [0, 1]."""
    # BEGIN SOLUTION: the mean of the element-wise comparison, as a Python float
    return float(np.mean(np.asarray(predictions) == np.asarray(labels)))
    # END SOLUTION
# --8<-- [end:accuracy]


# --8<-- [start:train]
def train(network, features, targets, epochs, batch_size, learning_rate, seed=None):
    """Mini-batch SGD on `network`; returns the mean per-example loss of every epoch.

    features (N, n0) and targets (N, nL) hold one example per row. Each epoch visits every
    example once, in a fresh random order drawn from default_rng(seed): the same seed gives
    the same orders, hence identical results. The last batch keeps the N % batch_size
    examples left over.
    """
    # BEGIN SOLUTION: every epoch, shuffle the examples, then step through them batch by batch (forward, backprop, update with learning_rate / batch_size) and record the mean loss
    rng = np.random.default_rng(seed)
    n = len(features)
    # Shuffled copies, allocated once and refilled every epoch: each batch is then a slice,
    # one contiguous block of memory, instead of rows gathered from all over `features`.
    shuffled_features = np.empty_like(features)
    shuffled_targets = np.empty_like(targets)
    step = learning_rate / batch_size  # dJ is summed over the batch: a full batch steps along the mean
    losses = []
    for epoch in range(epochs):
        order = rng.permutation(n)  # a new order every epoch
        np.take(features, order, axis=0, out=shuffled_features)
        np.take(targets, order, axis=0, out=shuffled_targets)
        total = 0.0
        for start in range(0, n, batch_size):
            x = shuffled_features[start:start + batch_size]  # the last slice may be shorter
            t = shuffled_targets[start:start + batch_size]
            network.forward(x, t)
            network.backprop(t)
            network.update(step)
            total += float(network.loss)  # the batch's summed loss
        losses.append(total / n)  # mean per example
    return losses
    # END SOLUTION
# --8<-- [end:train]
