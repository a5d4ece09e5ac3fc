"""Grade a whole class: one folder or .zip per student, each in its own limited process.

    python -m grader.classroom SUBMISSIONS --out DIR [--jobs N] [--timeout S] [--memory MB] [--hidden DIR]
                               [-- GRADER OPTIONS]

Options after `--` go to every student's grader run as they are: `-- --lesson 3` grades only
lesson 3, `-- -k "not mnist"` leaves out the two MNIST training tests, the slow ones.

SUBMISSIONS holds one entry per student: a folder, or a `.zip`, named after the student. The
module files (network.py, ...) may sit at its top level or one folder down. Each submission is
graded by `python -m pytest grader --target ...` in a process of its own, in a session of its own,
with a wall-clock limit (the whole process group is killed), an address-space limit
(RLIMIT_AS) and a file-size limit (RLIMIT_FSIZE, for output that floods), N at a time. The
grader runs each module in a child process of its own, which inherits these limits. Where
Python has no `resource` module (Windows) the memory and file-size limits are skipped, and a
note says so.

It writes, under DIR:

- `scores.csv`: one row per student: student, status, total, max_score, seconds, detail,
  containment (how the student's code was contained: bwrap, user or process, from the
  results.json's extra_data), then one column per test with its score. status is ok (graded:
  a file that does not compile or import is graded too, its tests failed with one line naming
  it), memory or output-flood (graded, but some tests failed by running out of memory or by
  printing too much: the scores stand), timeout or crashed (the grader could not finish: no
  points), bad-zip (an unsafe or unreadable archive) or no-files (no module file found).
- `<student>/results.json` (`<student>.student/` for a student named scores.csv): Gradescope's
  format, also for a run that failed (score 0, and why);
  `<student>/output.txt`: the end of the grader's terminal output; `<student>/files/`: the
  module files that were graded (those alone: network.py, ...). Each student's folder is
  readable by its owner only.

A results.json counts only if the grader wrote it in this run and ended normally (exit status
0 or 1). Before scores.csv is written, every process a student's code left running is ended:
the grader's own process group, and on Linux any process that detached from it (this process
adopts the orphans of the runs it starts: grader.submissions.adopt_orphans).

A zip is extracted only if it is safe: no absolute path, no `..`, no link, at most
MAX_MEMBERS members and MAX_UNPACKED bytes in all (grader.submissions).
"""

import argparse
import concurrent.futures
import csv
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from coursekit import ROOT, course
from grader import processes
from grader import results as model
from grader.gradescope import hidden_folder, stage
from grader.progress import order
from grader.submissions import (
    BadZip,
    adopt_orphans,
    collect,
    end_orphans,
    failure_results,
    grader_command,
    safe_extract,
    split_grader_options,
    submissions,
    trusted_results,
    write_results,
)

try:
    import resource
except ImportError:  # Windows: no rlimits
    resource = None

NO_LIMITS_NOTE = ("note: this Python has no `resource` module (as on Windows): the memory limit (--memory) "
                  "and the output-size limit are skipped; only the time limit holds")

DEFAULT_TIMEOUT = 180  # seconds per submission: the grader itself ends a hanging module in ~10 s
DEFAULT_MEMORY = 2048  # MB of address space per submission
OUTPUT_BYTES = 50_000_000  # any file the grading process writes (its captured output included)
KEEP_OUTPUT = 20_000  # characters of terminal output kept in output.txt
CONTAINMENTS = ("bwrap", "user", "process")  # grader.remote's levels, strongest first


@dataclass
class Result:
    student: str
    status: str
    detail: str = ""
    seconds: float = 0.0
    results: dict = field(default_factory=dict)  # Gradescope's results.json
    exit_code: int | None = None  # the grader's exit status; None if it never ran to an end
    records: list = field(default_factory=list)  # grader.results.Result of every test, read from results

    @property
    def scores(self):
        return {record.title: record.score for record in self.records}

    @property
    def total(self):
        return float(round(sum(record.score for record in self.records), 2))

    @property
    def max_score(self):
        return float(round(sum(record.points for record in self.records), 2))

    @property
    def containment(self):
        """How the grader contained this student's code (results.json's extra_data), "" if not graded."""
        extra = self.results.get("extra_data")
        level = extra.get("containment") if isinstance(extra, dict) else None
        return level if level in CONTAINMENTS else ""


# --- grading one --------------------------------------------------------------------------------


def _limits(memory_mb):
    """The function the grading process runs before the grader: its rlimits (None without `resource`)."""
    if resource is None:
        return None

    def apply():
        limits = [(resource.RLIMIT_FSIZE, OUTPUT_BYTES), (resource.RLIMIT_CORE, 0)]
        if memory_mb:
            limits.insert(0, (resource.RLIMIT_AS, memory_mb * 1024 * 1024))
        for which, limit in limits:
            try:
                resource.setrlimit(which, (limit, limit))
            except (ValueError, OSError):  # macOS refuses RLIMIT_AS: the other limits still hold
                pass
    return apply


