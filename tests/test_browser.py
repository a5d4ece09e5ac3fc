"""The course site as readers meet it: every built page, loaded in a real Chromium.

The site is the run's one default build (`mkdocs build --strict`, tests/conftest.py), served
from a thread on a free loopback port as a copy built for that server would be (its links to
the default `site_url` point at the server), and each page it produces is loaded once; the
tests then check what was recorded: console errors, requests that left the local server,
math, images, code blocks, figures' text alternatives, and axe-core's accessibility report.
Search and the dark-mode toggle are exercised by clicking, as a reader would.

Pages are discovered from the built site, not listed here, so new lessons are covered as
soon as they are in the nav. The in-page checks are also run on small bad pages, so that
each of them is known to be able to fail.

Needs Chromium (Debian's `chromium` package; `make test` installs it when it can) and the
PyPI packages `playwright` and `axe-playwright-python` (for axe-core's `axe.min.js`). Never
`playwright install`: the tests drive the system Chromium. Without them, the tests are skipped.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import threading
from dataclasses import dataclass, field
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit
from xml.etree import ElementTree

import pytest

INSTALL_HINT = (
    "Chromium not found: install it with `apt-get install chromium` (Debian/Ubuntu, as root) "
    "or `make browser`, or point CHROMIUM=/path/to/chromium at one; never `playwright install`."
)
CHROMIUM_ARGS = [
    "--no-sandbox",  # root in a container has no user namespace for the sandbox
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
SEARCH_WORD = "backpropagation"
# axe-core impacts that fail the tests; "minor" and "moderate" ones are not checked.
FAILING_IMPACTS = ("serious", "critical")
# A text alternative "says what the figure shows" only if it says more than this many words.
MIN_ALT_WORDS = 4
GENERIC_ALT = re.compile(r"^(an? |the )?(image|picture|figure|plot|graph|chart|diagram|screenshot)\b", re.I)
PAGE_TIMEOUT_MS = 20_000


# --- Setup: Chromium, the built site, the server -----------------------------------------


def find_chromium() -> str | None:
    return os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def playwright_api():
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="playwright is not installed: pip install -e '.[dev]'"
    )
    if find_chromium() is None:
        pytest.skip(INSTALL_HINT)
    return sync_api


@pytest.fixture(scope="module")
def axe_script(playwright_api) -> str:
    """axe-core, as shipped inside the axe-playwright-python wheel (no CDN, no npm)."""
    axe_package = pytest.importorskip(
        "axe_playwright_python", reason="axe-playwright-python is not installed: pip install -e '.[dev]'"
    )
    return (Path(axe_package.__file__).parent / "axe.min.js").read_text(encoding="utf-8")


class SiteHandler(SimpleHTTPRequestHandler):
    """Serves a site built for `site_url` as if it had been built for this server: in its HTML
    and XML, every absolute link to `site_url` (404.html's assets, canonical links, the sitemap,
    the grader's lesson links) points at the server, as `SITE_URL=<server>/ mkdocs build` makes
    them. Everything else is served as built."""

    def log_message(self, *args) -> None:
        pass

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir() and self.path.split("?")[0].endswith("/"):
            path = path / "index.html"
        if path.suffix not in (".html", ".xml") or not path.is_file():
            return super().send_head()
        built_for, origin = self.server.built_for.encode(), (self.server.origin + "/").encode()
        body = path.read_bytes().replace(built_for, origin)
        self.send_response(200)
        self.send_header("Content-Type", "text/html" if path.suffix == ".html" else "application/xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)


@pytest.fixture(scope="module")
def server(playwright_api, site_build):
    """(origin, site directory): the run's default build, served on 127.0.0.1:<free port>."""
    result, site = site_build
    if result.returncode != 0:
        pytest.fail(f"mkdocs build --strict failed:\n{result.stderr[-4000:]}")
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(SiteHandler, directory=str(site)))
    httpd.origin = f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.built_for = built_for(site) + "/"
    origin = httpd.origin
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield origin, site
    httpd.shutdown()
    httpd.server_close()


