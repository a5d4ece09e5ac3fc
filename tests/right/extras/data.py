"""Extras: a checked input, a module constant, and one_hot by np.put_along_axis."""

import numpy as np

PIXEL_MAX = 255


def _check(images):
    images = np.asarray(images)
    if images.ndim != 3:
        raise ValueError(f"expected images (N, 28, 28), got {images.shape}")
    return images


def to_features(images):
    images = _check(images)
    return images.reshape(images.shape[0], -1).astype(np.float32) / np.float32(PIXEL_MAX)


def one_hot(labels, n_classes=10):
    labels = np.asarray(labels, dtype=np.int64).reshape(-1, 1)
    targets = np.zeros((labels.shape[0], n_classes), dtype=np.float64)
    np.put_along_axis(targets, labels, 1.0, axis=1)
    return targets