RESERVED = {"scores.csv", ".grader"}  # what grade_class writes beside the students' folders


def student_folder(out, student):
    """`out`/<student>: each student's folder of results, never one of the class's own files (a
    submission named scores.csv gets scores.csv.student/)."""
    name = f"{student}.student" if student.lower() in RESERVED else student
    return Path(out) / name


class Reaper:
    """Starts and ends the grading processes of a class. With `adopt` (the classroom's own process,
    grader.submissions.adopt_orphans done), the end of each one also ends every orphan adopted so
    far: what a student's code left running never outlives its grading by more than a grading.
    Graders start, and orphans are ended, one at a time (no process is half-started, and no `ps`
    of processes.kill is running, while this process's children are looked through)."""

    def __init__(self, adopt=False):
        self.adopt = adopt
        self.lock = threading.Lock()
        self.running = set()

    def start(self, command, **options):
        with self.lock:
            process = processes.start(command, **options)
            self.running.add(process.pid)
            return process

    def end(self, process):
        with self.lock:
            processes.kill(process)  # and whatever it left in its process group
            self.running.discard(process.pid)
            if self.adopt:
                end_orphans(keep=self.running)


def grade_one(student, path, out, root, timeout, memory_mb, grader_args=(), reaper=None):
    """Unpack and grade one submission; never raises for anything the submission does."""
    reaper = reaper or Reaper()
    start = time.monotonic()
    folder = student_folder(out, student)
    shutil.rmtree(folder, ignore_errors=True)
    files = folder / "files"
    folder.mkdir(parents=True)
    folder.chmod(0o700)  # another student's code, run as another user, cannot read this one's
    with tempfile.TemporaryDirectory(prefix="unpacked-") as unpacked:
        try:
            source = path
            if path.is_file():
                safe_extract(path, unpacked)
                source = Path(unpacked)
            found = collect(source, files)
        except BadZip as error:
            return Result(student, "bad-zip", f"{path.name}: {error}", time.monotonic() - start)
    if not found:
        return Result(student, "no-files", "no module file (" + ", ".join(f"{m}.py" for m in course.MODULES)
                      + ") at the top level or one folder down", time.monotonic() - start)

    results_json = folder / "results.json"
    output_path = folder / "output.txt"
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    with open(output_path, "wb") as output:
        process = reaper.start(grader_command(files, results_json, *grader_args), cwd=root, stdin=subprocess.DEVNULL,
                               stdout=output, stderr=subprocess.STDOUT, env=env, preexec_fn=_limits(memory_mb))
        try:
            code = process.wait(timeout=timeout)
            timed_out = False
        except subprocess.TimeoutExpired:
            code = None
            timed_out = True
        finally:
            reaper.end(process)  # whatever the submission left running
    seconds = time.monotonic() - start
    text = output_path.read_bytes()[-KEEP_OUTPUT * 4:].decode("utf-8", errors="replace")[-KEEP_OUTPUT:]
    output_path.write_text(text, encoding="utf-8")
    results = trusted_results(results_json, code)
    if timed_out:
        return Result(student, "timeout", f"stopped after {timeout:g} s", seconds)
    if hasattr(signal, "SIGXFSZ") and code == -signal.SIGXFSZ:
        return Result(student, "output-flood", f"wrote more than {OUTPUT_BYTES:,} bytes", seconds)
    if results is not None:  # graded: the scores stand, a flag says what went wrong
        try:
            records = model.read(results)
        except ValueError as error:
            return Result(student, "crashed", f"results.json without the grader's records: {error}", seconds)
        status, detail = flag(records)
        return Result(student, status, detail, seconds, results, code, records)
    # No grade, so no record: the grader's own process ended, and what it printed last is all
    # there is to go by (no test's message: those are in results.json's records).
    terminal_output = text
    if ("MemoryError" in terminal_output or "Cannot allocate memory" in terminal_output
            or "std::bad_alloc" in terminal_output):
        return Result(student, "memory", f"ran out of its {memory_mb} MB", seconds)
    how = processes.how_it_ended(code)
    lines = terminal_output.strip().splitlines()
    last = next((line for line in lines if "Fatal Python error" in line), lines[-1] if lines else "")[:200]
    return Result(student, "crashed", f"{how}: {last}".rstrip(": "), seconds)


def flag(records):
    """A graded submission's status and detail, from its records' causes: "ok", or "output-flood" or
    "memory" when tests failed by flooding their output or running out of memory (the scores stand).
    A file Python cannot compile is graded "ok" (its cause is "import"), whatever its message says."""
    for status, cause in (("output-flood", model.OUTPUT_FLOOD), ("memory", model.MEMORY)):
        hit = sum(record.cause == cause for record in records)
        if hit:
            return status, f"graded; {hit} test(s) failed by it"
    return "ok", ""


