"""The reference `train` (one backprop per mini-batch) beside two per-example loops.

    python -m benchmarks.bench_reference [--epochs N]

Both loops learn the way Nielsen's network.py learns: for every example of a mini-batch, one
forward and one backprop on that example alone, the gradients summed, then one step.

- "per-example, Nielsen-style" (benchmarks/nielsen_style.py) also computes the way network.py
  computes: column vectors, (n_out, n_in) weights in lists, np.dot, gradients summed with list
  comprehensions. This is the baseline issue 7 names, and the goal is judged against it.
- "per-example, our Network" hands one row at a time to the same vectorised `Network` the
  reference uses: the same calls on both sides, so it isolates what batching alone buys.

All three start from the same weights (same seed) and visit the examples in the same order, so
they must end with the same weights, up to rounding: the script checks it. Goal: the batched
reference at least 10 times faster per epoch of MNIST than the Nielsen-style loop, [784, 30, 10],
batch 10.
"""

from __future__ import annotations

import argparse
import os
import sys

import numpy as np

from benchmarks.common import Timer, as_dtype, load, met, mnist_arrays, numpy_threads, record, set_numpy_threads
from benchmarks.nielsen_style import NielsenStyleNetwork, column_data
from solutions.network import Network
from solutions.training import accuracy, train

SIZES = (784, 30, 10)
BATCH = 10
# Nielsen's eta = 3.0 for his cost 0.5 * sum((y - t)**2); our loss has no 1/2, so our
# gradients are twice his and the same steps take learning_rate = 1.5 (CONTRACT.md).
LEARNING_RATE = 1.5
ETA = 2 * LEARNING_RATE  # the Nielsen-style loop's eta, for his cost with the 1/2
SEED = 1
GOAL = 10.0
LARGER = (32, 128)  # batch sizes timed beside batch 10, to show how the gain grows


# --8<-- [start:per_example]
def per_example_train(network, features, targets, epochs, batch_size, learning_rate, seed=None):
    """Mini-batch SGD as in Nielsen's network.py (one backprop per example, summed per batch),
    with our own vectorised Network fed one row at a time.

    Visits the examples in the same orders as solutions/training.py's `train` with the same
    seed, and takes the same steps; only the arithmetic is done one row at a time.
    """
    rng = np.random.default_rng(seed)
    n = len(features)
    losses = []
    for _ in range(epochs):
        order = rng.permutation(n)
        total = 0.0
        for start in range(0, n, batch_size):
            batch = order[start:start + batch_size]
            sum_w = {k: np.zeros_like(w) for k, w in network.weights.items()}
            sum_b = {k: np.zeros_like(b) for k, b in network.biases.items()}
            for i in batch:  # one example at a time: (784,) features, (10,) targets
                network.forward(features[i], targets[i])
                network.backprop(targets[i])
                for k in sum_w:
                    sum_w[k] += network.weights_grad[k]
                    sum_b[k] += network.biases_grad[k]
                total += float(network.loss)
            network.weights_grad, network.biases_grad = sum_w, sum_b
            network.update(learning_rate / batch_size)
        losses.append(total / n)
    return losses
# --8<-- [end:per_example]


def max_difference(a: Network, b: Network) -> float:
    return max(float(np.max(np.abs(p[k] - q[k])))
               for p, q in ((a.weights, b.weights), (a.biases, b.biases)) for k in p)



