"""The lessons' try-it panels in the real Chromium: the course's grader, run in the page, says what
`pytest grader` says (coursekit/tryit.py, tryit/).

One browser context goes through a reader's session: code typed into lesson 1's panels survives
a reload; a right `forward` passes; a transposed weight gradient gets the grader's diagnosis,
word for word the one `pytest grader` gives the downloaded file, which the local grader grades
test for test as the page did; an endless loop is stopped and the next check works; lesson 2's
sigmoid that overflows is caught. No request leaves the site meanwhile: the recorder sees the
worker's own requests (Pyodide, the wheels, course.zip) too, and aborts any other.

Skipped, with the build's reason, when the site was built without the panels (no network for
the first fetch, no npm): the pages then read as they do without JavaScript (tests/test_site.py).
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys

import pytest

from coursekit import ROOT
from grader import notebook, results
from tests.grading import run_grader
from tests.test_browser import browser, playwright_api, server  # noqa: F401  (fixtures used here)

LOAD_MS = 180_000  # a cold start on a loaded 2-core machine: Pyodide, numpy, pytest, the course
CHECK_MS = 120_000  # a check takes about 1 s here: the limit only catches an answer that never comes


def solution_method(module, qualname):
    """The reference's `qualname` as a panel holds it (under its class's header for a method)."""
    source = (ROOT / "solutions" / f"{module}.py").read_text(encoding="utf-8")
    lines = source.splitlines()
    scope, _, name = qualname.rpartition(".")
    nodes = ast.parse(source).body
    if scope:
        nodes = next(node for node in nodes if getattr(node, "name", None) == scope).body
    node = next(node for node in nodes if getattr(node, "name", None) == name)
    text = "\n".join(lines[node.lineno - 1:node.end_lineno])
    return f"class {scope}:\n{text}" if scope else text


RIGHT_FORWARD = solution_method("network", "Network.forward")
TRANSPOSED = solution_method("network", "Network.backprop").replace(
    "self.weights_grad[k] = h_rows.T @ g_rows", "self.weights_grad[k] = g_rows.T @ h_rows")
LOOPING_FORWARD = '''class Network:
    def forward(self, features, targets):
        while True:  # spins: only ending the worker stops it
            pass
'''
OVERFLOWING_SIGMA = '''def sigma(x):
    return 1 / (1 + np.exp(-x))
'''


class Session:
    """A page of the site with its panels, and what left (or tried to leave) the site."""

    def __init__(self, api, context, origin):
        self.api, self.origin, self.outside, self.inside = api, origin, [], []
        context.route("**/*", self._route)
        self.page = context.new_page()
        self.errors = []
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))

    def _route(self, route, request):
        if request.url.startswith(self.origin + "/"):
            self.inside.append(request.url)
            route.continue_()
        else:
            self.outside.append(request.url)
            route.abort()

    def open(self, path):
        self.page.goto(self.origin + path)
        self.page.wait_for_selector(".tryit-panel", timeout=30_000)

    def panel(self, function):
        return self.page.locator(f'div.tryit-panel[data-functions~="{function}"]')

    def code(self, function):
        return self.page.evaluate("(fn) => document.querySelector(`div.tryit-panel[data-functions~='${fn}']`)"
                                  ".tryitView.state.doc.toString()", function)

    def write(self, function, text):
        self.page.evaluate("""([fn, text]) => {
            const view = document.querySelector(`div.tryit-panel[data-functions~='${fn}']`).tryitView;
            view.dispatch({changes: {from: 0, to: view.state.doc.length, insert: text}});
        }""", [function, text])

    def press(self, function, button, timeout=LOAD_MS):
        """Click `button` in `function`'s panel and wait for its answer; the panel's status line."""
        panel = self.panel(function)
        state = panel.locator(".tryit-state")
        before = state.text_content()
        panel.get_by_role("button", name=button, exact=True).click()
        try:
            # Polled on a timer: requestAnimationFrame, Playwright's default, can stall in a headless
            # browser on a loaded machine, and the wait then never sees the answer.
            self.page.wait_for_function(
                """([fn, before]) => {
                    const panel = document.querySelector(`div.tryit-panel[data-functions~='${fn}']`);
                    const text = panel.querySelector('.tryit-state').textContent;
                    return text !== before && !text.endsWith('…') && !panel.querySelector('button:disabled');
                }""", arg=[function, before], timeout=timeout, polling=250)
        except self.api.TimeoutError:
            output = panel.locator(".tryit-output").text_content()
            disabled = panel.locator("button:disabled").count()
            pytest.fail(f"{button} in {function}'s panel had no answer after {timeout / 1000:.0f} s: its status"
                        f" line says {state.text_content()!r}, {disabled} buttons disabled, output"
                        f" {output[-2000:]!r}; page errors: {self.errors}")
        return state.text_content()

    def rows(self, function):
        """{test name: (status, message)} of the last check shown in `function`'s panel."""
        found = {}
        for row in self.panel(function).locator("li.tryit-row").all():
            name = row.locator("code").first.text_content()
            status = row.locator(".tryit-status-word").text_content().strip().lower()
            message = row.locator(".tryit-message")
            found[name] = (status, message.text_content() if message.count() else "")
        return found


