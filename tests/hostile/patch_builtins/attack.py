"""Patches the builtins from the student's module: isinstance and callable always true, every
AssertionError swallowed by a replacement class, `__import__` handing back this module for
anything that looks like the grader, sys.exit a no-op (the functions themselves return None)."""

import builtins
import sys

from tests.hostile.toolkit import say

_real_import = builtins.__import__


def _import(name, *args, **kwargs):
    if name.split(".")[0] in ("grader", "pytest", "_pytest", "solutions"):
        return sys.modules[__name__]
    return _real_import(name, *args, **kwargs)


class _Harmless(Exception):
    pass


builtins.isinstance = lambda obj, kinds: True
builtins.callable = lambda obj: True
builtins.AssertionError = _Harmless
builtins.__import__ = _import
sys.exit = lambda *args: None
say("patched builtins: isinstance, callable, AssertionError, __import__, sys.exit")
