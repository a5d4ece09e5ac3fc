"""How long students wait for the grader: on the reference and on the untouched exercises.

    python -m benchmarks.bench_grader [--runs N]

Wall time of `python -m pytest grader` in a fresh process, as a student types it, including
the interpreter's start. Goals: at most 15 s on the reference (every test runs to the end) and
at most 5 s on the untouched exercises (every test finds a stub and stops at once).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

from benchmarks.common import load, met, record
from coursekit import ROOT
from grader.submissions import grader_command

TARGETS = {"solutions": 15.0, "exercises": 5.0}  # --target: goal in seconds


def grade_once(target: str) -> tuple[float, int]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    start = time.perf_counter()
    done = subprocess.run(grader_command(target, None, "-q", quiet=False), cwd=ROOT, env=env, capture_output=True,
                          text=True)
    return time.perf_counter() - start, done.returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per target (default: 3)")
    args = parser.parse_args([] if argv is None else argv)
    load_before = load()
    times = {target: [] for target in TARGETS}
    statuses = {}
    for _ in range(args.runs):  # interleaved
        for target in TARGETS:
            seconds, statuses[target] = grade_once(target)
            times[target].append(seconds)
    rows, ok = [], True
    expected = {"solutions": 0, "exercises": 1}  # all pass / every stub is "not attempted"
    for target, goal in TARGETS.items():
        median = statistics.median(times[target])
        right = statuses[target] == expected[target]
        ok = ok and right and median <= goal
        rows.append([f"`pytest grader --target {target}`", f"{median:.1f}", f"{min(times[target]):.1f}",
                     statuses[target], f"<= {goal:.0f} s: {met(median <= goal)}"])
    record("grader", "The grader's own speed",
           ["run", f"median s ({args.runs} runs)", "best s", "exit status", "goal"], rows,
           ["Wall time of a fresh process, interpreter start included. Exit status 0: every test "
            "passed; 1: tests failed (for the untouched exercises, every one 'not attempted')."],
           load_before)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
