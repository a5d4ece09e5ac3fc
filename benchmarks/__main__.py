"""Run every benchmark in this folder, one after another, and print their tables."""

import importlib
import pkgutil
import sys
import time

import benchmarks


def main():
    names = sorted(m.name for m in pkgutil.iter_modules(benchmarks.__path__) if m.name.startswith("bench_"))
    if len(sys.argv) > 1:
        names = [n for n in names if any(word in n for word in sys.argv[1:])]
    failed = []
    for name in names:
        print(f"\n## {name}\n", flush=True)
        start = time.perf_counter()
        module = importlib.import_module(f"benchmarks.{name}")
        status = module.main()
        print(f"({name}: {time.perf_counter() - start:.1f} s)")
        if status:
            failed.append(name)
    if failed:
        print(f"\ngoals missed in: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
