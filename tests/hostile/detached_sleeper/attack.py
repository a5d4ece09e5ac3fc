"""Leaves a detached process behind (setsid and a double fork, then a fresh Python with the
run's marker in its command line) that sleeps past the end of grading and then rewrites
results.json and scores.csv wherever it can guess, and drops a marker file in /tmp."""

import os
import sys

from tests.hostile.toolkit import MARKER, contained, processes, say

_LATER = r'''
import json, os, sys, time
marker, paths = sys.argv[1], sys.argv[2:]
time.sleep(8)
for path in paths + ["/tmp/" + marker + ".late"]:
    try:
        with open(path, "w") as handle:
            handle.write(json.dumps({"score": 100.0, "tests": [], "output": marker}) if path.endswith(".json")
                         else "student,status,total\n" + marker + ",ok,100\n")
    except OSError:
        pass
'''


def _paths():
    paths = []
    for _pid, args in processes():
        for previous, arg in zip(["", *args], args, strict=False):
            if previous == "--results-json":
                paths.append(arg)
            elif previous == "--out":
                paths.append(os.path.join(arg, "scores.csv"))
    return paths


def _leave():
    if not contained():
        say("not in the grader's sandbox: leaving nothing behind")
        return
    if os.fork() == 0:  # the child: a session of its own, then a grandchild the child abandons
        os.setsid()
        if os.fork() == 0:
            for fd in range(3, 64):
                try:
                    os.close(fd)
                except OSError:
                    pass
            os.execv(sys.executable, [sys.executable, "-c", _LATER, f"{MARKER}-sleeper", *_paths()])
        os._exit(0)
    os.wait()
    say("left a detached sleeper behind")


_leave()
