"""Features with np.divide into a preallocated float array; targets from np.eye."""

import numpy as np

SCALE = 255.0  # the largest a uint8 pixel can be


def to_features(images):
    images = np.asarray(images)
    out = np.empty((images.shape[0], images.shape[1] * images.shape[2]), dtype=np.float64)
    np.divide(images.reshape(images.shape[0], -1), SCALE, out=out)
    return out


def one_hot(labels, n_classes=10):
    return np.eye(n_classes, dtype=np.float64)[np.asarray(labels, dtype=int)]
