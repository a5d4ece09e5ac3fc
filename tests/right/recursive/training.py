"""SGD whose epochs and batches recurse (the batches by halves, so the depth stays small)."""

import numpy as np


def accuracy(predictions, labels):
    predictions, labels = list(np.asarray(predictions)), list(np.asarray(labels))
    if not labels:
        return 0.0
    return float(sum(p == l for p, l in zip(predictions, labels)) / len(labels))


def _batches(network, x, t, batch_size, rate, first, count):
    """Steps on batches first ... first + count - 1 of (x, t), in order; returns their summed loss."""
    if count == 0:
        return 0.0
    if count == 1:
        xb, tb = x[first * batch_size:(first + 1) * batch_size], t[first * batch_size:(first + 1) * batch_size]
        network.forward(xb, tb)
        network.backprop(tb)
        network.update(rate)
        return float(network.loss)
    half = count // 2
    return (_batches(network, x, t, batch_size, rate, first, half)
            + _batches(network, x, t, batch_size, rate, first + half, count - half))


def _epochs(network, features, targets, epochs, batch_size, rate, rng):
    if epochs == 0:
        return []
    order = rng.permutation(len(features))
    count = -(-len(features) // batch_size)
    total = _batches(network, features[order], targets[order], batch_size, rate, 0, count)
    return [total / len(features)] + _epochs(network, features, targets, epochs - 1, batch_size, rate, rng)


def train(network, features, targets, epochs, batch_size, learning_rate, seed=None):
    return _epochs(network, features, targets, epochs, batch_size, learning_rate / batch_size,
                   np.random.default_rng(seed))
