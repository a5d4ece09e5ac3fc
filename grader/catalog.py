"""The course in one table: which module belongs to which lesson, and what each test is worth.

One entry per exercise module; the module's name is every file's name (solutions/<m>.py,
exercises/<m>.py, grader/test_<m>.py, grader/hints/<m>.toml, grader/diagnoses/<m>.py,
coursekit/worked/<m>.py, notebooks/<m>.ipynb), only the page keeps its public URL. The
lesson's number and title are its page's H1 ("# 1. The Network class"), and the nav takes the
title from there (coursekit/lesson_nav.py). tests/test_catalog.py holds the table true: the
files exist, the title matches, every anchor a test, hint or diagnosis links to is a heading.
"""

import os
import re
from dataclasses import dataclass

from coursekit import ROOT

LOCAL_SITE = "http://127.0.0.1:8000/"


@dataclass(frozen=True)
class Module:
    """An exercise module and the lesson that teaches it."""

    number: int
    title: str  # the page's H1 is "<number>. <title>"
    page: str  # the lesson's path under docs/, without .md
    worked: bool = True  # has a worked example, coursekit/worked/<module>.py


MODULES = {
    "network": Module(1, "The Network class", "lessons/network"),
    "functional": Module(2, "The network as a dictionary and functions", "lessons/functional"),
    "nn": Module(3, "Backprop as a computational graph", "lessons/graph"),
    "data": Module(5, "From pixels to features", "lessons/data"),
    "training": Module(6, "Training on MNIST", "lessons/training"),
    "further": Module(7, "Going further", "lessons/further"),
    "autodiff": Module(8, "Your own autodiff", "lessons/autodiff"),
}

# Points per test function, as "module.test_name"; the cases of a parametrized test share its
# points equally. Every test function not listed is worth 1 point.
POINTS = {
    "network.test_forward_matches_reference": 3,
    "network.test_backprop_matches_reference": 4,
    "network.test_backprop_finite_differences": 2,
    "further.test_forward_matches_reference": 2,
    "further.test_backprop_matches_reference": 3,
    "further.test_backprop_finite_differences": 2,
    "further.test_your_classifier_on_mnist": 3,
    "autodiff.test_gradients_add_up_where_a_tensor_is_used_twice": 2,
    "autodiff.test_rules_run_in_reverse_topological_order": 2,
    "autodiff.test_model_gradients_equal_backprop": 3,
    "autodiff.test_your_classifier_on_mnist": 3,
}


def points(module, test_name):
    """The points of one test function of `module`, over all its parametrized cases."""
    return POINTS.get(f"{module}.{test_name}", 1)


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
