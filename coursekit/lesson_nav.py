"""MkDocs hook: the "Lessons" section of the nav, made from the course's table (titles written once).

Registered under `hooks:` in mkdocs.yml, whose nav says `- Lessons: lessons/`. `on_config`
replaces that entry by every lesson page of course.toml, in the table's order, each without a
title of its own: MkDocs then titles it with the page's H1 ("# 3. Backprop as a computational
graph"). A new lesson is a new entry and its page; nothing in mkdocs.yml changes.
`python -m coursekit.check` checks that the pages of docs/lessons/ (found by their numbered H1,
`lesson_pages`) are the table's, in its order.
"""

from __future__ import annotations

import re
from pathlib import Path

from coursekit import course

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
    """Fill the nav's `Lessons: lessons/` entry with the table's lesson pages, title-less."""
    for i, entry in enumerate(config["nav"] or []):
        if isinstance(entry, dict) and entry.get(SECTION) == f"{FOLDER}/":
            config["nav"][i] = {SECTION: [f"{lesson.page}.md" for lesson in course.LESSONS]}
    return config


def course_path():
    """The home page's course path, as Markdown: the counts, then one row per lesson of the table.

    Links are relative to docs/index.md. A page prints it with a markdown-exec block, so the
    count and the rows change with course.toml and never by hand.
    """
    lessons = course.LESSONS
    graded = [lesson for lesson in lessons if lesson.module]
    others = len(lessons) - len(graded)
    sentence = (f"{course.counted(len(lessons), 'lesson').capitalize()}, in this order; "
                f"{course.in_words(len(graded))} of them end with an exercise module "
                "that the grader checks")
    if others:
        sentence += (f", and the other {course.in_words(others)} "
                     f"{'is' if others == 1 else 'are'} for reading and trying things out")
    rows = ["| lesson | what it teaches | your exercise |", "| --- | --- | --- |"]
    for lesson in lessons:
        exercise = f"`exercises/{lesson.module}.py`" if lesson.module else "none: read it and try it out"
        rows.append(f"| {lesson.number}. [{lesson.title}]({lesson.page}.md) | {lesson.summary} | {exercise} |")
    return sentence + ".\n\n" + "\n".join(rows) + "\n"
