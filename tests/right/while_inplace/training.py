"""SGD with while loops, an in-place shuffle of an index array, float32 copies of the data, and
the last, shorter batch stepped by learning_rate / its own size."""

import numpy as np


def accuracy(predictions, labels):
    hits = np.asarray(predictions) == np.asarray(labels)
    return hits.sum() / hits.size


def train(network, features, targets, epochs, batch_size, learning_rate, seed=None):
    rng = np.random.default_rng(seed)
    features = np.asarray(features, dtype=np.float32)
    targets = np.asarray(targets, dtype=np.float32)
    n = len(features)
    order = np.arange(n)
    losses = []
    epoch = 0
    while epoch < epochs:
        rng.shuffle(order)
        total = 0.0
        start = 0
        while start < n:
            batch = order[start:start + batch_size]
            network.forward(features[batch], targets[batch])
            network.backprop(targets[batch])
            network.update(learning_rate / len(batch))
            total += network.loss
            start += batch_size
        losses.append(float(total) / n)
        epoch += 1
    return losses
