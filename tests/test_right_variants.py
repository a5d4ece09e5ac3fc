"""The grader gives full marks to right submissions written in styles the reference does not use.

tests/right/<style>/ holds all five modules in one style, each written from CONTRACT.md and the
lessons rather than by editing the reference (see each file's docstring): per-example loops
(Nielsen's), column vectors with explicit transposes, einsum, recursion, while loops with
in-place updates, and extra attributes, helpers, other initialisations and checks at the end.
One grader run per style grades all five modules, lesson 6's end-to-end MNIST test included,
with the reference further.py and autodiff.py beside them: lessons 7 and 8's right styles, and
their MNIST runs, are graded by tests/test_further_variants.py and tests/test_autodiff_variants.py,
so those runs are left out here.
"""

import shutil
from pathlib import Path

import pytest
from grading import SOLUTIONS, WARM, WITHOUT_LESSON_7_MNIST

RIGHT = Path(__file__).resolve().parent / "right"
STYLES = sorted(path.name for path in RIGHT.iterdir() if path.is_dir() and not path.name.startswith(("_", ".")))
MODULES = ("network", "functional", "nn", "data", "training")


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Every style folder graded once, one after another in the warm grader."""
    folders = {}
    for style in STYLES:
        folder = tmp_path_factory.mktemp(style)
        for path in (RIGHT / style).glob("*.py"):
            shutil.copy(path, folder / path.name)
        for beside in ("further.py", "autodiff.py"):
            shutil.copy(SOLUTIONS / beside, folder / beside)
        folders[style] = folder
    results = tmp_path_factory.mktemp("right")
    return {style: WARM.run(folder, results / f"{style}.json", *WITHOUT_LESSON_7_MNIST)
            for style, folder in folders.items()}


def test_six_styles_of_every_module():
    assert len(STYLES) >= 6, STYLES
    for style in STYLES:
        assert sorted(p.stem for p in (RIGHT / style).glob("*.py")) == sorted(MODULES), style


@pytest.mark.parametrize("module", MODULES)
def test_no_style_is_a_copy_of_the_reference(module):
    """No four consecutive non-trivial lines of the reference appear in a style's module (three can:
    `for k in self.weights:` and the contract's two update lines are what anyone writes)."""
    def runs(text):
        lines = [line.strip() for line in text.splitlines()]
        lines = [line for line in lines if len(line) > 12 and not line.startswith(("#", '"""', "def ", "class ", "import "))]
        return {tuple(lines[i:i + 4]) for i in range(len(lines) - 3)}

    reference = runs((SOLUTIONS / f"{module}.py").read_text(encoding="utf-8"))
    for style in STYLES:
        shared = runs((RIGHT / style / f"{module}.py").read_text(encoding="utf-8")) & reference
        assert not shared, (style, module, sorted(shared)[:2])


@pytest.mark.parametrize("style", STYLES)
def test_right_style_gets_full_marks(graded, style):
    result = graded[style]
    failed = {name: test["output"] for name, test in result.failed.items()}
    assert result.exit_code == 0 and not failed, (result, failed)
    assert result.results["score"] == result.results["max_score"] > 0
    graded_modules = {name.split(".py:", 1)[0] for name in result.tests}
    assert graded_modules == set(MODULES) | {"further", "autodiff"}, graded_modules
