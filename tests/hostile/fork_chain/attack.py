"""Leaves a runaway chain behind: a process (the run's marker in its command line) that forks
every few milliseconds, the parent ending each time, so that its pid keeps changing under
whoever tries to kill it by pid; it lives for a minute."""

import subprocess
import sys

from tests.hostile.toolkit import MARKER, contained, say

_CHAIN = r'''
import os, sys, time
end = time.monotonic() + 60
while time.monotonic() < end:
    time.sleep(0.005)
    try:
        if os.fork() != 0:
            os._exit(0)
        os.setsid()
    except OSError:
        pass
'''


def _leave():
    if not contained():
        say("not in the grader's sandbox: leaving nothing behind")
        return
    subprocess.Popen([sys.executable, "-c", _CHAIN, f"{MARKER}-chain"], start_new_session=True,
                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    say("left a fork chain behind")


_leave()
