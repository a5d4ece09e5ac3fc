"""Lesson 7's full recipe (the reference solutions/further.py) to 98 %, and its share of the machine.

    python -m benchmarks.bench_further [--seeds N]

For each seed, trains the last row of lesson 7's table (coursekit/runs_further.py: the reference
Classifier, Momentum, fit and cosine_schedule, float32, one BLAS thread) exactly as the lesson
does, and stops after the first epoch whose VALIDATION accuracy reaches 98 % (the test digits
are read once, then). Time is the CPU time of training (time.process_time: other programs on
the machine do not inflate it), not of the evaluations.

Throughput: the floating-point work of training, per example, is that of the matrix products
(forward a(k) = h W(k), backward h^T g and g W^T, 2 flops per multiply-add); divided by the
CPU time it is a rate, shown as a share of this machine's own rate for float32 products of the
same shapes at the same batch size (the physical limit for this network: everything else
NumPy does in a step is overhead on top of those products).
"""

from __future__ import annotations

import statistics
import sys
import time

import numpy as np

from benchmarks.common import load, met, numpy_threads, options, record
from coursekit import runs_further as further

TARGET = 0.98
GOAL = 10.0  # seconds of CPU to 98 % on validation, median over the seeds


class Reached(Exception):
    """Raised from further.train's after_epoch hook at the first epoch at TARGET."""


def until_target(recipe, seed, data):
    """(epochs to TARGET or None, training CPU seconds, test accuracy at that epoch)."""
    test_x, test_labels = data[4], data[5]
    seen = {}

    def after_epoch(epoch, net, run):
        seen.update(epochs=epoch + 1, seconds=float(np.sum(run["seconds"])))
        if run["validation"][-1] >= TARGET:
            seen["test"] = further.accuracy(net, test_x, test_labels)
            raise Reached

    try:
        further.train(recipe, seed, data[:4] + (None, None), after_epoch=after_epoch)
    except Reached:
        return seen["epochs"], seen["seconds"], seen["test"]
    return None, seen["seconds"], None


def product_flops(definition, batch):
    """Flops of one training step's matrix products on a batch (2 per multiply-add)."""
    flops = 0
    for k, (n_in, n_out) in enumerate(zip(definition[:-1], definition[1:])):
        products = 2 if k == 0 else 3  # h W and h^T g; g W^T too, except below the first layer
        flops += products * 2 * batch * n_in * n_out
    return flops


def matmul_seconds(definition, batch, repeats=400):
    """CPU seconds per step of the same products alone, float32, best of three rounds."""
    rng = np.random.default_rng(0)
    shapes = [(rng.random((batch, n_in), dtype=np.float32), rng.random((n_in, n_out), dtype=np.float32),
               rng.random((batch, n_out), dtype=np.float32)) for n_in, n_out in zip(definition[:-1], definition[1:])]
    best = float("inf")
    for _ in range(3):
        start = time.process_time()
        for _ in range(repeats):
            for k, (h, W, g) in enumerate(shapes):
                h @ W
                h.T @ g
                if k:
                    g @ W.T
        best = min(best, (time.process_time() - start) / repeats)
    return best


def main(argv: list[str] | None = None) -> int:
    args = options(__doc__, argv, seeds=(3, "seeds to train"))
    load_before = load()
    data = further.mnist_split()
    name, recipe = further.STEPS[-1]
    definition = (784, recipe.hidden, 10)
    rows, seconds, reached, rates = [], [], True, []
    steps_per_epoch = -(-len(data[0]) // recipe.batch_size)
    for seed in range(args.seeds):
        epochs, s, test = until_target(recipe, seed, data)
        reached = reached and epochs is not None
        seconds.append(s)
        done = epochs or further.EPOCHS
        rates.append(done * steps_per_epoch * product_flops(definition, recipe.batch_size) / s)
        rows.append([seed, epochs or f"not in {further.EPOCHS}", f"{test:.4f}" if test else "", f"{s:.1f}",
                     f"{done * len(data[0]) / s:,.0f}"])
    limit = product_flops(definition, recipe.batch_size) / matmul_seconds(definition, recipe.batch_size)
    share = statistics.median(rates) / limit
    median = statistics.median(seconds)
    ok = reached and median <= GOAL
    rows.append(["median", "", "", f"{median:.1f}", ""])
    notes = [f"Recipe {name!r} of coursekit/runs_further.py (the reference solutions/further.py): {definition}, "
             f"batches of {recipe.batch_size}, {len(data[0]):,} training images, float32; stops at the first "
             f"epoch with validation accuracy >= {TARGET:.0%}. NumPy's BLAS threads: {numpy_threads()}.",
             f"Matrix products alone at batch {recipe.batch_size}: {limit / 1e9:.1f} GFLOP/s on this machine; "
             f"training runs at {statistics.median(rates) / 1e9:.2f} GFLOP/s of products, {share:.0%} of it.",
             f"Goal: median <= {GOAL:.0f} s of CPU to 98 %: {met(ok)}."]
    record("further", "Lesson 7's recipe to 98 % (validation), and its share of the matrix-multiply rate",
           ["seed", "epochs to 98 %", "test accuracy then", "training CPU seconds", "examples / s"], rows,
           notes, load_before)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
