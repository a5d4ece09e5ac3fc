"""The course's table (course.toml at the repository's root), read once for everyone.

    from coursekit import course
    course.LESSONS                 # every lesson, in reading order (Lesson records)
    course.MODULES                 # {"network": Lesson, ...}: the lessons with an exercise
    course.points("network", "test_forward_matches_reference")   # 3
    course.lesson_url("network", "backpropagation")               # the page, at that heading

This module is the bottom of the project's layers: it imports nothing of the grader, the site
or the notebooks, which all read the course from here. `python -m coursekit.check` holds the
files of the course true against the table.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from coursekit import ROOT

TABLE = ROOT / "course.toml"
LOCAL_SITE = "http://127.0.0.1:8000/"
FIELDS = {"number", "title", "page", "summary", "module", "worked", "functions", "points", "named_by_a_message"}


class TableError(ValueError):
    """course.toml cannot be read as the course's table; the message says where and how to fix it."""


@dataclass(frozen=True)
class Lesson:
    """One lesson: its page, and the exercise module it ends with (if any)."""

    number: int
    title: str  # the page's H1 is "<number>. <title>"
    page: str  # the page's path under docs/, without .md
    summary: str = ""  # what it teaches, one line for the course path on the home page
    module: str | None = None  # the exercise module; None for a lesson without one
    worked: bool = True  # has a worked example, coursekit/worked/<module>.py
    functions: dict = field(default_factory=dict)  # {stub: its heading's anchor}, in the lesson's order
    points: dict = field(default_factory=dict)  # {test function: points}; others are worth 1
    named_by_a_message: dict = field(default_factory=dict)  # {bullet lead: (grader file, fragment)}

    @property
    def heading(self):
        return f"{self.number}. {self.title}"


def read(path=TABLE):
    """[Lesson] from a table file, in its order; TableError names what is wrong."""
    path = Path(path)
    try:
        with path.open("rb") as file:
            table = tomllib.load(file)
    except FileNotFoundError:
        raise TableError(f"{path} is missing: it is the course's table (git checkout -- {path.name})") from None
    except tomllib.TOMLDecodeError as error:
        raise TableError(f"{path} is not valid TOML: {error}") from None
    lessons = []
    for i, entry in enumerate(table.get("lesson", []), 1):
        where = f"{path.name}, lesson entry {i}"
        unknown = set(entry) - FIELDS
        if unknown:
            raise TableError(f"{where}: unknown field(s) {sorted(unknown)}; the fields are {sorted(FIELDS)}")
        for name in ("number", "title", "page"):
            if name not in entry:
                raise TableError(f"{where}: the field {name!r} is missing")
        if entry.get("module") and not re.fullmatch(r"[a-z_][a-z0-9_]*", entry["module"]):
            raise TableError(f"{where}: module {entry['module']!r} must be a lower-case Python name")
        named = {lead: tuple(value) for lead, value in entry.get("named_by_a_message", {}).items()}
        lessons.append(Lesson(entry["number"], entry["title"], entry["page"], entry.get("summary", ""),
                              entry.get("module"), entry.get("worked", True), dict(entry.get("functions", {})),
                              dict(entry.get("points", {})), named))
    modules = [lesson.module for lesson in lessons if lesson.module]
    twice = sorted({m for m in modules if modules.count(m) > 1})
    if twice:
        raise TableError(f"{path.name}: the module(s) {twice} belong to two lessons")
    return lessons


LESSONS = read()
MODULES = {lesson.module: lesson for lesson in LESSONS if lesson.module}


def points(module, test_name):
    """The points of one test function of `module`, over all its parametrized cases."""
    return MODULES[module].points.get(test_name, 1) if module in MODULES else 1


def site_url():
    """Where the lessons are read: mkdocs.yml's `site_url` (`!ENV [SITE_URL, "default"]`), else local."""
    config = ROOT / "mkdocs.yml"
    text = config.read_text(encoding="utf-8") if config.exists() else ""
    match = re.search(r"^site_url:\s*!ENV\s*\[\s*(\w+)\s*,\s*['\"]([^'\"]+)['\"]\s*\]", text, re.M)
    if match:
        return os.environ.get(match.group(1), match.group(2)).rstrip("/") + "/"
    match = re.search(r"^site_url:\s*['\"]?(https?://[^'\"\s]+)", text, re.M)
    return match.group(1).rstrip("/") + "/" if match else LOCAL_SITE


def lesson_url(module, section=None):
    """The URL of a module's lesson, at `section` (a heading's anchor) if given."""
    url = f"{site_url()}{MODULES[module].page}/"
    return f"{url}#{section}" if section else url


WORDS = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"]


def in_words(number):
    """'eight' for 8, as the pages write small numbers; larger ones stay digits."""
    return WORDS[number] if number < len(WORDS) else str(number)


def counted(number, noun):
    """'eight lessons', 'one lesson'."""
    return f"{in_words(number)} {noun}{'' if number == 1 else 's'}"


def target(given=None, cwd=None):
    """The folder a command grades, traces, watches, resets or packs: the one rule of them all.

    `given` (a --target), relative to `cwd` (default: the current folder); else the environment's
    COURSE_TARGET, likewise; else the course's own exercises/, wherever the command is run from.
    Returned absolute and resolved; whether it exists is the caller's to say.
    """
    chosen = given or os.environ.get("COURSE_TARGET")
    if not chosen:
        return (ROOT / "exercises").resolve()
    folder = Path(chosen).expanduser()
    if not folder.is_absolute():
        folder = Path(cwd or Path.cwd()) / folder
    return folder.resolve()


def shown(folder):
    """A folder as commands print it: relative to the current folder when inside it."""
    folder = Path(folder)
    try:
        return str(folder.relative_to(Path.cwd().resolve())) or "."
    except ValueError:
        return str(folder)
