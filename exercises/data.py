"""MNIST images into the arrays a network reads.

Lesson 5, "From pixels to features". The data set gives each digit as a 28 x 28 grid of
bytes (0 = white paper, 255 = black ink) and each label as an int 0 ... 9. The Network of
lesson 1 wants one example per row:

    features  (N, 784)   floats in [0, 1], the 28 rows of pixels laid end to end
    targets   (N, 10)    one-hot rows: targets[i, labels[i]] = 1, every other entry 0

Both are float32: half the memory of float64 (60,000 x 784 features take 188 MB instead of
376 MB), which is plenty of precision for pixel intensities and 0/1 targets.
"""

import numpy as np


def to_features(images):
    """uint8 images (N, 28, 28) -> float32 features (N, 784) in [0, 1], row-major.

    Row-major (C order): feature 28 * r + c is the pixel in row r, column c, so row 0 of
    the image comes first, then row 1, and so on.
    """
    # TODO: flatten each image into one row of 784 pixels, then convert to floats and scale into [0,
    # 1]
    ...


def one_hot(labels, n_classes=10):
    """int labels (N,) -> float32 targets (N, n_classes), a single 1 per row at the label."""
    # TODO: start from zeros, then put a 1 in each row at the column its label names
    ...
