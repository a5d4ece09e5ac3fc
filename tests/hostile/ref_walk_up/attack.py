"""Walks up from this file's folder and from the working folder, looking for
solutions/<module>.py beside any parent, and runs it in place of this module."""

import os

from tests.hostile.toolkit import MODULE, _hostile_payload, read, say

_tried = []
for _start in (os.path.dirname(os.path.abspath(__file__)), os.getcwd()):
    _folder = _start
    while True:
        _path = os.path.join(_folder, "solutions", f"{MODULE}.py")
        _tried.append(_path)
        _source = read(_path)
        if _source is not None:
            _hostile_payload(_source, _path)
            break
        if os.path.dirname(_folder) == _folder:
            break
        _folder = os.path.dirname(_folder)
say(f"walked up through {len(_tried)} folders")
