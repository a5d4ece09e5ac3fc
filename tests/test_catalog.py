"""grader/catalog.py is the one table of the course, and this test holds it true.

For each module of `catalog.MODULES`: its files exist (solution, exercise, grader test, hints,
and the worked example when the catalog says it has one), the nav has its page, the page's H1
is "<number>. <title>", and every anchor something links to is a heading of the page: each
`section=` of a grader test's `grade` marker, each diagnosis's `anchor=`
(grader/diagnoses/<module>.py), each worked value's `section` (coursekit/worked/<module>.py), and
the reference solutions' anchor the grader's summary and hint command link to. The hints name
exactly the exercise's stubs. The checks are plain functions of text, so the last tests prove
that each one fails on a broken input (a changed title, a removed anchor, a titled nav entry,
a stub without hints).

The one slug rule is Python-Markdown's, as MkDocs renders the pages: a heading's id is its
`{#id}` attribute if it has one, else `markdown.extensions.toc.slugify` of its text (inline
markup removed), made unique with `_1`, `_2` as the toc extension does.
"""

import ast
import html
import importlib
import re
import tomllib

import markdown
import pytest
from markdown.extensions.toc import slugify, unique

from coursekit import ROOT, lesson_nav, worked
from coursekit.stubs import find_stubs
from grader import catalog, hint, progress

FENCE = re.compile(r"^\s*(```|~~~)")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
ATTRIBUTES = re.compile(r"\s*\{:?\s*([^}]*)\}\s*$")


# --- the checks: functions of text, so that a broken input can prove each fails ---

def headings(text):
    """[(level, title, id)] of a Markdown page's headings, code blocks skipped, ids as MkDocs makes them."""
    found, used, fence = [], set(), None
    for line in text.splitlines():
        opened = FENCE.match(line)
        if opened:
            fence = None if fence == opened.group(1) else (fence or opened.group(1))
            continue
        match = HEADING.match(line) if fence is None else None
        if not match:
            continue
        title, explicit = match.group(2), None
        attributes = ATTRIBUTES.search(title)
        if attributes:
            title = title[:attributes.start()]
            explicit = next((a[1:] for a in attributes.group(1).split() if a.startswith("#")), None)
        inline = re.sub(r"^(\d+)\.", r"\1\\.", title)  # "1. Title" is a heading's text, not a list
        plain = html.unescape(re.sub(r"<[^>]+>", "", markdown.markdown(inline)))
        anchor = explicit or unique(slugify(plain, "-"), used)
        used.add(anchor)
        found.append((len(match.group(1)), plain.strip(), anchor))
    return found


def page_problems(module, entry, text, wanted):
    """What is wrong with a lesson page: its H1, and the anchors in `wanted` ({anchor: who links})."""
    problems = []
    titles = [title for level, title, _ in headings(text) if level == 1]
    expected = f"{entry.number}. {entry.title}"
    if titles[:1] != [expected]:
        problems.append(f"{module}: the page's H1 is {titles[:1]}, the catalog says {expected!r}")
    ids = {anchor for _, _, anchor in headings(text)}
    for anchor, who in sorted(wanted.items()):
        if anchor not in ids:
            problems.append(f"{module}: {who} links to #{anchor}, which no heading of {entry.page}.md has")
    return problems


def nav_problems(module, entry, nav):
    """The page must be in the nav, without a title of its own (the nav takes the page's H1)."""
    page = f"{entry.page}.md"
    if page in nav:
        return []
    titled = [item for item in nav if isinstance(item, dict) and page in item.values()]
    if titled:
        return [f"{module}: the nav titles {page} itself ({titled[0]}); leave the title to the page's H1"]
    return [f"{module}: {page} is not in the nav"]


def hint_problems(module, stubs, hinted):
    """The hints file's keys are exactly the exercise's stubs."""
    problems = [f"{module}: the stub {name} has no hints" for name in sorted(stubs - hinted)]
    extra = sorted(hinted - stubs)
    return problems + [f"{module}: hints for {name}, which is no stub of the exercise" for name in extra]


# --- what the course holds, per module ---

def files(module, entry):
    paths = [f"solutions/{module}.py", f"exercises/{module}.py", f"grader/test_{module}.py",
             f"grader/hints/{module}.toml", f"docs/{entry.page}.md"]
    return paths + ([f"coursekit/worked/{module}.py"] if entry.worked else [])