def sitemap(site: Path) -> list[str]:
    """The URLs the built site's sitemap.xml lists: the nav's pages, under its `site_url`."""
    return [el.text for el in ElementTree.parse(site / "sitemap.xml").iter() if el.tag.endswith("loc")]


def built_for(site: Path) -> str:
    """The origin the site was built for ("http://127.0.0.1:8000"), from its sitemap."""
    first = urlsplit(sitemap(site)[0])
    return f"{first.scheme}://{first.netloc}"


def discover_pages(site: Path) -> list[str]:
    """The URL path of every HTML page in the built site, e.g. "/", "/lessons/network/", "/404.html"."""
    paths = []
    for html in sorted(site.rglob("*.html")):
        relative = html.relative_to(site).as_posix()
        if relative.endswith("index.html"):
            paths.append("/" + relative[: -len("index.html")])
        else:
            paths.append("/" + relative)  # 404.html: served by the host for missing pages
    return paths


def built_page(site: Path, path: str) -> Path:
    """The HTML file of the built site that is served at URL path `path`."""
    return site / (path.lstrip("/") + "index.html" if path.endswith("/") else path.lstrip("/"))


@pytest.fixture(scope="module")
def page_paths(server) -> list[str]:
    origin, site = server
    paths = discover_pages(site)
    # The sitemap lists the nav's pages: each must be one that was found (404.html is not in it).
    locs = sitemap(site)
    assert locs and {loc.removeprefix(built_for(site)) for loc in locs} <= set(paths), (locs, paths)
    assert "/" in paths and "/404.html" in paths
    return paths


@pytest.fixture(scope="module")
def browser(playwright_api):
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=find_chromium(), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


# --- What one visit records ----------------------------------------------------------------

# Runs in the page once it is loaded: waits for images, then reports what a reader would meet.
INSPECT_JS = r"""
async () => {
  const content = document.querySelector(".md-content") || document.body;
  const imgs = [...document.images];
  imgs.forEach((img) => { img.loading = "eager"; });
  await Promise.all(imgs.map((img) => img.decode().catch(() => null)));
  const brokenImages = imgs
    .filter((img) => !(img.complete && img.naturalWidth > 0))
    .map((img) => img.getAttribute("src") || img.outerHTML.slice(0, 120));
  // Build-time figures are inline SVG: "loaded" means drawn with a size.
  const emptyFigures = [...content.querySelectorAll('figure[role="img"]')]
    .filter((fig) => {
      const drawing = fig.querySelector("svg, img");
      if (!drawing) return true;
      const box = drawing.getBoundingClientRect();
      return box.width === 0 || box.height === 0;
    })
    .map((fig) => fig.getAttribute("aria-label") || fig.outerHTML.slice(0, 120));

  // Raw TeX delimiters left in the text that readers see (code is allowed to show them).
  const rawMath = [];
  const walker = document.createTreeWalker(content, NodeFilter.SHOW_TEXT, {
    acceptNode: (node) =>
      node.parentElement.closest("pre, code, script, style, mjx-container, textarea")
        ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT,
  });
  const delimiter = /\$\$|\\\(|\\\)|\\\[|\\\]/;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (delimiter.test(node.data)) rawMath.push(node.data.trim().slice(0, 80));
  }
  const untypeset = [...content.querySelectorAll(".arithmatex")]
    .filter((el) => !el.querySelector("mjx-container"))
    .map((el) => el.textContent.trim().slice(0, 80));
  const mathErrors = [...content.querySelectorAll("mjx-merror")]
    .map((el) => el.getAttribute("data-mjx-error") || el.textContent.slice(0, 80));

  const codeProblems = [];
  const codeBlocks = [...content.querySelectorAll("pre > code")];
  for (const code of codeBlocks) {
    const name = code.textContent.trim().split("\n")[0].slice(0, 60);
    // Pseudocode is deliberately plain text: it must go through the highlighter (same
    // look, copy button) but has no tokens to colour.
    // pymdownx.highlight gives a `text` fence no language-* class.
    const plain = !code.closest('[class*="language-"]') || code.closest(".language-text");
    if (!code.closest(".highlight") || (!plain && !code.querySelector("span[class]"))) {
      codeProblems.push(`not highlighted: ${name}`);
    }
    if (!code.parentElement.querySelector('.md-clipboard, button[data-md-type="copy"]')) {
      codeProblems.push(`no copy button: ${name}`);
    }
  }

  // Text alternatives of the figures in the content: <img alt> and role="img" labels.
  const alternatives = [
    ...[...content.querySelectorAll("img")].map((img) => ({
      what: `<img src="${img.getAttribute("src")}">`, text: img.getAttribute("alt") })),
    ...[...content.querySelectorAll('[role="img"]')].map((el) => ({
      what: `<${el.tagName.toLowerCase()} role="img">`, text: el.getAttribute("aria-label") })),
  ];

  const footer = (which) => {
    const link = document.querySelector(`a.md-footer__link--${which}`);
    return link ? new URL(link.href).pathname : null;
  };
  return {
    brokenImages, emptyFigures, rawMath, untypeset, mathErrors, codeProblems,
    codeBlocks: codeBlocks.length, alternatives, prev: footer("prev"), next: footer("next"),
  };
}
"""

