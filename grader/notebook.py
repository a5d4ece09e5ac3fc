"""The grader from a notebook: `check`, `trace` and `hint` in a cell, each in a process of its own.

    from grader.notebook import check, trace, hint
    check("network")                      # grade exercises/network.py: a table of every test
    check("network", "Network.forward")   # only the tests that use Network.forward
    trace("network")                      # your values on the lesson's worked example
    hint("network", "Network.forward")    # the next hint for it

Each call runs the terminal's command (`python -m pytest grader --module network ...`,
`python -m grader.trace network`, `python -m grader.hint network`) in a child process, so the
student's file is read afresh every time and a student function that never returns costs that
process, never the notebook's kernel: it is stopped after `seconds` (a wall-clock limit, on
top of the grader's own per-test limits). The result is the value of the call: shown as an
HTML table by Jupyter when it ends a cell, as plain text elsewhere (`print(check(...))`).
A check of one method leaves out the module's end-to-end MNIST run (lessons 6 and 7), which
uses every method: `check("training")`, the whole module, runs it.

The folder graded is `exercises/`, or the one in the environment variable COURSE_TARGET, or
the `target` argument (as `--target` for the terminal grader). A relative folder is found
from the current directory first, then from the course's root folder.
"""

import html
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from coursekit import ROOT, course
from grader import results
from grader.submissions import grader_command

CHECK_SECONDS = 300  # a whole module, slow but correct code included (the grader stops each test at 10 s)
TOOL_SECONDS = 60  # trace and hint: one tiny example
STATUS_STYLE = {"passed": "#1b873f", "failed": "#c62828", "not attempted": "#6b6b6b"}
STATUS_MARK = {"passed": "✓", "failed": "✗", "not attempted": "·"}


def resolve_target(target=None):
    """The folder to grade: `target`, else $COURSE_TARGET, else exercises/; as an absolute path."""
    return course.target(target)


def _known(module):
    if module not in course.MODULES:
        raise ValueError(f"{module!r}: no such module; modules: {', '.join(course.MODULES)}")


@dataclass
class Run:
    """One child process: its exit status (None when stopped at the limit) and its output."""

    returncode: int | None
    stdout: str
    stderr: str
    seconds: float


def run(command, seconds):
    """Run `command` from the course's root folder, stopping it and its children after `seconds`.

    The child leads a session of its own, so that the whole group is ended at the limit, or when
    the notebook is interrupted (Kernel > Interrupt raises KeyboardInterrupt here).
    """
    env = dict(os.environ, PYTHONUNBUFFERED="1")  # what a stopped run printed is not lost
    start = time.monotonic()
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               encoding="utf-8", errors="replace", start_new_session=os.name == "posix")
    try:
        stdout, stderr = process.communicate(timeout=seconds)
        return Run(process.returncode, stdout, stderr, time.monotonic() - start)
    except subprocess.TimeoutExpired:
        _stop(process)
        stdout, stderr = process.communicate()
        return Run(None, stdout, stderr, time.monotonic() - start)
    finally:
        if process.poll() is None:  # interrupted: leave nothing running
            _stop(process)
            process.wait()


def _stop(process):
    """End the grader and everything it started, its per-module processes included."""
    from grader import processes

    processes.kill(process)


# --- check ------------------------------------------------------------------------------------


@dataclass
class Row:
    """One test's result."""

    name: str  # the test, without its module: "test_forward_matches_reference[784-30-10-one example]"
    status: str  # "passed", "failed" or "not attempted"
    score: float
    max_score: float
    message: str
    link: str  # the lesson section that explains what the test checks
    uses: list = field(default_factory=list)  # the functions the test calls, "module:function"
    about: str | None = None  # the function the test is about, when its marker says (grader.verdict.Blame)
    diagnosis: tuple = ()  # the mistakes the grader's diagnoses named
    stubs: tuple = ()  # not attempted: the stubs it uses, "module:function"

    @classmethod
    def of(cls, record):
        """The row of a grader.results.Result: its message without the reread line (the link has a column)."""
        return cls(record.name, record.status, record.score, record.points, record.text(reread=False).strip(),
                   record.link(), list(record.uses), record.about, record.diagnosis, record.stubs)


@dataclass
class Report:
    """What one `check` found: a row per test, or a note saying why there are none."""

    module: str
    method: str | None
    target: Path
    rows: list = field(default_factory=list)
    note: str = ""  # the run was stopped, or the grader could not run
    seconds: float = 0.0

    def count(self, status):
        return sum(row.status == status for row in self.rows)

    @property
    def passed(self):
        """Every test passed (and there was at least one)."""
        return bool(self.rows) and not self.note and self.count("passed") == len(self.rows)

    @property
    def title(self):
        what = f"{self.module}.py" + (f", {self.method}" if self.method else "")
        return f"{what} ({self.target})"

    @property
    def summary(self):
        got = sum(row.score for row in self.rows)
        total = sum(row.max_score for row in self.rows)
        counts = ", ".join(f"{self.count(status)} {status}" for status in STATUS_STYLE)
        return f"{counts}; {round(got, 2):g}/{round(total, 2):g} points"

    def __str__(self):
        lines = [self.title]
        if self.note:
            lines.append(self.note)
        for row in self.rows:
            lines.append(f"{row.status.upper():<13}  {row.name}")
            lines += [f"    {line}" for line in row.message.splitlines()]
            if row.status != "passed" and row.link:
                lines.append(f"    lesson: {row.link}")
        if self.rows:
            lines.append(self.summary)
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_html_(self):
        parts = [f"<p><strong>{html.escape(self.title)}</strong></p>"]
        if self.note:
            parts.append(f'<pre style="white-space: pre-wrap">{html.escape(self.note)}</pre>')
        if self.rows:
            parts.append('<table><thead><tr><th style="text-align:left">test</th>'
                         '<th style="text-align:left">result</th><th>points</th>'
                         '<th style="text-align:left">message</th><th style="text-align:left">lesson</th>'
                         "</tr></thead><tbody>")
            for row in self.rows:
                style = f"color: {STATUS_STYLE[row.status]}; font-weight: bold; white-space: nowrap"
                link = (f'<a href="{html.escape(row.link)}" target="_blank">reread</a>' if row.link else "")
                parts.append(
                    f'<tr><td style="text-align:left"><code>{html.escape(row.name)}</code></td>'
                    f'<td style="text-align:left; {style}">{STATUS_MARK[row.status]} {row.status}</td>'
                    f"<td>{round(row.score, 2):g}/{round(row.max_score, 2):g}</td>"
                    f'<td style="text-align:left"><pre style="white-space: pre-wrap; margin: 0">'
                    f"{html.escape(row.message)}</pre></td>"
                    f'<td style="text-align:left">{link}</td></tr>')
            parts.append(f"</tbody></table><p>{html.escape(self.summary)}</p>")
        return "\n".join(parts)


