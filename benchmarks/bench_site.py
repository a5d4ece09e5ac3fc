"""Time the strict site build and measure what it produces.

    python -m benchmarks.bench_site [--runs N]

Exits 1 if the best strict build, figures included, misses its goal.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUILD_GOAL = 30.0  # seconds, for `mkdocs build --strict` with every lesson's build-time figures


def size_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6


def build_once(site_dir: Path) -> float:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "--site-dir", str(site_dir)],
        cwd=ROOT, env=env, check=True,
    )
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    """Print the table; 0 if the goal is met, else 1. `python -m benchmarks` calls main()."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="builds to time (default: 3)")
    args = parser.parse_args(argv or [])
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        try:
            times = sorted(build_once(site) for _ in range(args.runs))
        except subprocess.CalledProcessError as error:
            print(f"error: the strict build failed ({error})", file=sys.stderr)
            return 1
        best, median = times[0], times[len(times) // 2]
        pages = sum(1 for _ in site.rglob("*.html"))
        total, mathjax = size_mb(site), size_mb(site / "assets" / "mathjax")
    met = "yes" if best <= BUILD_GOAL else "NO"
    rows = [
        (f"build time, best of {args.runs}", f"{best:6.2f} s", f"<= {BUILD_GOAL:.0f} s", met),
        ("build time, median", f"{median:6.2f} s", "", ""),
        (f"site size ({pages} HTML pages)", f"{total:6.2f} MB", "", ""),
        ("of which MathJax", f"{mathjax:6.2f} MB", "", ""),
    ]
    print("| site (strict build, incl. interpreter start) | value     | goal    | met |")
    print("| -------------------------------------------- | --------: | ------- | --- |")
    for name, value, goal, ok in rows:
        print(f"| {name:<44} | {value:>9} | {goal:<7} | {ok:<3} |")
    return 0 if best <= BUILD_GOAL else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
