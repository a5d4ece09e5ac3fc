"""Training runs the lessons quote, computed once and cached under `.cache/runs/`.

A full run takes tens of seconds, too long for every site build. Each run's result is saved
as `.cache/runs/<name>-<key>.npz`, the key being a hash of the code that produces it (the
solutions it trains with, this file, coursekit/further.py): edit any of them and the next
build trains again; otherwise builds read the file in milliseconds. A missing cache is filled
in a subprocess with one BLAS thread, which on a small shared machine is both faster and
steadier than several.

    python -m coursekit.runs nielsen further   # fill the cache ahead of a build
"""

from __future__ import annotations

import hashlib
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
           "coursekit/further.py", "coursekit/runs.py"]

# Nielsen, chapter 1: [784, 30, 10], sigmoid, quadratic cost, mini-batches of 10, eta = 3.0,
# 30 epochs on the first 50,000 training images. His cost carries a 1/2 ours does not, so his
# eta = 3.0 is our learning_rate = 1.5 (the contract's note).
NIELSEN = dict(definition=(784, 30, 10), epochs=30, batch_size=10, learning_rate=1.5, n_train=50_000, seed=0)


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


def run_nielsen(p=NIELSEN):
    """Lesson 6's network trained like Nielsen's; test accuracy and time after every epoch."""
    network, training = solutions.load("network"), solutions.load("training")
    x, t, test_x, test_labels = mnist_arrays(p["n_train"])
    net = network.Network(p["definition"], seed=p["seed"], dtype=np.float32)  # lesson 6: float32 trains faster
    rng = np.random.default_rng(p["seed"])
    losses, accuracy, seconds = [], [], []
    for _ in range(p["epochs"]):
        start = time.perf_counter()
        # One epoch per call, each with its own seed drawn from one generator: a fresh order every epoch.
        losses += training.train(net, x, t, 1, p["batch_size"], p["learning_rate"], seed=rng.integers(2**32))
        seconds.append(time.perf_counter() - start)
        accuracy.append(training.accuracy(net.predict(test_x), test_labels))
    return {"loss": np.array(losses), "accuracy": np.array(accuracy), "seconds": np.array(seconds),
            "predictions": net.predict(test_x), "weights1": np.asarray(net.weights[1], dtype=np.float32),
            "params": np.array(json.dumps(p))}


def run_further():
    """Every row of lesson 7's table on every seed: validation and test accuracy per epoch, CPU time."""
    from concurrent.futures import ProcessPoolExecutor
    from dataclasses import asdict

    from coursekit import further

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
