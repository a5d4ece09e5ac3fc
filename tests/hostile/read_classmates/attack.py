"""Copies a classmate: finds other submissions (the --target of every grader process in sight,
then a walk of the filesystem for folders of module files) and runs a classmate's <module>.py
that is not a stub in place of its own."""

import os
import time

from tests.hostile.toolkit import MODULE, _hostile_payload, processes, read, same_module, say

_mine = os.path.realpath(os.path.dirname(os.path.abspath(__file__)))
_candidates = []
for _pid, _args in processes():
    _candidates += [arg for previous, arg in zip(["", *_args], _args, strict=False) if previous == "--target"]
_end, _folders_seen = time.monotonic() + 4, 0
for _folder, _folders, _names in os.walk("/"):
    _folders[:] = [name for name in _folders if os.path.join(_folder, name) not in ("/proc", "/sys", "/dev")]
    _folders_seen += 1
    if f"{MODULE}.py" in _names and sum(name.endswith(".py") for name in _names) >= 3:
        _candidates.append(_folder)
    if time.monotonic() > _end:
        break
_found = None
for _folder in _candidates:
    if os.path.realpath(_folder) == _mine:
        continue
    _source = read(os.path.join(_folder, f"{MODULE}.py"))
    if _source and b"HOSTILE" not in _source and same_module(_source) and b"    ...\n" not in _source:
        _found = _source, os.path.join(_folder, f"{MODULE}.py")
        break
say(f"{len(_candidates)} folders of module files seen ({_folders_seen} folders walked): "
    f"{'copied ' + _found[1] if _found else 'no classmate'}")
if _found:
    _hostile_payload(*_found)
