"""Patches NumPy from the student's module so that every comparison says equal: allclose,
isclose, array_equal, the testing asserts, and the ufuncs a checker might use (the functions
themselves return None)."""

import numpy

from tests.hostile.toolkit import say


def _always(*args, **kwargs):
    return True


def _never_fails(*args, **kwargs):
    return None


_patched = []
for _name in ("allclose", "isclose", "array_equal", "array_equiv", "all", "any", "isfinite"):
    setattr(numpy, _name, _always)
    _patched.append(_name)
for _name in ("assert_allclose", "assert_array_equal", "assert_array_almost_equal", "assert_equal"):
    setattr(numpy.testing, _name, _never_fails)
    _patched.append(f"testing.{_name}")
numpy.seterr(all="ignore")
say(f"patched numpy: {', '.join(_patched)}")