# axe-core's rules, all of them, or only those whose verdict a colour scheme can change: the
# dark scheme changes the palette's colours and nothing else.
COLOUR_RULES = ["color-contrast", "link-in-text-block"]  # the ones axe runs by default
# Starts axe-core in the page and returns at once; AXE_DONE_JS then says when it has finished
# and AXE_FOUND_JS gives what it found. Several pages can then be checked at the same time.
AXE_START_JS = """
([impacts, rules]) => {
  window.__axeFound = undefined;
  const options = { resultTypes: ["violations"] };
  if (rules) options.runOnly = { type: "rule", values: rules };
  axe.run(document, options).then(
    (results) => {
      window.__axeFound = results.violations
        .filter((v) => impacts.includes(v.impact))
        .map((v) => ({ id: v.id, impact: v.impact, help: v.help,
                       targets: v.nodes.slice(0, 5).map((n) => n.target.join(" ")) }));
    },
    (error) => {
      window.__axeFound = [{ id: "axe-error", impact: "critical", help: String(error), targets: [] }];
    });
}
"""
AXE_DONE_JS = "() => window.__axeFound !== undefined"
AXE_FOUND_JS = "() => window.__axeFound"
AXE_TIMEOUT_MS = 90_000  # a long lesson takes axe some 4 s alone, several times that on a busy machine
# Pages loaded and checked at the same time, each in a tab (a renderer process) of its own: the site's
# 13 pages took 53 s two at a time and 65 s one at a time (idle 2-core machine; three: 54 s).
PAGES_AT_ONCE = 2

# True once every arithmatex element holds typeset math, or at once where MathJax is not
# even configured (the bad sample pages); what is left untypeset is reported by INSPECT_JS.
MATH_DONE_JS = """
() => !window.MathJax
  || [...document.querySelectorAll(".arithmatex")].every((el) => el.querySelector("mjx-container"))
"""


@dataclass
class Visit:
    path: str
    console_errors: list[str] = field(default_factory=list)
    outside_requests: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    inspection: dict = field(default_factory=dict)
    axe: list[dict] = field(default_factory=list)


