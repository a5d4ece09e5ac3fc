"""Features scaled in place in a float32 copy; targets filled in with a while loop."""

import numpy as np


def to_features(images):
    features = np.array(images, dtype=np.float32).reshape(len(images), -1)
    features /= 255
    return features


def one_hot(labels, n_classes=10):
    targets = np.zeros((len(labels), n_classes), dtype=np.float32)
    i = 0
    while i < len(labels):
        targets[i, labels[i]] = 1
        i += 1
    return targets
