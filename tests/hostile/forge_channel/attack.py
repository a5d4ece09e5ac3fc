"""Forges the runner's answers on the channel itself: finds the descriptors that are pipes it
can write to (the judge reads its answers from one), writes answer frames of its own making
(None, handles to objects that do not exist, an error that blames the grader, a frame that
announces 1 GiB), then ends its process with os._exit(0)."""

import json
import os
import stat
import struct

from tests.hostile.toolkit import say


def _encode(value):
    """A value as the runner's wire writes it (grader/harness.py Wire): a dict is {"$d": [[key, value],
    ...]}; a dict with a "$h" key is left as it is, the handle of an object in the runner."""
    if isinstance(value, dict) and "$h" not in value:
        return {"$d": [[key, _encode(item)] for key, item in value.items()]}
    if isinstance(value, list):
        return [_encode(item) for item in value]
    return value


def _frame(answer):
    header = json.dumps(_encode(answer)).encode()
    return struct.pack(">QI", len(header), 0) + header


def _hostile(*args, **kwargs):
    frames = [_frame({"value": None}), _frame({"value": {"$h": 999, "type": "Network", "callable": True}}),
              _frame({"error": {"kind": "grader", "type": "RuntimeError", "message": "the grader broke"}}),
              _frame({"value": {"score": 100.0, "status": "passed"}, "cpu": 0.0, "warnings": []}),
              struct.pack(">QI", 1 << 30, 0) + b"{"]
    written = []
    for fd in range(3, 64):
        try:
            if not stat.S_ISFIFO(os.fstat(fd).st_mode):
                continue
            for data in frames:
                os.write(fd, data)
            written.append(fd)
        except OSError:
            continue
    say(f"forged answer frames on descriptors {written}, then os._exit(0)")
    os._exit(0)
