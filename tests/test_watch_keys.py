"""The watcher's keys: h the next hint, t the trace, Enter grade again, q quit; shown under each run."""

import os
import shutil
import subprocess
import sys

from coursekit import ROOT
from grader import hint, watch
from tests.grading import EXERCISES
from tests.test_watch import wait_for


def test_keys_give_a_hint_a_trace_a_new_grade_and_quit(tmp_path):
    target = shutil.copytree(EXERCISES, tmp_path / "work")
    log = tmp_path / "watch.log"
    env = {**os.environ, hint.STATE_VARIABLE: str(tmp_path / "hints.json")}
    with open(log, "w") as output:
        process = subprocess.Popen([sys.executable, "-m", "grader.watch", "network", "--target", str(target), "-q"],
                                   cwd=ROOT, stdin=subprocess.PIPE, stdout=output, stderr=subprocess.STDOUT,
                                   env=env, text=True, start_new_session=True)
    try:
        assert wait_for(log, f"keys: {watch.KEYS}", 1), log.read_text()

        def press(key, shows, count=1):
            process.stdin.write(key + "\n")
            process.stdin.flush()
            assert wait_for(log, shows, count), log.read_text()

        press("h", f"Network.forward ({target / 'network.py'}), Hint 1 of 3")
        press("h", "Hint 2 of 3")
        press("t", "values of the worked example agree with the reference;")
        press("", "your grade", count=2)  # Enter grades again
        process.stdin.write("q\n")
        process.stdin.flush()
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            os.killpg(process.pid, 9)
            process.wait()
    assert "stopped watching" in log.read_text()
    assert sorted(os.listdir(target)) == sorted(os.listdir(EXERCISES))  # nothing written there
