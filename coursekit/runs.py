"""Training runs the lessons quote, computed once and cached under `.cache/runs/`.

A full run takes tens of seconds, too long for every site build. Each run's result is saved
as `.cache/runs/<name>-<key>.npz`, the key being a hash of the code that produces it (the
solutions it trains with, this file, coursekit/runs_further.py): edit any of them and the next
build trains again; otherwise builds read the file in milliseconds. A missing cache is filled
in a subprocess with one BLAS thread, which on a small shared machine is both faster and
steadier than several.

    python -m coursekit.runs nielsen further   # fill the cache ahead of a build
"""

from __future__ import annotations

import hashlib
import inspect
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from coursekit import solutions

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".cache" / "runs"
SOURCES = ["solutions/network.py", "solutions/training.py", "solutions/data.py", "solutions/further.py",
           "coursekit/runs_further.py", "coursekit/runs.py"]

# Nielsen, chapter 1: [784, 30, 10], sigmoid, quadratic cost, mini-batches of 10, eta = 3.0,
# 30 epochs on the first 50,000 training images. His cost carries a 1/2 ours does not, so his
# eta = 3.0 is our learning_rate = 1.5 (the contract's note). Lesson 6 trains one network per
# candidate learning rate and keeps the rate and the epoch with the best validation accuracy.
NIELSEN = dict(definition=(784, 30, 10), epochs=30, batch_size=10, learning_rate=1.5, n_train=50_000, seed=0)
LEARNING_RATES = (0.5, 1.5, 4.5)  # candidates: Nielsen's rate, a third of it and three times it
N_VALIDATION = 10_000  # the last 10,000 canonical training images: Nielsen's validation set


def key():
    digest = hashlib.sha256()
    for name in SOURCES:
        digest.update((ROOT / name).read_bytes())
    return digest.hexdigest()[:12]


def mnist_arrays(n_train=50_000):
    """(train features, one-hot train targets, test features, test labels), float32."""
    from coursekit.mnist import load_mnist

    data, m = solutions.load("data"), load_mnist()
    return (data.to_features(m.train_images[:n_train]), data.one_hot(m.train_labels[:n_train]),
            data.to_features(m.test_images), np.asarray(m.test_labels))


def mnist_split(data=None, n_validation=N_VALIDATION):
    """Nielsen's split of MNIST: {"train", "validation", "test"} -> (features, targets, labels).

    The loader gives the canonical 60,000 training images in their original order; the first
    50,000 train, the last 10,000 validate (the order of mnist.pkl.gz, Nielsen's file), and the
    10,000 test images are the test set. Features are float32 (N, 784), targets one-hot float32
    (N, 10), labels int (N,). `data` is the module that converts (the reference by default).
    """
    from coursekit.mnist import load_mnist

    data, m = data or solutions.load("data"), load_mnist()
    cut = len(m.train_labels) - n_validation
    parts = {"train": (m.train_images[:cut], m.train_labels[:cut]),
             "validation": (m.train_images[cut:], m.train_labels[cut:]),
             "test": (m.test_images, m.test_labels)}
    return {name: (data.to_features(images), data.one_hot(labels), np.asarray(labels, dtype=np.int64))
            for name, (images, labels) in parts.items()}


def snapshot(net):
    """A copy of a Network's parameters, to put back with restore()."""
    return {k: (net.weights[k].copy(), net.biases[k].copy()) for k in net.weights}


def restore(net, saved):
    for k, (W, b) in saved.items():
        net.weights[k][...], net.biases[k][...] = W, b


def new_network(network, definition, seed):
    """network.Network(definition, seed) in float32 when its __init__ takes a dtype (lesson 1's does)."""
    if "dtype" in inspect.signature(network.Network).parameters:
        return network.Network(definition, seed=seed, dtype=np.float32)  # float32 trains about twice as fast
    return network.Network(definition, seed=seed)


def fit_one(rate, split, p=NIELSEN, network=None, training=None, wrap=None, on_epoch=None):
    """One network trained at `rate` for p["epochs"], measured after every epoch.

    `network` and `training` are the modules used (the references by default; coursekit.run
    passes a student's); `train` is handed `wrap(net)` when `wrap` is given, and `on_epoch(epoch,
    curves)` is called after each epoch. Returns the per-epoch loss, training and validation
    accuracy and seconds, the network, and a copy of its parameters at the epoch of best
    validation accuracy. The test set is not looked at.
    """
    network, training = network or solutions.load("network"), training or solutions.load("training")
    x, t, train_labels = split["train"]
    val_x, _, val_labels = split["validation"]
    net = new_network(network, p["definition"], p["seed"])
    rng = np.random.default_rng(p["seed"])
    out = {"loss": [], "train_accuracy": [], "validation_accuracy": [], "seconds": []}
    best = None
    for epoch in range(1, p["epochs"] + 1):
        start = time.perf_counter()
        # One epoch per call, each with its own seed drawn from one generator: a fresh order every epoch.
        loss = training.train(wrap(net) if wrap else net, x, t, 1, p["batch_size"], rate, seed=rng.integers(2**32))
        out["seconds"].append(time.perf_counter() - start)
        out["loss"].append(float(loss[0]))
        out["train_accuracy"].append(float(training.accuracy(net.predict(x), train_labels)))
        out["validation_accuracy"].append(float(training.accuracy(net.predict(val_x), val_labels)))
        if best is None or out["validation_accuracy"][-1] > best[1]:
            best = (snapshot(net), out["validation_accuracy"][-1])
        if on_epoch:
            on_epoch(epoch, out)
    return {k: np.array(v) for k, v in out.items()}, net, best[0]


