"""`python -m grader.submit`: packs the module files, grades that zip as class grading does."""

import csv
import hashlib
import re
import shutil
import subprocess
import sys
import zipfile

import pytest

from coursekit import ROOT, course
from tests.grading import EXERCISES, submission
from tests.variants_network import wrong_source

MODULE_FILES = sorted(f"{name}.py" for name in course.MODULES)


def submit(target, out):
    return subprocess.run([sys.executable, "-m", "grader.submit", "--target", str(target), "--out", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=400, stdin=subprocess.DEVNULL)


def printed(run, key):
    found = re.search(rf"^{key}: (.*)$", run.stdout, re.M)
    assert found, run.stdout + run.stderr
    return found.group(1)


@pytest.fixture(scope="module")
def wrong(tmp_path_factory):
    base = tmp_path_factory.mktemp("submit")
    folder = submission(base / "work", wrong_source("sign flipped"))
    out = base / "hw1.zip"
    return base, folder, out, submit(folder, out)


def test_the_zip_holds_the_module_files_and_its_hash_is_printed(wrong):
    base, folder, out, run = wrong
    assert run.returncode == 1, run  # the grader's status: a test failed
    assert printed(run, "zip") == str(out)
    assert sorted(zipfile.ZipFile(out).namelist()) == MODULE_FILES
    assert printed(run, "files") == ", ".join(MODULE_FILES)
    assert printed(run, "sha256") == hashlib.sha256(out.read_bytes()).hexdigest()
    got, full = printed(run, "score").split("/")
    assert 0 < float(got) < float(full)
    assert "your grade" not in run.stderr and "network.py" in run.stdout  # the grade table is shown


def test_the_score_is_what_class_grading_gives_the_same_zip(wrong):
    base, folder, out, run = wrong
    (base / "class").mkdir()
    shutil.copy(out, base / "class" / "student.zip")
    graded = subprocess.run([sys.executable, "-m", "grader.classroom", str(base / "class"), "--out", str(base / "out"),
                             "--jobs", "1"], cwd=ROOT, capture_output=True, text=True, timeout=400)
    assert graded.returncode == 0, graded
    with open(base / "out" / "scores.csv", newline="", encoding="utf-8") as handle:
        (row,) = csv.DictReader(handle)
    assert printed(run, "score") == f"{float(row['total']):g}/{float(row['max_score']):g}"


def test_untouched_exercises_score_zero(tmp_path):
    run = submit(shutil.copytree(EXERCISES, tmp_path / "work"), tmp_path / "s.zip")
    assert run.returncode == 1, run
    assert printed(run, "score").startswith("0/")


def test_a_folder_without_module_files_is_the_graders_error(tmp_path):
    (tmp_path / "empty").mkdir()
    run = submit(tmp_path / "empty", tmp_path / "s.zip")
    assert run.returncode == 2 and "nothing to submit" in run.stderr, run
