"""Leaves ordinary processes behind, the ways a careless student might: a child that ignores
SIGTERM and SIGHUP, one in a session of its own, one in the same process group, each sleeping
for ten minutes with the run's marker in its command line; and a thread that never ends."""

import subprocess
import sys
import threading
import time

from tests.hostile.toolkit import MARKER, contained, say

_SLEEP = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); " \
         "signal.signal(signal.SIGHUP, signal.SIG_IGN); time.sleep(600)"


def _leave():
    if not contained():
        say("not in the grader's sandbox: leaving nothing behind")
        return
    for how, session in (("ignores-signals", False), ("own-session", True), ("same-group", False)):
        subprocess.Popen([sys.executable, "-c", _SLEEP, f"{MARKER}-{how}"], start_new_session=session,
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    threading.Thread(target=time.sleep, args=(600,), daemon=False).start()
    say("left three sleeping processes and a thread behind")


_leave()
