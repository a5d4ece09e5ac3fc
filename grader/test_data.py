"""Grades data.py, lesson 5: real MNIST images and labels into features and one-hot targets."""

import numpy as np
import pytest

from grader.checks import WrongAnswer, expect, expect_array

N_IMAGES = 500  # real training images: enough to hit every label and both ends of the pixel range


@pytest.fixture(scope="module")
def images(mnist):
    return mnist.train_images[:N_IMAGES]


@pytest.fixture(scope="module")
def labels(mnist):
    return mnist.train_labels[:N_IMAGES]


def features_of(student, images):
    """The student's features, with the input checked to be left as it was."""
    before = images.copy()
    features = student.to_features(images)
    expect(np.array_equal(images, before), "to_features() changed the images it was given; "
                                           "work on a converted copy instead")
    return features


@pytest.mark.grade(uses=["to_features"], section="flattening-row-by-row")
def test_to_features_shape_and_dtype(student, images):
    features = features_of(student, images)
    expect(isinstance(features, np.ndarray),
           f"to_features() returned a {type(features).__name__}; expected a NumPy array")
    expect(features.shape == (N_IMAGES, 784),
           f"to_features() of {N_IMAGES} images of shape (28, 28) returned shape {features.shape}; "
           f"expected ({N_IMAGES}, 784): one row of 28 x 28 = 784 pixels per image")
    expect(np.issubdtype(features.dtype, np.floating),
           f"to_features() returned dtype {features.dtype}; expected floats (float32 or float64): "
           "convert with .astype(np.float32)")
    # Zeros of the right shape and dtype cost nothing: the features must hold the images' ink.
    expect(np.any(features != 0), f"to_features() of {N_IMAGES} real digits returned only zeros; expected the "
                                  "pixels scaled to [0, 1], which are not 0 wherever there is ink")


@pytest.mark.grade(uses=["to_features"], section="scaling-the-pixels")
def test_to_features_range(student, images):
    features = features_of(student, images)
    expect(np.shape(features) == (len(images), 784), f"to_features() returned shape {np.shape(features)}; "
                                                     f"expected {(len(images), 784)}")
    features = np.asarray(features, dtype=float)
    low, high = features.min(), features.max()
    expect(low >= 0 and high <= 1,
           f"the features go from {low:.6g} to {high:.6g}; expected every value in [0, 1]: divide "
           "the pixels (0 ... 255) by 255")
    expect(high >= 255 / 256,
           f"the largest feature is {high:.6g}, but these images have pixels of 255 (full ink), "
           "which should become 1 (dividing by 255) or 255/256 (dividing by 256)")


@pytest.mark.grade(uses=["to_features"], section="flattening-row-by-row")
def test_to_features_values_in_row_major_order(student, images):
    features = features_of(student, images)
    flat = images.reshape(len(images), 784).astype(float)
    expect(np.shape(features) == flat.shape, f"to_features() returned shape {np.shape(features)}; "
                                             f"expected {flat.shape}")
    got = np.asarray(features, dtype=float)
    for divisor in (255, 256):
        if np.allclose(got, flat / divisor, atol=1e-6):
            return
    if scaled_per_image(got, flat):
        return  # the pixels are in order; how they are scaled is test_to_features_scales_dim_digits's
    order = pixel_order(got, images)
    if order:
        raise WrongAnswer(order)
    wrapped = (images == 255) & (np.isclose(got.reshape(images.shape), 0, atol=1e-6) |
                                 (got.reshape(images.shape) < 0.5))
    if wrapped.any():
        raise WrongAnswer("pixels of 255 (full ink) came out near 0: uint8 arithmetic wrapped "
                          "around at 256. Convert to floats first (.astype(np.float32)), then divide")
    if np.all(np.isin(got, (0.0, 1.0))):
        raise WrongAnswer("every one of your features is 0 or 1: integer division (// 255) rounds every "
                          "pixel below 255 down to 0. Divide with /, after converting to floats")
    expect_array(got, flat / 255, "to_features(images) (each pixel divided by 255; 256 is also "
                                  "accepted)", rtol=0, atol=1e-6)


