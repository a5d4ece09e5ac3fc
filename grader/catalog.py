"""The course in one table: which module belongs to which lesson, and what each test is worth.

Instructors who fork the course edit this file (and the tests' `grade` markers) only.
"""

import re
from dataclasses import dataclass
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
LOCAL_SITE = "http://127.0.0.1:8000/"


@dataclass(frozen=True)
class Module:
    """An exercise module and the lesson that teaches it."""

    number: int
    title: str
    page: str  # the lesson's path under docs/, without .md


MODULES = {
    "network": Module(1, "The Network class", "lessons/network"),
    "functional": Module(2, "The network as a dictionary and functions", "lessons/functional"),
    "nn": Module(3, "Backprop as a computational graph", "lessons/graph"),
    "data": Module(5, "From pixels to features", "lessons/data"),
    "training": Module(6, "Training on MNIST", "lessons/training"),
}

# Points per test, by test function name; every test not listed is worth 1.
POINTS = {
    "test_backprop_matches_reference": 3,
    "test_backprop_finite_differences": 3,
    "test_forward_matches_reference": 2,
}


def site_url():
    """Where the lessons are read: mkdocs.yml's site_url for a deployed fork, else the local server."""
    config = REPOSITORY / "mkdocs.yml"
    if config.exists():
        match = re.search(r"^site_url:\s*['\"]?(\S+?)['\"]?\s*$", config.read_text(encoding="utf-8"), re.M)
        if match:
            return match.group(1).rstrip("/") + "/"
    return LOCAL_SITE


def lesson_url(module, section=None):
    """The URL of a module's lesson, at `section` (a heading's anchor) if given."""
    url = f"{site_url()}{MODULES[module].page}/"
    return f"{url}#{section}" if section else url
