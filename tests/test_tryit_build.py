"""The try-it panels' build side (coursekit/tryit.py) and the student's file they grade
(tryit/py/tryit_grade.py's compose), without a browser: tests/test_browser_tryit.py runs them."""

import importlib.util
import logging
import shutil

import pytest

from coursekit import ROOT, tryit
from coursekit.exercise_source import source, stub_file


def load_tryit_grade():
    spec = importlib.util.spec_from_file_location("tryit_grade", ROOT / "tryit" / "py" / "tryit_grade.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


PAGE = """<p>The task.</p>
<div class="highlight"><span class="filename">exercises/network.py</span><pre><span></span><code>\
<span class="k">class</span> <span class="nc">Network</span>:
    <span class="k">def</span> <span class="nf">forward</span>(self, features, targets):
        <span class="sd">&quot;&quot;&quot;Forward.&quot;&quot;&quot;</span>
        ...
</code></pre></div>
<div class="highlight"><pre><span></span><code>print(&quot;not an exercise&quot;)
</code></pre></div>
"""


def test_a_hidden_panel_follows_each_exercise_block_only():
    out = tryit.panels(PAGE)
    assert out.count('class="tryit"') == 1
    holder = out[out.index('<div class="tryit"'):]
    assert 'data-module="network"' in holder and 'data-functions="Network.forward"' in holder
    assert "hidden></div>" in holder  # without the page's script, nothing shows
    assert 'data-stub="class Network:\n    def forward(self, features, targets):\n' in holder
    assert out.startswith(PAGE.split('\n<div class="highlight"><pre>')[0])  # the block itself is untouched


def test_without_the_runtime_the_build_goes_on_without_panels(tmp_path, monkeypatch, caplog):
    """No registry reachable, nothing cached: one INFO line says why, and every page is left as it is."""
    monkeypatch.setenv("NNCOURSE_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("npm_config_cache", str(tmp_path / "npm-cache"))
    monkeypatch.setenv("npm_config_registry", "http://127.0.0.1:9/")
    monkeypatch.setenv("PIP_INDEX_URL", "http://127.0.0.1:9/simple")
    monkeypatch.delenv("TRYIT", raising=False)
    monkeypatch.delenv("COURSE_SOLUTIONS", raising=False)

    class Config:
        site_url = "http://127.0.0.1:8000/"
        site_dir = str(tmp_path / "site")

    with caplog.at_level(logging.INFO, logger="mkdocs.hooks.tryit"):
        tryit.on_config(Config())
    assert not tryit.STATE
    said = [record.getMessage() for record in caplog.records]
    why = "try-it panels left out (the pages read as without JavaScript): "
    assert any(line.startswith(why) for line in said), said
    assert all(record.levelno == logging.INFO for record in caplog.records)  # a strict build does not fail on it
    assert tryit.on_page_content(PAGE, None, Config(), None) == PAGE
    tryit.on_post_build(Config())
    assert not (tmp_path / "site" / "tryit").exists()


def test_the_instructors_build_has_no_panels(monkeypatch, caplog):
    monkeypatch.setenv("COURSE_SOLUTIONS", "hidden")
    with caplog.at_level(logging.INFO, logger="mkdocs.hooks.tryit"):
        tryit.on_config(object())
    assert not tryit.STATE
    assert "the instructors' build" in caplog.text


@pytest.fixture
def grade_module(tmp_path, monkeypatch):
    module = load_tryit_grade()
    stubs = tmp_path / "stubs"
    stubs.mkdir()
    (stubs / "network.py").write_text(stub_file("network"), encoding="utf-8")
    monkeypatch.setattr(module, "STUBS", stubs)
    yield module
    shutil.rmtree(stubs)


def test_the_file_is_the_stub_with_each_panel_s_functions_in_place(grade_module):
    forward = ("class Network:\n    def forward(self, features, targets):\n"
               "        self.output = features\n        return 1.0\n")
    composed = grade_module.compose("network", [("Network.forward", forward)])["text"]
    old = "\n".join("    " + line if line else line for line in source("network", "Network.forward").splitlines())
    stub = stub_file("network")
    assert stub.count(old) == 1
    assert composed == stub.replace(old, forward.split("\n", 1)[1].rstrip("\n"))  # the rest is the stub's


def test_a_panel_python_cannot_read_gets_the_grader_s_syntax_message(grade_module):
    broken = "class Network:\n    def forward(self, features, targets)\n        return 1\n"
    said = grade_module.compose("network", [("Network.forward", broken)])
    assert said["error"].startswith("exercises/network.py, Network.forward:2: syntax error"), said
