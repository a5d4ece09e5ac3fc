"""The lessons' notebooks: generated and up to date, and every one runs clean on a real kernel.

Each notebook is executed headless (nbclient, the python3 kernel of this environment), once with
COURSE_TARGET=solutions, where every check must show "passed", and once on the untouched
exercises, where every check must show "not attempted"; a cell error fails either. The notebook
API (grader.notebook) and the Colab set-up cell are tested on their own below.
"""

import json
import os
import re
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

import nbformat
import pytest
from grading import EXERCISES, SOLUTIONS
from nbclient import NotebookClient

from coursekit import ROOT, course, notebook_links, notebooks
from grader import notebook
from grader.submissions import grader_command

NOTEBOOKS = sorted(notebooks.notebook_path(module) for module in course.MODULES)
STATUS = re.compile(r"^(PASSED|FAILED|NOT ATTEMPTED) +\S", re.M)


def execute(path, target, monkeypatch):
    """Run every cell of the notebook at `path` with COURSE_TARGET=target; the executed notebook."""
    monkeypatch.setenv("COURSE_TARGET", target)  # the kernel inherits this process's environment
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "1")
    executed = nbformat.read(path, as_version=4)
    NotebookClient(executed, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()  # raises on a cell error
    return executed


def cell_text(cell):
    """Everything a code cell showed, as text (a display's text/plain, a stream's text)."""
    parts = []
    for output in cell.get("outputs", []):
        parts.append(output.get("text") or output.get("data", {}).get("text/plain", ""))
    return "\n".join(parts)


def check_cells(executed):
    return [cell for cell in executed.cells if cell.cell_type == "code" and cell.get("id", "").startswith("check-")]


@pytest.mark.parametrize("target, status", [(str(SOLUTIONS), "PASSED"), (str(EXERCISES), "NOT ATTEMPTED")],
                         ids=["solutions", "untouched-exercises"])
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name)
def test_notebook_runs_clean(path, target, status, monkeypatch):
    executed = execute(path, target, monkeypatch)
    checks = check_cells(executed)
    assert checks, f"{path.name} has no check cell"
    for cell in checks:
        shown = cell_text(cell)
        found = STATUS.findall(shown)
        assert found, f"{path.name}, {cell.source}: no test result shown:\n{shown}"
        assert set(found) == {status}, f"{path.name}, {cell.source} on {target}:\n{shown}"
        assert f"({target})" in shown, f"{cell.source} did not grade {target}:\n{shown}"
        html = next(o["data"]["text/html"] for o in cell.outputs if "text/html" in o.get("data", {}))
        assert "<table>" in html and f"{status.lower()}</td>" in html
    if path.stem == "training":
        run, plot = (next(c for c in executed.cells if c.get("id") == name) for name in ("train-run", "train-plot"))
        if target == str(SOLUTIONS):
            assert "epoch 5: mean loss" in cell_text(run)
            assert any("image/png" in output.get("data", {}) for output in plot.outputs), "no curves drawn"
        else:
            assert "not yet: " in cell_text(run) and "still a stub" in cell_text(run)


