"""Patches pytest and the grader's checks from the student's module: pytest.fail, approx and
raises made harmless, every report made a pass, and a fake `grader` package (checks that never
fail) put in sys.modules, in case the grader imports it after the student's module."""

import sys
import types

from tests.hostile.toolkit import say

_done = []
try:
    import _pytest.reports
    import pytest

    pytest.fail = lambda *args, **kwargs: None
    pytest.approx = lambda expected, *args, **kwargs: types.SimpleNamespace(__eq__=lambda self, other: True)
    pytest.raises = lambda *args, **kwargs: types.SimpleNamespace(__enter__=lambda s: s, __exit__=lambda *a: True)
    _pytest.reports.TestReport.passed = property(lambda self: True)
    _pytest.reports.TestReport.failed = property(lambda self: False)
    _done.append("pytest")
except Exception as _error:  # noqa: BLE001
    _done.append(f"pytest: {type(_error).__name__}")
_grader = types.ModuleType("grader")
_checks = types.ModuleType("grader.checks")
for _name in ("close", "check_close", "same_shape", "wrong"):
    setattr(_checks, _name, lambda *args, **kwargs: None)
_grader.checks = _checks
sys.modules.setdefault("grader", _grader)
sys.modules.setdefault("grader.checks", _checks)
try:
    import grader.checks as _real_checks  # the real one, if it can be reached

    for _name in dir(_real_checks):
        if callable(getattr(_real_checks, _name)) and not _name.startswith("_"):
            setattr(_real_checks, _name, lambda *args, **kwargs: None)
    _done.append("grader.checks")
except Exception as _error:  # noqa: BLE001
    _done.append(f"grader.checks: {type(_error).__name__}")
say(f"patched: {_done}")
