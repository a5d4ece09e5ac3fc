"""Time the strict site build and measure what it produces.

    python -m benchmarks.bench_site [--runs N]

Goal: the median build, interpreter start included, within 30 s.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import load, met, options, record
from coursekit import ROOT

GOAL = 30.0  # seconds


def size_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6


class BuildFailed(Exception):
    pass


def build_once(site_dir: Path) -> float:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    start = time.perf_counter()
    # Not --quiet: it hides warnings from the counter that --strict aborts on, so a quiet
    # "strict" build passes with warnings. The log is captured instead, and shown on failure.
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site_dir)],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )
    seconds = time.perf_counter() - start
    if done.returncode:
        raise BuildFailed(done.stderr)
    return seconds


def main(argv: list[str] | None = None) -> int:
    args = options(__doc__, argv, runs=(3, "builds to time"))
    load_before = load()
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        try:
            times = sorted(build_once(site) for _ in range(args.runs))
        except BuildFailed as error:
            print(f"error: the strict build failed:\n{error}", file=sys.stderr)
            return 1
        median = times[len(times) // 2]
        ok = median <= GOAL
        rows = [["strict build, incl. interpreter start (best)", f"{times[0]:.2f} s", ""],
                [f"strict build (median of {args.runs})", f"{median:.2f} s", f"<= {GOAL:.0f} s: {met(ok)}"],
                ["site size", f"{size_mb(site):.2f} MB", ""],
                ["MathJax assets", f"{size_mb(site / 'assets' / 'mathjax'):.2f} MB", ""]]
    record("site", "Strict site build", ["site", "measured", "goal"], rows, load_before=load_before)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
