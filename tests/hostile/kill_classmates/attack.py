"""Kills whatever it can, at import and in every call: os.kill(-1, SIGKILL), every pid under
/proc one by one, `pkill -9 python` and `killall -9 python3`: in the classroom the other
students' graders run at the same time."""

import os
import signal
import subprocess

from tests.hostile.toolkit import attempt, contained, processes, say


def _kill_everything():
    if not contained():
        say("not in the grader's sandbox: killing nothing")
        return
    me = os.getpid()
    seen = [pid for pid, _args in processes() if pid != me]
    killed = [pid for pid in seen if attempt(os.kill, pid, signal.SIGKILL)]
    say(f"saw {len(seen)} other processes; kill(-1): {attempt(os.kill, -1, signal.SIGKILL)}; killed {killed}")
    for command in (["pkill", "-9", "-f", "pytest"], ["killall", "-9", "python3"]):
        attempt(subprocess.run, command, capture_output=True, timeout=5)


def _hostile(*args, **kwargs):
    _kill_everything()


_kill_everything()
