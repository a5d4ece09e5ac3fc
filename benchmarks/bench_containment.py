"""What containment costs: a full grade before the runner process and after it, side by side.

    python -m benchmarks.bench_containment [--runs N] [--before COMMIT] [-- GRADER OPTIONS ...]

"Before" is the grader of COMMIT (4986586 by default: the last one where the student's code ran
in the judge's own processes), checked out beside this one with `git worktree` in a temporary
folder that is removed at the end. "After" is this checkout as it stands (uncommitted changes
included): the student's code runs in a contained runner (grader/harness.py, started by
grader/remote.py), reached over a plain-data channel.

In each tree, with this interpreter (the same venv for both) and the tree's root as the
working directory, it times the two grades students run:

- the reference: `python -m pytest grader --target solutions` (every test runs to the end);
- the stubs: `python -m pytest grader` (exercises/: every test finds a stub and stops at once);

each with `-p no:cacheprovider -q` (nothing written into the trees, one line per test file),
then any GRADER OPTIONS given after `--` (e.g. `-- -k network`), the same in both trees.
N runs of each (5 by default), before and after alternating in the order AB BA AB ..., after an
untimed warm-up of each tree (which compiles the before tree's bytecode). Measured: wall time;
CPU time of the grade's whole process tree (pytest, its forked children, the runner and the
bubblewrap around it), sampled from /proc; and CPU time of the children as the kernel accounts
them when they are waited for (RUSAGE_CHILDREN), which cannot see the runner (see Sampler).
The benchmark adopts the grade's orphans (Linux's child subreaper) and waits for them, so a
process left running is seen. Each run's pytest summary is printed as it ends, so a grade that
fails tests is seen. The table is recorded as "containment" in docs/generated/benchmarks.json.

Goal (the issue's bar): the median wall time after is at most 1.5x the median before, for the
reference and for the stubs. Not a check of correctness: a failing test is timed as it is.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.common import load, met, record
from coursekit import ROOT

BEFORE_COMMIT = "4986586"  # the grader before 5a18894 moved the student's code into a runner
BAR = 1.5  # after / before, median wall time
GRADES = {"reference": ["--target", "solutions"], "stubs": []}  # what each grade adds to `pytest grader`
FIXED = ["-p", "no:cacheprovider", "-q"]
SUMMARY = re.compile(r"^=*\s*((?:\d+ [a-z][a-z ]*?(?:, |(?= in )))+) in [\d.]+s")
CONTAINED_IN = re.compile(r"^your code ran in: (.+)$", re.M)


def grade_command(grade: str, extra: list[str]) -> list[str]:
    return [sys.executable, "-m", "pytest", "grader", *GRADES[grade], *FIXED, *extra]


@dataclass
class Run:
    wall: float
    cpu: float  # reaped: user + system time of the processes waited for (RUSAGE_CHILDREN)
    sampled: float | None  # user + system time of every process of the grade, sampled from /proc
    status: int
    counts: dict[str, int] = field(default_factory=dict)
    tail: str = ""  # when pytest printed no summary: the end of what it printed
    contained_in: str | None = None
    left: int = 0  # processes of the run still alive 10 s after it ended

    def summary(self) -> str:
        if self.counts:
            return ", ".join(f"{n} {what}" for what, n in self.counts.items())
        return f"exit {self.status}: {self.tail or 'no output'}"


def parse_counts(stdout: str) -> dict[str, int]:
    """pytest's last line, '66 failed, 106 passed in 9.70s', as {'failed': 66, 'passed': 106}."""
    for line in reversed(stdout.splitlines()):
        found = SUMMARY.match(line.strip())
        if found:
            pairs = [part.split(" ", 1) for part in found.group(1).rstrip(", ").split(", ")]
            return {what: int(n) for n, what in pairs}
    return {}


PR_SET_CHILD_SUBREAPER = 36  # linux/prctl.h
TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def adopt_orphans(on: bool) -> bool:
    """Make this process the reaper of its descendants' orphans (Linux): they are then seen and waited for.

    The grader ends its runner with SIGKILL to the whole tree at once: the runner's processes lose
    their parent and would otherwise go to the system's init, out of sight.
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_CHILD_SUBREAPER, int(on), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _stat(pid: int) -> list[str] | None:
    """/proc/PID/stat's fields after the command name (state is [0], ppid [1], utime [11], stime [12])."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            return handle.read().rsplit(b")", 1)[1].decode().split()
    except (OSError, IndexError):
        return None


def _pids() -> set[int]:
    try:
        return {int(name) for name in os.listdir("/proc") if name.isdigit()}
    except OSError:
        return set()


