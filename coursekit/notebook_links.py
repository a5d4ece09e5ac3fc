"""MkDocs hooks: every exercise lesson links its notebook, and the site serves the notebooks.

Registered under `hooks:` in mkdocs.yml. `on_files` adds notebooks/<module>.ipynb (made by
`python -m coursekit.notebooks`) to the site's files, at the same path, so MkDocs copies them
into the site and checks the links to them like any other (`--strict` fails on a missing one).
`on_page_markdown` puts a note under the title of each lesson that `coursekit.course.MODULES`
names: download the notebook, and, once mkdocs.yml sets a GitHub `repo_url`, open it in Colab.
"""

import re
from pathlib import PurePosixPath

from mkdocs.structure.files import File

from coursekit import ROOT, course

NOTEBOOKS = "notebooks"


def _modules():
    return course.MODULES


def notebook_for(src_uri):
    """The notebook's name ("network.ipynb") for a lesson page's source path, or None."""
    for name, module in _modules().items():
        if src_uri == f"{module.page}.md":
            return f"{name}.ipynb"  # named by module, like coursekit/notebooks.py writes it
    return None


def on_files(files, config):
    for name in sorted({notebook_for(f"{module.page}.md") for module in _modules().values()}):
        path = ROOT / NOTEBOOKS / name
        if path.is_file():  # a missing one leaves its link dangling, which --strict reports
            files.append(File.generated(config, f"{NOTEBOOKS}/{name}", abs_src_path=str(path)))
    return files


def colab_url(repo_url, name):
    """Colab's address for the notebook in a GitHub repository, or None for any other host."""
    match = re.match(r"https://github\.com/([^/]+/[^/]+?)(?:\.git)?/?$", repo_url or "")
    return f"https://colab.research.google.com/github/{match.group(1)}/blob/main/{NOTEBOOKS}/{name}" if match else None


def note(src_uri, name, repo_url=None):
    """The admonition for a lesson page: a link relative to the page, and Colab's when known."""
    depth = len(PurePosixPath(src_uri).parts) - 1
    link = "../" * depth + f"{NOTEBOOKS}/{name}"
    lesson = course.MODULES.get(name.removesuffix(".ipynb"))
    traced = ", traces it on the worked example" if lesson is None or lesson.worked else ""
    text = (f'!!! tip "This lesson\'s exercise in Jupyter"\n\n'
            f'    Download [`{name}`]({link}){{ download="{name}" }} into the course\'s `notebooks/` folder '
            f"(it is already there in your copy of the course: `make lab` opens it). It grades each "
            f"method with the same grader{traced} and shows the lesson's "
            f"hints; see [Working in Jupyter]({'../' * depth}getting-started.md#working-in-jupyter).")
    colab = colab_url(repo_url, name)
    if colab:
        text += f" Or [open it in Colab]({colab}), which installs the course first."
    return text + "\n"


def on_page_markdown(markdown, page, config, files):
    name = notebook_for(page.file.src_uri)
    if name is None:
        return markdown
    text = note(page.file.src_uri, name, config.repo_url)
    title = re.search(r"^# .*\n", markdown, re.M)
    if title is None:
        return markdown.rstrip("\n") + "\n\n" + text
    return markdown[:title.end()] + "\n" + text + "\n" + markdown[title.end():]
