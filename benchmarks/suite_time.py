"""How long the project's own tests take: the whole suite, and the suite as it was at issue 15.

    python -m benchmarks.suite_time [--runs N] [--no-filing]

Three runs, one after another, each timed as wall time and as the CPU time of everything it
started (its workers, graders, kernels and Chromium, user + system):

- "whole suite": `make test`'s pytest command (every core, `--dist loadfile`);
- "the filing's tests, today": the same command on the tests that existed when issue 15 was
  filed (benchmarks/suite_filing_tests.txt), in today's versions;
- "the filing's suite": the filing commit's own tests/ and code (abf0523, checked out beside
  this one with `git worktree`), run with its own `make test` command (one process) in this
  environment. Needs git and the commit in the history; `--no-filing` leaves it out.

Goal (issue 15): the filing's tests, today, in at most half the filing's suite's time, measured
on one machine. Not run by `python -m benchmarks`: it takes about ten minutes. Keep the machine
otherwise idle: the suite uses every core, so other work slows it one for one.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import load, met, record
from coursekit import ROOT

try:
    import resource  # POSIX only: the CPU time of finished child processes
except ImportError:
    resource = None

FILING_COMMIT = "abf0523c7b35392a4182ec6c12ac142cb015df89"
FILING_TESTS = Path(__file__).with_name("suite_filing_tests.txt")
MAKE_TEST = ["-m", "pytest", "tests", "-n", "auto", "--dist", "loadfile"]  # the Makefile's `test:`
FILING_MAKE_TEST = ["-m", "pytest", "tests"]  # the filing commit's `test:`, one process
QUIET = ["-q", "-p", "no:cacheprovider"]


def filing_tests(path: Path = FILING_TESTS) -> list[str]:
    """The node ids listed in `path`, one per line, without its comments."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def children_cpu() -> float | None:
    """User + system seconds of every waited-for descendant so far, or None where unknown."""
    if resource is None:
        return None
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(command: list[str], cwd: Path) -> tuple[float, float | None, int, str]:
    """Run `command` in `cwd`: (wall seconds, CPU seconds, exit status, its last output line)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    env.setdefault("NO_MKDOCS_2_WARNING", "1")
    cpu_before = children_cpu()
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    cpu_after = children_cpu()
    cpu = None if cpu_before is None else cpu_after - cpu_before
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    return wall, cpu, done.returncode, lines[-1] if lines else done.stderr.strip()[-200:]


def filing_checkout(folder: Path) -> Path | None:
    """The filing commit checked out in `folder` (a detached git worktree), or None if it can't be."""
    if shutil.which("git") is None:
        return None
    done = subprocess.run(["git", "worktree", "add", "--detach", str(folder), FILING_COMMIT], cwd=ROOT,
                          capture_output=True, text=True)
    return folder if done.returncode == 0 else None


def row(what: str, wall: float, cpu: float | None, status: int, summary: str) -> list[str]:
    shown_cpu = f"{cpu:.0f} s" if cpu is not None else "unknown"
    return [what, f"{wall:.0f} s", shown_cpu, summary if status == 0 else f"FAILED (exit {status}): {summary}"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1, help="runs of each (the best is kept; default: 1)")
    parser.add_argument("--no-filing", action="store_true", help="leave out the filing commit's own suite")
    args = parser.parse_args([] if argv is None else argv)
    load_before = load()
    python = sys.executable
    runs = {"whole suite (make test)": ([python, *MAKE_TEST, *QUIET], ROOT),
            "the filing's tests, today": ([python, *MAKE_TEST[:2], *filing_tests(), *MAKE_TEST[3:], *QUIET], ROOT)}
    notes = []
    with tempfile.TemporaryDirectory(prefix="suite-time-") as scratch:
        filing = None if args.no_filing else filing_checkout(Path(scratch) / "filing")
        if filing is not None:
            runs["the filing's suite (abf0523)"] = ([python, *FILING_MAKE_TEST, *QUIET], filing)
        elif not args.no_filing:
            notes.append(f"The filing commit {FILING_COMMIT[:7]} could not be checked out (git, or a "
                         "shallow clone): its suite was not timed.")
        results = {}
        try:
            for what, (command, cwd) in runs.items():
                print(f"suite_time: {what} ...", file=sys.stderr, flush=True)
                best = min((timed(command, cwd) for _ in range(args.runs)), key=lambda result: result[0])
                results[what] = best
                print(f"suite_time: {what}: {best[0]:.0f} s", file=sys.stderr, flush=True)
        finally:
            if filing is not None:
                subprocess.run(["git", "worktree", "remove", "--force", str(filing)], cwd=ROOT,
                               capture_output=True)
    rows = [row(what, *result) for what, result in results.items()]
    ok = True
    today, then = results.get("the filing's tests, today"), results.get("the filing's suite (abf0523)")
    if today and then:
        share = today[0] / then[0]
        ok = share <= 0.5 and today[2] == 0
        rows.append(["the filing's tests: today / at the filing", f"{100 * share:.1f} %", "",
                     f"goal <= 50 %: {met(ok)}"])
    record("suite", "The project's own tests", ["run", "wall", "CPU", "result"], rows, notes=notes,
           load_before=load_before)
    return 0 if ok and all(result[2] == 0 for result in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