class Sampler(threading.Thread):
    """The CPU time of a process and of all its descendants, read from /proc every `interval` s.

    Waited-for children's CPU (RUSAGE_CHILDREN) misses processes nobody waits for: the grader
    SIGKILLs its runner's whole tree, and the kernel discards the CPU time of what it reaps in a
    dying PID namespace (bubblewrap's). This sees every process but loses each one's last moments
    (up to `interval`) and processes shorter than that: a lower bound, close for long processes.
    """

    def __init__(self, root: int, before: set[int], interval: float = 0.05):
        super().__init__(daemon=True)
        self.root, self.seen, self.interval = root, set(before), interval
        self.tree, self.cpu, self.me = {root}, {}, os.getpid()
        self.stopping = threading.Event()

    def sample(self) -> None:
        now = _pids()
        for pid in sorted(now - self.seen):  # new processes: ours if their parent is
            self.seen.add(pid)
            fields = _stat(pid)
            if fields and (int(fields[1]) in self.tree or int(fields[1]) == self.me):
                self.tree.add(pid)
        for pid in self.tree & now:
            fields = _stat(pid)
            if fields and fields[0] not in "ZX":  # a zombie's times are its own: keep the last live ones
                self.cpu[pid] = max(self.cpu.get(pid, 0.0), (int(fields[11]) + int(fields[12])) / TICK)

    def run(self) -> None:
        while not self.stopping.wait(self.interval):
            self.sample()

    def total(self) -> float:
        self.stopping.set()
        self.join()
        return sum(self.cpu.values())


LIVED_ON: set[int] = set()  # adopted processes that outlived a run's wait: not waited for again


def _children() -> set[int]:
    """This process's living children (Linux: from /proc)."""
    me = os.getpid()
    return {pid for pid in _pids() if (f := _stat(pid)) and int(f[1]) == me and f[0] not in "ZX"}


def reap_orphans(wait: float = 10.0) -> int:
    """Reap the orphans adopted during a run, waiting up to `wait` s for them to end: how many lived on."""
    deadline = time.monotonic() + wait
    while True:
        try:
            while os.waitpid(-1, os.WNOHANG)[0]:
                pass
        except ChildProcessError:
            return 0  # no child at all
        alive = _children() - LIVED_ON
        if not alive:
            return 0
        if time.monotonic() > deadline:
            LIVED_ON.update(alive)
            return len(alive)
        time.sleep(0.02)


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def grade_once(command: list[str], cwd: Path) -> Run:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    sampling = Path("/proc/self/stat").exists()
    before = _pids() if sampling else set()
    cpu_before = children_cpu()
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    sampler = Sampler(process.pid, before) if sampling else None
    if sampler:
        sampler.start()
    stdout, stderr = process.communicate()
    wall = time.perf_counter() - start
    left = reap_orphans() if sampling else 0
    cpu = children_cpu() - cpu_before
    sampled = sampler.total() if sampler else None
    tail = (stdout.strip() or stderr.strip())[-200:].replace("\n", " / ")
    contained = CONTAINED_IN.search(stdout)
    return Run(wall, cpu, sampled, process.returncode, parse_counts(stdout), tail,
               contained.group(1).strip() if contained else None, left)


def git(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)


def checkout(commit: str, folder: Path) -> tuple[Path | None, str]:
    """`commit` checked out in `folder` (a detached git worktree), and its full name or why not."""
    if shutil.which("git") is None:
        return None, "git is not installed"
    name = git("rev-parse", "--verify", "--quiet", f"{commit}^{{commit}}")
    if name.returncode != 0:
        return None, f"{commit} is not a commit of this repository (a shallow clone?)"
    done = git("worktree", "add", "--detach", str(folder), name.stdout.strip())
    if done.returncode != 0:
        return None, f"git worktree add failed: {done.stderr.strip()[-300:]}"
    return folder, name.stdout.strip()


def remove_checkout(folder: Path) -> None:
    git("worktree", "remove", "--force", str(folder))
    git("worktree", "prune")


def after_description() -> str:
    head = git("rev-parse", "--short", "HEAD").stdout.strip() or "?"
    dirty = git("status", "--porcelain", "--untracked-files=no", "--", "grader", "coursekit", "solutions",
                "exercises").stdout.strip()
    return f"{head}" + (" + uncommitted changes" if dirty else "")


def split_argv(argv: list[str]) -> tuple[list[str], list[str]]:
    """(the benchmark's own options, the grader options after the first `--`)."""
    if "--" in argv:
        at = argv.index("--")
        return argv[:at], argv[at + 1:]
    return argv, []


def counts_cell(runs: list[Run]) -> str:
    """Each distinct summary once, with how many runs gave it."""
    seen: dict[str, int] = {}
    for run in runs:
        seen[run.summary()] = seen.get(run.summary(), 0) + 1
    return "; ".join(text if n == len(runs) else f"{text} ({n} of {len(runs)} runs)" for text, n in seen.items())