def linked_anchors(module, entry):
    """{anchor: who links to it} for everything that links into the module's lesson."""
    wanted = {progress.REFERENCE_ANCHOR: "the grader's summary", hint.REFERENCE_ANCHOR: "python -m grader.hint"}
    test = f"grader/test_{module}.py"
    for node in ast.walk(ast.parse((ROOT / test).read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            for keyword in node.keywords:
                if keyword.arg == "section" and isinstance(keyword.value, ast.Constant):
                    wanted[keyword.value.value] = f"a grade marker of {test}"
    if importlib.util.find_spec(f"grader.diagnoses.{module}") is not None:
        for mistake in importlib.import_module(f"grader.diagnoses.{module}").MISTAKES:
            assert mistake.module == module, (mistake.name, mistake.module)
            wanted[mistake.anchor] = f"the diagnosis {mistake.name!r} (grader/diagnoses/{module}.py)"
    if entry.worked:
        for value in worked.reference_values(module):
            wanted[value.section] = f"the worked value {value.label!r} (coursekit/worked/{module}.py)"
    return wanted


def nav():
    """The nav's entries as the site builds them: mkdocs.yml's `Lessons: lessons/` filled by the hook."""
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert re.search(r"^  - Lessons: lessons/", text, re.M), "mkdocs.yml's nav lost its `- Lessons: lessons/` entry"
    listed = re.findall(r"^\s+- (?:[^:\n]+: )?([\w/.-]+\.md)\s*$", text[text.index("\nnav:"):], re.M)
    return listed + lesson_nav.lesson_pages(ROOT / "docs")


# --- the catalog, held true ---

@pytest.mark.parametrize("module", catalog.MODULES)
def test_the_module_s_files_exist(module):
    missing = [path for path in files(module, catalog.MODULES[module]) if not (ROOT / path).is_file()]
    assert not missing, f"{module}: the catalog lists it, but these files are missing: {missing}"


@pytest.mark.parametrize("module", catalog.MODULES)
def test_the_nav_has_the_page_titled_by_its_h1(module):
    assert nav_problems(module, catalog.MODULES[module], nav()) == []


@pytest.mark.parametrize("module", catalog.MODULES)
def test_the_page_has_the_catalog_s_title_and_every_anchor_linked_to(module):
    entry = catalog.MODULES[module]
    text = (ROOT / "docs" / f"{entry.page}.md").read_text(encoding="utf-8")
    assert page_problems(module, entry, text, linked_anchors(module, entry)) == []


@pytest.mark.parametrize("module", catalog.MODULES)
def test_the_hints_are_exactly_the_stubs(module):
    stubs = find_stubs((ROOT / "exercises" / f"{module}.py").read_text(encoding="utf-8"))
    with open(ROOT / "grader" / "hints" / f"{module}.toml", "rb") as file:
        hinted = set(tomllib.load(file))
    assert hint_problems(module, stubs, hinted) == []


def test_the_lesson_numbers_are_those_of_the_pages_in_nav_order():
    pages = lesson_nav.lesson_pages(ROOT / "docs")
    numbers = [lesson_nav.lesson_number(ROOT / "docs" / page) for page in pages]
    assert numbers == sorted(set(numbers)), f"two lessons share a number, or one is missing: {pages}"
    for entry in catalog.MODULES.values():
        assert pages.index(f"{entry.page}.md") == numbers.index(entry.number)


# --- each check fails on a broken input ---

NETWORK = catalog.MODULES["network"]
PAGE = (ROOT / "docs" / f"{NETWORK.page}.md").read_text(encoding="utf-8")


def test_a_changed_title_is_caught():
    assert page_problems("network", NETWORK, PAGE, {}) == []
    broken = PAGE.replace("# 1. The Network class", "# 1. The network class", 1)
    assert "the page's H1" in " ".join(page_problems("network", NETWORK, broken, {}))
    renumbered = PAGE.replace("# 1. The Network class", "# 2. The Network class", 1)
    assert page_problems("network", NETWORK, renumbered, {})


def test_a_missing_anchor_is_caught():
    wanted = linked_anchors("network", NETWORK)
    assert "sign-flipped" in wanted and page_problems("network", NETWORK, PAGE, wanted) == []
    broken = PAGE.replace("{#sign-flipped}", "{#sign-reversed}")
    assert broken != PAGE
    assert page_problems("network", NETWORK, broken, wanted) == [
        f"network: {wanted['sign-flipped']} links to #sign-flipped, which no heading of lessons/network.md has"]


def test_the_slug_rule_is_mkdocs_s():
    text = ("# 1. A title\n## The `Network` class\n## Plain & simple\n## Plain & simple\n"
            "### With an id {#chosen}\n```python\n# a comment, not a heading\n```\n## Après\n")
    assert [anchor for _, _, anchor in headings(text)] == [
        "1-a-title", "the-network-class", "plain-simple", "plain-simple_1", "chosen", "apres"]
    rendered = markdown.Markdown(extensions=["toc", "attr_list", "fenced_code"])
    rendered.convert(text)

    def ids(tokens):
        return [i for t in tokens for i in [t["id"], *ids(t["children"])]]

    assert ids(rendered.toc_tokens) == [anchor for _, _, anchor in headings(text)]


def test_a_titled_or_missing_nav_entry_is_caught():
    assert nav_problems("network", NETWORK, ["index.md", "lessons/network.md"]) == []
    assert "titles" in nav_problems("network", NETWORK, [{"1. The Network class": "lessons/network.md"}])[0]
    assert "not in the nav" in nav_problems("network", NETWORK, ["index.md"])[0]


def test_a_stub_without_hints_and_hints_without_a_stub_are_caught():
    assert hint_problems("network", {"Network.forward"}, {"Network.forward"}) == []
    stubs, hinted = {"Network.forward", "Network.update"}, {"Network.forward", "Network.fit"}
    assert hint_problems("network", stubs, hinted) == [
        "network: the stub Network.update has no hints",
        "network: hints for Network.fit, which is no stub of the exercise"]
