"""Looks through every object the garbage collector tracks, sys.modules and the frames above
its own for the reference: a module or function from a solutions/ file, a reference_<module>
module, the grader's own checks; takes the first found."""

import gc
import sys

from tests.hostile.toolkit import MODULE, say

_seen = 0
_found = None
for _object in list(sys.modules.values()) + gc.get_objects():
    _seen += 1
    _file = str(getattr(_object, "__file__", "") or getattr(getattr(_object, "__code__", None), "co_filename", ""))
    _name = str(getattr(_object, "__name__", ""))
    if "solutions" in _file or _name in (f"reference_{MODULE}", f"solutions.{MODULE}"):
        _found = _object
        break
_frame, _frames = sys._getframe(), 0
while _frame is not None and _found is None:
    _frames += 1
    for _value in list(_frame.f_globals.values()) + list(_frame.f_locals.values()):
        if "solutions" in str(getattr(_value, "__file__", "")):
            _found = _value
    _frame = _frame.f_back
say(f"looked at {_seen} objects and {_frames} frames: {'found ' + repr(_found) if _found else 'no reference'}")
if _found is not None and hasattr(_found, "__dict__"):
    globals().update({k: v for k, v in vars(_found).items() if not k.startswith("__")})
