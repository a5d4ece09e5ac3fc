"""MkDocs hook: the "Lessons" section of the nav, made from docs/lessons/ (titles written once).

Registered under `hooks:` in mkdocs.yml, whose nav says `- Lessons: lessons/`. `on_config`
replaces that entry by every page of docs/lessons/, ordered by the number its H1 title starts
with ("# 3. Backprop as a computational graph"), each without a title of its own: MkDocs then
titles it with the page's H1. A new lesson is a new page; nothing in mkdocs.yml changes.
tests/test_catalog.py checks that every module of grader.catalog is in this list.
"""

from __future__ import annotations

import re
from pathlib import Path

SECTION = "Lessons"
FOLDER = "lessons"


def lesson_number(page):
    """The number the page's H1 title starts with ("# 3. Backprop ..." gives 3), or None."""
    match = re.search(r"^# (\d+)\.\s", Path(page).read_text(encoding="utf-8"), re.M)
    return int(match.group(1)) if match else None


def lesson_pages(docs_dir):
    """["lessons/network.md", ...]: the lesson pages under docs_dir, in the order of their numbers."""
    pages = [p for p in (Path(docs_dir) / FOLDER).glob("*.md") if lesson_number(p) is not None]
    return [f"{FOLDER}/{p.name}" for p in sorted(pages, key=lambda p: (lesson_number(p), p.name))]


def on_config(config):
    """Fill the nav's `Lessons: lessons/` entry with the lesson pages, title-less."""
    for i, entry in enumerate(config["nav"] or []):
        if isinstance(entry, dict) and entry.get(SECTION) == f"{FOLDER}/":
            config["nav"][i] = {SECTION: lesson_pages(config["docs_dir"])}
    return config
