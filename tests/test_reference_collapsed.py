"""Lessons 5 and 6 (data, training) show reference code only collapsed, at their end, never beside the pseudocode."""


import pytest

from coursekit import ROOT, course


@pytest.mark.parametrize("module", ["data", "training"])  # the other lessons: tests/test_site.py
def test_reference_code_comes_only_collapsed_at_the_end(module):
    """Snippets of solutions/ appear only inside `??? success` blocks, after every exercise."""
    text = (ROOT / "docs" / f"{course.MODULES[module].page}.md").read_text(encoding="utf-8")
    lines = text.splitlines()
    includes = [i for i, line in enumerate(lines) if '--8<-- "solutions/' in line]
    assert includes
    end = text.index("## Reference solutions")
    assert all(len("\n".join(lines[:i])) > end for i in includes)
    for i in includes:
        opener = next(lines[j] for j in range(i, -1, -1) if lines[j] and not lines[j].startswith(" "))
        assert opener == '??? success "Reference solution: open it after the grader passes"', lines[i]
    assert "=== " not in text  # no content tabs: nothing beside the pseudocode
