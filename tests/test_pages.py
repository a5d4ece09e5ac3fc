"""The lessons' source says what the course does: commands that select what they claim, maths
that renders, words a student can follow. Read from docs/, without building the site."""

import json
import re
import subprocess
import sys

import pytest

from coursekit import ROOT, course

PAGES = sorted((ROOT / "docs").rglob("*.md"))
LESSONS = sorted((ROOT / "docs" / "lessons").glob("*.md"))


def outside_code(path):
    """(line number, line) of a page, fenced code blocks left out."""
    fence = False
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip().startswith(("```", "~~~")):
            fence = not fence
            continue
        if not fence:
            yield number, line


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(ROOT / "docs")) for p in PAGES])
def test_display_maths_stands_in_a_paragraph_of_its_own(page):
    """Arithmatex renders \\[ ... \\] only as a block: glued to a line of text, it shows as raw TeX."""
    lines = dict(outside_code(page))
    inside = None  # the closing mark of the display block we are in
    for number, line in lines.items():
        stripped = line.strip()
        if inside:
            if inside in stripped:
                inside = None
            continue
        for opening, closing in (("\\[", "\\]"), ("$$", "$$")):
            if stripped.startswith(opening):
                above = lines.get(number - 1, "").strip()
                assert not above or above.startswith(("!!!", "???", ">")), (
                    f"{page.name}:{number}: display maths right under a line of text: leave a blank line above it")
                inside = None if closing in stripped[len(opening):] else closing


def grader_commands():
    for page in LESSONS:
        for number, line in enumerate(page.read_text(encoding="utf-8").splitlines(), 1):
            for command in re.findall(r"pytest grader[^`#\n]*", line):
                yield page.name, number, command.strip()


def test_no_lesson_selects_tests_by_a_word_of_their_names():
    """`-k init` also selects test_initialize_model...; a box asks for one function's tests."""
    found = [(page, number, command) for page, number, command in grader_commands() if " -k " in command]
    assert not found


@pytest.fixture(scope="module")
def markers(tmp_path_factory):
    path = tmp_path_factory.mktemp("markers") / "markers.json"
    subprocess.run([sys.executable, "-m", "pytest", "grader", "--target=solutions", "--collect-only", "-q",
                    f"--markers-json={path}"], cwd=ROOT, capture_output=True, text=True, timeout=120, check=True)
    return json.loads(path.read_text())


def test_every_function_a_lesson_checks_has_tests_of_its_own(markers):
    from grader import verdict

    owned = {}
    for described in markers.values():
        own = verdict.Blame(described["module"]).own(described["uses"], described["about"])
        owned.setdefault(described["module"], set()).add(own)
    checked = 0
    for page, number, command in grader_commands():
        module = re.search(r"--module (\w+)", command)
        for name in re.findall(r"--function ([\w.]+)", command):
            assert module, f"{page}:{number}: --function without --module"
            functions = owned[module.group(1)]
            assert any(f == name or f.startswith(name + ".") for f in functions), (page, number, name)
            checked += 1
    assert checked >= 25


def test_no_lesson_names_a_source_the_student_never_saw():
    for page in LESSONS:
        text = page.read_text(encoding="utf-8")
        assert not re.search(r"\bseed 00\d\b", text, re.I), page.name


def test_the_gradient_checking_table_agrees_with_its_arithmetic():
    """A factor 2 gives the relative error |g - 2g| / |2g| = 0.5 and a flipped sign 2: the table says so."""
    from coursekit.gradcheck import relative_error

    text = (ROOT / "docs" / "lessons" / "gradient-checking.md").read_text(encoding="utf-8")
    assert relative_error(1.0, 2.0) == 0.5 and relative_error(1.0, -1.0) == 2.0
    assert "| 0.5 | a factor 2" in text and "| 2 | a flipped sign" in text
    assert "| between 1 and 2 | wrong: a missing factor" not in text


def test_the_training_notebook_watches_validation_not_test_accuracy():
    notebook = json.loads((ROOT / "notebooks" / "training.ipynb").read_text(encoding="utf-8"))
    code = "\n".join("".join(cell["source"]) for cell in notebook["cells"] if cell["cell_type"] == "code")
    assert "validation accuracy" in code and "test_images" not in code
    assert course.MODULES["training"].number == 6


def test_the_gradient_check_keeps_the_lessons_notation():
    """In lessons 1 and 3, a is a pre-activation and h an activation: the check calls the gradient g,
    the slope s and the step epsilon there."""
    from coursekit.gradcheck import standard_markdown

    assert "\\epsilon = " in standard_markdown() and "h = " not in standard_markdown()
    network = (ROOT / "docs" / "lessons" / "network.md").read_text(encoding="utf-8")
    assert "a gradient \\\\(a\\\\)" not in network and "|a - n|" not in network
    graph = (ROOT / "docs" / "lessons" / "graph.md").read_text(encoding="utf-8")
    assert "standard_markdown()" in graph


def test_a_task_box_shows_the_stub_from_solutions_never_the_students_file(monkeypatch):
    """A site built on a student's machine must not show their half-finished exercises/ as "The task"."""
    from pathlib import Path

    from coursekit import exercise_source
    from tests.grading import EXERCISES

    exercise_source.stub_file.cache_clear()
    read = []
    original = Path.read_text
    monkeypatch.setattr(Path, "read_text", lambda self, *a, **k: read.append(self.resolve()) or original(self, *a, **k))
    shown = exercise_source.source("network", "Network.forward")
    assert not any(path.is_relative_to(ROOT / "exercises") for path in read), read
    untouched = (EXERCISES / "network.py").read_text(encoding="utf-8")
    assert shown.splitlines()[0] in untouched and "        ..." in untouched
    assert "BEGIN SOLUTION" not in shown and shown.rstrip().endswith("...")
