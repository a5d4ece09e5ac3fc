"""The NumPy reference beside the same network and optimiser in PyTorch, on the CPU.

    python -m benchmarks.bench_pytorch [--repeats N]

PyTorch is an optional extra (`pip install -e '.[bench]'`), never a dependency of the course:
without it this benchmark says so and passes. Both sides train [784, 30, 10] on MNIST from the
same initial weights, with the same orders and the same steps (SGD on the summed squared error,
step learning_rate / batch_size), in float64 as the reference computes, and must end with the
same weights. Both get the same number of threads, `--threads` (default 1: NumPy's BLAS through
OpenBLAS's own call, PyTorch through torch.set_num_threads). One thread is the fair default on a
shared machine: matrices this small keep OpenBLAS on one thread anyway, while PyTorch's OpenMP
threads spin-wait for each other and, when other work holds the cores, a step of batch 10 can
take ten times longer. Goals: the reference at least as fast at batch 10, and within 10% at
batch 128.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np

from benchmarks.common import (
    Timer,
    as_dtype,
    blas_name,
    load,
    met,
    mnist_arrays,
    numpy_threads,
    record,
    set_numpy_threads,
)
from solutions.network import Network
from solutions.training import train

SIZES = (784, 30, 10)
LEARNING_RATE = 1.5
SEED = 1
GOALS = {10: 1.0, 128: 1.10}  # batch size: largest allowed NumPy time / PyTorch time


def torch_model(network, dtype):
    """A torch.nn.Sequential holding a copy of `network`'s weights (transposed: torch is W h)."""
    import torch

    layers = []
    for k in range(1, network.n_layers + 1):
        w = network.weights[k]
        linear = torch.nn.Linear(*w.shape, dtype=dtype)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(w.T.copy()))
            linear.bias.copy_(torch.from_numpy(network.biases[k]))
        layers += [linear, torch.nn.Sigmoid()]
    return torch.nn.Sequential(*layers)


# --8<-- [start:torch_train]
def torch_train(model, features, targets, epochs, batch_size, learning_rate, seed=None):
    """solutions/training.py's `train`, written for PyTorch: same orders, same steps."""
    import torch

    dtype = next(model.parameters()).dtype
    optimiser = torch.optim.SGD(model.parameters(), lr=learning_rate / batch_size)
    rng = np.random.default_rng(seed)
    n = len(features)
    shuffled_features, shuffled_targets = np.empty_like(features), np.empty_like(targets)
    x_all, t_all = torch.from_numpy(shuffled_features), torch.from_numpy(shuffled_targets)
    losses = []
    for _ in range(epochs):
        order = rng.permutation(n)
        np.take(features, order, axis=0, out=shuffled_features)
        np.take(targets, order, axis=0, out=shuffled_targets)
        total = 0.0
        for start in range(0, n, batch_size):
            # float32 features meet float64 weights: NumPy promotes silently, torch must be told.
            x = x_all[start:start + batch_size].to(dtype)
            t = t_all[start:start + batch_size].to(dtype)
            optimiser.zero_grad()
            loss = ((model(x) - t) ** 2).sum()
            loss.backward()
            optimiser.step()
            total += loss.item()
        losses.append(total / n)
    return losses
# --8<-- [end:torch_train]


def max_difference(network, model) -> float:
    linears = [m for m in model if hasattr(m, "weight")]
    return max(max(float(np.max(np.abs(network.weights[k] - m.weight.detach().numpy().T))),
                   float(np.max(np.abs(network.biases[k] - m.bias.detach().numpy()))))
               for k, m in enumerate(linears, start=1))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="epochs timed per side (default: 3)")
    parser.add_argument("--threads", type=int, default=1, help="threads for both sides (default: 1)")
    args = parser.parse_args([] if argv is None else argv)
    try:
        import torch
    except ImportError:
        print("PyTorch is not installed: skipped (pip install -e '.[bench]' to include it).")
        return 0
    load_before = load()
    threads, numpy_before = args.threads, numpy_threads()
    if not set_numpy_threads(threads):
        print(f"warning: cannot set NumPy's BLAS threads; it uses {numpy_before}", file=sys.stderr)
        threads = numpy_before or threads
    torch.set_num_threads(threads)
    x, t, _, _ = mnist_arrays()

    rows, ok, notes = [], True, []
    for dtype_name, np_dtype, torch_dtype in (("float64", np.float64, torch.float64),
                                             ("float32", np.float32, torch.float32)):
        for batch in GOALS:
            def fresh(np_dtype=np_dtype):
                return as_dtype(Network(SIZES, seed=SEED), np_dtype)
            # Warm-up (caches, threads, torch's first-call costs), then the two sides in turn.
            train(fresh(), x[:2560], t[:2560], 1, batch, LEARNING_RATE, seed=SEED)
            torch_train(torch_model(fresh(), torch_dtype), x[:2560], t[:2560], 1, batch, LEARNING_RATE, SEED)
            numpy_s, torch_s, walls = [], [], []
            for _ in range(args.repeats):
                network, model = fresh(), torch_model(fresh(), torch_dtype)
                with Timer() as a:
                    train(network, x, t, 1, batch, LEARNING_RATE, seed=SEED)
                with Timer() as b:
                    torch_train(model, x, t, 1, batch, LEARNING_RATE, seed=SEED)
                numpy_s.append(a.cpu)
                torch_s.append(b.cpu)
                walls.append(a.seconds / b.seconds)
            diff = max_difference(network, model)
            same = diff < (1e-8 if dtype_name == "float64" else 1e-2)
            ratio = min(numpy_s) / min(torch_s)
            if dtype_name == "float64":  # the reference as students run it: the goals
                goal_ok = ratio <= GOALS[batch]
                goal = f"<= {GOALS[batch]:.2f}: {met(goal_ok)}"
                ok = ok and goal_ok and same
            else:
                goal = "(float32 weights: not the reference)"
            rows.append([dtype_name, batch, f"{min(numpy_s):.2f}", f"{min(torch_s):.2f}",
                         f"{ratio:.2f}", f"{min(walls):.2f}", f"{diff:.0e}", goal])
    notes.append(f"One epoch of MNIST (60,000 examples), {SIZES}, SGD, learning_rate "
                 f"{LEARNING_RATE}; best of {args.repeats} interleaved epochs per side, CPU time of "
                 f"the process (time.process_time), which other programs do not inflate. "
                 f"Threads: {threads} for each side (NumPy's BLAS, {blas_name()}, set to "
                 f"{numpy_threads()}; PyTorch {torch.__version__}, torch.set_num_threads({threads})).")
    if numpy_before:
        set_numpy_threads(numpy_before)
    record("pytorch", "NumPy reference against PyTorch (CPU)",
           ["dtype", "batch", "NumPy CPU s/epoch", "PyTorch CPU s/epoch", "NumPy / PyTorch (CPU)",
            "(wall, best)", "weights differ by", "goal"], rows, notes, load_before)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
