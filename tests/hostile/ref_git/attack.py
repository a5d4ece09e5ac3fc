"""Reads the reference out of the course's git history: `git show HEAD:solutions/<module>.py`
in every folder that could be the course's root, then the loose objects of its .git by hand."""

import os
import subprocess
import zlib

from tests.hostile.toolkit import MODULE, _hostile_payload, course_roots, same_module, say

_found = None
_repositories = [root for root in course_roots() if os.path.isdir(os.path.join(root, ".git"))]
for _root in _repositories:
    try:
        _run = subprocess.run(["git", "-c", "safe.directory=*", "-C", _root, "show", f"HEAD:solutions/{MODULE}.py"],
                              capture_output=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        continue
    if _run.returncode == 0 and b"BEGIN SOLUTION" in _run.stdout:
        _found = _run.stdout, f"git:{_root}"
        break
    _objects = os.path.join(_root, ".git", "objects")
    for _folder, _, _names in os.walk(_objects):
        for _name in _names:
            try:
                with open(os.path.join(_folder, _name), "rb") as _handle:
                    _data = zlib.decompress(_handle.read())
            except (OSError, zlib.error):
                continue
            if _data.startswith(b"blob") and b"BEGIN SOLUTION" in _data and same_module(_data):
                _found = _data.split(b"\0", 1)[1], os.path.join(_folder, _name)
say(f"git repositories in sight: {_repositories}; {'found one' if _found else 'no reference in them'}")
if _found is not None:
    _hostile_payload(*_found)