def scaled_per_image(got, flat):
    """Whether each row of `got` is its image's pixels times a positive number of its own: the
    order is right (a division by the image's or the batch's largest pixel, say), the scale aside."""
    for row, pixels in zip(got, flat):
        if pixels.max() == 0:
            continue
        factor = row.max() / pixels.max()
        if not (factor > 0 and np.allclose(row, pixels * factor, rtol=1e-5, atol=1e-6)):
            return False
    return True


def pixel_order(got, images):
    """What is wrong with the order of `got`'s pixels, when it holds the right values (pixel / 255
    or / 256) in another order; None when it does not."""
    n = len(images)
    for divisor in (255, 256):
        right = images.astype(float) / divisor
        if not np.allclose(np.sort(got, axis=None), np.sort(right, axis=None), rtol=0, atol=1e-6):
            continue
        for moved, what in ((right.transpose(0, 2, 1), "in column-major order (column 0 top to bottom, then "
                             "column 1, ...), as a transpose of each image or a reshape with order=\"F\" gives"),
                            (right[:, ::-1, :], "with each image upside down (its rows in reverse order)"),
                            (right[:, :, ::-1], "with each image mirrored (each row's pixels in reverse order)"),
                            (np.rot90(right, axes=(1, 2)), "with each image rotated by 90 degrees")):
            if np.allclose(got, moved.reshape(n, 784), rtol=0, atol=1e-6):
                return (f"your features hold the right pixels {what}: feature 28 * r + c must be the pixel "
                        "in row r, column c; use images.reshape(len(images), 784), which reads each image "
                        "row by row")
        within = all(np.allclose(np.sort(row), np.sort(image, axis=None), rtol=0, atol=1e-6)
                     for row, image in zip(got, right))
        return ("your features hold the right pixel values in another order, "
                + ("each image's own pixels shuffled" if within else "with pixels of different images mixed "
                   "together (a reshape or transpose across the images' axis?)")
                + ": feature 28 * r + c of row i must be the pixel in row r, column c of image i; use "
                "images.reshape(len(images), 784), which reads each image row by row")
    return None


def fixed_scale(got, flat):
    """Whether `got` is `flat` divided by 255 or by 256, one constant for every pixel of every image."""
    return any(np.allclose(got, flat / divisor, rtol=0, atol=1e-6) for divisor in (255, 256))