def test_notebooks_are_up_to_date():
    done = subprocess.run([sys.executable, "-m", "coursekit.notebooks", "--check"], cwd=ROOT,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


@pytest.fixture(scope="module")
def described():
    """The grader's tests as the generator sees them (one `pytest --collect-only`)."""
    return notebooks.described_tests()


def test_staleness_is_the_cells_not_the_outputs(tmp_path, described):
    built = notebooks.build("network", described)
    path = tmp_path / "network.ipynb"
    path.write_text(notebooks.text(built), encoding="utf-8")
    assert notebooks.stale({path: built}) == []
    ran = nbformat.reads(notebooks.text(built), as_version=4)  # as a student's run saves it
    ran.cells[1].outputs = [nbformat.v4.new_output("stream", text="the course: ...")]
    ran.cells[1].execution_count = 1
    ran.metadata["language_info"]["version"] = "3.12.0"
    path.write_text(nbformat.writes(ran), encoding="utf-8")
    assert notebooks.stale({path: built}) == []
    ran.cells[2].source += "\n# edited"
    path.write_text(nbformat.writes(ran), encoding="utf-8")
    assert notebooks.stale({path: built}) == [path]
    assert notebooks.stale({tmp_path / "missing.ipynb": built}) == [tmp_path / "missing.ipynb"]


def test_generation_is_deterministic(described):
    first = notebooks.text(notebooks.build("training", described))
    assert first == notebooks.text(notebooks.build("training", described))
    assert "execution_count\": null" in first and "\"outputs\": []" in first


def test_one_check_cell_per_tested_method_then_the_module(described):
    built = notebooks.build("network", described)
    sources = [cell.source for cell in built.cells if cell.cell_type == "code"]
    checks = [source for source in sources if source.startswith("check(")]
    assert checks == ['check("network", "Network.forward")', 'check("network", "Network.compute_loss")',
                      'check("network", "Network.backprop")', 'check("network", "Network.update")',
                      'check("network", "Network.predict")', 'check("network")']
    assert sources.count('trace("network")') == 5
    intro = built.cells[0].source
    assert course.lesson_url("network") in intro and "Lesson 1: The Network class" in intro


def test_hints_are_shown_collapsed(monkeypatch, described):
    monkeypatch.setattr(notebooks.hints, "load", lambda module: {"Network.forward": ["first nudge", "key idea"]})
    built = notebooks.build("network", described)
    hint_cells = [cell.source for cell in built.cells if cell.get("id") == "hints-network-forward"]
    assert len(hint_cells) == 1
    assert hint_cells[0].count("<details>") == 2 and "first nudge" in hint_cells[0]
    assert "Hint 1 of 2" in hint_cells[0] and "Hint 2 of 2" in hint_cells[0]
    assert not any(cell.get("id") == "hints-network-backprop" for cell in built.cells)


# --- the notebook API -------------------------------------------------------------------------


def edited_network(folder, old, new):
    """folder/network.py: the reference with `old` replaced by `new` (which must occur)."""
    source = (ROOT / "solutions" / "network.py").read_text(encoding="utf-8")
    assert old in source
    folder.mkdir(exist_ok=True)
    (folder / "network.py").write_text(source.replace(old, new, 1), encoding="utf-8")
    return folder


def test_check_selects_the_tests_of_one_method_and_links_the_lesson(tmp_path):
    folder = edited_network(tmp_path / "mine", "return np.argmax(", "return 1 + np.argmax(")
    report = notebook.check("network", "Network.predict", target=folder)
    assert [row.name for row in report.rows] == ["test_predict_one_example", "test_predict_batch"]
    assert {row.status for row in report.rows} == {"failed"}
    assert all(row.link == course.lesson_url("network", "predicting-a-digit") for row in report.rows)
    assert "reread:" not in str(report.rows[0].message)  # the link has its own column
    assert "0 passed, 2 failed, 0 not attempted" in str(report)
    assert 'href="http://' in report._repr_html_()


@pytest.mark.parametrize("module, method, end_to_end", [
    ("training", "train", "test_train_your_network_on_mnist"),
    ("further", "fit", "test_your_classifier_on_mnist"),
])
def test_a_method_check_leaves_the_mnist_run_to_the_module_check(module, method, end_to_end, tmp_path):
    def selected(*options):
        described = tmp_path / "markers.json"
        command = grader_command("solutions", None, "--module", module, "--markers-json", described,
                                 "--collect-only", *options)
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr
        return json.loads(described.read_text(encoding="utf-8"))

    assert f"{module}.py: {end_to_end}" in selected()
    of_the_method = selected("--uses", method)
    assert of_the_method and f"{module}.py: {end_to_end}" not in of_the_method
    assert all(f"{module}:{method}" in test["uses"] for test in of_the_method.values())


def test_check_of_an_unknown_method_grades_nothing():
    report = notebook.check("network", "Network.fly", target="solutions")
    assert report.rows == [] and not report.passed
    assert "exit status 4" in report.note and "Network.forward" in report.note


def test_check_of_a_looping_module_returns_within_its_limit(tmp_path):
    # A loop that swallows every interruption: only the wall-clock limit ends it.
    folder = edited_network(tmp_path / "looping", '"""Forward', (
        '"""Forward pass, that never returns."""\n'
        "        while True:\n"
        "            try:\n"
        "                pass\n"
        "            except BaseException:\n"
        "                pass\n"
        '        """Forward'))
    start = time.monotonic()
    report = notebook.check("network", "Network.forward", target=folder, seconds=6)
    elapsed = time.monotonic() - start
    assert elapsed < 6 + 10, f"check took {elapsed:.1f} s with a 6 s limit"
    assert report.note.startswith("stopped after 6 s") and not report.passed
    if not Path("/proc/self/cmdline").exists():
        return  # no /proc to look for what is left running
    alive = [pid for pid in os.listdir("/proc") if pid.isdigit() and str(folder).encode() in _cmdline(pid)]
    assert alive == [], "the stopped grader left processes running"


def _cmdline(pid):
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def test_trace_runs_the_trace_command():
    shown = notebook.trace("network", target=SOLUTIONS)
    if not (ROOT / "grader" / "trace.py").is_file():
        assert "not part of this copy of the course yet" in str(shown)
        pytest.skip("python -m grader.trace is not in this copy of the course yet")
    assert shown.returncode == 0, str(shown)
    assert notebook.trace("network", target=EXERCISES).returncode == 1


def test_target_is_the_argument_else_course_target_else_exercises(monkeypatch, tmp_path):
    monkeypatch.delenv("COURSE_TARGET", raising=False)
    monkeypatch.chdir(ROOT)
    assert notebook.resolve_target() == ROOT / "exercises"
    monkeypatch.setenv("COURSE_TARGET", "solutions")
    assert notebook.resolve_target() == ROOT / "solutions"
    assert notebook.resolve_target(tmp_path) == tmp_path.resolve()


# --- Colab: the set-up cell -------------------------------------------------------------------


def setup_cell():
    return notebooks.setup_source()


def test_setup_cell_only_finds_the_course_when_it_is_there(monkeypatch):
    monkeypatch.chdir(ROOT / "notebooks")
    monkeypatch.setattr(subprocess, "check_call", lambda *a, **k: pytest.fail(f"installed: {a}"))
    monkeypatch.setattr(urllib.request, "urlretrieve", lambda *a, **k: pytest.fail("downloaded"))
    namespace = {}
    exec(setup_cell(), namespace)
    assert namespace["course"] == ROOT


def test_setup_cell_installs_the_course_where_it_is_missing(monkeypatch, tmp_path):
    # The course as GitHub's archive lays it out (one top folder), served from a file: URL.
    archive = tmp_path / "main.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for name in ("grader/notebook.py", "coursekit/course.py", "course.toml", "pyproject.toml"):
            zipped.write(ROOT / name, f"numpy-nn-course-main/{name}")
    source = setup_cell()
    url = re.search(r'^COURSE_ZIP = "([^"]+)"', source, re.M).group(1)
    assert re.fullmatch(r"https://github\.com/[^/]+/[^/]+/archive/refs/heads/main\.zip", url)
    source = source.replace(url, archive.as_uri())
    calls = []
    monkeypatch.setattr(subprocess, "check_call", lambda command, **kw: calls.append((command, kw)))
    monkeypatch.setattr(sys, "path", list(sys.path))
    work = tmp_path / "content"
    work.mkdir()
    monkeypatch.chdir(work)
    namespace = {}
    exec(source, namespace)
    course = work / "numpy-nn-course-main"
    assert namespace["course"] == course and (course / "grader" / "notebook.py").is_file()
    assert sys.path[0] == str(course)
    assert [command for command, _ in calls] == [
        [sys.executable, "-m", "pip", "install", "--quiet", "-e", str(course)],
        [sys.executable, "-m", "coursekit.mnist", "install"],
    ]
    assert all(kw.get("cwd") == course for _, kw in calls)


def test_colab_installs_mnist_with_the_command_the_makefile_runs():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "-m coursekit.mnist install" in makefile and '["-m", "coursekit.mnist", "install"]' in setup_cell()


# --- the site: each exercise lesson links its notebook ------------------------------------------


class _Page:
    def __init__(self, src_uri):
        self.file = type("F", (), {"src_uri": src_uri})()


def test_lesson_pages_get_a_download_note():
    config = type("C", (), {"repo_url": "https://github.com/someone/numpy-nn-course"})()
    page = "# 1. The Network class\n\nIntro.\n"
    shown = notebook_links.on_page_markdown(page, _Page("lessons/network.md"), config, None)
    assert shown.startswith("# 1. The Network class\n\n!!! tip")
    assert "(../notebooks/network.ipynb)" in shown and shown.endswith("Intro.\n")
    assert "https://colab.research.google.com/github/someone/numpy-nn-course/blob/main/notebooks/network.ipynb" in shown
    assert notebook_links.on_page_markdown(page, _Page("lessons/gradient-checking.md"), config, None) == page
    config.repo_url = None
    assert "colab" not in notebook_links.on_page_markdown(page, _Page("lessons/graph.md"), config, None)


def test_the_site_serves_every_notebook():
    from mkdocs.config import load_config
    from mkdocs.structure.files import Files

    config = load_config(str(ROOT / "mkdocs.yml"))
    assert "coursekit/notebook_links.py" in config["hooks"]
    files = config.plugins.on_files(Files([]), config=config)  # every hook's, as a build runs them
    served = [file.src_uri for file in files if file.src_uri.startswith("notebooks/")]
    assert sorted(served) == sorted(f"notebooks/{path.name}" for path in NOTEBOOKS)
