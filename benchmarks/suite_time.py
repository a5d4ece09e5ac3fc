"""How long the project's own tests take: the whole suite, and the suite as it was at issue 15.

    python -m benchmarks.suite_time [--pairs N] [--no-filing]

Each run is timed as wall time and as CPU time: on Linux every process's (from /proc/stat, so
Chromium's renderers count too: keep the machine otherwise idle), elsewhere the CPU time of the
processes the run started and waited for.

- "whole suite": `make test`'s pytest command (every core, `--dist loadfile`), once;
- "the filing's tests, today": the same command on the tests that existed when issue 15 was
  filed (benchmarks/suite_filing_tests.txt), in today's versions;
- "the filing's suite": the filing commit's own tests/ and code (abf0523, checked out beside
  this one with `git worktree`), run with its own `make test` command (one process) in this
  environment. Needs git and the commit in the history; `--no-filing` leaves it out.

The last two alternate, N pairs of them (2 by default), in the order AB BA AB ..., because a
shared or virtual machine's speed drifts by a fifth or more within the hour: the goal is judged
on their sums. Goal (issue 15): the filing's tests, today, in at most half the time
of the filing's suite. Not run by `python -m benchmarks`: it takes about 25 minutes.
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
WORKERS = ["-n", "auto", "--dist", "loadfile"]
MAKE_TEST = ["-m", "pytest", "tests", *WORKERS]  # the Makefile's `test:`
FILING_MAKE_TEST = ["-m", "pytest", "tests"]  # the filing commit's `test:`, one process
QUIET = ["-q", "-p", "no:cacheprovider"]


def filing_tests(path: Path = FILING_TESTS) -> list[str]:
    """The node ids listed in `path`, one per line, without its comments."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def cpu_seconds() -> tuple[float | None, str]:
    """(CPU seconds so far, what they count): every process's on Linux, else finished children's."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()
        return sum(int(value) for value in fields[1:4]) / os.sysconf("SC_CLK_TCK"), "every process"
    except (OSError, ValueError, AttributeError):
        pass
    if resource is None:
        return None, "unknown"
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime, "the run's processes"


def timed(command: list[str], cwd: Path) -> tuple[float, float | None, int, str]:
    """Run `command` in `cwd`: (wall seconds, CPU seconds, exit status, its last output line)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    env.setdefault("NO_MKDOCS_2_WARNING", "1")
    cpu_before, _ = cpu_seconds()
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    cpu_after, _ = cpu_seconds()
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
    """A table row: the run, its wall and CPU time, and pytest's last line (or why it failed)."""
    shown_cpu = f"{cpu:.0f} s" if cpu is not None else "unknown"
    return [what, f"{wall:.0f} s", shown_cpu, summary if status == 0 else f"FAILED (exit {status}): {summary}"]


WHOLE, TODAY, FILING = "whole suite (make test)", "the filing's tests, today", "the filing's suite (abf0523)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=2, help="pairs of the two runs compared (default: 2)")
    parser.add_argument("--no-filing", action="store_true", help="leave out the filing commit's own suite")
    args = parser.parse_args([] if argv is None else argv)
    load_before = load()
    python = sys.executable
    commands = {WHOLE: ([python, *MAKE_TEST, *QUIET], ROOT),
                TODAY: ([python, "-m", "pytest", *filing_tests(), *WORKERS, *QUIET], ROOT)}
    notes = [f"CPU: {cpu_seconds()[1]}."]
    with tempfile.TemporaryDirectory(prefix="suite-time-") as scratch:
        filing = None if args.no_filing else filing_checkout(Path(scratch) / "filing")
        if filing is not None:
            commands[FILING] = ([python, *FILING_MAKE_TEST, *QUIET], filing)
        elif not args.no_filing:
            notes.append(f"The filing commit {FILING_COMMIT[:7]} could not be checked out (git, or a "
                         "shallow clone): its suite was not timed.")
        order = [WHOLE]
        for pair in range(args.pairs if filing is not None else 1):
            order += [TODAY, FILING] if pair % 2 == 0 else [FILING, TODAY]
        order = [what for what in order if what in commands]
        runs = []
        try:
            for number, what in enumerate(order, 1):
                print(f"suite_time: {number}/{len(order)} {what} ...", file=sys.stderr, flush=True)
                runs.append((what, *timed(*commands[what])))
                print(f"suite_time: {what}: {runs[-1][1]:.0f} s", file=sys.stderr, flush=True)
        finally:
            if filing is not None:
                subprocess.run(["git", "worktree", "remove", "--force", str(filing)], cwd=ROOT,
                               capture_output=True)
    rows = [row(what, wall, cpu, status, summary) for what, wall, cpu, status, summary in runs]
    walls = {what: [wall for name, wall, *_ in runs if name == what] for what in commands}
    ok = all(status == 0 for _, _, _, status, _ in runs)
    if walls.get(TODAY) and walls.get(FILING):
        share = sum(walls[TODAY]) / sum(walls[FILING])
        pairs = ", ".join(f"{100 * a / b:.1f} %" for a, b in zip(walls[TODAY], walls[FILING]))
        ok = ok and share <= 0.5
        rows.append(["the filing's tests: today / at the filing", f"{100 * share:.1f} %", "",
                     f"goal <= 50 %: {met(share <= 0.5)}"])
        notes.append(f"Pair by pair: {pairs}.")
    record("suite", "The project's own tests", ["run", "wall", "CPU", "result"], rows, notes=notes,
           load_before=load_before)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
