"""The grader gives full marks to right submissions written in styles the reference does not use.

tests/right/<style>/ holds modules of the course written in one style, each from CONTRACT.md
and the lessons rather than by editing the reference (see each file's docstring): per-example
loops (Nielsen's), column vectors with explicit transposes, einsum, recursion, while loops with
in-place updates, extra attributes and helpers; for lesson 8, Kahn's algorithm, one class per
operation and the creation order as the topological order. A style folder holds any of the
course's modules (course.toml); one grader run per style grades exactly the modules it holds.
The end-to-end MNIST runs of lessons 7 and 8 are left out here (each costs a minute of CPU):
their own variant tests run one right style end to end. `python -m coursekit.check` advises a
module that has no right style here.
"""

import shutil
from pathlib import Path

import pytest
from grading import SOLUTIONS, WARM, WITHOUT_LESSON_7_MNIST

from coursekit import course

RIGHT = Path(__file__).resolve().parent / "right"
STYLES = sorted(path.name for path in RIGHT.iterdir() if path.is_dir() and not path.name.startswith(("_", ".")))


def modules_of(style):
    return sorted(path.stem for path in (RIGHT / style).glob("*.py"))


PAIRS = [(style, module) for style in STYLES for module in modules_of(style)]


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Every style folder graded once, one after another in the warm grader, on its own modules."""
    results = tmp_path_factory.mktemp("right")
    runs = {}
    for style in STYLES:
        folder = tmp_path_factory.mktemp(style)
        for path in (RIGHT / style).glob("*.py"):
            shutil.copy(path, folder / path.name)
        selected = [option for module in modules_of(style) for option in ("--module", module)]
        runs[style] = WARM.run(folder, results / f"{style}.json", *selected, *WITHOUT_LESSON_7_MNIST)
    return runs


def test_every_style_file_is_a_module_of_the_course_and_each_module_has_several():
    assert len(STYLES) >= 6, STYLES
    counts = {}
    for style, module in PAIRS:
        assert module in course.MODULES, f"tests/right/{style}/{module}.py is no module of course.toml"
        counts[module] = counts.get(module, 0) + 1
    thin = {module: count for module, count in counts.items() if count < 4}
    assert not thin, f"a module with right styles has at least four of them: {thin}"


@pytest.mark.parametrize("style, module", PAIRS)
def test_no_style_is_a_copy_of_the_reference(style, module):
    """No four consecutive non-trivial lines of the reference appear in a style's module (three can:
    `for k in self.weights:` and the contract's two update lines are what anyone writes)."""
    def runs(text):
        lines = [line.strip() for line in text.splitlines()]
        lines = [line for line in lines if len(line) > 12 and not line.startswith(("#", '"""', "def ", "class ", "import "))]
        return {tuple(lines[i:i + 4]) for i in range(len(lines) - 3)}

    reference = runs((SOLUTIONS / f"{module}.py").read_text(encoding="utf-8"))
    shared = runs((RIGHT / style / f"{module}.py").read_text(encoding="utf-8")) & reference
    assert not shared, (style, module, sorted(shared)[:2])


@pytest.mark.parametrize("style", STYLES)
def test_right_style_gets_full_marks(graded, style):
    result = graded[style]
    failed = {name: test["output"] for name, test in result.failed.items()}
    assert result.exit_code == 0 and not failed, (result, failed)
    assert result.results["score"] == result.results["max_score"] > 0
    graded_modules = {name.split(".py:", 1)[0] for name in result.tests}
    assert graded_modules == set(modules_of(style)), graded_modules