def check(module, method=None, target=None, seconds=CHECK_SECONDS):
    """Grade `module` (only the tests that use `method`, if given: a name or a list of names) in a
    child process: a Report."""
    _known(module)
    methods = [method] if isinstance(method, str) else list(method or ())
    folder = resolve_target(target)
    with tempfile.TemporaryDirectory(prefix="course-check-") as scratch:
        path = Path(scratch) / "results.json"
        # Only the module's own test file is collected (the terminal's `--module` collects them all).
        command = grader_command(folder, path, "--module", module,
                                 *[word for name in methods for word in ("--uses", name)],
                                 tests=[f"grader/test_{module}.py"], quiet=False)
        done = run(command, seconds)
        graded = None
        try:
            graded = results.read(json.loads(path.read_text(encoding="utf-8"))) if path.exists() else None
        except ValueError:  # not a grade of this grader's: said below, as a grader that could not run
            pass
    report = Report(module, method, folder, seconds=done.seconds)
    if graded is not None:
        report.rows = [Row.of(record) for record in graded]
    if done.returncode is None:
        report.note = (f"stopped after {seconds:g} s, before the grader had finished: probably an endless "
                       f"loop in your code{_running(done.stdout)}. The grader in a terminal says more: "
                       f"python -m pytest grader --module {module}")
    elif graded is None or done.returncode >= 2 and not report.rows:
        report.note = (f"the grader could not run (exit status {done.returncode}):\n"
                       + _tail(done.stderr.strip() or done.stdout.strip()))
    return report


def _running(stdout):
    """', in <test>' for the test the verbose output shows as started but not finished."""
    started = [line for line in stdout.splitlines() if re.match(r"\S+\.py::\S", line)]
    if started and not re.search(r"(PASSED|FAILED|ERROR|NOT ATTEMPTED|SKIPPED)", started[-1]):
        return f", in {started[-1].split('::', 1)[1].strip()}"
    return ""


def _tail(text, lines=30):
    return "\n".join(text.splitlines()[-lines:])


# --- trace and hint ---------------------------------------------------------------------------


@dataclass
class Output:
    """What a command printed, shown as it is."""

    command: str
    text: str
    returncode: int | None = 0

    def __str__(self):
        return f"$ {self.command}\n{self.text}".rstrip()

    __repr__ = __str__

    def _repr_html_(self):
        return f'<pre style="white-space: pre-wrap">{html.escape(str(self))}</pre>'


def _tool(name, arguments, target, seconds):
    """`python -m grader.<name> ARGUMENTS --target DIR` in a child process, as an Output."""
    shown = f"python -m grader.{name} {' '.join(arguments)}"
    if not (ROOT / "grader" / f"{name}.py").is_file():
        return Output(shown, f"grader.{name} is not part of this copy of the course yet; check(...) grades "
                             "your code meanwhile.", returncode=None)
    command = [sys.executable, "-m", f"grader.{name}", *arguments, "--target", str(resolve_target(target))]
    done = run(command, seconds)
    text = done.stdout + (f"\n{done.stderr}" if done.stderr.strip() else "")
    if done.returncode is None:
        text += f"\nstopped after {seconds:g} s: probably an endless loop in your code"
    return Output(shown, text, done.returncode)


def trace(module, target=None, seconds=TOOL_SECONDS):
    """Your module on the lesson's worked example, each value beside the reference's."""
    _known(module)
    return _tool("trace", [module], target, seconds)


def hint(module, method=None, target=None, seconds=TOOL_SECONDS):
    """The next hint for `method` (default: the first that does not pass yet); deeper each call."""
    _known(module)
    return _tool("hint", [module, *([method] if method else [])], target, seconds)


# --- your code, in the notebook ---------------------------------------------------------------


def student(module, target=None):
    """A fresh import of your `module` from the graded folder (re-read at every call)."""
    from grader.loader import import_student_module

    return import_student_module(module, resolve_target(target))


def still_stubs(uses, target=None):
    """Which of `uses` ({module: [function, ...]}) are still stubs: "" when none, else a sentence."""
    from coursekit.stubs import find_stubs

    folder = resolve_target(target)
    left = []
    for module, functions in uses.items():
        path = folder / f"{module}.py"
        stubs = find_stubs(path.read_bytes()) if path.exists() else set(functions)
        left += [f"{function} in {module}.py" for function in functions if function in stubs]
    if not left:
        return ""
    return f"not yet: {', '.join(left)} {'is' if len(left) == 1 else 'are'} still a stub ({folder})"
