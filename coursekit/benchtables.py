"""The tables of the last benchmark run, for docs/performance.md (markdown-exec blocks).

`python -m benchmarks` stores each table, with the machine and the date of its run, in
docs/generated/benchmarks.json (committed). The page prints them from there at build time, so
that every number on it comes from a real run and none is typed by hand.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path

from coursekit import ROOT

RECORD = ROOT / "docs" / "generated" / "benchmarks.json"


def load_record(path: Path = RECORD) -> dict:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def escape(cell: str) -> str:
    return str(cell).replace("|", "\\|")


def table(header, rows) -> str:
    lines = ["| " + " | ".join(escape(h) for h in header) + " |",
             "| " + " | ".join("---" for _ in header) + " |"]
    lines += ["| " + " | ".join(escape(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def when_and_where(entry: dict) -> str:
    """'Run on 23 November 2026 at 12:30 (+00:00), AMD EPYC, 2 cores, ...': one sentence."""
    m = entry.get("machine", {})
    try:
        date = datetime.datetime.fromisoformat(entry["date"])
        when = f"{date:%d %B %Y at %H:%M} (UTC{date:%z})"
    except (KeyError, ValueError):
        when = "an unknown date"
    threads = m.get("numpy_threads")
    blas = m.get("blas", "unknown BLAS") + (f" on {threads} thread(s)" if threads else "")
    load = entry.get("load", {})
    busy = ", ".join(f"{k} {v}" for k, v in load.items() if v)
    return (f"Run on {when}: {m.get('cpu', 'unknown CPU')}, {m.get('cores', '?')} cores, "
            f"Python {m.get('python', '?')}, NumPy {m.get('numpy', '?')} with {blas}, "
            f"{m.get('os', 'unknown OS')}" + (f"; load average {busy}." if busy else "."))


def render(name: str, path: Path = RECORD) -> str:
    """Markdown for benchmark `name`: its table, its notes, and when and where it ran."""
    entry = load_record(path).get(name)
    if entry is None:
        return (f"!!! warning \"No recorded run\"\n    The benchmark `{name}` has not been run yet: "
                f"`python -m benchmarks {name}` records it.\n")
    parts = [table(entry["header"], entry["rows"]), ""]
    parts += [note + "\n" for note in entry.get("notes", [])]
    parts.append(f"*{when_and_where(entry)}*\n")
    return "\n".join(parts)


def cell(name: str, row: int, column: int, path: Path = RECORD) -> str:
    """One recorded number, for a sentence of the page ("?" if that run is not recorded)."""
    try:
        return load_record(path)[name]["rows"][row][column]
    except (KeyError, IndexError):
        return "?"