@pytest.fixture(scope="module")
def session(playwright_api, server, browser):  # noqa: F811  (the fixtures imported above)
    origin, site = server
    if not (site / "tryit" / "tryit.js").is_file():
        pytest.skip("the site was built without its try-it panels (see the build's 'try-it panels left out' line)")
    context = browser.new_context(accept_downloads=True)
    yield Session(playwright_api, context, origin)
    context.close()


def local_grade(tmp_path, name, text):
    """`pytest grader --target DIR --module network` on a folder holding `text` as network.py."""
    folder = tmp_path / name
    folder.mkdir()
    (folder / "network.py").write_text(text, encoding="utf-8")
    graded = run_grader(folder, tmp_path / f"{name}.json", "--module", "network")
    assert graded.results is not None, graded
    return {record.name: notebook.Row.of(record) for record in results.read(graded.results)}


def local_tool(tmp_path, name, *arguments):
    """What `python -m grader.<name> ARGUMENTS --target <the downloaded folder>` prints (hints: from the first)."""
    environment = {**os.environ, "COURSE_HINTS_STATE": str(tmp_path / f"hints-{len(arguments)}.json")}
    command = [sys.executable, "-m", f"grader.{name}", *arguments, "--target", str(tmp_path / "downloaded")]
    done = subprocess.run(command, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=300)
    # The page's files are in the worker's /exercises (tryit/py/tryit_grade.py's TARGET).
    return (done.stdout + done.stderr).replace(str(tmp_path / "downloaded"), "/exercises")


