"""MkDocs hooks for the course site (registered under `hooks:` in mkdocs.yml).

MathJax 3 is served from the site itself so that math renders offline. The files come from
the PyPI package django-static-mathjax, which ships MathJax 3.2.2's `es5/` build as plain
static files; only the parts a page needs are copied (about 2 MB instead of 20+).
"""

from __future__ import annotations

import importlib.util
import logging
import shutil
import sys
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError

log = logging.getLogger("mkdocs.hooks.coursekit")

# Where the site serves MathJax from; mathjax.js and extra_javascript use the same path.
MATHJAX_DEST = "assets/mathjax"
# Relative to MathJax's es5/ directory.
MATHJAX_FILES = (
    "tex-mml-chtml.js",  # TeX and MathML input, CommonHTML output, the loader and the menu
    "output/chtml/fonts/woff-v2",  # the CommonHTML fonts (woff2 only: every current browser)
    "input/tex/extensions",  # loaded on demand: [tex]/boldsymbol, \require{...}, autoload
)


def mathjax_es5_dir() -> Path:
    """MathJax's `es5/` directory inside the installed django-static-mathjax package.

    `find_spec` locates the top-level `mathjax` package without executing it, so neither
    Django nor anything else gets imported.
    """
    spec = importlib.util.find_spec("mathjax")
    if spec is None or not spec.submodule_search_locations:
        raise PluginError(
            "MathJax not found: install the 'django-static-mathjax' package (see pyproject.toml)."
        )
    es5 = Path(next(iter(spec.submodule_search_locations))) / "static" / "mathjax" / "es5"
    if not (es5 / MATHJAX_FILES[0]).is_file():
        raise PluginError(f"MathJax not found in {es5}: is django-static-mathjax 3.x installed?")
    return es5


def copy_mathjax(site_dir: str | Path) -> Path:
    """Copy the MathJax files the site needs into `site_dir/assets/mathjax/`."""
    src, dest = mathjax_es5_dir(), Path(site_dir) / MATHJAX_DEST
    for relative in MATHJAX_FILES:
        source, target = src / relative, dest / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target, dirs_exist_ok=True)
        else:
            shutil.copy2(source, target)
    return dest


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    # markdown-exec runs code blocks in the MkDocs process; make `import coursekit` resolve
    # to this checkout even when the project is not pip-installed (e.g. a bare `mkdocs serve`).
    root = str(Path(config.config_file_path).resolve().parent)
    if root not in sys.path:
        sys.path.insert(0, root)
    return config


def on_post_build(config: MkDocsConfig) -> None:
    # Also runs on every rebuild of `mkdocs serve`, which serves from its own site_dir.
    dest = copy_mathjax(config.site_dir)
    log.debug("MathJax copied to %s", dest)
