"""The course site builds with `mkdocs build --strict` and works offline.

The site is built once per module (a few seconds); the checks then read the built HTML.
The HTML checks are plain functions, tested on small bad samples too, so that each of them
is known to be able to fail.
"""

from __future__ import annotations

import shutil
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from coursekit import ROOT
from tests.sites import mkdocs_build

MATHJAX = "assets/mathjax"
MATHJAX_BUDGET_MB = 3.0
# What markdown-exec renders in place of the output when a code block raises (see
# markdown_exec/_internal/formatters/python.py): the traceback in a code block, whose frames
# are named "<code block: ...>", HTML-escaped in the page.
EXEC_ERROR_MARKERS = ("Traceback (most recent call last)", "&lt;code block: ")


@pytest.fixture(scope="module")
def build(site_build):
    """The default build (tests/conftest.py: one per run, shared with test_solutions_hidden)."""
    return site_build


@pytest.fixture(scope="module")
def site(build) -> Path:
    result, site_dir = build
    if result.returncode != 0:
        pytest.fail(f"mkdocs build --strict failed:\n{result.stderr[-4000:]}")
    return site_dir


@pytest.fixture(scope="module")
def pages(site: Path) -> dict[str, str]:
    found = {str(p.relative_to(site)): p.read_text(encoding="utf-8") for p in site.rglob("*.html")}
    assert "index.html" in found
    return found


# --- HTML checks -------------------------------------------------------------------------


