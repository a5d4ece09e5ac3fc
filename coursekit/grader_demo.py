"""Real grader runs, captured at build time for docs/getting-started.md.

The page shows what `python -m pytest grader --module network` prints on the untouched exercise and
on a copy of the reference with one sign flipped, so the text on the page is always the text
of the grader that ships with it. Both runs grade a temporary folder named `exercises`, and
the machine's paths are shortened in the text so the page reads the same on any machine.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from coursekit import ROOT
from grader.submissions import grader_command

# The mistake shown on the page: the draft's `targets - output`, i.e. minus the gradient.
RIGHT_SIGN = "g = 2 * (self.output - targets)"
WRONG_SIGN = "g = 2 * (targets - self.output)"


def variant_source(name: str) -> str:
    """The network.py graded for `name`: "untouched" (the exercise as the generator makes it, never
    the student's exercises/) or "sign error"."""
    if name == "untouched":
        from coursekit.exercise_source import stub_file

        return stub_file("network")
    if name == "sign error":
        source = (ROOT / "solutions" / "network.py").read_text(encoding="utf-8")
        if RIGHT_SIGN not in source:
            raise RuntimeError(f"solutions/network.py no longer contains {RIGHT_SIGN!r}")
        return source.replace(RIGHT_SIGN, WRONG_SIGN, 1)
    raise ValueError(f"unknown variant {name!r}")


def shorten(text: str, folder: Path) -> str:
    """The grader's output with this machine's paths replaced by what a student would see."""
    for path, short in ((folder, "exercises"), (ROOT, "."), (Path(sys.executable), "python")):
        text = text.replace(str(path), short)
    return text


def run_grader(names=("untouched", "sign error"), select: str = "network") -> dict:
    """Grade each variant at once, in parallel; returns {name: (output text, exit status)}."""
    env = {**os.environ, "COLUMNS": "100"}
    for key in ("PYTEST_ADDOPTS", "PYTEST_CURRENT_TEST", "PYTEST_PLUGINS"):
        env.pop(key, None)
    with tempfile.TemporaryDirectory() as tmp:
        runs = {}
        for i, name in enumerate(names):
            folder = Path(tmp) / str(i) / "exercises"
            folder.mkdir(parents=True)
            (folder / "network.py").write_text(variant_source(name), encoding="utf-8")
            command = grader_command(folder, None, "--module", select, quiet=False)
            process = subprocess.Popen(command, cwd=ROOT, env=env, text=True,
                                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            runs[name] = (process, folder)
        results = {}
        for name, (process, folder) in runs.items():
            output, _ = process.communicate(timeout=120)
            results[name] = (shorten(output, folder).rstrip(), process.returncode)
    return results


def as_markdown(output: str, status: int, command: str = "python -m pytest grader --module network") -> str:
    """A console block for the page: the command, the output, and the exit status."""
    return f"```console\n$ {command}\n{output}\n$ echo $?\n{status}\n```"
