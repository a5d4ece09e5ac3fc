"""Features and targets; one_hot builds its rows recursively, halving the labels."""

import numpy as np


def to_features(images):
    n = len(images)
    return np.asarray(images, dtype=np.float64).reshape(n, 28 * 28) * (1 / 255)


def one_hot(labels, n_classes=10):
    labels = np.asarray(labels)
    if len(labels) <= 1:
        rows = np.zeros((len(labels), n_classes))
        rows[np.arange(len(labels)), labels] = 1
        return rows
    half = len(labels) // 2
    return np.vstack([one_hot(labels[:half], n_classes), one_hot(labels[half:], n_classes)])