class Tab:
    """A page of the browser that records what happens in it into the Visit of the URL it shows.

    One tab loads page after page (`open`): a page of its own for every URL would start a
    renderer each time, about a second of CPU. Between two URLs the tab shows about:blank, and
    what happens then is recorded nowhere, as for a closed page."""

    def __init__(self, context, origin: str):
        self.origin, self.record, self.contents = origin, None, {}
        self.page = context.new_page()
        self.page.route("**/*", self._route)
        self.page.on("console", lambda m: m.type == "error" and self._note("console_errors", m.text))
        self.page.on("pageerror", lambda e: self._note("console_errors", f"uncaught: {e}"))
        self.page.on("requestfailed", lambda r: r.url.startswith(origin) and self._note("failed_requests", r.url))
        self.page.on("response", lambda r: r.status >= 400 and self._note("failed_requests", f"{r.status} {r.url}"))

    def _note(self, what: str, text: str) -> None:
        if self.record is not None:
            getattr(self.record, what).append(text)

    def _route(self, route_, request):
        if request.url in self.contents:
            route_.fulfill(body=self.contents[request.url], content_type="text/html")
        elif request.url.startswith(self.origin + "/"):
            route_.continue_()
        else:
            self._note("outside_requests", request.url)
            route_.abort()

    def open(self, url: str, content: str | None = None) -> Visit:
        """Navigate to `url` (or to `content`, served at `url` as if it were on the site) without
        waiting for it to load; returns the Visit that records it."""
        if self.record is not None:
            self.record = None
            self.page.goto("about:blank", timeout=PAGE_TIMEOUT_MS)
        self.contents = {} if content is None else {url: content}
        self.record = Visit(url.removeprefix(self.origin))
        self.page.goto(url, wait_until="commit", timeout=PAGE_TIMEOUT_MS)
        return self.record


def run_axe(opened, rules, suffix=""):
    """axe-core in every page of `opened` ([(page, Visit)]) at once; each Visit gets its findings."""
    for page, _ in opened:
        page.evaluate(AXE_START_JS, [list(FAILING_IMPACTS), rules])
    for page, record in opened:
        page.wait_for_function(AXE_DONE_JS, timeout=AXE_TIMEOUT_MS, polling=100)
        record.axe += [{**v, "id": v["id"] + suffix} for v in page.evaluate(AXE_FOUND_JS)]


def visit_all(context, urls: list[str], origin: str, axe_script: str, *, contents: dict | None = None,
              dark: bool = False, at_once: int = PAGES_AT_ONCE) -> dict[str, Visit]:
    """Load each of `urls` (or its entry in `contents`, served at it), `at_once` pages at a time
    in as many tabs, and record what happened: {url: Visit}. With `dark`, axe-core also checks
    each page in the dark scheme."""
    visits, tabs = {}, []
    try:
        for start in range(0, len(urls), at_once):
            batch = urls[start:start + at_once]
            while len(tabs) < len(batch):
                tabs.append(Tab(context, origin))
            opened = [(tab.page, tab.open(url, (contents or {}).get(url))) for tab, url in zip(tabs, batch)]
            for page, record in opened:
                page.wait_for_load_state("load", timeout=PAGE_TIMEOUT_MS)
                try:
                    page.wait_for_function(MATH_DONE_JS, timeout=PAGE_TIMEOUT_MS, polling=100)
                except Exception:  # noqa: BLE001 - what is left untypeset is reported by INSPECT_JS
                    pass
                record.inspection = page.evaluate(INSPECT_JS)
                page.add_script_tag(content=axe_script)
            run_axe(opened, None)
            if dark:  # the same pages in the dark scheme, as the palette toggle sets it
                for page, _ in opened:
                    # Without transitions, so that axe measures the final colours, not a fade.
                    page.add_style_tag(content="*, *::before, *::after { transition: none !important; }")
                    page.evaluate("document.body.setAttribute('data-md-color-scheme', 'slate')")
                run_axe(opened, COLOUR_RULES, " (dark)")
            visits |= {origin + record.path: record for _, record in opened}
    finally:
        for tab in tabs:
            tab.page.close()
    return visits


def visit(context, url: str, origin: str, axe_script: str, *, content: str | None = None,
          dark: bool = False) -> Visit:
    """visit_all for one page: its Visit."""
    contents = None if content is None else {url: content}
    return visit_all(context, [url], origin, axe_script, contents=contents, dark=dark)[url]


@pytest.fixture(scope="module")
def context(browser):
    ctx = browser.new_context(color_scheme="light", viewport={"width": 1280, "height": 900})
    yield ctx
    ctx.close()


