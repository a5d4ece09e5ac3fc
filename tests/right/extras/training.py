"""SGD with helpers, a batch generator, and the epoch's loss reported as the mean over the
batches of (batch loss / batch size), which the contract accepts beside the sum over N."""

import numpy as np


def accuracy(predictions, labels):
    return np.mean(np.asarray(predictions).ravel() == np.asarray(labels).ravel()).item()


def batches(n, batch_size, rng):
    order = rng.permutation(n)
    for start in range(0, n, batch_size):
        yield order[start:start + batch_size]


def sgd_step(network, x, t, rate):
    network.forward(x, t)
    network.backprop(t)
    network.update(rate)
    return network.compute_loss(t) / len(x)


def train(network, features, targets, epochs, batch_size, learning_rate, seed=None):
    rng = np.random.default_rng(seed)
    rate = learning_rate / batch_size
    return [float(np.mean([sgd_step(network, features[i], targets[i], rate)
                           for i in batches(len(features), batch_size, rng)]))
            for _ in range(epochs)]
