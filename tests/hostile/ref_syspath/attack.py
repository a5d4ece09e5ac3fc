"""Puts every folder that could be the course's root on sys.path (walking up from this file and
from the working folder, the working folders and arguments of every process in sight, the
editable install's mapping in site-packages), then imports solutions.<module> and
coursekit.solutions."""

import importlib
import sys

from tests.hostile.toolkit import MODULE, course_roots, say

_roots = course_roots()
sys.path[:0] = _roots
for _name in (f"solutions.{MODULE}", "coursekit.solutions"):
    try:
        _found = importlib.import_module(_name)
    except Exception as _error:  # noqa: BLE001
        say(f"import {_name} with {len(_roots)} guessed roots on sys.path: {type(_error).__name__}")
        continue
    if _name == "coursekit.solutions":
        _found = _found.load(MODULE)
    say(f"imported {_name}")
    globals().update({k: v for k, v in vars(_found).items() if not k.startswith("__")})
    break
