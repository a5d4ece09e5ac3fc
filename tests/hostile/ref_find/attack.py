"""Walks the whole filesystem (a few seconds' worth) for any copy of the reference: a
<module>.py that still holds the `# BEGIN SOLUTION` markers, or any file whose name says
solution; runs the first one that defines this module's functions."""

import os
import time

from tests.hostile.toolkit import MODULE, _hostile_payload, read, same_module, say

_mine = os.path.realpath(os.path.abspath(__file__))
_end, _files, _found = time.monotonic() + 4, 0, None
for _folder, _folders, _names in os.walk("/"):
    _folders[:] = [name for name in _folders if os.path.join(_folder, name) not in ("/proc", "/sys", "/dev")]
    _files += len(_names)
    for _name in _names:
        if _name in (f"{MODULE}.py", f"reference_{MODULE}.py") or "solution" in _name.lower():
            if os.path.realpath(os.path.join(_folder, _name)) == _mine:
                continue
            _source = read(os.path.join(_folder, _name))
            if _source and b"BEGIN SOLUTION" in _source and same_module(_source):
                _found = _source, os.path.join(_folder, _name)
                break
    if _found or time.monotonic() > _end:
        break
say(f"walked {_files} files: {'found ' + _found[1] if _found else 'no reference'}")
if _found:
    _hostile_payload(*_found)