def main(argv: list[str] | None = None) -> int:
    own, extra = split_argv([] if argv is None else list(argv))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     usage="%(prog)s [--runs N] [--before COMMIT] [-- GRADER OPTIONS ...]")
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each grade in each tree (default: 5)")
    parser.add_argument("--before", default=BEFORE_COMMIT,
                        help=f"the commit whose grader is 'before' (default: {BEFORE_COMMIT})")
    args = parser.parse_args(own)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    load_before = load()
    adopting = adopt_orphans(True)
    after_name = after_description()
    print(f"bench_containment: {sys.executable}, {args.runs} runs, load {load_before}"
          + (f", grader options {' '.join(extra)}" if extra else ""), file=sys.stderr, flush=True)
    runs: dict[tuple[str, str], list[Run]] = {(g, t): [] for g in GRADES for t in ("before", "after")}
    with tempfile.TemporaryDirectory(prefix="bench-containment-") as scratch:
        before_tree, before_name = checkout(args.before, Path(scratch) / "before")
        if before_tree is None:
            print(f"bench_containment: cannot check out {args.before}: {before_name}", file=sys.stderr)
            return 1
        trees = {"before": before_tree, "after": ROOT}
        try:
            for tree, cwd in trees.items():  # warm-up: bytecode, the file cache; is the grade runnable?
                warm = grade_once(grade_command("stubs", extra), cwd)
                print(f"bench_containment: warm-up {tree}: {warm.wall:.1f} s, {warm.summary()}",
                      file=sys.stderr, flush=True)
            for number in range(args.runs):
                order = ("before", "after") if number % 2 == 0 else ("after", "before")
                for grade in GRADES:
                    for tree in order:
                        run = grade_once(grade_command(grade, extra), trees[tree])
                        runs[grade, tree].append(run)
                        print(f"bench_containment: run {number + 1}/{args.runs} {grade:9} {tree:6} "
                              f"wall {run.wall:5.1f} s  CPU {seconds(run.sampled):>5} s (waited-for {run.cpu:.2f})  "
                              f"{run.summary()}",
                              file=sys.stderr, flush=True)
        finally:
            remove_checkout(before_tree)
            if adopting:
                adopt_orphans(False)
    after_end = after_description()
    if after_end != after_name:  # someone committed or edited the grader meanwhile
        after_name = f"{after_name} -> {after_end}"
    return report(runs, args, extra, before_name, after_name, load_before)


def median_of(runs: list[Run], what: str) -> float | None:
    values = [getattr(r, what) for r in runs]
    return None if None in values else statistics.median(values)


def seconds(value: float | None) -> str:
    return "unknown" if value is None else f"{value:.2f}"


def ratio(after: float | None, before: float | None) -> str:
    return "unknown" if not after or not before else f"{after / before:.2f}x"


def report(runs, args, extra, before_name, after_name, load_before) -> int:
    labels = {"before": f"before ({before_name[:7]})", "after": f"after ({after_name})"}
    rows, ok = [], True
    for grade in GRADES:
        medians = {}
        for tree in ("before", "after"):
            these = runs[grade, tree]
            medians[tree] = {what: median_of(these, what) for what in ("wall", "sampled", "cpu")}
            rows.append([f"{grade}, {labels[tree]}", *(seconds(v) for v in medians[tree].values()),
                         counts_cell(these)])
        wall_ratio = medians["after"]["wall"] / medians["before"]["wall"]
        ok = ok and wall_ratio <= BAR
        rows.append([f"{grade}: after / before", f"{wall_ratio:.2f}x",
                     *(ratio(medians["after"][what], medians["before"][what]) for what in ("sampled", "cpu")),
                     f"wall <= {BAR}x: {met(wall_ratio <= BAR)}"])
    command = " ".join(["python", *grade_command("reference", extra)[1:]])
    contained = {r.contained_in for key in runs if key[1] == "after" for r in runs[key] if r.contained_in}
    notes = [
        f"The bar (at most {BAR}x today's wall time, for the reference and for the stubs): "
        + ("holds." if ok else "does NOT hold."),
        f"Medians of {args.runs} runs each, before and after alternating (AB BA ...), after one untimed "
        f"warm-up per tree. Command: `{command}` (the stubs: without `--target solutions`), in each "
        "tree's root with the same interpreter.",
        "CPU (every process): user + system time of the grade's whole process tree (pytest, its forked "
        "children, the runner and its sandbox), sampled from /proc every 50 ms: each process's last "
        "moments are missed. CPU (waited-for): the grade's children as the kernel accounts them "
        "(RUSAGE_CHILDREN): exact, but blind to the runner, which the grader SIGKILLs with its sandbox "
        "(the kernel drops the CPU time of what it reaps in a dying PID namespace).",
        "Results: pytest's summary of each run; the after grader may fail tests of the reference while "
        "they are ported to the runner: those are timed as they are.",
    ]
    if "->" in after_name:
        notes.append(f"The after tree changed during the benchmark ({after_name}): its runs did not all time "
                     "the same code.")
    lived_on = sum(r.left for these in runs.values() for r in these)
    if lived_on:
        notes.append(f"{lived_on} process(es) started by the grades were still alive 10 s after their grade "
                     "ended (left running).")
    if contained:
        notes.append(f"After: the student's code ran in: {'; '.join(sorted(contained))}.")
    if extra:
        notes.append(f"Grader options: `{' '.join(extra)}`.")
    record("containment", "What containment costs the grader",
           ["grade", f"median wall s ({args.runs} runs)", "CPU s (every process)", "CPU s (waited-for)", "results"],
           rows, notes, load_before)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
