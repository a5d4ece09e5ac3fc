"""The grader in a Python without signals or `resource`, as on Windows (tests/nosignals/sitecustomize.py
removes SIGALRM, setitimer, os.killpg, os.fork and `resource` from every Python started with it).

Time limits then come from a timer thread that interrupts the main thread; the grader must
still give the reference full marks, the stubs "not attempted", bound a loop at import and a
loop in a call, and class grading must run, skipping the memory limit with a note.
"""

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest

from coursekit import ROOT
from tests import looping
from tests.grading import submission

SHIM = Path(__file__).resolve().parent / "nosignals"


@pytest.fixture(scope="module")
def no_signals():
    saved = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join([str(SHIM)] + ([saved] if saved else []))
    yield dict(os.environ)
    if saved is None:
        del os.environ["PYTHONPATH"]
    else:
        os.environ["PYTHONPATH"] = saved


def test_the_shim_takes_the_signals_away(no_signals):
    code = ("import os, signal\n"
            "assert not hasattr(signal, 'SIGALRM') and not hasattr(signal, 'setitimer') and not hasattr(os, 'killpg')\n"
            "assert not hasattr(os, 'fork')\n"
            "try:\n    import resource\nexcept ImportError:\n    print('no resource')\n")
    run = subprocess.run([sys.executable, "-c", code], env=no_signals, capture_output=True, text=True)
    assert run.returncode == 0 and "no resource" in run.stdout, run


@pytest.fixture(scope="module")
def runs(no_signals, tmp_path_factory):
    return looping.grade_all(tmp_path_factory.mktemp("nosignals"))


def test_reference_stubs_and_looping_modules_without_signals(runs):
    assert looping.problems_in(runs) == []
    for graded in runs.values():
        assert "INTERNALERROR" not in graded.stdout + graded.stderr, graded


def test_time_limit_interrupts_a_loop_without_signals(no_signals):
    code = ("import time\nfrom grader.loader import time_limit\n"
            "class Late(BaseException): pass\n"
            "start = time.monotonic()\n"
            "try:\n"
            "    with time_limit(5, Late):\n"
            "        with time_limit(0.5, Late):\n"  # nested, as an import inside a test
            "            while True: sum(range(100))\n"
            "except Late:\n    print(f'stopped {time.monotonic() - start:.1f}')\n"
            "time.sleep(0.6)\nprint('no stray interruption')\n")
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=no_signals, capture_output=True,
                         text=True, timeout=30)
    assert run.returncode == 0, run
    assert "stopped 0." in run.stdout and "no stray interruption" in run.stdout, run


def test_class_grading_runs_without_resource(no_signals, tmp_path):
    submission(tmp_path / "class" / "reference")
    run = subprocess.run([sys.executable, "-m", "grader.classroom", str(tmp_path / "class"), "--out",
                          str(tmp_path / "out"), "--jobs", "1"], cwd=ROOT, env=no_signals,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run
    assert "memory limit (--memory)" in run.stdout and "skipped" in run.stdout
    with open(tmp_path / "out" / "scores.csv", newline="", encoding="utf-8") as handle:
        (row,) = csv.DictReader(handle)
    assert row["status"] == "ok" and float(row["total"]) == float(row["max_score"]) > 0, row