def run_nielsen(p=NIELSEN, rates=LEARNING_RATES):
    """Lesson 6: one run per learning rate; the rate and epoch chosen on validation, then tested once.

    Saved per rate (suffix _<i>, i indexing `rates`): loss, train_accuracy, validation_accuracy,
    seconds. For the chosen run: its index, epoch (1-based), the test accuracy and predictions
    of its parameters at that epoch, and its first layer's weights.
    """
    split = mnist_split()
    result, chosen = {"rates": np.array(rates), "params": np.array(json.dumps(p))}, None
    for i, rate in enumerate(rates):
        curves, net, best = fit_one(rate, split, p)
        result.update({f"{name}_{i}": values for name, values in curves.items()})
        score = curves["validation_accuracy"].max()
        if chosen is None or score > chosen[1]:
            chosen = (i, score, int(curves["validation_accuracy"].argmax()) + 1, net, best)
    i, _, epoch, net, best = chosen
    restore(net, best)
    test_x, _, test_labels = split["test"]
    predictions = net.predict(test_x)  # the only time the test set is used
    result.update(chosen=np.array(i), epoch=np.array(epoch), predictions=predictions,
                  test_accuracy=np.array(solutions.load("training").accuracy(predictions, test_labels)),
                  weights1=np.asarray(net.weights[1], dtype=np.float32))
    return result


def untrained(p=NIELSEN):
    """The sanity check before training: the new network's mean loss, outputs and accuracy on validation."""
    network, training = solutions.load("network"), solutions.load("training")
    val_x, val_t, val_labels = mnist_split()["validation"]
    net = network.Network(p["definition"], seed=p["seed"])
    net.forward(val_x, val_t)
    return {"loss": float(net.loss) / len(val_x), "output_mean": float(np.mean(net.output)),
            "output_spread": float(np.mean(np.sum((net.output - 0.5) ** 2, axis=1))),
            "accuracy": training.accuracy(net.predict(val_x), val_labels)}


OVERFIT = dict(n=20, epochs=300, batch_size=10, learning_rate=1.5, seed=0)


def overfit(p=OVERFIT, definition=NIELSEN["definition"]):
    """The other sanity check: train on only p["n"] examples; the loss must go to about 0.

    Returns the mean loss per example after every epoch and the final accuracy on those examples.
    """
    network, training = solutions.load("network"), solutions.load("training")
    x, t, labels = (a[:p["n"]] for a in mnist_split()["train"])
    net = network.Network(definition, seed=p["seed"])
    losses = training.train(net, x, t, p["epochs"], p["batch_size"], p["learning_rate"], seed=p["seed"])
    return {"loss": np.array(losses), "accuracy": training.accuracy(net.predict(x), labels)}


def run_further():
    """Every row of lesson 7's table on every seed: validation and test accuracy per epoch, CPU time."""
    from concurrent.futures import ProcessPoolExecutor
    from dataclasses import asdict

    from coursekit import runs_further as further

    # One process per seed (at most one per core): the seeds are independent, and a cold build
    # then waits for the slowest seed rather than for all of them in turn.
    workers = max(1, min(len(further.SEEDS), os.cpu_count() or 1))
    with ProcessPoolExecutor(workers) as pool:
        by_seed = list(pool.map(further.train_every_row, further.SEEDS))
    rows = [{"name": name, "recipe": asdict(recipe), "runs": [runs[i] for runs in by_seed]}
            for i, (name, recipe) in enumerate(further.STEPS)]
    return {"rows": np.array(json.dumps(rows))}


RUNS = {"nielsen": run_nielsen, "further": run_further}


def path(name):
    return CACHE / f"{name}-{key()}.npz"


def load(name):
    """The cached result of run `name` as a dict of arrays, training first if it is missing."""
    target = path(name)
    if not target.exists():
        env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
        subprocess.run([sys.executable, "-m", "coursekit.runs", name], cwd=ROOT, env=env, check=True)
    with np.load(target) as saved:
        return {k: saved[k] for k in saved.files}


def main(names):
    CACHE.mkdir(parents=True, exist_ok=True)
    for name in names:
        start = time.perf_counter()
        result = RUNS[name]()
        target = path(name)
        for old in CACHE.glob(f"{name}-*.npz"):
            old.unlink()  # results of older code
        np.savez_compressed(target, **result)
        print(f"{name}: {time.perf_counter() - start:.1f} s -> {target.relative_to(ROOT)}")


if __name__ == "__main__":
    main(sys.argv[1:] or list(RUNS))
