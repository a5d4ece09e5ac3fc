"""MNIST into features and targets, one image and one label at a time."""

import numpy as np


def to_features(images):
    rows = []
    for image in images:
        pixels = []
        for row in image:
            pixels.extend(int(p) / 255.0 for p in row)
        rows.append(pixels)
    return np.array(rows, dtype=np.float64).reshape(len(images), 784)


def one_hot(labels, n_classes=10):
    targets = np.zeros((len(labels), n_classes))
    for i, label in enumerate(labels):
        targets[i][int(label)] = 1.0
    return targets
