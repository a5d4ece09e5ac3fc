"""Where the reference solutions show on the built site: openly, collapsed, or not at all.

A solution region is the code between `# BEGIN SOLUTION` and `# END SOLUTION` in a file of
`solutions/`. It shows on a page when three or more of its consecutive non-blank lines appear
there (compared as text, whitespace collapsed: code on a page is highlighted into spans, and the
search index keeps no line breaks). On a page it is "collapsed" when it shows only inside a
closed `<details>` element (a `??? success "Reference solution..."` block), "open" when it shows
anywhere else.

    python -m coursekit.solution_regions site/          # counts per build, and the pages
"""

import html
import json
import re
import sys
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from coursekit import ROOT
from coursekit.stubs import BEGIN, END

SOLUTIONS = ROOT / "solutions"
WINDOW = 3  # consecutive non-blank lines that count as showing the region
OPEN, COLLAPSED, ABSENT = "open", "collapsed", "absent"


@dataclass(frozen=True)
class Region:
    """One BEGIN/END SOLUTION region: where it is, and its non-blank lines, stripped."""

    file: str
    line: int  # of its BEGIN SOLUTION marker
    lines: tuple

    @property
    def name(self):
        return f"{self.file}:{self.line}"

    def windows(self):
        """Every run of WINDOW consecutive lines, whitespace collapsed, as one string each; for a
        region shorter than that, its whole text (only `counts` looks at those)."""
        if len(self.lines) < WINDOW:
            return [squash(" ".join(self.lines))] if self.lines else []
        return [squash(" ".join(self.lines[i:i + WINDOW])) for i in range(len(self.lines) - WINDOW + 1)]


def squash(text):
    return re.sub(r"\s+", " ", text).strip()


def regions(folder=SOLUTIONS):
    """Every solution region of folder/*.py, in file and line order."""
    found = []
    for path in sorted(Path(folder).glob("*.py")):
        inside, start, body = False, 0, []
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if BEGIN.match(line):
                inside, start, body = True, number, []
            elif END.match(line) and inside:
                found.append(Region(path.name, start, tuple(text.strip() for text in body if text.strip())))
                inside = False
            elif inside:
                body.append(line)
    return found


REDACTED = "...  # (reference code left out of this edition)"


def redact(lines, found=None):
    """`lines` (a page's Markdown) with every run of solution lines replaced by REDACTED.

    A line is redacted when it belongs to WINDOW consecutive non-blank lines (blank lines
    between them skipped) that are, stripped, WINDOW consecutive lines of a region: the same
    rule the checks above apply to the built page, applied before the page is built.
    """
    found = regions() if found is None else found
    windows = {region.lines[i:i + WINDOW] for region in found for i in range(len(region.lines) - WINDOW + 1)}
    nonblank = [i for i, line in enumerate(lines) if line.strip()]
    marked = set()
    for start in range(len(nonblank) - WINDOW + 1):
        run = nonblank[start:start + WINDOW]
        if tuple(lines[i].strip() for i in run) in windows:
            marked.update(range(run[0], run[-1] + 1))
    out = []
    for i, line in enumerate(lines):
        if i not in marked:
            out.append(line)
        elif i - 1 not in marked:  # the first line of a run stands for all of it
            out.append(line[:len(line) - len(line.lstrip())] + REDACTED)
    return out


