"""Training runs the lessons quote, computed once and cached.

A full run takes a minute or more, too long for every site build. Each run's result is saved
as `<name>-<key>.npz`, the key being a hash of the code that produces it (the solutions it
trains with, coursekit/runs_further.py, and this file down to its cache section): edit any of them
and the next build trains again; otherwise builds read the file in milliseconds.

The results for the committed code are committed too, in `docs/generated/runs/` (COMMITTED),
so that a fresh clone, CI and a first `make serve` never train; tests/test_runs_cache.py fails
when they are stale and names the command that refreshes them. Runs of edited code go to
`.cache/runs/` (CACHE, ignored by git). A missing result is trained in a subprocess with one
BLAS thread, which on a small shared machine is both faster and steadier than several, and
which reports each run, and each epoch or table row, on stderr as it goes.

    python -m coursekit.runs nielsen further    # fill .cache/runs/ ahead of a build
    python -m coursekit.runs --commit           # refresh docs/generated/runs/ (then commit it)
"""

from __future__ import annotations

import hashlib
import inspect
import json
import os
import subprocess
import sys
import time

import numpy as np

from coursekit import ROOT, solutions

CACHE = ROOT / ".cache" / "runs"
COMMITTED = ROOT / "docs" / "generated" / "runs"
# runs.py from this line on (at the start of a line) changes no result: it is not in the key.
CACHE_SECTION = "\n# --- the cache:"
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
    """A hash of the code that makes the runs' results (12 hex digits)."""
    digest = hashlib.sha256()
    for name in SOURCES:
        text = (ROOT / name).read_bytes()
        if name == "coursekit/runs.py":
            text = text.split(CACHE_SECTION.encode(), 1)[0]
        digest.update(text)
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
        def report(epoch, curves, rate=rate, i=i):
            progress(f"nielsen: learning rate {rate:g} ({i + 1} of {len(rates)}), epoch {epoch}/{p['epochs']}: "
                     f"validation accuracy {curves['validation_accuracy'][-1]:.4f}")

        curves, net, best = fit_one(rate, split, p, on_epoch=report)
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
ABOUT = {"nielsen": "lesson 6's training runs", "further": "lesson 7's table"}


# --- the cache: how results are found, trained and reported (not part of the key) ------------


def progress(message):
    """One line of a training run's progress, on stderr (a site build's terminal shows it)."""
    print(f"coursekit.runs: {message}", file=sys.stderr, flush=True)


def path(name, folder=None):
    """Where run `name`'s result for the current code goes in `folder` (default: CACHE)."""
    return (folder or CACHE) / f"{name}-{key()}.npz"


def find(name):
    """The result file of run `name` for the current code: committed, else cached; None if neither."""
    for folder in (COMMITTED, CACHE):
        if path(name, folder).exists():
            return path(name, folder)
    return None


def load(name):
    """The result of run `name` as a dict of arrays, training first (in a subprocess) if it is missing."""
    target = find(name)
    if target is None:
        progress(f"no result of {ABOUT.get(name, name)} for this code (key {key()}): training it now, "
                 "a minute or more; later builds read it from .cache/runs/")
        env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
        subprocess.run([sys.executable, "-m", "coursekit.runs", name], cwd=ROOT, env=env, check=True)
        target = path(name)
    with np.load(target) as saved:
        return {k: saved[k] for k in saved.files}


def _report_rows():
    """Say each row of lesson 7's table as it is trained: runs_further.train, wrapped for this run only.

    The seeds train in worker processes forked from this one, so they inherit the wrapper (where
    processes are spawned instead, as on macOS and Windows, only the start and the end are said).
    """
    from coursekit import runs_further as further

    train, done = further.train, {}  # rows trained so far, per seed

    def reporting(recipe, seed, *args, **kwargs):
        start = time.perf_counter()
        out = train(recipe, seed, *args, **kwargs)
        done[seed] = done.get(seed, 0) + 1
        progress(f"further: seed {seed}, row {done[seed]} of {len(further.STEPS)}: {time.perf_counter() - start:.1f} s")
        return out

    further.train = reporting


USAGE = "usage: python -m coursekit.runs [--commit] [" + " ".join(RUNS) + "]"


def main(argv=None):
    args = list(sys.argv[1:] if argv is None else argv)
    if "-h" in args or "--help" in args:
        print(__doc__.split("\n\n", 1)[0] + "\n\n" + USAGE)
        return 0
    commit = "--commit" in args
    names = [name for name in args if name != "--commit"] or list(RUNS)
    unknown = [name for name in names if name not in RUNS]
    if unknown:
        print(f"{' '.join(unknown)}: no such run; the runs are {', '.join(RUNS)}\n{USAGE}", file=sys.stderr)
        return 2
    folder = COMMITTED if commit else CACHE
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        target = path(name, folder)
        for old in folder.glob(f"{name}-*.npz"):
            if old != target:
                old.unlink()  # results of older code
        cached = path(name)
        if commit and cached.exists():  # already trained for this code: copy it
            target.write_bytes(cached.read_bytes())
            progress(f"{name}: copied {cached.relative_to(ROOT)} -> {target.relative_to(ROOT)}")
            continue
        start = time.perf_counter()
        progress(f"{name}: training {ABOUT.get(name, name)}")
        if name == "further":
            _report_rows()
        result = RUNS[name]()
        np.savez_compressed(target, **result)
        progress(f"{name}: {time.perf_counter() - start:.1f} s -> {target.relative_to(ROOT)}")


if __name__ == "__main__":
    sys.exit(main())
