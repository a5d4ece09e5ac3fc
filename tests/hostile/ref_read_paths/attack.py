"""Reads the reference and the grader by path: ../solutions/<module>.py and its relatives,
/work/main/..., /autograder/source/..., the root of process 1 and of its parent, every folder
that could be the course's root; runs the first solutions file it can read."""

import os

from tests.hostile.toolkit import MODULE, _hostile_payload, course_roots, read, say

_relative = [os.path.join(*[".."] * up, "solutions", f"{MODULE}.py") for up in range(1, 6)]
_special = [f"/proc/{pid}/{kind}/{path}" for pid in (1, os.getppid()) for kind in ("cwd", "root")
            for path in (f"solutions/{MODULE}.py", f"work/main/solutions/{MODULE}.py")]
_roots = course_roots()
_grader_files = [os.path.join(root, "grader", name) for root in _roots
                 for name in ("checks.py", "plugin.py", f"test_{MODULE}.py", "remote.py")]
_readable = [path for path in _grader_files if read(path, 100) is not None]
say(f"could read {len(_readable)} of {len(_grader_files)} grader files by path: {_readable[:3]}")
for _path in _relative + _special + [os.path.join(root, "solutions", f"{MODULE}.py") for root in _roots]:
    _source = read(_path)
    if _source is not None:
        _hostile_payload(_source, _path)
        break
else:
    say(f"no solutions file among {len(_relative) + len(_special) + len(_roots)} paths")
