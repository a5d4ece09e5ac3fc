"""MkDocs hooks for the course site (registered under `hooks:` in mkdocs.yml).

Two builds. The default one (`mkdocs build`, `make serve`) shows each lesson's reference code
at the end of the page, in collapsed `??? success "Reference solution: ..."` blocks.
`COURSE_SOLUTIONS=hidden mkdocs build` is the instructors' build: those blocks are left out,
any solution code a page still includes has its BEGIN/END SOLUTION regions replaced by the
exercise's TODO and `...` (what `exercises/` holds), and after the build every file of the site
is scanned for solution code (coursekit.solution_regions): one region found fails the build.

MathJax 3 is served from the site itself so that math renders offline. The files come from
the PyPI package django-static-mathjax, which ships MathJax 3.2.2's `es5/` build as plain
static files; only the parts a page needs are copied (about 2 MB instead of 20+).
"""

from __future__ import annotations

import importlib.util
import logging
import os
import re
import shutil
import sys
from pathlib import Path

# Build-time figures run small NumPy computations; threads only add noise on 2 shared cores.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from markdown.extensions import Extension
from markdown.preprocessors import Preprocessor
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


SOLUTIONS_VARIABLE = "COURSE_SOLUTIONS"
SHOWN, HIDDEN = "shown", "hidden"
# The collapsed block a lesson keeps its reference code in (see CONTRIBUTING.md).
REFERENCE_BLOCK = re.compile(r'^(?P<indent>\s*)(\?\?\?\+?|!!!)\s+[\w-]+(\s+[\w-]+)*\s+"Reference solution', re.I)
HIDDEN_NOTE = [
    '!!! note "Reference solutions: not in this edition"',
    "    This edition of the course leaves the reference solutions out. The grader, and",
    "    `python -m grader.trace`, tell you when your code agrees with them.",
    "",
]


def solutions_mode() -> str:
    mode = os.environ.get(SOLUTIONS_VARIABLE, SHOWN).strip().lower() or SHOWN
    if mode not in (SHOWN, HIDDEN):
        raise PluginError(f"{SOLUTIONS_VARIABLE}={mode!r}: use {SHOWN!r} (the default) or {HIDDEN!r}")
    return mode


def drop_reference_blocks(lines: list[str]) -> list[str]:
    """`lines` without its "Reference solution" admonitions; the first becomes HIDDEN_NOTE."""
    out, skipping, noted = [], None, False
    for line in lines:
        if skipping is not None:
            if not line.strip() or len(line) - len(line.lstrip()) > skipping:
                continue
            skipping = None
        match = REFERENCE_BLOCK.match(line)
        if match:
            skipping = len(match["indent"])
            if not noted:
                out += [match["indent"] + note if note else "" for note in HIDDEN_NOTE]
                noted = True
            continue
        out.append(line)
    return out


def stub_out_regions(lines: list[str]) -> list[str]:
    """Each BEGIN/END SOLUTION region replaced by its TODO and `...`, as in exercises/."""
    from coursekit.stubs import MarkerError, generate  # imported late: on_config sets sys.path

    try:
        return generate("\n".join(lines) + "\n").splitlines()
    except MarkerError as error:
        raise PluginError(f"solution markers on a page do not pair up: {error}") from None


class _DropSolutionMarkers(Preprocessor):
    """Remove `# BEGIN SOLUTION` / `# END SOLUTION` lines from code the snippets included.

    Registered below pymdownx.snippets (priority 32), so it sees the included solution code:
    the markers are for the stub generator, not for readers. In the hidden build it first drops
    the reference blocks and replaces every region by the exercise's stub.
    """

    MARKER = re.compile(r"^\s*# (BEGIN|END) SOLUTION\b")

    def __init__(self, md, mode):
        super().__init__(md)
        self.mode = mode

    def run(self, lines):
        if self.mode == HIDDEN:
            from coursekit.solution_regions import redact

            # Solution code a page shows outside the markers (a copy of its lines in other
            # code, such as a benchmark's) is left out too.
            lines = redact(stub_out_regions(drop_reference_blocks(lines)))
        return [line for line in lines if not self.MARKER.match(line)]


class SolutionMarkersExtension(Extension):
    def __init__(self, mode=SHOWN, **kwargs):
        self.mode = mode
        super().__init__(**kwargs)

    def extendMarkdown(self, md):
        md.preprocessors.register(_DropSolutionMarkers(md, self.mode), "drop_solution_markers", 31)


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    config.markdown_extensions.append(SolutionMarkersExtension(solutions_mode()))
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
    if solutions_mode() == HIDDEN:
        from coursekit.solution_regions import leaks

        found = leaks(config.site_dir)
        if found:
            listed = "; ".join(f"{path}: {', '.join(names)}" for path, names in found.items())
            raise PluginError(f"{SOLUTIONS_VARIABLE}=hidden, but solution code is still in the site: {listed}")
        log.info("%s=hidden: no solution region anywhere in %s", SOLUTIONS_VARIABLE, config.site_dir)