# --- the class ----------------------------------------------------------------------------------


def write_reports(results, out):
    """scores.csv, and a results.json for every student: the grade that was read and checked
    (whatever a file left behind says now), or for a failed run why it failed."""
    out = Path(out)
    columns = {}  # test title -> its module, in the order first met
    for result in results:
        for record in result.records:
            columns.setdefault(record.title, record.module)
    names = sorted(columns, key=lambda name: order(columns[name]))  # lesson order; stable within a module
    max_score = max((r.max_score for r in results if r.status == "ok"), default=0.0)
    with open(out / "scores.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student", "status", "total", "max_score", "seconds", "detail", "containment", *names])
        for result in results:
            scores = result.scores
            writer.writerow([result.student, result.status, f"{result.total:g}", f"{max_score:g}",
                             f"{result.seconds:.1f}", result.detail, result.containment,
                             *(f"{scores.get(n, 0.0):g}" for n in names)])
    for result in results:  # the grade as read and checked; for a run that did not grade, why
        write_results(student_folder(out, result.student) / "results.json",
                      result.results or failure_results(f"{result.status}: {result.detail}"))
    return out / "scores.csv"


def grade_class(folder, out, jobs=None, timeout=DEFAULT_TIMEOUT, memory_mb=DEFAULT_MEMORY, hidden=None,
                report=print, grader_args=(), reap=False):
    """Grade every submission in `folder` into `out`; the list of Results, in the students' order.

    `grader_args`: options added to every student's grader command line (`--lesson 3`, `-k ...`).
    `reap` (the classroom's own process, which starts nothing else): this process inherits the
    orphans of every grading run, and ends them all before any report is written.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    root = ROOT
    if hidden_folder(hidden) is not None:  # a copy of the grader with the hidden tests in it
        root = out / ".grader"
        shutil.rmtree(root, ignore_errors=True)
        stage(root, hidden)
    entries = submissions(folder)
    jobs = jobs or os.cpu_count() or 1
    if resource is None and report:
        report(NO_LIMITS_NOTE)
    results = {}
    reaper = Reaper(adopt=reap and adopt_orphans())
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = {pool.submit(grade_one, student, path, out, root, timeout, memory_mb, grader_args, reaper): student
                   for student, path in entries}
        for future in concurrent.futures.as_completed(futures):
            student = futures[future]
            try:
                result = future.result()
            except Exception as error:  # the grader's own bug: record it, go on with the class
                result = Result(student, "crashed", f"classroom error: {type(error).__name__}: {error}")
            results[student] = result
            if report:
                score = f"{result.total:g}" if result.status == "ok" else "-"
                report(f"{len(results):>4}/{len(entries)}  {student:<24} {result.status:<12} {score:>6}  "
                       f"{result.seconds:5.1f} s  {result.detail[:60]}")
    if reaper.adopt:
        ended = end_orphans()  # every grading run has ended: no child of this process is a grader's
        if ended and report:
            report(f"ended {ended} process(es) that students' code left running")
    ordered = [results[student] for student, _ in entries]
    write_reports(ordered, out)
    return ordered


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m grader.classroom", usage="%(prog)s SUBMISSIONS --out DIR [options] [-- GRADER OPTIONS]",
        description="Grade a folder of submissions (folders or .zip files, one per student).")
    parser.add_argument("submissions", help="folder with one folder or .zip per student")
    parser.add_argument("--out", required=True, help="where scores.csv and each student's results go")
    parser.add_argument("--jobs", type=int, default=None, help="submissions graded at once (default: the cores)")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, help="seconds per submission")
    parser.add_argument("--memory", type=int, default=DEFAULT_MEMORY, help="MB of memory per submission (0: no limit)")
    parser.add_argument("--hidden", metavar="DIR", help="hidden tests (default: $GRADER_HIDDEN, else grader_hidden/)")
    parser.epilog = ("Options after -- go to every student's grader run: -- --lesson 3 grades only lesson 3, "
                     "-- -k 'not mnist' leaves out the two MNIST training tests.")
    own, grader_args = split_grader_options(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(own)
    if not Path(args.submissions).is_dir():
        parser.error(f"{args.submissions}: no such folder")
    start = time.monotonic()
    results = grade_class(args.submissions, args.out, args.jobs, args.timeout, args.memory, args.hidden,
                          grader_args=grader_args, reap=True)
    counts = {}
    for result in results:
        counts[result.status] = counts.get(result.status, 0) + 1
    print(f"graded {len(results)} submissions in {time.monotonic() - start:.1f} s: "
          + ", ".join(f"{n} {status}" for status, n in sorted(counts.items())))
    print(f"scores: {Path(args.out) / 'scores.csv'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