class _Tags(HTMLParser):
    """Collects (tag, attributes) for every start tag."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {k: v or "" for k, v in attrs}))


def tags(html: str) -> list[tuple[str, dict[str, str]]]:
    parser = _Tags()
    parser.feed(html)
    return parser.tags


def external_resources(html: str) -> list[str]:
    """URLs of scripts, stylesheets, fonts, icons and images loaded from another host."""
    bad = []
    for tag, attrs in tags(html):
        url = {"script": attrs.get("src"), "img": attrs.get("src"), "link": attrs.get("href")}.get(tag)
        if tag == "link" and "canonical" in attrs.get("rel", "").split():
            continue  # a link to this page's public address, not a resource the page loads
        if not url:
            continue
        parts = urlsplit(url)
        if parts.scheme == "data":
            continue
        if parts.scheme or parts.netloc:  # http:, https:, file:, or protocol-relative //host
            bad.append(url)
    return bad


def unlabelled_images(html: str) -> list[str]:
    """<img> without alt text and <figure role="img"> without aria-label."""
    bad = []
    for tag, attrs in tags(html):
        if tag == "img" and not attrs.get("alt", "").strip():
            bad.append(f"<img src={attrs.get('src')!r}>")
        if tag == "figure" and attrs.get("role") == "img" and not attrs.get("aria-label", "").strip():
            bad.append('<figure role="img">')
    return bad


def exec_errors(html: str) -> list[str]:
    return [marker for marker in EXEC_ERROR_MARKERS if marker in html]


@pytest.mark.parametrize(
    ("check", "html"),
    [
        (external_resources, '<script src="https://cdn.example.org/mathjax.js"></script>'),
        (external_resources, '<link rel="stylesheet" href="//fonts.example.com/css">'),
        (external_resources, '<img alt="x" src="http://example.org/a.png">'),
        (unlabelled_images, '<img src="a.png">'),
        (unlabelled_images, '<img src="a.png" alt=" ">'),
        (unlabelled_images, '<figure role="img"><svg></svg></figure>'),
        (exec_errors, "<pre>Traceback (most recent call last):\n  File &lt;code block: n1&gt;</pre>"),
    ],
)
def test_checks_catch_bad_html(check, html):
    assert check(html)


def test_checks_accept_good_html():
    good = (
        '<script src="../assets/mathjax/tex-mml-chtml.js"></script>'
        '<link rel="stylesheet" href="assets/stylesheets/main.css">'
        '<link rel="icon" href="data:image/png;base64,AAAA">'
        '<img src="a.png" alt="a"><figure role="img" aria-label="b"><svg></svg></figure>'
    )
    assert not external_resources(good)
    assert not unlabelled_images(good)
    assert not exec_errors(good)


# --- The built site ----------------------------------------------------------------------


def test_strict_build_succeeds(build):
    result, _ = build
    assert result.returncode == 0, result.stderr[-4000:]


def test_mathjax_is_served_locally(site: Path):
    mathjax = site / MATHJAX
    assert (mathjax / "tex-mml-chtml.js").is_file()
    assert (mathjax / "input/tex/extensions/boldsymbol.js").is_file()
    assert list((mathjax / "output/chtml/fonts/woff-v2").glob("*.woff")), "no MathJax font"
    size = sum(f.stat().st_size for f in mathjax.rglob("*") if f.is_file()) / 1e6
    assert size <= MATHJAX_BUDGET_MB, f"MathJax assets are {size:.1f} MB"


def test_math_pages_load_config_then_mathjax(pages: dict[str, str]):
    for name, html in pages.items():
        if name == "404.html":
            continue
        scripts = [a["src"] for t, a in tags(html) if t == "script" and "src" in a]
        ours = [s for s in scripts if s.endswith(("javascripts/mathjax.js", "mathjax/tex-mml-chtml.js"))]
        assert len(ours) == 2 and ours[0].endswith("javascripts/mathjax.js"), (name, scripts)
    assert '<span class="arithmatex">\\(' in pages["index.html"]
    assert '<div class="arithmatex">\\[' in pages["index.html"]


def test_no_resources_from_other_hosts(pages: dict[str, str]):
    bad = {name: urls for name, html in pages.items() if (urls := external_resources(html))}
    assert not bad


def test_no_code_block_errors(pages: dict[str, str]):
    bad = {name: found for name, html in pages.items() if (found := exec_errors(html))}
    assert not bad


def test_images_have_text_alternatives(pages: dict[str, str]):
    bad = {name: found for name, html in pages.items() if (found := unlabelled_images(html))}
    assert not bad
    # The landing page's build-time figure really made it into the page.
    figures = [a for t, a in tags(pages["index.html"]) if t == "figure" and a.get("role") == "img"]
    assert figures and "<svg" in pages["index.html"]


# --- Broken references fail the strict build ---------------------------------------------


def headings_only(markdown: str) -> str:
    """A page's headings (ids included) and nothing else: every link target stays, while the
    page no longer runs code or links anywhere, so that its build takes a second."""
    lines, fenced = [], False
    for line in markdown.splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        elif not fenced and line.startswith("#"):
            lines += [line, ""]
    return "\n".join(lines)


def headings_copy(folder: Path) -> Path:
    """The repository copied into `folder`, the project's own configuration (mkdocs.yml, hooks,
    overrides) as it is, every page cut to its headings; returns the page to break, one in nav."""
    shutil.copytree(ROOT, folder, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns(".git", ".venv", "site", "__pycache__", ".cache"))
    for page in (folder / "docs").rglob("*.md"):
        page.write_text(headings_only(page.read_text(encoding="utf-8")), encoding="utf-8")
    return folder / "docs" / "instructors.md"


def test_headings_only_keeps_headings_and_drops_the_rest():
    page = "# 1. Title\n\nText [a](b.md).\n\n```python\n# a comment\n```\n\n## Part {#part}\n"
    assert headings_only(page) == "# 1. Title\n\n## Part {#part}\n"


def test_the_headings_copy_builds(tmp_path: Path):
    """The control for the cases below: the cut copy builds, so their failure is their reference's."""
    headings_copy(tmp_path)
    result = mkdocs_build(tmp_path, tmp_path / "site", TRYIT="off")  # the panels are the default site's to test
    assert result.returncode == 0, result.stderr[-4000:]


@pytest.mark.parametrize(
    ("markdown", "expected"),
    [
        ('--8<-- "no/such/file.py"', "no/such/file.py"),
        ("[broken](getting-started.md#no-such-anchor)", "no-such-anchor"),
        ("[broken](no-such-page.md)", "no-such-page.md"),
    ],
    ids=["snippet", "anchor", "page"],
)
def test_broken_reference_fails_strict_build(tmp_path: Path, markdown: str, expected: str):
    page = headings_copy(tmp_path)
    page.write_text(page.read_text(encoding="utf-8") + f"\n{markdown}\n", encoding="utf-8")

    result = mkdocs_build(tmp_path, tmp_path / "site", TRYIT="off")  # the panels are the default site's to test

    assert result.returncode != 0
    assert expected in result.stderr, result.stderr[-4000:]