@pytest.mark.grade(uses=["to_features"], section="scaling-the-pixels")
def test_to_features_scales_dim_digits_by_a_fixed_constant(student, images):
    """Dim digits (brightest pixel below 255) and one dark image: a division by the largest
    pixel, of the batch or of each image, brightens them, which a fixed 255 (or 256) does not."""
    dim = (images[:40].astype(np.uint16) * np.linspace(0.2, 0.9, 40)[:, None, None]).astype(np.uint8)
    dark = (images[40:41] // 4).astype(np.uint8)  # a single image, brightest pixel 63
    for batch, what in ((dim, f"{len(dim)} real digits dimmed so that their brightest pixels are "
                              f"{int(dim.max())} and below"),
                        (dark, f"a single dark digit, brightest pixel {int(dark.max())}")):
        got = np.asarray(features_of(student, batch), dtype=float)
        flat = batch.reshape(len(batch), 784).astype(float)
        expect(got.shape == flat.shape, f"to_features() of {what} returned shape {got.shape}; expected {flat.shape}")
        if fixed_scale(got, flat):
            continue
        if pixel_order(got, batch):
            continue  # scaled by a fixed constant, in another order: the flattening tests say so
        brightened = np.isclose(got.max(), 1.0, atol=1e-6) or any(
            np.allclose(got[i].max(), 1.0, atol=1e-6) for i in range(len(got)) if flat[i].max() > 0)
        hint = (": yours brings the brightest pixel to 1, as a division by the largest pixel (of the batch "
                "or of each image) does. Divide every pixel by the same constant, 255 (or 256), so a dim digit "
                "stays dim" if brightened else "")
        if np.isclose(got.max(), flat.max() / 255, rtol=0, atol=1e-6) or \
                np.isclose(got.max(), flat.max() / 256, rtol=0, atol=1e-6):
            # The largest values agree: say where the features differ instead of repeating one number.
            difference = np.abs(got - flat / 255)
            i, j = np.unravel_index(np.argmax(difference), difference.shape)
            raise WrongAnswer(f"your to_features() of {what} differs from the pixels divided by 255 (or 256): "
                              f"feature {j} of image {i} is {got[i, j]:.6g}, but that pixel is {int(flat[i, j])}, "
                              f"which gives {flat[i, j] / 255:.6g}; divide every pixel by the same constant")
        raise WrongAnswer(f"your to_features() of {what} has largest feature {got.max():.6g}; dividing by "
                          f"255 gives {flat.max() / 255:.6g}{hint}")


@pytest.mark.grade(uses=["to_features"], section="flattening-row-by-row")
def test_to_features_one_image_round_trip(student, images):
    """Feature 28 * r + c is pixel (r, c): reshaping one row back to (28, 28) gives the image."""
    features = np.asarray(features_of(student, images[:3]), dtype=float)
    expect(features.shape == (3, 784), f"to_features() of 3 images returned shape {features.shape}; "
                                       "expected (3, 784)")
    # The order only: each image's own scale is test_to_features_scales_dim_digits's to judge.
    expect(scaled_per_image(features[1:2], images[1:2].reshape(1, 784).astype(float)),
           "features[1].reshape(28, 28), scaled back to 0 ... 255, is not images[1]: pixel (r, c) "
           "must be feature 28 * r + c of the image's own row")


@pytest.mark.grade(uses=["one_hot"], section="one-hot-targets")
def test_one_hot_on_mnist_labels(student, labels):
    targets = student.one_hot(labels)
    expected = np.eye(10)[labels]
    expect(isinstance(targets, np.ndarray),
           f"one_hot() returned a {type(targets).__name__}; expected a NumPy array")
    expect(np.issubdtype(targets.dtype, np.floating),
           f"one_hot() returned dtype {targets.dtype}; expected floats, the network's output type "
           "(np.zeros(..., dtype=np.float32))")
    expect_array(targets, expected, f"one_hot(labels) for {N_IMAGES} MNIST labels (row i has its 1 in "
                                    "column labels[i])", rtol=0, atol=0)


@pytest.mark.grade(uses=["one_hot"], section="one-hot-targets")
def test_one_hot_labels_without_the_last_class(student, labels):
    """MNIST labels without any 9: still 10 columns (n_classes, not labels.max() + 1)."""
    some = labels[labels < 9][:100]
    targets = student.one_hot(some)
    expect_array(targets, np.eye(10)[some], f"one_hot(labels) for {len(some)} MNIST labels without a 9 "
                                            "(n_classes=10 columns, whichever labels occur)", rtol=0, atol=0)


@pytest.mark.grade(uses=["one_hot"], section="one-hot-targets")
@pytest.mark.parametrize("n_classes, labels", [(3, [0, 2, 1, 2, 0, 2]), (3, [0, 1, 1, 0]), (12, [0, 2, 1, 2, 0, 11]),
                                               (12, [0, 2, 1, 9, 0, 3])],
                         ids=["3", "3 without the last", "12", "12 without the last"])
def test_one_hot_n_classes(student, n_classes, labels):
    labels = np.array(labels)
    targets = student.one_hot(labels, n_classes=n_classes)
    expect_array(targets, np.eye(n_classes)[labels],
                 f"one_hot({labels.tolist()}, n_classes={n_classes}) (exactly n_classes columns, "
                 "whichever labels occur)", rtol=0, atol=0)
