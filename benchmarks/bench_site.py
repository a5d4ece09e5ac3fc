"""Time the strict site build and measure what it produces.

    python -m benchmarks.bench_site [--runs N]
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="builds to time (default: 3)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        times = sorted(build_once(site) for _ in range(args.runs))
        print(f"strict build (incl. interpreter start): best {times[0]:.2f} s, "
              f"median {times[len(times) // 2]:.2f} s over {args.runs} runs")
        print(f"site size:        {size_mb(site):.2f} MB")
        print(f"MathJax assets:   {size_mb(site / 'assets' / 'mathjax'):.2f} MB")


if __name__ == "__main__":
    main()
