"""Run every benchmark in this folder, one after another, and print their tables.

    python -m benchmarks              every benchmarks/bench_*.py
    python -m benchmarks perf site    only those whose name contains one of the words

Each module's `main()` returns non-zero when it misses a goal; this exits 1 if any did.
Every benchmark runs with its default options (the words above are not passed on).
"""

import importlib
import inspect
import pkgutil
import sys
import time

import benchmarks


def run(module):
    """module.main() with its default options, whether it takes argv or reads sys.argv."""
    if inspect.signature(module.main).parameters:
        return module.main([])
    saved, sys.argv = sys.argv, [module.__name__]
    try:
        return module.main()
    finally:
        sys.argv = saved


def main():
    names = sorted(m.name for m in pkgutil.iter_modules(benchmarks.__path__) if m.name.startswith("bench_"))
    if len(sys.argv) > 1:
        names = [n for n in names if any(word in n for word in sys.argv[1:])]
    failed = []
    for name in names:
        print(f"\n## {name}\n", flush=True)
        start = time.perf_counter()
        module = importlib.import_module(f"benchmarks.{name}")
        status = run(module)
        print(f"({name}: {time.perf_counter() - start:.1f} s)", flush=True)
        if status:
            failed.append(name)
    if failed:
        print(f"\ngoals missed in: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
