"""Mini-batch SGD in Nielsen's update_mini_batch style: forward and backprop once per example,
the gradients summed, one update per mini-batch."""

import random

import numpy as np


def accuracy(predictions, labels):
    right = sum(1 for p, l in zip(predictions, labels) if p == l)
    return right / len(labels)


def update_mini_batch(network, mini_batch, learning_rate):
    """One step on the examples of `mini_batch`, a list of (x, t) pairs; returns the summed loss."""
    nabla_w = {k: np.zeros_like(W) for k, W in network.weights.items()}
    nabla_b = {k: np.zeros_like(b) for k, b in network.biases.items()}
    total = 0.0
    for x, t in mini_batch:
        network.forward(x, t)
        network.backprop(t)
        total += float(network.loss)
        for k in nabla_w:
            nabla_w[k] += network.weights_grad[k]
            nabla_b[k] += network.biases_grad[k]
    network.weights_grad, network.biases_grad = nabla_w, nabla_b
    network.update(learning_rate / len(mini_batch))
    return total


def train(network, features, targets, epochs, batch_size, learning_rate, seed=None):
    rng = random.Random(seed)
    training_data = list(zip(features, targets))
    losses = []
    for _ in range(epochs):
        rng.shuffle(training_data)
        mini_batches = [training_data[k:k + batch_size] for k in range(0, len(training_data), batch_size)]
        total = sum(update_mini_batch(network, batch, learning_rate) for batch in mini_batches)
        losses.append(total / len(training_data))
    return losses