class _Text(HTMLParser):
    """A page's text content, split into what is inside a closed <details> and the rest."""

    BLOCKS = {"p", "div", "pre", "li", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "br",
              "summary", "details", "table", "ul", "ol", "dt", "dd", "section", "article", "figure"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.details = []  # one entry per open <details>: True when it is closed (collapsed)
        self.shown, self.hidden = [], []
        self.skip = 0  # inside <script> or <style>

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skip += 1
        if tag == "details":
            self.details.append("open" not in dict(attrs))
        if tag in self.BLOCKS:
            self._add(" ")

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.skip = max(self.skip - 1, 0)
        if tag in self.BLOCKS:
            self._add(" ")
        if tag == "details" and self.details:
            self.details.pop()

    def handle_data(self, data):
        if not self.skip:
            self._add(data)

    def _add(self, text):
        (self.hidden if any(self.details) else self.shown).append(text)


def page_text(page_html):
    """(text shown openly, text inside closed <details>) of an HTML page, whitespace collapsed."""
    parser = _Text()
    parser.feed(page_html)
    parser.close()
    return squash("".join(parser.shown)), squash("".join(parser.hidden))


def file_texts(path):
    """Every way a built file may hold text: as it is, HTML-unescaped, tags stripped, JSON strings."""
    raw = Path(path).read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return []
    forms = [text, html.unescape(text)]
    if Path(path).suffix in (".html", ".htm", ".xml", ".svg"):
        shown, hidden = page_text(text)
        forms += [shown, hidden]
    if Path(path).suffix == ".json":
        try:
            strings = []
            _strings(json.loads(text), strings)
            joined = "\n".join(strings)
            forms += [joined, html.unescape(joined), squash(re.sub(r"<[^>]+>", " ", html.unescape(joined)))]
        except ValueError:
            pass
    return [squash(form) for form in forms]


def _strings(value, out):
    if isinstance(value, str):
        out.append(value)
    elif isinstance(value, dict):
        for item in value.values():
            _strings(item, out)
    elif isinstance(value, list):
        for item in value:
            _strings(item, out)


def shows(region, text):
    """Whether WINDOW consecutive lines of `region` appear in `text` (whitespace collapsed)."""
    return any(window in text for window in region.windows())


def page_status(region, page_html):
    """OPEN, COLLAPSED or ABSENT: how one region shows on one HTML page."""
    shown, hidden = page_text(page_html)
    if shows(region, shown):
        return OPEN
    return COLLAPSED if shows(region, hidden) else ABSENT


def site_pages(site):
    pages = sorted(Path(site).rglob("*.html"))
    return {str(path.relative_to(site)): path.read_text(encoding="utf-8") for path in pages}


def open_regions(site, found=None):
    """{page: [region names shown outside a closed <details>]}, for the pages that show any."""
    found = regions() if found is None else found
    bad = {}
    for page, text in site_pages(site).items():
        names = [r.name for r in found if len(r.lines) >= WINDOW and page_status(r, text) == OPEN]
        if names:
            bad[page] = names
    return bad


def leaks(site, found=None):
    """{file: [region names]} for every file under `site` holding any region, in any form."""
    found = [r for r in (regions() if found is None else found) if len(r.lines) >= WINDOW]
    bad = {}
    for path in sorted(Path(site).rglob("*")):
        if not path.is_file():
            continue
        texts = file_texts(path)
        names = [r.name for r in found if any(shows(r, text) for text in texts)]
        if names:
            bad[str(path.relative_to(site))] = names
    return bad


def counts(site, found=None):
    """How the regions show on the built site: {OPEN: n, COLLAPSED: n, ABSENT: n} for the regions
    of WINDOW lines or more (each region's most visible state: open on one page beats collapsed
    on another; on no page but in another file of the site counts as open), and the
    same with "short " in front for the shorter ones, judged on the pages by their whole text."""
    found = regions() if found is None else found
    long = [r for r in found if len(r.lines) >= WINDOW]
    texts = [page_text(text) for text in site_pages(site).values()]
    elsewhere = {name for names in leaks(site, long).values() for name in names}
    result = {f"{prefix}{state}": 0 for prefix in ("", "short ") for state in (OPEN, COLLAPSED, ABSENT)}
    for region in found:
        if any(shows(region, shown) for shown, _ in texts):
            state = OPEN
        elif any(shows(region, hidden) for _, hidden in texts):
            state = COLLAPSED  # the search index then holds it too, as it holds every page's text
        else:
            state = OPEN if region.name in elsewhere else ABSENT
        result[("" if region in long else "short ") + state] += 1
    return result


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    site = Path(argv[0] if argv else "site")
    found = regions()
    short = sum(len(r.lines) < WINDOW for r in found)
    print(f"{site}: {len(found)} solution regions, {short} of them shorter than {WINDOW} lines; "
          + ", ".join(f"{v} {k}" for k, v in counts(site, found).items()))
    for file in sorted({r.file for r in found}):
        mine = [r for r in found if r.file == file]
        print(f"  {file}: " + ", ".join(f"{v} {k}" for k, v in counts(site, mine).items() if v))
    for page, names in open_regions(site, found).items():
        print(f"  open on {page}: {', '.join(names)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
