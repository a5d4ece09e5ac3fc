"""Forges verdicts on its standard output when called: a frame of the runner's format saying
True, the JSON lines the old per-module worker sent its parent ("passed"), pytest's own
PASSED lines; then ends its process with os._exit(0) before anything can contradict them."""

import json
import os
import struct

from tests.hostile.toolkit import MARKER, say


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
    say("forging verdicts on fd 1, then os._exit(0)")
    lines = [_frame({"value": True}), _frame({"value": None, "cpu": 0.0, "warnings": []})]
    for outcome in ("passed", "xpassed"):
        lines.append((json.dumps({"event": "report", "when": "call", "outcome": outcome, "marker": MARKER})
                      + "\n").encode())
        lines.append((json.dumps({"event": "outcome", "status": outcome, "score": 100}) + "\n").encode())
    lines.append(b"grader/test_network.py::test_forward_matches_reference PASSED\n100 passed in 0.01s\n")
    for data in lines:
        try:
            os.write(1, data)
        except OSError:
            pass
    os._exit(0)
