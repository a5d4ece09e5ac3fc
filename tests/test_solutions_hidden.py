"""The reference solutions on the built site: collapsed in the default build, absent in the hidden one.

A solution region (coursekit.solution_regions) "shows" where 3+ of its consecutive non-blank
lines appear as text. In the default build none may show outside a closed <details> on any
page (one test per page, so that a lesson still to be restructured fails alone); in the
`COURSE_SOLUTIONS=hidden` build none may appear in any file of site/, search index included.
The checks are tried on small samples first, so that each is known to be able to fail.
"""

import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from coursekit import ROOT, mkdocs_hooks, solution_regions
from coursekit.solution_regions import ABSENT, COLLAPSED, OPEN, Region, page_status
from tests.sites import mkdocs_build

DOCS = ROOT / "docs"
PAGES = sorted(str(path.relative_to(DOCS)) for path in DOCS.rglob("*.md"))
REGIONS = [region for region in solution_regions.regions() if len(region.lines) >= solution_regions.WINDOW]
LESSON_1 = "lessons/network.md"


def built_page(site, page):
    """site/lessons/network/index.html for lessons/network.md (index.md -> index.html)."""
    path = Path(page).with_suffix("")
    return site / (path.parent if path.name == "index" else path) / "index.html"


def build(site, **env):
    return mkdocs_build(ROOT, site, **env)


def built_site(build, what):
    """The site folder of a (result, site) build; the test fails, with the build's log, if it failed."""
    result, site = build
    if result.returncode:
        pytest.fail(f"{what} failed:\n{result.stderr[-4000:]}")
    return site


@pytest.fixture(scope="module")
def default_site(site_build):
    """The default build (tests/conftest.py: one per run, shared with test_site)."""
    return built_site(site_build, "the default build")


@pytest.fixture(scope="module")
def hidden_build(tmp_path_factory):
    site = tmp_path_factory.mktemp("hidden")
    return build(site, COURSE_SOLUTIONS="hidden"), site


@pytest.fixture(scope="module")
def hidden_site(hidden_build):
    return built_site(hidden_build, "COURSE_SOLUTIONS=hidden mkdocs build --strict")


# --- the checks, on samples ----------------------------------------------------------------

SAMPLE = Region("network.py", 1, ("g = 2 * (self.output - targets)", "for k in range(L, 0, -1):",
                                  "h = self.activations[k]", "g = g * (h * (1 - h))"))
# As pymdownx.highlight renders code: every token in a span, lines kept.
HIGHLIGHTED = ('<pre><code><span class="n">g</span> <span class="o">=</span> <span class="mi">2</span> '
               '<span class="o">*</span> <span class="p">(</span><span class="bp">self</span>.output '
               '- targets)\n<span class="k">for</span> k in range(L, 0, -1):\n    h = self.activations[k]\n'
               '</code></pre>')


def test_a_region_in_highlighted_code_shows_openly():
    assert page_status(SAMPLE, f"<p>text</p>{HIGHLIGHTED}") == OPEN


def test_a_region_in_a_closed_details_is_collapsed_and_in_an_open_one_is_not():
    assert page_status(SAMPLE, f"<details class='success'><summary>s</summary>{HIGHLIGHTED}</details>") == COLLAPSED
    assert page_status(SAMPLE, f"<details open><summary>s</summary>{HIGHLIGHTED}</details>") == OPEN
    nested = f"<details><p>x</p><div><details open>{HIGHLIGHTED}</details></div></details>"
    assert page_status(SAMPLE, nested) == COLLAPSED
    after = f"<details><summary>s</summary></details>{HIGHLIGHTED}"
    assert page_status(SAMPLE, after) == OPEN


def test_two_lines_or_lines_out_of_order_do_not_show():
    two = "<pre>g = 2 * (self.output - targets)\nfor k in range(L, 0, -1):\nprint(k)</pre>"
    assert page_status(SAMPLE, two) == ABSENT
    shuffled = "<pre>h = self.activations[k]\ng = 2 * (self.output - targets)\nfor k in range(L, 0, -1):</pre>"
    assert page_status(SAMPLE, shuffled) == ABSENT


def test_leaks_finds_a_region_in_the_search_index_and_in_any_file(tmp_path):
    text = "\n".join(SAMPLE.lines)
    (tmp_path / "search").mkdir()
    (tmp_path / "search" / "search_index.json").write_text(
        json.dumps({"docs": [{"text": f"<p>x</p><pre><code>{text.replace('>', '&gt;')}</code></pre>"}]}))
    (tmp_path / "copy.py").write_text(text)
    (tmp_path / "clean.html").write_text("<p>nothing here</p>")
    assert solution_regions.leaks(tmp_path, [SAMPLE]) == {"search/search_index.json": [SAMPLE.name],
                                                          "copy.py": [SAMPLE.name]}


def test_redact_leaves_out_copied_solution_lines_only():
    lines = ["```python", "def train():", "    g = 2 * (self.output - targets)", "",
             "    for k in range(L, 0, -1):", "        h = self.activations[k]", "    return g", "```"]
    assert solution_regions.redact(lines, [SAMPLE]) == [
        "```python", "def train():", "    " + solution_regions.REDACTED, "    return g", "```"]
    assert solution_regions.redact(lines[:3] + lines[6:], [SAMPLE]) == lines[:3] + lines[6:]


