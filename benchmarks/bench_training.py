"""Training times and accuracies lesson 6 quotes (lesson 7's: benchmarks/bench_further.py).

    python -m benchmarks.bench_training [--skip-nielsen]

Runs with one BLAS thread (set before NumPy is imported): on a small machine shared with other
work, OpenBLAS's threads spend more time waiting for each other than computing.
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from coursekit import runs, solutions  # noqa: E402


def epoch_times(x, t, repeats=3):
    """Best time of one epoch of [784, 30, 10], batches of 10, for float32 and float64 features."""
    network, training = solutions.load("network"), solutions.load("training")
    for dtype in (np.float32, np.float64):
        xs, ts = x.astype(dtype), t.astype(dtype)
        net = network.Network((784, 30, 10), seed=0)
        def epoch(net=net, xs=xs, ts=ts):
            training.train(net, xs, ts, 1, 10, 1.5, seed=0)

        best = min(_timed(epoch) for _ in range(repeats))
        print(f"  one epoch, {len(x):,} images, {np.dtype(dtype).name} features: {best:.2f} s")


def _timed(f):
    start = time.perf_counter()
    f()
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-nielsen", action="store_true")
    args = parser.parse_args()
    x, t, test_x, test_labels = runs.mnist_arrays()
    print("lesson 6, train() with the reference Network:")
    epoch_times(x, t)
    if not args.skip_nielsen:
        split = runs.mnist_split()
        for rate in runs.LEARNING_RATES:
            start = time.perf_counter()
            curves, _, _ = runs.fit_one(rate, split)
            acc = curves["validation_accuracy"]
            print(f"  Nielsen [784, 30, 10], learning_rate {rate} (his eta {2 * rate:g}), 30 epochs, validation: "
                  f"epoch 1 {acc[0]:.2%}, best {acc.max():.2%} (epoch {acc.argmax() + 1}), "
                  f"last {acc[-1]:.2%}, {time.perf_counter() - start:.1f} s")
    print("lesson 7: python -m benchmarks.bench_further (the reference further.py to 98 %)")

if __name__ == "__main__":
    main()
