"""Figures drawn at build time, for markdown-exec blocks in the lessons.

```python exec="true" html="true"
import numpy as np
from coursekit.plots import new_figure, show

fig, ax = new_figure()
ax.plot(...)
show(fig, alt="What the figure shows, for readers who cannot see it", caption="...")
```

The figure is inlined as SVG: no image files to manage, text stays sharp, and the page
still works offline.
"""

from __future__ import annotations

import builtins
import html
import io
import re
import sys

import matplotlib

matplotlib.use("Agg")  # no display at build time; must be chosen before pyplot is imported

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

# Keep text as <text> (smaller, selectable, drawn in the page's font) rather than paths.
plt.rcParams["svg.fonttype"] = "none"

# Everything before <svg: the XML declaration and DOCTYPE, invalid inside an HTML page.
_PROLOGUE = re.compile(r"^.*?(?=<svg)", re.DOTALL)


def new_figure(width: float = 6.0, height: float = 3.5):
    """A figure and axes sized for the content column (inches)."""
    fig, ax = plt.subplots(figsize=(width, height), layout="constrained")
    return fig, ax


def figure_html(fig: Figure, alt: str, caption: str = "") -> str:
    """`fig` as an accessible inline-SVG `<figure>`; `alt` is required."""
    if not alt or not alt.strip():
        raise ValueError("show(fig, alt=...) needs a text alternative describing the figure")
    buf = io.StringIO()
    # Salting the SVG's internal ids with the alt text keeps them stable from one build to
    # the next and distinct between figures on the same page.
    with plt.rc_context({"svg.hashsalt": alt}):
        fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    # The SVG is presentational: the <figure role="img"> carries the accessible name.
    svg = _PROLOGUE.sub("", buf.getvalue(), count=1).replace(
        "<svg ", '<svg aria-hidden="true" focusable="false" ', 1
    )
    label = html.escape(alt.strip(), quote=True)
    figcaption = f"<figcaption>{html.escape(caption)}</figcaption>" if caption else ""
    return f'<figure role="img" aria-label="{label}">{svg}{figcaption}</figure>'


def show(fig: Figure, alt: str, caption: str = "") -> None:
    """Print `fig` for a markdown-exec `python exec="true" html="true"` block."""
    # markdown-exec captures output by putting its own `print` in the code block's globals
    # (it does not redirect sys.stdout), so print with the caller's `print`.
    caller_print = sys._getframe(1).f_globals.get("print", builtins.print)
    caller_print(figure_html(fig, alt, caption))


def save_png(fig: Figure, path, dpi: int = 150):
    """Write `fig` to `path` as a PNG (its folder made if need be) and close it; returns the path."""
    from pathlib import Path

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, format="png", dpi=dpi, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    return path