def test_the_hidden_preprocessing_drops_reference_blocks_and_regions():
    page = ["# Lesson", "", '??? success "Reference solution: open it after the grader passes"', "",
            "    ```python", "    def f():", "        # BEGIN SOLUTION: do it", "        return 1",
            "        # END SOLUTION",
            "    ```", "", "    Line by line: ...", "", "Next text.", "",
            '??? success "Reference solution: update"', "    more", "",
            "```python", "def g():", "    # BEGIN SOLUTION: the hint", "    secret = 2", "    # END SOLUTION", "```"]
    out = mkdocs_hooks._DropSolutionMarkers(None, mkdocs_hooks.HIDDEN).run(page)
    text = "\n".join(out)
    assert "Reference solution: open it" not in text and "Line by line" not in text and "more" not in text
    assert text.count("Reference solutions: not in this edition") == 1
    assert "Next text." in text and "secret" not in text and "return 1" not in text
    assert "    # TODO: the hint\n    ...\n```" in text
    shown = "\n".join(mkdocs_hooks._DropSolutionMarkers(None, mkdocs_hooks.SHOWN).run(page))
    assert "Line by line" in shown and "secret = 2" in shown and "BEGIN SOLUTION" not in shown


def test_an_unknown_mode_is_refused(monkeypatch):
    monkeypatch.setenv(mkdocs_hooks.SOLUTIONS_VARIABLE, "maybe")
    with pytest.raises(mkdocs_hooks.PluginError, match="maybe"):
        mkdocs_hooks.solutions_mode()


def test_the_hidden_build_fails_on_solution_code_left_in_the_site(tmp_path, monkeypatch):
    monkeypatch.setenv(mkdocs_hooks.SOLUTIONS_VARIABLE, "hidden")
    forward = next(region for region in REGIONS if region.file == "network.py")
    (tmp_path / "page.html").write_text("<pre>" + "\n".join(forward.lines) + "</pre>")
    with pytest.raises(mkdocs_hooks.PluginError, match=r"page.html: .*network.py"):
        mkdocs_hooks.on_post_build(SimpleNamespace(site_dir=str(tmp_path)))


# --- the default build -----------------------------------------------------------------------


@pytest.mark.parametrize("page", PAGES)
def test_no_solution_region_outside_a_collapsed_block(default_site, page):
    html = built_page(default_site, page).read_text(encoding="utf-8")
    shown = [region.name for region in REGIONS if page_status(region, html) == OPEN]
    assert not shown, f"{page} shows these solution regions openly: {', '.join(shown)}"


def test_lesson_1_keeps_every_reference_collapsed(default_site):
    html = built_page(default_site, LESSON_1).read_text(encoding="utf-8")
    mine = [region for region in REGIONS if region.file == "network.py"]
    assert mine and all(page_status(region, html) == COLLAPSED for region in mine), \
        {region.name: page_status(region, html) for region in mine}
    assert 'id="reference-solution"' in html


# --- the hidden build ------------------------------------------------------------------------


def test_the_hidden_build_succeeds(hidden_build):
    result, _ = hidden_build
    assert result.returncode == 0, result.stderr[-4000:]


def test_no_solution_region_anywhere_in_the_hidden_site(hidden_site):
    assert (hidden_site / "search" / "search_index.json").exists()
    assert solution_regions.leaks(hidden_site, REGIONS) == {}


def test_the_hidden_lesson_says_why_its_references_are_missing(hidden_site):
    html = built_page(hidden_site, LESSON_1).read_text(encoding="utf-8")
    assert "Reference solutions: not in this edition" in html
    assert "Reference solution: open it" not in html
    assert 'id="reference-solution"' in html  # the grader's "compare with the reference" link still lands


def test_counts_take_each_region_at_its_most_visible(tmp_path):
    short = Region("network.py", 9, ("return float(np.sum((self.output - targets) ** 2))",))
    other = Region("network.py", 20, ("alpha = 1", "beta = 2", "gamma = 3"))
    code = "<pre>" + "\n".join(SAMPLE.lines) + "</pre>"
    (tmp_path / "a.html").write_text(f"<details><summary>s</summary>{code}<pre>{short.lines[0]}</pre></details>")
    (tmp_path / "b.html").write_text(code)
    assert solution_regions.counts(tmp_path, [SAMPLE, short, other]) == {
        OPEN: 1, COLLAPSED: 0, ABSENT: 1, f"short {OPEN}": 0, f"short {COLLAPSED}": 1, f"short {ABSENT}": 0}
    (tmp_path / "b.html").unlink()
    (tmp_path / "index.json").write_text(json.dumps({"text": "\n".join(other.lines)}))
    assert solution_regions.counts(tmp_path, [SAMPLE, other]) == {
        OPEN: 1, COLLAPSED: 1, ABSENT: 0, f"short {OPEN}": 0, f"short {COLLAPSED}": 0, f"short {ABSENT}": 0}
