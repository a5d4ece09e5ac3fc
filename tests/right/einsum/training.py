"""SGD that steps the Network's parameter dicts by hand instead of calling update()."""

import numpy as np


def accuracy(predictions, labels):
    return float(np.average(np.equal(predictions, labels)))


def step(network, rate):
    for k in network.weights:
        network.weights[k] = network.weights[k] - rate * network.weights_grad[k]
        network.biases[k] = network.biases[k] - rate * network.biases_grad[k]


def train(network, features, targets, epochs, batch_size, learning_rate, seed=None):
    rng = np.random.default_rng(seed)
    n = len(features)
    out = []
    for _ in range(epochs):
        idx = np.arange(n)
        rng.shuffle(idx)
        batch_losses = []
        for start in range(0, n, batch_size):
            chosen = idx[start:start + batch_size]
            network.forward(features[chosen], targets[chosen])
            network.backprop(targets[chosen])
            step(network, learning_rate / batch_size)
            batch_losses.append(network.loss)
        out.append(float(np.sum(batch_losses) / n))
    return out
