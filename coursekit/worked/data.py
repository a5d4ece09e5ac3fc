"""Lesson 5's worked example: three tiny 28 x 28 images and four labels with missing classes.

The images are blank paper but for a few pixels, listed as (row, column, value), so that a
student can find every feature by hand: pixel (r, c) lands at feature 28 r + c.
"""

import numpy as np

from coursekit.worked import Value

TITLE = "three nearly blank 28 x 28 images and four labels"

# (row, column, byte) of every pixel that is not paper, per image. Image 2 is a faint one:
# its darkest pixel is 51, so a division by the image's own maximum would show up as 1.
INK = [
    [(0, 0, 255), (0, 1, 128), (1, 2, 51)],
    [(13, 14, 102), (27, 27, 255)],
    [(2, 1, 51)],
]
LABELS = np.array([3, 0, 3, 1])
N_CLASSES = 5  # classes 2 and 4 never occur, the last one among them: one_hot must still give 5 columns


def images():
    """The three images, uint8 (3, 28, 28), built from INK."""
    out = np.zeros((len(INK), 28, 28), dtype=np.uint8)
    for i, pixels in enumerate(INK):
        for r, c, value in pixels:
            out[i, r, c] = value
    return out


def given():
    """The images (their inked pixels) and the labels, as the lesson prints them."""
    values = [Value(None, "images.shape (uint8)", np.array(images().shape))]
    values += [Value(None, f"image {i}: inked pixels (row, column, value)", np.array(pixels))
               for i, pixels in enumerate(INK)]
    values += [Value(None, "labels", LABELS), Value(None, "n_classes", N_CLASSES)]
    return values


def trace(module):
    """Every value lesson 5's functions compute on the example, in the lesson's order."""
    given_images = images()
    features = np.asarray(module.to_features(given_images))
    yield Value("to_features", "features.shape", np.array(features.shape), "flattening-row-by-row")
    flat = features.reshape(len(features), -1) if features.ndim > 1 else features
    # 255 and 256 are both right (the contract): a solution that divides by 256 is shown in
    # units of 1/255, so that only the scale the course allows is forgiven, exactly.
    if flat.size and np.isclose(flat[0, 0], 255 / 256, rtol=1e-6):
        flat = flat * (256 / 255)
    for i in range(len(INK)):
        inked = np.flatnonzero(flat[i]) if i < len(flat) else np.array([], dtype=int)
        yield Value("to_features", f"features[{i}]: indices of the non-zero features", inked,
                    "flattening-row-by-row")
        yield Value("to_features", f"features[{i}] at those indices", flat[i, inked] if i < len(flat) else inked,
                    "scaling-the-pixels")
    yield Value("to_features", "features.sum(axis=1)", flat.sum(axis=1), "scaling-the-pixels")
    targets = np.asarray(module.one_hot(LABELS.copy(), N_CLASSES))
    yield Value("one_hot", f"one_hot(labels, {N_CLASSES})", targets, "one-hot-targets")
    yield Value("one_hot", "one_hot(labels).shape (default n_classes=10)",
                np.array(np.shape(module.one_hot(LABELS.copy()))), "one-hot-targets")
