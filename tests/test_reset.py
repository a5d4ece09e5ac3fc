"""`python -m grader.reset MODULE`: restores one stub, only when told to, keeping the student's file."""

import subprocess
import sys

import pytest

from coursekit import ROOT
from coursekit.stubs import BACKUP, generate
from tests.grading import EXERCISES, SOLUTIONS

STUB = generate((SOLUTIONS / "network.py").read_text(encoding="utf-8"))
MINE = "# my network, nearly done\n" + STUB


@pytest.fixture
def work(tmp_path):
    folder = tmp_path / "exercises"
    folder.mkdir()
    for path in EXERCISES.iterdir():
        (folder / path.name).write_bytes(path.read_bytes())
    (folder / "network.py").write_text(MINE, encoding="utf-8")
    return folder


def reset(work, *args, answer=None):
    return subprocess.run([sys.executable, "-m", "grader.reset", "network", "--target", str(work), *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=60,
                          input=answer, stdin=subprocess.DEVNULL if answer is None else None)


@pytest.mark.parametrize("answer", [None, "", "n\n", "no thanks\n"], ids=["stdin closed", "empty", "n", "other"])
def test_without_a_yes_nothing_changes(work, answer):
    run = reset(work, answer=answer)
    assert run.returncode == 1, run
    assert (work / "network.py").read_text(encoding="utf-8") == MINE
    assert not (work / BACKUP).exists()
    assert "nothing changed" in run.stdout


@pytest.mark.parametrize("how", ["answer y", "--yes"])
def test_yes_restores_the_stub_and_keeps_a_copy_it_names(work, how):
    run = reset(work, answer="y\n") if how == "answer y" else reset(work, "--yes")
    assert run.returncode == 0, run
    assert (work / "network.py").read_text(encoding="utf-8") == STUB
    backups = list((work / BACKUP).iterdir())
    assert len(backups) == 1 and backups[0].read_text(encoding="utf-8") == MINE
    assert str(backups[0]) in run.stdout
    assert (work / "nn.py").read_text(encoding="utf-8") == (EXERCISES / "nn.py").read_text(encoding="utf-8")


def test_an_untouched_stub_needs_nothing(work):
    (work / "network.py").write_text(STUB, encoding="utf-8")
    run = reset(work)
    assert run.returncode == 0 and "nothing to do" in run.stdout, run
    assert not (work / BACKUP).exists()


def test_an_unknown_module_is_a_usage_error(work):
    run = subprocess.run([sys.executable, "-m", "grader.reset", "netwrk", "--target", str(work)],
                         cwd=ROOT, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert run.returncode == 2 and "no such module" in run.stderr
