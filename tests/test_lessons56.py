"""Lessons 5 and 6 hold every anchor the grader links to, and show no reference code openly."""

import ast
import re
from pathlib import Path

import pytest
from markdown.extensions.toc import slugify

ROOT = Path(__file__).resolve().parents[1]


def anchors(page):
    """The ids of a lesson's headings: explicit {#id}, else the slug of the heading text."""
    text = (ROOT / "docs" / "lessons" / f"{page}.md").read_text(encoding="utf-8")
    found = set()
    for heading in re.findall(r"^#{1,6}\s+(.+?)\s*$", text, re.M):
        explicit = re.search(r"\{#([\w-]+)\}\s*$", heading)
        found.add(explicit.group(1) if explicit else slugify(heading, "-"))
    return found


@pytest.mark.parametrize("module", ["data", "training"])
def test_grader_sections_are_anchors_of_the_lesson(module):
    tree = ast.parse((ROOT / "grader" / f"test_{module}.py").read_text(encoding="utf-8"))
    sections = {k.value.value for node in ast.walk(tree) if isinstance(node, ast.Call)
                for k in node.keywords if k.arg == "section"}
    assert sections and sections <= anchors(module), sorted(sections - anchors(module))


@pytest.mark.parametrize("module", ["data", "training"])
def test_reference_code_comes_only_collapsed_at_the_end(module):
    """Snippets of solutions/ appear only inside `??? success` blocks, after every exercise."""
    text = (ROOT / "docs" / "lessons" / f"{module}.md").read_text(encoding="utf-8")
    lines = text.splitlines()
    includes = [i for i, line in enumerate(lines) if '--8<-- "solutions/' in line]
    assert includes
    end = text.index("## Reference solutions")
    assert all(len("\n".join(lines[:i])) > end for i in includes)
    for i in includes:
        opener = next(lines[j] for j in range(i, -1, -1) if lines[j] and not lines[j].startswith(" "))
        assert opener == '??? success "Reference solution: open it after the grader passes"', lines[i]
    assert "=== " not in text  # no content tabs: nothing beside the pseudocode
