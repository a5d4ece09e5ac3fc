"""`python -m coursekit.new NAME "Title"` scaffolds a lesson, and `coursekit.check` then lists
exactly what is left: run on a copy of the course, as an instructor who forks it would."""

import os
import shutil
import subprocess
import sys
import tomllib

import pytest

from coursekit import ROOT, course

# A lesson the course does not have, whatever lessons a fork adds (not "dropout": a fork may add it).
NUMBER = max(lesson.number for lesson in course.LESSONS) + 1
NEW = f"lesson{NUMBER}"
PARTS = ("coursekit", "grader", "solutions", "exercises", "docs", "notebooks", "tests/right")


@pytest.fixture(scope="module")
def fork(tmp_path_factory):
    """A copy of the course (what the check reads), with a lesson scaffolded by coursekit.new."""
    root = tmp_path_factory.mktemp("fork")
    for part in PARTS:
        shutil.copytree(ROOT / part, root / part, ignore=shutil.ignore_patterns("__pycache__", "generated", "site"))
    for name in ("course.toml", "mkdocs.yml", "pyproject.toml"):
        shutil.copy(ROOT / name, root / name)
    made = command(root, "coursekit.new", NEW, "New")
    assert made.returncode == 0, made.stdout + made.stderr
    return root, made.stdout


def command(root, module, *args):
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "PYTHONPATH": str(root)}
    return subprocess.run([sys.executable, "-m", module, *args], cwd=root, env=env,
                          capture_output=True, text=True, timeout=300)


def test_the_entry_and_the_hand_written_files_are_made(fork):
    root, out = fork
    for path in (f"docs/lessons/{NEW}.md", f"solutions/{NEW}.py", f"grader/test_{NEW}.py",
                 f"grader/hints/{NEW}.toml"):
        assert (root / path).is_file() and f"wrote {path}" in out, path
    with open(root / "course.toml", "rb") as file:
        lessons = tomllib.load(file)["lesson"]
    entry = lessons[-1]
    assert entry["number"] == NUMBER and entry["module"] == NEW and entry["page"] == f"lessons/{NEW}"
    page = (root / "docs" / "lessons" / f"{NEW}.md").read_text(encoding="utf-8")
    assert page.startswith(f"# {NUMBER}. New\n")


def test_the_check_lists_what_is_left_and_only_for_the_new_lesson(fork):
    root, _ = fork
    done = command(root, "coursekit.check")
    assert done.returncode == 1, done.stdout + done.stderr
    lesson = done.stdout.split(f"\n{NUMBER} {NEW}:", 1)
    assert len(lesson) == 2, done.stdout
    before, after = lesson
    assert "problem:" not in before, before  # the other lessons are untouched
    for gap in (f"solutions/{NEW}.py marks no function body as the exercise",
                f"exercises/{NEW}.py is not what the generator makes of solutions/{NEW}.py (never generated)",
                f"grader/test_{NEW}.py has no @pytest.mark.grade test",
                f"notebooks/{NEW}.ipynb is missing",
                "course.toml's summary of the lesson is still to write",
                f"docs/lessons/{NEW}.md still has TODO paragraphs",
                f"lesson {NUMBER} has no worked example"):
        assert gap in after, (gap, after)
    assert "fix: " in after and "python -m coursekit.stubs solutions exercises" in after


def test_a_second_scaffold_of_the_same_lesson_writes_nothing(fork):
    root, _ = fork
    table = (root / "course.toml").read_text(encoding="utf-8")
    again = command(root, "coursekit.new", NEW, "New again")
    assert again.returncode == 2 and f"already has a lesson with the module '{NEW}'" in again.stderr
    clash = command(root, "coursekit.new", "Drop-Out", "Dropout")
    assert clash.returncode == 2 and "lower-case letters" in clash.stderr
    assert (root / "course.toml").read_text(encoding="utf-8") == table
