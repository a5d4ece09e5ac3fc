"""Lesson 7's measurements, cached by coursekit.runs: lesson 6's network, then one change per row.

Every network, softmax, cross-entropy, ReLU, momentum step and schedule trained here is the
reference solution's: solutions/network.py for lesson 6's row, solutions/further.py for the
others. This module only switches the changes on one at a time (a `Recipe`) and measures
each row as lesson 6 does: trained on the first 50,000 training images, its epoch chosen on the
10,000 validation images after them, its test accuracy read at that epoch, on several seeds.

    row                            what changes (see STEPS for the learning rates)
    lesson 6                       network.Network: sigmoid layers, quadratic loss, batches of 10
    + softmax and cross-entropy    further.Classifier, its hidden layers still sigmoid
    + ReLU                         the hidden layers' sigmoid becomes relu (weights still 1 / n)
    + He initialisation            weights of variance 2 / n, the Classifier's own
    + batches of 64                64 examples a step instead of 10
    + 100 hidden units             [784, 100, 10] instead of [784, 30, 10]
    + momentum 0.9                 Momentum's velocity (with a smaller learning rate)
    + cosine schedule              the learning rate follows cosine_schedule over the run
    + weight decay                 Momentum's weight_decay
"""

from __future__ import annotations

import importlib.util
import time
from dataclasses import dataclass, replace

import numpy as np

from coursekit import solutions


@dataclass(frozen=True)
class Recipe:
    """One row of the table. learning_rate is for the MEAN gradient of a batch (Momentum's)."""

    hidden: int = 30
    softmax: bool = False  # False: lesson 6's Network, sigmoid output and quadratic loss
    relu: bool = False  # False: sigmoid hidden layers (only with softmax)
    he_init: bool = False  # False: lesson 1's weights, variance 1 / n(k-1)
    batch_size: int = 10
    learning_rate: float = 1.5
    momentum: float = 0.0
    schedule: bool = False  # a cosine schedule from learning_rate down to 0 over the run
    weight_decay: float = 0.0


EPOCHS = 10  # every row's budget; each seed's epoch is then chosen on validation
SEEDS = (0, 1, 2)

LESSON_6 = Recipe()  # lesson 6: [784, 30, 10], sigmoid, quadratic loss, batches of 10, learning_rate 1.5
_softmax = replace(LESSON_6, softmax=True, learning_rate=0.5)
_relu = replace(_softmax, relu=True, learning_rate=0.1)
_he = replace(_relu, he_init=True)
_batch = replace(_he, batch_size=64, learning_rate=0.2)
_wide = replace(_batch, hidden=100)
_momentum = replace(_wide, momentum=0.9, learning_rate=0.05)
_schedule = replace(_momentum, schedule=True, learning_rate=0.1)  # the peak: the rate falls from there
STEPS = [
    ("sigmoid, quadratic loss (lesson 6)", LESSON_6),
    ("+ softmax and cross-entropy", _softmax),
    ("+ ReLU", _relu),
    ("+ He initialisation", _he),
    ("+ batches of 64", _batch),
    ("+ 100 hidden units", _wide),
    ("+ momentum 0.9", _momentum),
    ("+ cosine schedule", _schedule),
    ("+ weight decay 1e-4", replace(_schedule, weight_decay=1e-4)),
]


def sigmoid_hidden():
    """solutions/further.py loaded a second time, its relu and relu_prime swapped for lesson 1's
    sigmoid and its slope: a Classifier with sigmoid hidden layers, nothing else changed."""
    spec = importlib.util.spec_from_file_location("further_sigmoid_hidden", solutions.FOLDER / "further.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    network = solutions.load("network")
    module.relu, module.relu_prime = network.sigmoid, network.sigmoid_prime
    return module


def build(recipe, seed):
    """The row's network, float32, from `seed`."""
    definition = (784, recipe.hidden, 10)
    if not recipe.softmax:
        return solutions.load("network").Network(definition, seed=seed, dtype=np.float32)
    module = solutions.load("further") if recipe.relu else sigmoid_hidden()
    net = module.Classifier(definition, seed=seed, dtype=np.float32)
    if not recipe.he_init:  # the same draws, scaled from He's variance 2 / n to lesson 1's 1 / n
        for W in net.weights.values():
            W *= np.float32(np.sqrt(0.5))
    return net


def accuracy(net, features, labels):
    return float(np.mean(np.asarray(net.predict(features)) == labels))


def train(recipe, seed, data, epochs=EPOCHS, module=None, net=None, after_epoch=None):
    """One run: validation and test accuracy, mean loss and CPU seconds after every epoch.

    data: (train features, one-hot train targets, validation features, validation labels,
    test features, test labels); test features None to skip the test set. Each epoch is one call
    of `fit` with its own seed, so that both sets can be measured between epochs; the schedule
    counts steps over the whole run. `module` (default: the reference solutions/further.py)
    provides Momentum, fit and cosine_schedule, `net` the network (default: build(recipe, seed));
    `after_epoch(epoch, net, out)` is called after every epoch (a progress line, a snapshot).
    """
    further = module or solutions.load("further")
    x, t, val_x, val_labels, test_x, test_labels = data
    net = build(recipe, seed) if net is None else net
    optimizer = further.Momentum(net, recipe.learning_rate, momentum=recipe.momentum,
                                 weight_decay=recipe.weight_decay)
    per_epoch = -(-len(x) // recipe.batch_size)
    total = epochs * per_epoch
    rng = np.random.default_rng(seed)
    out = {"validation": [], "test": [], "loss": [], "seconds": []}
    for epoch in range(epochs):
        schedule = None
        if recipe.schedule:
            def schedule(j, offset=epoch * per_epoch):
                return further.cosine_schedule(offset + j, total, recipe.learning_rate)
        start = time.process_time()
        out["loss"] += further.fit(net, optimizer, x, t, 1, recipe.batch_size,
                                   seed=int(rng.integers(2**32)), schedule=schedule)
        out["seconds"].append(time.process_time() - start)
        out["validation"].append(accuracy(net, val_x, val_labels))
        if test_x is not None:
            out["test"].append(accuracy(net, test_x, test_labels))
        if after_epoch is not None:
            after_epoch(epoch, net, out)
    return out


def chosen(run):
    """(epoch, 1-based, with the best validation accuracy; the test accuracy at that epoch)."""
    best = int(np.argmax(run["validation"]))
    return best + 1, run["test"][best]


def mnist_split():
    """The course's split, float32: 50,000 training images, the next 10,000 for validation, and
    the 10,000 test images, as train_x, train_t (one-hot), val_x, val_labels, test_x, test_labels."""
    from coursekit.mnist import load_mnist

    data, m = solutions.load("data"), load_mnist()
    x = data.to_features(m.train_images).astype(np.float32)
    labels = np.asarray(m.train_labels)
    return (x[:50_000], data.one_hot(labels[:50_000]).astype(np.float32), x[50_000:], labels[50_000:],
            data.to_features(m.test_images).astype(np.float32), np.asarray(m.test_labels))


def train_every_row(seed):
    """[train(recipe, seed, data) for every row of STEPS], on the course's split: one seed's runs."""
    data = mnist_split()
    return [train(recipe, seed, data) for _, recipe in STEPS]
