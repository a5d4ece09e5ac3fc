"""Imports the course's own packages: `import grader`, `import coursekit`, then the reference
through coursekit.solutions.load and the student's own through the grader's loader pointed at
solutions/ (sys.path games first: every folder that could be the course's root)."""

import importlib
import sys

from tests.hostile.toolkit import MODULE, course_roots, say

_results = {}
for _name in ("grader", "coursekit", "grader.checks", "grader.loader", "coursekit.solutions"):
    try:
        importlib.import_module(_name)
        _results[_name] = "imported"
    except Exception as _error:  # noqa: BLE001
        _results[_name] = type(_error).__name__
if "imported" not in _results.values():
    sys.path[:0] = course_roots()
    for _name in ("grader.loader", "coursekit.solutions"):
        try:
            importlib.import_module(_name)
            _results[_name + " (guessed roots)"] = "imported"
        except Exception as _error:  # noqa: BLE001
            _results[_name + " (guessed roots)"] = type(_error).__name__
say(f"course packages: {_results}")
if "coursekit.solutions" in sys.modules:
    _reference = sys.modules["coursekit.solutions"].load(MODULE)
    globals().update({k: v for k, v in vars(_reference).items() if not k.startswith("__")})
elif "grader.loader" in sys.modules:
    _loader = sys.modules["grader.loader"]
    _root = sys.modules["grader"].__file__.rsplit("/grader/", 1)[0]
    _reference = _loader.import_student_module(MODULE, f"{_root}/solutions")
    globals().update({k: v for k, v in vars(_reference).items() if not k.startswith("__")})