def test_lesson_1_in_the_page(session, tmp_path):
    session.open("/lessons/network/")
    # What a reader types is kept by the browser: it survives a reload.
    session.write("Network.forward", RIGHT_FORWARD)
    session.write("Network.backprop", TRANSPOSED)
    session.page.reload()
    session.page.wait_for_selector(".tryit-panel")
    assert session.code("Network.forward") == RIGHT_FORWARD
    assert session.code("Network.backprop") == TRANSPOSED

    said = session.press("Network.forward", "Check")
    assert said.startswith("Checked: 7 of 7 tests of Network.forward passed"), said
    forward = session.rows("Network.forward")
    assert forward and all(status == "passed" for name, (status, _) in forward.items()
                           if name.startswith("test_forward")), forward

    said = session.press("Network.backprop", "Check", timeout=CHECK_MS)
    assert said.startswith("Checked: ") and "8 of 8" not in said, said
    in_page = session.rows("Network.backprop")
    assert any("probably: the weight gradient is transposed" in message for _, message in in_page.values()), in_page

    # Download my file: a whole exercises/network.py, which the local grader grades as the page did.
    with session.page.expect_download() as download:
        session.panel("Network.backprop").get_by_role("button", name="Download my file").click()
    path = tmp_path / "network.py"
    download.value.save_as(path)
    text = path.read_text(encoding="utf-8")
    assert RIGHT_FORWARD.split("\n", 1)[1] in text and TRANSPOSED.split("\n", 1)[1] in text
    local = local_grade(tmp_path, "downloaded", text)
    assert set(local) >= set(in_page)
    for name, (status, message) in in_page.items():
        assert local[name].status == status, (name, local[name], status, message)
        if name.startswith("test_backprop"):
            assert local[name].message == message, (name, local[name].message, message)  # word for word

    # Trace and Hint print what `python -m grader.trace` and `python -m grader.hint` print for that file.
    session.press("Network.backprop", "Trace", timeout=CHECK_MS)
    traced = session.panel("Network.backprop").locator(".tryit-output").text_content()
    assert "FIRST DIFFERENCE weights_grad[2]" in traced, traced
    assert traced.split("\n", 1)[1] == local_tool(tmp_path, "trace", "network").split("\n", 1)[1]  # past the path
    session.press("Network.backprop", "Hint", timeout=CHECK_MS)
    hinted = session.panel("Network.backprop").locator(".tryit-output").text_content()
    assert "Probably: the weight gradient is transposed" in hinted, hinted
    assert hinted == local_tool(tmp_path, "hint", "network", "Network.backprop")

    # An endless loop: the worker is ended at the test's limit, the page says so, the next check works.
    session.write("Network.forward", LOOPING_FORWARD)
    said = session.press("Network.forward", "Check", timeout=CHECK_MS)
    assert said.startswith("Stopped: test_forward_matches_reference"), said
    shown = session.panel("Network.forward").locator(".tryit-output").text_content()
    assert "stopped after 10 s: probably an endless loop" in shown, shown
    session.write("Network.forward", RIGHT_FORWARD)
    said = session.press("Network.forward", "Check")
    assert said.startswith("Checked: 7 of 7 tests of Network.forward passed"), said

    assert not session.errors
    assert not session.outside, session.outside
    assert any(url.endswith("/tryit/pyodide/pyodide.asm.wasm") for url in session.inside)  # the worker's are seen


def test_lesson_2_sigmoid_that_overflows(session):
    session.open("/lessons/functional/")
    session.write("sigma", OVERFLOWING_SIGMA)
    said = session.press("sigma", "Check")
    assert said.startswith("Checked:"), said
    rows = session.rows("sigma")
    status, message = rows["test_sigma_large_inputs"]
    assert status == "failed" and "made NumPy warn: overflow encountered in exp" in message, rows
    assert not session.outside, session.outside


def test_no_request_leaves_the_site(session):
    assert session.inside, "no request was recorded at all"
    assert not session.outside, session.outside


def test_without_javascript_the_panels_stay_hidden(server, browser):  # noqa: F811
    origin, site = server
    if not (site / "tryit" / "tryit.js").is_file():
        pytest.skip("the site was built without its try-it panels")
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(origin + "/lessons/network/")
        holders = page.locator("div.tryit")
        assert holders.count() == 5
        assert all(not holder.is_visible() for holder in holders.all())
        assert page.locator("div.highlight:has(span.filename)").first.is_visible()  # the task reads as before
    finally:
        context.close()


def test_a_runtime_that_cannot_load_is_said_and_the_page_is_left_as_it_was(server, browser):  # noqa: F811
    origin, site = server
    if not (site / "tryit" / "tryit.js").is_file():
        pytest.skip("the site was built without its try-it panels")
    context = browser.new_context()
    context.route("**/tryit/pyodide/**", lambda route, request: route.abort())  # as if the files were gone
    try:
        page = context.new_page()
        page.goto(origin + "/lessons/network/")
        page.wait_for_selector(".tryit-panel")
        lesson = """() => { const copy = document.querySelector('.md-content').cloneNode(true);
                             copy.querySelectorAll('.tryit').forEach((panel) => panel.remove());
                             return copy.textContent; }"""
        text = page.evaluate(lesson)  # the lesson around the panels
        panel = page.locator('div.tryit-panel[data-functions~="Network.forward"]')
        panel.get_by_role("button", name="Check", exact=True).click()
        state = panel.locator(".tryit-state")
        page.wait_for_function("(el) => el.textContent.startsWith('The in-browser grader could not run')",
                               arg=state.element_handle(), timeout=60_000, polling=250)
        assert "python -m pytest grader --module network" in state.text_content()
        assert page.evaluate(lesson) == text
    finally:
        context.close()