@pytest.fixture(scope="module")
def visits(context, server, page_paths, axe_script) -> dict[str, Visit]:
    origin, site = server
    # Longest first, so that the pages checked together take about as long as each other.
    longest = sorted(page_paths, key=lambda path: -len(built_page(site, path).read_bytes()))
    found = visit_all(context, [origin + path for path in longest], origin, axe_script, dark=True)
    return {path: found[origin + path] for path in page_paths}


def weak_alternative(text: str | None) -> bool:
    """True if a figure's text alternative is missing or cannot say what the figure shows."""
    text = (text or "").strip()
    return (
        len(text.split()) < MIN_ALT_WORDS
        or bool(re.search(r"\.(png|jpe?g|gif|svg|webp)$", text, re.I))
        or bool(GENERIC_ALT.match(text)) and len(text.split()) < MIN_ALT_WORDS + 2
    )


# Each check: Visit -> list of problems (empty when the page is fine).
CHECKS = {
    "console": lambda v: v.console_errors,
    "offline": lambda v: v.outside_requests + v.failed_requests,
    "math": lambda v: [f"raw: {t}" for t in v.inspection["rawMath"]]
    + [f"untypeset: {t}" for t in v.inspection["untypeset"]]
    + [f"TeX error: {t}" for t in v.inspection["mathErrors"]],
    "images": lambda v: v.inspection["brokenImages"] + v.inspection["emptyFigures"],
    "code": lambda v: v.inspection["codeProblems"],
    "alt": lambda v: [f"{a['what']}: {a['text']!r}" for a in v.inspection["alternatives"]
                      if weak_alternative(a["text"])],
    "axe": lambda v: [f"{a['impact']} {a['id']} ({a['help']}): {a['targets']}" for a in v.axe],
}


def problems(visits: dict[str, Visit], check: str) -> dict[str, list[str]]:
    return {path: found for path, v in visits.items() if (found := CHECKS[check](v))}


# --- The checks can fail -----------------------------------------------------------------

BAD_PAGES = {
    "console": "<p>x</p><script>console.error('boom')</script>",
    "offline": '<img alt="a plot of the loss going down" src="https://example.invalid/a.png">',
    "math": '<div class="md-content"><p>$$ a = b $$ and <span class="arithmatex">\\(x\\)</span></p></div>',
    "images": '<div class="md-content"><img alt="a plot of the loss going down" src="/missing.png"></div>',
    "code": '<div class="md-content"><pre><code>print("hi")</code></pre></div>',
    "alt": '<div class="md-content"><figure role="img" aria-label="Figure 1"><svg></svg></figure></div>',
    "axe": '<html lang="en"><title>t</title><main><img src="/favicon.png"></main></html>',
}


@pytest.mark.parametrize("check", sorted(BAD_PAGES))
def test_check_catches_a_bad_page(check, context, server, axe_script):
    origin, _ = server
    record = visit(context, origin + "/bad", origin, axe_script, content=BAD_PAGES[check])
    assert CHECKS[check](record), f"the {check} check missed a bad page: {record}"


# Black on white, but dark grey on black in the dark scheme: only the dark pass can catch it.
DARK_ONLY = ('<html lang="en"><title>t</title><style>body { color: #000; background: #fff }'
             ' [data-md-color-scheme="slate"], [data-md-color-scheme="slate"] p { color: #222; background: #000 }'
             '</style><main><p>Readable by day only.</p></main></html>')


def test_the_dark_pass_catches_text_unreadable_in_the_dark_scheme(context, server, axe_script):
    origin, _ = server
    record = visit(context, origin + "/bad", origin, axe_script, content=DARK_ONLY, dark=True)
    assert {a["id"] for a in record.axe} == {"color-contrast (dark)"}, record


