"""Time the try-it panels in Chromium: a lesson's first check on a cold page, a re-check, a stopped loop.

    python -m benchmarks.bench_tryit [--rechecks N]

Builds the site (`mkdocs build --strict`, the panels' files from the cache of coursekit/tryit.py),
serves it on a loopback port, and drives Debian's Chromium with Playwright, in a fresh profile
(no HTTP cache): lesson 1's Network.forward panel gets the reference's forward, then

- first check: from the click on Check to its verdict, Pyodide, numpy, pytest and the course
  loaded on the way (goal: 30 s);
- re-check: the same click again, the median of N (goal: 3 s);
- a loop stopped: a forward that never returns, from the click to the page saying it was
  stopped (the test's own limit is 10 s), then the next check, in the fresh worker;
- the site's growth: what the panels add (tryit/ and the pages' markup; goal: 20 MB).
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from benchmarks.common import load, met, options, record
from coursekit import ROOT

FIRST_GOAL, RECHECK_GOAL, GROWTH_GOAL = 30.0, 3.0, 20.0  # seconds, seconds, MB
PANEL = "Network.forward"
LOOP = "class Network:\n    def forward(self, features, targets):\n        while True:\n            pass\n"


def right_forward():
    source = (ROOT / "solutions" / "network.py").read_text(encoding="utf-8")
    lines = source.splitlines()
    network = next(node for node in ast.parse(source).body if getattr(node, "name", None) == "Network")
    node = next(node for node in network.body if getattr(node, "name", None) == "forward")
    return "class Network:\n" + "\n".join(lines[node.lineno - 1:node.end_lineno])


def growth_mb(site: Path) -> float:
    """tryit/ and the panels' markup in the pages (the hidden holders and the two tags)."""
    size = sum(f.stat().st_size for f in (site / "tryit").rglob("*") if f.is_file())
    for page in site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        size += sum(len(m.encode()) for m in re.findall(r'\n<div class="tryit" .*?</div>', text, re.S))
        size += sum(len(m.encode()) for m in re.findall(r'<link rel="stylesheet" href="[./]*tryit/tryit.css">\n'
                                                         r'<script src="[./]*tryit/tryit.js" defer></script>\n', text))
    return size / 1e6


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def press(page, button):
    """Click `button` in the panel; seconds until its status line gives the answer, and that line."""
    state = page.locator(f'div.tryit-panel[data-functions~="{PANEL}"] .tryit-state')
    before = state.text_content()
    start = time.perf_counter()
    page.locator(f'div.tryit-panel[data-functions~="{PANEL}"]').get_by_role("button", name=button, exact=True).click()
    page.wait_for_function(
        """([fn, before]) => {
            const panel = document.querySelector(`div.tryit-panel[data-functions~='${fn}']`);
            const text = panel.querySelector('.tryit-state').textContent;
            return text !== before && !text.endsWith('…') && !panel.querySelector('button:disabled');
        }""", arg=[PANEL, before], timeout=300_000)
    return time.perf_counter() - start, state.text_content()


def write(page, text):
    page.evaluate("""([fn, text]) => {
        const view = document.querySelector(`div.tryit-panel[data-functions~='${fn}']`).tryitView;
        view.dispatch({changes: {from: 0, to: view.state.doc.length, insert: text}});
    }""", [PANEL, text])


def main(argv: list[str] | None = None) -> int:
    args = options(__doc__, argv, rechecks=(5, "re-checks to time"))
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        print("error: playwright is not installed: pip install -e '.[dev]'", file=sys.stderr)
        return 1
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        print("error: no Chromium (apt-get install chromium)", file=sys.stderr)
        return 1
    load_before = load()
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
                              cwd=ROOT, capture_output=True, text=True)
        if done.returncode or not (site / "tryit" / "tryit.js").is_file():
            said = [line for line in done.stderr.splitlines() if "try-it" in line or "Error" in line]
            print(f"error: no try-it panels in the build: {' / '.join(said) or done.stderr[-2000:]}", file=sys.stderr)
            return 1
        growth = growth_mb(site)
        httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(site)))
        origin = f"http://127.0.0.1:{httpd.server_address[1]}"
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        outside = []
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
                context = browser.new_context()

                def route(route_, request):
                    if request.url.startswith(origin + "/"):
                        route_.continue_()
                    else:
                        outside.append(request.url)
                        route_.abort()

                context.route("**/*", route)
                page = context.new_page()
                page.goto(origin + "/lessons/network/")
                page.wait_for_selector(".tryit-panel")
                write(page, right_forward())
                first, said = press(page, "Check")
                if not said.startswith("Checked"):
                    print(f"error: the first check said {said!r}", file=sys.stderr)
                    return 1
                rechecks = sorted(press(page, "Check")[0] for _ in range(args.rechecks))
                write(page, LOOP)
                stop, stopped = press(page, "Check")
                write(page, right_forward())
                after, _ = press(page, "Check")
                browser.close()
        finally:
            httpd.shutdown()
            httpd.server_close()
    recheck = rechecks[len(rechecks) // 2]
    rows = [
        ["first check on a cold page (click to verdict)", f"{first:.1f} s",
         f"<= {FIRST_GOAL:.0f} s: {met(first <= FIRST_GOAL)}"],
        [f"re-check (median of {args.rechecks})", f"{recheck:.2f} s",
         f"<= {RECHECK_GOAL:.0f} s: {met(recheck <= RECHECK_GOAL)}"],
        ["endless loop: click to 'stopped'", f"{stop:.1f} s", "the test's limit, 10 s"],
        ["the next check, in a fresh worker", f"{after:.1f} s", ""],
        ["site growth (tryit/ and the pages' markup)", f"{growth:.2f} MB",
         f"<= {GROWTH_GOAL:.0f} MB: {met(growth <= GROWTH_GOAL)}"],
        ["requests that left the site", str(len(outside)), "0"],
    ]
    notes = [f"the loop's answer: {stopped}"]
    record("tryit", "Try it on the page (Chromium, Pyodide 0.27.7)", ["panel", "measured", "goal"], rows, notes,
           load_before=load_before)
    ok = first <= FIRST_GOAL and recheck <= RECHECK_GOAL and growth <= GROWTH_GOAL and not outside
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
