"""course.toml is the one table of the course, and `python -m coursekit.check` holds it true.

The first tests run the check on the course as it stands: no problem may be left (advice may).
The rest prove that each rule of the check fails on a broken input (a changed title, a removed
anchor, a stub without hints, a Common-mistakes bullet tied to nothing, a table with an unknown
field, a lesson page missing from the table...), on copies of the course's files in a temporary
folder, so that a rule that cannot fail cannot hide here.
"""

import json
import shutil
import subprocess
import sys

import markdown
import pytest

from coursekit import ROOT, check, course


@pytest.fixture(scope="module")
def markers():
    return check.collected_markers()


@pytest.mark.parametrize("lesson", course.LESSONS, ids=lambda lesson: f"{lesson.number}-{lesson.module}")
def test_the_lesson_has_no_problem(lesson, markers):
    problems = [str(gap) for gap in check.check_lesson(lesson, markers=markers) if not gap.advice]
    assert not problems, "\n".join(problems)


def test_the_course_has_no_problem_and_the_command_says_so():
    done = subprocess.run([sys.executable, "-m", "coursekit.check", "--no-grade"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"{len(course.LESSONS)} lesson(s) checked: 0 problem(s)" in done.stdout


def test_the_table_holds_every_lesson_page_in_order():
    assert [lesson.number for lesson in course.LESSONS] == list(range(1, len(course.LESSONS) + 1))
    assert {f"{lesson.page}.md" for lesson in course.LESSONS} == set(check.lesson_nav.lesson_pages(ROOT / "docs"))


# --- each rule fails on a broken input -------------------------------------------------------------

NETWORK = course.MODULES["network"]
PAGE = (ROOT / "docs" / f"{NETWORK.page}.md").read_text(encoding="utf-8")


def test_a_changed_title_is_caught():
    assert check.page_problems(NETWORK, PAGE, {}) == []
    broken = PAGE.replace("# 1. The Network class", "# 1. The network class", 1)
    assert "the page's H1" in check.page_problems(NETWORK, broken, {})[0][0]
    assert check.page_problems(NETWORK, PAGE.replace("# 1. The Network class", "# 2. The Network class", 1), {})


def test_a_missing_anchor_is_caught():
    wanted = {"sign-flipped": "the diagnosis 'the sign of g is flipped'"}
    assert check.page_problems(NETWORK, PAGE, wanted) == []
    broken = PAGE.replace("{#sign-flipped}", "{#sign-reversed}")
    assert broken != PAGE
    [(problem, fix)] = check.page_problems(NETWORK, broken, wanted)
    assert problem == ("the diagnosis 'the sign of g is flipped' links to #sign-flipped, which no heading "
                       "of docs/lessons/network.md has") and "{#sign-flipped}" in fix


def test_the_slug_rule_is_mkdocs_s():
    text = ("# 1. A title\n## The `Network` class\n## Plain & simple\n## Plain & simple\n"
            "### With an id {#chosen}\n```python\n# a comment, not a heading\n```\n## Après\n")
    assert [anchor for _, _, anchor in check.headings(text)] == [
        "1-a-title", "the-network-class", "plain-simple", "plain-simple_1", "chosen", "apres"]
    rendered = markdown.Markdown(extensions=["toc", "attr_list", "fenced_code"])
    rendered.convert(text)

    def ids(tokens):
        return [i for t in tokens for i in [t["id"], *ids(t["children"])]]

    assert ids(rendered.toc_tokens) == [anchor for _, _, anchor in check.headings(text)]


def test_a_common_mistake_tied_to_nothing_and_a_tie_to_nothing_are_caught():
    entries = check.common_mistakes(
        "## Common mistakes\n\n### Named {#named}\n\ntext\n\n"
        "### Not told {#told}\n\nthe grader cannot tell it apart\n\n"
        "- **By a message.** text\n- **Loose.** text\n\n## Next\n")
    assert [(kind, key) for kind, key, _ in entries] == [
        ("heading", "named"), ("heading", "told"), ("bullet", "By a message."), ("bullet", "Loose.")]
    lesson = course.Lesson(9, "T", "lessons/t", module="t", named_by_a_message={
        "By a message.": ("test_t.py", "the words"), "Gone.": ("test_t.py", "x")})
    problems = [p for p, _ in check.mistake_problems(lesson, entries, {"named", "orphan"}, lambda f: "say the words")]
    assert problems == [
        "the Common mistakes bullet 'Loose.' is neither named by the grader nor said not to be",
        "course.toml's named_by_a_message lists 'Gone.', which is no bullet of the page's Common mistakes",
        "the diagnosis anchored at #orphan has no heading under Common mistakes"]
    silent = check.mistake_problems(lesson, entries[2:3], set(), lambda f: "no such message")
    assert "which has no message with 'the words'" in silent[0][0]


def copy_of_the_course(tmp_path):
    """The files the check reads, copied, so that one can be broken."""
    root = tmp_path / "course"
    for part in ("docs", "solutions", "exercises", "grader", "notebooks", "tests/right", "coursekit"):
        shutil.copytree(ROOT / part, root / part, ignore=shutil.ignore_patterns("__pycache__", "generated"))
    for part in ("mkdocs.yml", "course.toml", "pyproject.toml"):
        shutil.copy(ROOT / part, root / part)
    return root


def problems_of(lesson, root, markers):
    return [gap.problem for gap in check.check_lesson(lesson, root, markers) if not gap.advice]


def test_a_broken_lesson_s_every_gap_is_named(tmp_path, markers):
    root = copy_of_the_course(tmp_path)
    assert problems_of(NETWORK, root, markers) == []
    (root / "grader" / "hints" / "network.toml").write_text('["Network.forward"]\nhints = ["a", "b"]\n')
    solution = root / "solutions" / "network.py"
    solution.write_text(solution.read_text(encoding="utf-8").replace("predict", "guess"), encoding="utf-8")
    (root / "notebooks" / "network.ipynb").unlink()
    (root / "docs" / "lessons" / "network.md").write_text(PAGE.replace("## Common mistakes", "## Slips"))
    found = problems_of(NETWORK, root, markers)
    assert any(p.startswith("course.toml lists the functions") and "Network.guess" in p for p in found), found
    assert any("exercises/network.py is not what the generator makes" in p for p in found), found
    assert "the stub Network.backprop has no hints" in found
    assert "notebooks/network.ipynb is missing" in found
    assert "docs/lessons/network.md has no `## Common mistakes` section" in found


# A lesson the course does not have, whatever lessons a fork adds (not "dropout": a fork may add it).
NUMBER = max(lesson.number for lesson in course.LESSONS) + 1
NEW = f"lesson{NUMBER}"


def test_a_new_lesson_without_its_files_is_named_piece_by_piece(tmp_path, markers):
    lesson = course.Lesson(NUMBER, "New", f"lessons/{NEW}", summary="something", module=NEW,
                           functions={"forward": "forward", "backward": "backward"})
    root = copy_of_the_course(tmp_path)
    assert problems_of(lesson, root, markers) == [f"docs/lessons/{NEW}.md is missing"]
    (root / "docs" / "lessons" / f"{NEW}.md").write_text(f"# {NUMBER}. New\n\n## Forward\n")
    found = problems_of(lesson, root, markers)
    for missing in (f"solutions/{NEW}.py is missing", f"grader/test_{NEW}.py is missing",
                    f"grader/hints/{NEW}.toml is missing", f"notebooks/{NEW}.ipynb is missing",
                    f"docs/lessons/{NEW}.md has no `## Common mistakes` section"):
        assert missing in found, (missing, found)


def test_the_table_s_own_mistakes_are_named(tmp_path):
    table = tmp_path / "course.toml"
    table.write_text('[[lesson]]\nnumber = 1\ntitle = "A"\npage = "lessons/a"\nexercise = "a"\n')
    with pytest.raises(course.TableError, match=r"unknown field\(s\) \['exercise'\]"):
        course.read(table)
    table.write_text('[[lesson]]\nnumber = 1\ntitle = "A"\n')
    with pytest.raises(course.TableError, match="the field 'page' is missing"):
        course.read(table)
    table.write_text('[[lesson]]\nnumber = 1\ntitle = "A"\npage = "a"\nmodule = "m"\n'
                     '[[lesson]]\nnumber = 2\ntitle = "B"\npage = "b"\nmodule = "m"\n')
    with pytest.raises(course.TableError, match="belong to two lessons"):
        course.read(table)
    table.write_text("[[lesson]\n")
    with pytest.raises(course.TableError, match="not valid TOML"):
        course.read(table)


def test_a_lesson_page_missing_from_the_table_is_caught(tmp_path):
    root = copy_of_the_course(tmp_path)
    (root / "docs" / "lessons" / f"{NEW}.md").write_text(f"# {NUMBER}. New\n")
    (root / "solutions" / f"{NEW}.py").write_text("def forward(a):\n    return a\n")
    problems = [gap.problem for gap in check.check_course(root)]
    assert f"docs/lessons/{NEW}.md is a lesson page with no entry in course.toml" in problems
    assert f"solutions/{NEW}.py is the module of no lesson" in problems


def test_a_reference_that_fails_its_tests_is_a_problem(tmp_path):
    root = copy_of_the_course(tmp_path)
    solution = root / "solutions" / "data.py"
    text = solution.read_text(encoding="utf-8")
    assert text.count("/ 255") == 1
    solution.write_text(text.replace("/ 255", "* 1"), encoding="utf-8")  # pixels in [0, 255]: a test's own rule
    gaps = check.grading_gaps([course.MODULES["data"]], root)
    assert gaps and all(gap.lesson == "grading solutions/data.py" for gap in gaps), gaps
    assert any("the reference fails data.py: test_to_features" in gap.problem for gap in gaps), gaps


def test_a_message_wrapped_in_the_source_is_found_and_a_scaffold_s_todo_is_not_left():
    source = 'raise WrongAnswer("a unit is kept "\n                  f"with probability {p}, not " "1 - p")\n'
    assert "a unit is kept with probability" in check.message_text(source)
    lesson = course.Lesson(NUMBER, "New", "lessons/network", summary="TODO: one line", module="network",
                           functions=dict(NETWORK.functions), worked=False)
    problems = [gap.problem for gap in check.check_lesson(lesson) if not gap.advice]
    assert "course.toml's summary of the lesson is still to write" in problems


def test_the_markers_are_the_grader_s_own(markers):
    """The check reads the markers the grader collects, with the uses a variable or a parameter gives."""
    uses = {use for _, used, _ in markers["nn"] for use in used}
    assert {"Tanh.fn", "ReLU.fn", "Sigmoid.deriv"} <= uses
    assert json.loads(json.dumps(markers)) == {m: [list(t) for t in tests] for m, tests in markers.items()}


def test_the_home_page_counts_the_lessons_from_the_table():
    from coursekit import lesson_nav

    path = lesson_nav.course_path()
    assert path.startswith(course.counted(len(course.LESSONS), "lesson").capitalize() + ", in this order")
    for lesson in course.LESSONS:
        assert f"| {lesson.number}. [{lesson.title}]({lesson.page}.md) |" in path
    index = (ROOT / "docs" / "index.md").read_text(encoding="utf-8")
    assert "print(lesson_nav.course_path())" in index and "Seven lessons" not in index


def test_a_stale_notebook_is_a_problem(monkeypatch):
    from coursekit import notebooks

    monkeypatch.setattr(notebooks, "expected", lambda: {})
    monkeypatch.setattr(notebooks, "stale", lambda built: [ROOT / "notebooks" / "network.ipynb"])
    problems = [gap.problem for gap in check.check_course() if not gap.advice]
    assert problems == ["notebooks/network.ipynb is out of date with the course"]