@pytest.mark.parametrize(
    ("text", "weak"),
    [
        (None, True), ("", True), ("sigmoid.png", True), ("A plot", True), ("Figure of the loss", True),
        ("The loss falls from 2.3 to 0.1 over ten epochs.", False),
        ("A grid of eight handwritten digits, each labelled with the network's guess.", False),
    ],
)
def test_weak_alternatives(text, weak):
    assert weak_alternative(text) is weak


# --- Every page of the built site --------------------------------------------------------


def test_pages_are_discovered_from_the_build(visits, server):
    _, site = server
    assert set(visits) == set(discover_pages(site))
    assert len([p for p in visits if p.startswith("/lessons/")]) >= 1


@pytest.mark.parametrize("check", ["console", "offline", "math", "images", "code", "alt", "axe"])
def test_every_page(visits, check):
    """No console error, nothing from another host, math typeset, images loaded, code
    highlighted with a copy button, figures described, no serious or critical axe finding."""
    found = problems(visits, check)
    assert not found, "\n".join(f"{path}: {problem}" for path, items in found.items() for problem in items)


def test_math_and_code_were_really_seen(visits):
    # Guards against checks that pass because the page was empty: the landing page has math
    # and a figure, and at least one page has a highlighted code block.
    home = visits["/"].inspection
    assert home["alternatives"], "no figure found on the landing page"
    assert any(v.inspection["codeBlocks"] for v in visits.values()), "no code block anywhere"


def test_footer_links_walk_the_whole_course_in_order(visits):
    """Following "next" from the landing page visits every page once; "previous" mirrors it."""
    pages = {p for p in visits if p != "/404.html"}
    order, path = [], "/"
    while path is not None and path not in order:
        order.append(path)
        path = visits[path].inspection["next"] if path in visits else None
    assert set(order) == pages, f"next links reach {order}, pages are {sorted(pages)}"
    assert visits["/"].inspection["prev"] is None
    for before, after in zip(order, order[1:]):
        assert visits[after].inspection["prev"] == before


# --- Interactions -------------------------------------------------------------------------


def test_search_finds_backpropagation_in_a_lesson(context, server):
    origin, _ = server
    page = context.new_page()
    try:
        page.goto(origin + "/", wait_until="load")
        box = page.locator("input.md-search__input")
        box.click()  # at desktop width the search box sits in the header
        box.press_sequentially(SEARCH_WORD)  # Material searches on key events, not on fill()
        results = page.locator(".md-search-result__item > a.md-search-result__link")
        results.first.wait_for(timeout=PAGE_TIMEOUT_MS)
        hrefs = results.evaluate_all("links => links.map(a => new URL(a.href).pathname)")
        lessons = [i for i, href in enumerate(hrefs) if href.startswith("/lessons/")]
        assert lessons, f"no result under lessons/: {hrefs}"
        results.nth(lessons[0]).click()
        page.wait_for_url(re.compile(r"/lessons/"), timeout=PAGE_TIMEOUT_MS)
        text = page.locator("article").inner_text()
        assert SEARCH_WORD in text.lower(), page.url
    finally:
        page.close()


def test_dark_mode_toggle_switches_and_persists(browser, server, page_paths):
    origin, _ = server
    other = next(p for p in page_paths if p not in ("/", "/404.html"))
    ctx = browser.new_context(color_scheme="light")  # fresh storage: no saved preference
    page = ctx.new_page()
    scheme = "() => document.body.getAttribute('data-md-color-scheme')"
    try:
        page.goto(origin + "/", wait_until="load")
        assert page.evaluate(scheme) == "default"
        page.get_by_title("Switch to dark mode").click()
        page.wait_for_function(f"({scheme})() === 'slate'", timeout=PAGE_TIMEOUT_MS, polling=100)
        page.reload(wait_until="load")
        assert page.evaluate(scheme) == "slate"
        page.goto(origin + other, wait_until="load")
        assert page.evaluate(scheme) == "slate"
        page.get_by_title("Switch to light mode").click()
        page.wait_for_function(f"({scheme})() === 'default'", timeout=PAGE_TIMEOUT_MS, polling=100)
    finally:
        ctx.close()