def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=1, help="epochs per run (default: 1)")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each batched side (default: 3)")
    parser.add_argument("--loop-rounds", type=int, default=2, help="runs of each loop (default: 2)")
    args = parser.parse_args([] if argv is None else argv)
    load_before = load()
    x, t, x_test, labels_test = mnist_arrays()
    columns = column_data(x, t)  # network.py's form of the data, built once as his loader does

    # Interleaved in one process, after a short warm-up, so that a burst of other work on the
    # shared machine slows every side alike.
    train(Network(SIZES, seed=SEED), x[:2000], t[:2000], 1, BATCH, LEARNING_RATE, seed=SEED)
    NielsenStyleNetwork.from_network(Network(SIZES, seed=SEED)).sgd(columns[:2000], 1, BATCH, ETA, seed=SEED)
    times = {"batched": [], "nielsen": [], "looped": [], "float32": []}  # (CPU, wall) s/epoch

    def run(kind, network, batch=BATCH):
        with Timer() as timer:
            if kind == "nielsen":
                network.sgd(columns, args.epochs, batch, ETA, seed=SEED)
                losses = None  # network.py computes no loss while it learns
            else:
                trainer = per_example_train if kind == "looped" else train
                losses = trainer(network, x, t, args.epochs, batch, LEARNING_RATE, seed=SEED)
        times[kind].append((timer.cpu / args.epochs, timer.seconds / args.epochs))
        return losses

    def nielsen_network():
        return NielsenStyleNetwork.from_network(Network(SIZES, seed=SEED))

    # Round after round: batched, the two loops, float32. The first round keeps its networks
    # for the comparison of weights; every time reported is the best of its rounds.
    batched, looped, nielsen = Network(SIZES, seed=SEED), Network(SIZES, seed=SEED), nielsen_network()
    loss_batched = run("batched", batched)
    run("nielsen", nielsen)
    loss_looped = run("looped", looped)
    single = as_dtype(Network(SIZES, seed=SEED), np.float32)
    run("float32", single)
    for round_ in range(1, args.rounds):
        run("batched", Network(SIZES, seed=SEED))
        if round_ < args.loop_rounds:
            run("nielsen", nielsen_network())
            run("looped", Network(SIZES, seed=SEED))
        run("float32", as_dtype(Network(SIZES, seed=SEED), np.float32))
    for round_ in range(args.rounds):  # larger batches: other steps, so only the time compares
        for batch in LARGER:
            times.setdefault(batch, [])
            run(batch, Network(SIZES, seed=SEED), batch)
    # The reference again with NumPy's BLAS on every core (benchmarks/__init__.py sets one).
    threads, cores = numpy_threads(), os.cpu_count()
    if threads is not None and cores > threads and set_numpy_threads(cores):
        times["threaded"] = []
        run("threaded", Network(SIZES, seed=SEED))
        set_numpy_threads(threads)
    (batched_s, batched_w), (nielsen_s, nielsen_w), (looped_s, looped_w), (single_s, single_w) = (
        min(times[k]) for k in ("batched", "nielsen", "looped", "float32"))

    nielsen_rows = nielsen.to_network(Network)
    diff_nielsen = max_difference(batched, nielsen_rows)
    diff_looped = max_difference(batched, looped)
    acc_batched = accuracy(batched.predict(x_test), labels_test)
    acc_nielsen = nielsen.evaluate(zip(x_test.reshape(len(x_test), -1, 1), labels_test)) / len(x_test)
    acc_looped = accuracy(looped.predict(x_test), labels_test)
    same_nielsen = diff_nielsen < 1e-8
    same_looped = diff_looped < 1e-8 and np.allclose(loss_batched, loss_looped, rtol=1e-10, atol=0)
    ratio = nielsen_s / batched_s
    ok = same_nielsen and same_looped and ratio >= GOAL

    acc_single = accuracy(single.predict(x_test), labels_test)
    def speedups(cpu):
        return f"{nielsen_s / cpu:.1f}", f"{looped_s / cpu:.1f}"
    rows = [
        ["per-example, Nielsen-style (columns, lists, as network.py computes)", f"{nielsen_s:.2f}",
         f"{nielsen_w:.2f}", f"{acc_nielsen:.4f}", *speedups(nielsen_s), ""],
        ["per-example, our Network (one row at a time)", f"{looped_s:.2f}", f"{looped_w:.2f}",
         f"{acc_looped:.4f}", *speedups(looped_s), ""],
        ["reference `train`, batched (float64 weights)", f"{batched_s:.2f}", f"{batched_w:.2f}",
         f"{acc_batched:.4f}", *speedups(batched_s), f">= {GOAL:.0f}x Nielsen-style: {met(ratio >= GOAL)}"],
        ["the same with float32 weights (not the reference)", f"{single_s:.2f}", f"{single_w:.2f}",
         f"{acc_single:.4f}", *speedups(single_s), ""],
    ]
    for batch in LARGER:
        cpu, wall = min(times[batch])
        rows.append([f"reference `train`, batch {batch} (other steps: time only)", f"{cpu:.2f}",
                     f"{wall:.2f}", "", *speedups(cpu), ""])
    if "threaded" in times:
        (cpu, wall), = times["threaded"]
        rows.append([f"the reference with BLAS on {cores} threads instead of {threads}",
                     f"{cpu:.2f}", f"{wall:.2f}", "", f"{nielsen_w / wall:.1f} (wall)",
                     f"{looped_w / wall:.1f} (wall)", ""])
    notes = [
        f"MNIST, {SIZES}, batch {BATCH}, learning_rate {LEARNING_RATE} (the Nielsen-style loop: "
        f"eta {ETA}, for his cost with its 1/2), seed {SEED}, {args.epochs} epoch(s) of 60,000 "
        f"examples per side; BLAS threads: {numpy_threads()}; each time is the best of "
        f"{args.rounds} runs ({args.loop_rounds} for each loop), interleaved. "
        "Speed-ups compare CPU times (time.process_time), which other programs on the machine "
        "do not inflate; with several threads, CPU time adds up every thread's time.",
        "The two per-example baselines: \"Nielsen-style\" computes as network.py does (column "
        "vectors, weights (n_out, n_in) in lists, np.dot, per-example gradients summed with list "
        "comprehensions), the baseline of the goal; \"our Network\" feeds the reference's own "
        "vectorised Network one example at a time, so that both sides make the same calls and "
        "only batching differs.",
        f"Same weights after training as the reference: Nielsen-style, largest difference "
        f"{diff_nielsen:.1e} ({met(same_nielsen)}); our Network one row at a time, "
        f"{diff_looped:.1e} ({met(same_looped)}). Test accuracy: reference {acc_batched:.4f}, "
        f"Nielsen-style {acc_nielsen:.4f}, our Network per example {acc_looped:.4f}.",
    ]
    record("reference", "Batched reference against two per-example loops",
           ["training", "CPU s/epoch", "wall s/epoch", "test accuracy",
            "speed-up vs Nielsen-style (CPU)", "speed-up vs our Network per example (CPU)", "goal"],
           rows, notes, load_before)
    if not (same_nielsen and same_looped):
        print("error: the reference and a per-example loop disagree", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
