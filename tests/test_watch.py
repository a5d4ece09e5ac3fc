"""`python -m grader.watch`: grades at start, grades again after a save, stops on a signal."""

import os
import shutil
import signal
import subprocess
import sys
import time

from coursekit import ROOT
from grader import watch
from tests.grading import EXERCISES


def wait_for(path, text, count, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if path.read_text(encoding="utf-8", errors="replace").count(text) >= count:
            return True
        time.sleep(0.2)
    return False


def test_a_save_grades_the_saved_module_again(tmp_path):
    target = shutil.copytree(EXERCISES, tmp_path / "work")
    log = tmp_path / "watch.log"
    with open(log, "w") as output:
        # stdin: none. The test process's own may be pytest-xdist's channel, which a watcher reading
        # keys from it would disturb.
        process = subprocess.Popen([sys.executable, "-m", "grader.watch", "--target", str(target), "-q"],
                                   cwd=ROOT, stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    try:
        assert wait_for(log, "watching", 1), log.read_text()
        first = log.read_text()
        assert "your grade" in first and "nn.py" in first  # the first run grades every module
        later = time.time() + 5
        os.utime(target / "nn.py", (later, later))
        assert wait_for(log, "watching", 2), log.read_text()
        second = log.read_text()[len(first):]
        assert "--module nn" in second and "your grade" in second
        assert "network.py" not in second.split("your grade")[1]  # only the module saved
        assert "\033[2J" in second  # the screen is cleared before each run
    finally:
        os.killpg(process.pid, signal.SIGINT)
        try:
            code = process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGUSR1)  # its stack, on its output (faulthandler)
            time.sleep(1)
            os.killpg(process.pid, signal.SIGKILL)  # leave nothing running, then fail
            # Whether it printed "stopped watching" tells a missed interrupt from a stuck exit.
            raise AssertionError("the watcher did not end within 20 s of SIGINT; its output ends:\n"
                                 + log.read_text(errors="replace")[-4000:]) from None
    assert code == 0
    assert "stopped watching" in log.read_text()


def test_changed_lists_new_and_modified_files_newest_first():
    assert watch.changed({"a.py": 1, "b.py": 2}, {"a.py": 1, "b.py": 3, "c.py": 5}) == ["c.py", "b.py"]
    assert watch.changed({"a.py": 1}, {"a.py": 1}) == []
