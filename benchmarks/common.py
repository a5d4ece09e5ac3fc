"""What the benchmarks share: the machine's description, tables, and the record of the last run.

Every benchmark prints its table and also stores it, with the machine and the date, under its
own name in docs/generated/benchmarks.json. That file is committed: it is the record of the last
run, and docs/performance.md renders it when the site is built (no number is typed by hand).
"""

from __future__ import annotations

import argparse
import ctypes
import datetime
import json
import os
import platform
import re
import time
from pathlib import Path

import numpy as np

from coursekit import ROOT

RECORD = ROOT / "docs" / "generated" / "benchmarks.json"


def _openblas(action: str):
    """OpenBLAS's `get_num_threads` or `set_num_threads`, as loaded by NumPy, or None."""
    try:
        maps = Path("/proc/self/maps").read_text()
    except OSError:
        return None
    for path in sorted(set(re.findall(r"(/\S*openblas\S*\.so\S*)", maps))):
        lib = ctypes.CDLL(path)
        for prefix in ("scipy_openblas_", "openblas_"):
            for suffix in ("64_", ""):
                if hasattr(lib, f"{prefix}{action}_num_threads{suffix}"):
                    return getattr(lib, f"{prefix}{action}_num_threads{suffix}")
    return None


def numpy_threads() -> int | None:
    """How many threads NumPy's BLAS (OpenBLAS, as NumPy's wheels ship it) may use."""
    get = _openblas("get")
    return int(get()) if get else None


def set_numpy_threads(n: int) -> bool:
    """Let NumPy's BLAS use n threads from now on; False if that cannot be done here."""
    set_ = _openblas("set")
    if set_ is None:
        return False
    set_(ctypes.c_int(n))
    return numpy_threads() == n


def blas_name() -> str:
    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        return f"{blas['name']} {blas['version']}"
    except Exception:  # the layout of show_config is NumPy's, not ours
        return "unknown"


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def load() -> str:
    """The 1-minute load average against the core count: other work on a shared machine."""
    try:
        return f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    except OSError:
        return "unknown"


def machine() -> dict:
    return {
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "blas": blas_name(),
        "numpy_threads": numpy_threads(),
        "os": platform.platform(terse=True),
    }


def print_table(header: list[str], rows: list[list]) -> None:
    """A Markdown table: what the terminal shows is what the page shows."""
    cells = [header] + [[str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    def line(r):
        return "| " + " | ".join(c.ljust(w) for c, w in zip(r, widths)) + " |"
    print(line(cells[0]))
    print("| " + " | ".join("-" * w for w in widths) + " |")
    for r in cells[1:]:
        print(line(r))


def record(name: str, title: str, header: list[str], rows: list[list], notes: list[str] = (),
           load_before: str | None = None) -> None:
    """Print the table and store it as the last run of benchmark `name`."""
    print_table(header, rows)
    for note in notes:
        print(note)
    RECORD.parent.mkdir(parents=True, exist_ok=True)
    try:
        data = json.loads(RECORD.read_text())
    except (OSError, ValueError):
        data = {}
    data[name] = {
        "title": title,
        "date": datetime.datetime.now().astimezone().isoformat(timespec="minutes"),
        "machine": machine(),
        "load": {"before": load_before, "after": load()} if load_before else {"after": load()},
        "header": header,
        "rows": [[str(c) for c in row] for row in rows],
        "notes": list(notes),
    }
    RECORD.write_text(json.dumps(dict(sorted(data.items())), indent=1) + "\n")


def options(doc: str, argv: list[str] | None, **counts: tuple[int, str]) -> argparse.Namespace:
    """A benchmark's command line, described by the first line of its docstring `doc`.

    Each count is an option taking a whole number: `loop_rounds=(2, "runs of each loop")` is
    `--loop-rounds N`, 2 by default. argv None is no arguments (the defaults), not sys.argv.
    """
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    for name, (default, what) in counts.items():
        option = "--" + name.replace("_", "-")
        parser.add_argument(option, type=int, default=default, help=f"{what} (default: {default})")
    return parser.parse_args([] if argv is None else argv)


def met(ok: bool) -> str:
    return "yes" if ok else "NO"


class Timer:
    """Wall time (`seconds`) and this process's CPU time (`cpu`) of a `with` block.

    On a machine shared with other work, wall time also counts the moments other programs held
    the core; CPU time does not, so the training benchmarks compare CPU times (with one BLAS
    thread, CPU time is the time of one core). Threads waiting for each other still count.
    """

    def __enter__(self):
        self.start, self.start_cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.start
        self.cpu = time.process_time() - self.start_cpu


def mnist_arrays():
    """Training and test features and targets, as the lessons build them (float32)."""
    from coursekit.mnist import load_mnist
    from solutions.data import one_hot, to_features

    data = load_mnist()
    return (to_features(data.train_images), one_hot(data.train_labels),
            to_features(data.test_images), data.test_labels)


def as_dtype(network, dtype):
    """The same network with its parameters and gradients converted to `dtype` (in place).

    Every operation of Network keeps the dtype of its inputs, so a float32 network on float32
    features computes in float32 throughout; float32 features with float64 weights compute
    in float64 (NumPy promotes to the wider type).
    """
    for store in (network.weights, network.biases, network.weights_grad, network.biases_grad):
        for k in store:
            store[k] = store[k].astype(dtype)
    return network
