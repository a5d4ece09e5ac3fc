"""Lesson 8's Model (a graph of Tensors) against lesson 7's Classifier (hand-written backprop), per epoch.

    python -m benchmarks.bench_autodiff [--rounds N]

Both reference solutions train [784, 100, 10] on the same 50,000 MNIST images, in the same
mini-batches of 32 (one permutation, shared), with the same plain gradient-descent step: the
Classifier by forward(), backprop() and W -= rate * grad / n, the Model by loss(), backward()
and sgd_step(). Both start from the same parameters and, after the epoch, hold the same ones to
rounding (checked before any time is reported). The Model computes in float64 (its Tensors are
float64 by contract), so the Classifier is timed in float64 too, and in float32 as lesson 7's
runs train it. Times are CPU seconds (time.process_time, one BLAS thread), the best of N rounds,
the sides alternating.
"""

from __future__ import annotations

import sys
import time

import numpy as np

from benchmarks.common import load, met, numpy_threads, options, record
from coursekit import runs_further
from coursekit.solutions import load as reference

BATCH, RATE, DEFINITION = 32, 0.1, (784, 100, 10)
GOAL = 3.0  # the graph may cost at most this many times the hand-written backprop (float64), per epoch


def classifier_epoch(net, x, t, order):
    for start in range(0, len(x), BATCH):
        batch = order[start:start + BATCH]
        net.forward(x[batch], t[batch])
        net.backprop(t[batch])
        for k in net.weights:
            net.weights[k] -= RATE * net.weights_grad[k] / len(batch)
            net.biases[k] -= RATE * net.biases_grad[k] / len(batch)


def model_epoch(model, sgd_step, x, t, order):
    for start in range(0, len(x), BATCH):
        batch = order[start:start + BATCH]
        model.loss(x[batch], t[batch]).backward()
        sgd_step(model.parameters(), RATE, len(batch))


def twins(dtype):
    further, autodiff = reference("further"), reference("autodiff")
    net = further.Classifier(DEFINITION, seed=0, dtype=dtype)
    model = autodiff.Model(DEFINITION, seed=0)
    for k in net.weights:
        model.weights[k].data, model.biases[k].data = net.weights[k].astype(float), net.biases[k].astype(float)
    return net, model


def timed(function, *args):
    start = time.process_time()
    function(*args)
    return time.process_time() - start


def main(argv: list[str] | None = None) -> int:
    args = options(__doc__, argv, rounds=(3, "rounds of each side"))
    load_before = load()
    x32, t32 = runs_further.mnist_split()[:2]
    x64, t64 = x32.astype(np.float64), t32.astype(np.float64)
    order = np.random.default_rng(0).permutation(len(x32))
    autodiff = reference("autodiff")
    net, model = twins(np.float64)  # the check: the same steps, the same parameters after an epoch
    classifier_epoch(net, x64, t64, order)
    model_epoch(model, autodiff.sgd_step, x64, t64, order)
    difference = max(float(np.max(np.abs(model.weights[k].data - net.weights[k]))) for k in net.weights)
    if difference > 1e-8:
        print(f"the Model and the Classifier disagree after one epoch (largest difference {difference:.3g})")
        return 1
    times = {"Classifier, float64": [], "Classifier, float32": [], "Model (Tensors), float64": []}
    for _ in range(args.rounds):
        times["Classifier, float64"].append(timed(classifier_epoch, twins(np.float64)[0], x64, t64, order))
        times["Model (Tensors), float64"].append(timed(model_epoch, twins(np.float64)[1], autodiff.sgd_step,
                                                       x64, t64, order))
        times["Classifier, float32"].append(timed(classifier_epoch, twins(np.float32)[0], x32, t32, order))
    best = {name: min(seconds) for name, seconds in times.items()}
    base = best["Classifier, float64"]
    rows = [[name, f"{s:.2f}", f"{s / base:.2f}x", f"{len(x32) / s:,.0f}"] for name, s in best.items()]
    overhead = best["Model (Tensors), float64"] / base
    ok = overhead <= GOAL
    notes = [f"One epoch of {len(x32):,} MNIST images, {DEFINITION}, batches of {BATCH}, the same order and the same "
             f"plain step (rate {RATE} on the mean gradient) for both; after one epoch their weights agree to "
             f"{difference:.1e}. Best of {args.rounds} rounds, CPU seconds; NumPy's BLAS threads: {numpy_threads()}.",
             f"The graph costs {overhead:.2f}x the hand-written backprop at the same precision: recording every "
             "operation, ordering the graph, and a share computed for the features (a constant) in the first "
             "layer's matrix product, which backprop skips.",
             f"Goal: the Model within {GOAL:.0f}x of the Classifier (float64) per epoch: {met(ok)}."]
    record("autodiff", "Lesson 8's Model (autodiff) against lesson 7's Classifier, one epoch on the same batches",
           ["network", "CPU seconds per epoch", "against Classifier float64", "examples / s"], rows, notes,
           load_before)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
