"""Batches by fancy indexing into a fresh permutation; the loss read with compute_loss."""

import numpy as np


def accuracy(predictions, labels):
    predictions, labels = np.asarray(predictions), np.asarray(labels)
    return np.count_nonzero(predictions == labels) / labels.size


def train(network, features, targets, epochs, batch_size, learning_rate, seed=None):
    generator = np.random.default_rng(seed)
    N = features.shape[0]
    history = []
    for _ in range(epochs):
        permutation = generator.permutation(N)
        epoch_loss = 0.0
        for batch in np.array_split(permutation, np.arange(batch_size, N, batch_size)):
            x, t = features[batch], targets[batch]
            network.forward(x, t)
            network.backprop(t)
            network.update(learning_rate / batch_size)
            epoch_loss += network.compute_loss(t)
        history.append(epoch_loss / N)
    return history
