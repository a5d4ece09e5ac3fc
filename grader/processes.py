"""Starting a grading process that can be ended with everything it started, on every platform.

On Linux and macOS the process leads a session of its own, and ending it kills the whole
process group (whatever the student's code left running). Windows has no process groups in
that sense: the process gets a console group of its own, and ending it kills its tree with
`taskkill /T`.
"""

import os
import signal
import subprocess
import time

WINDOWS = os.name == "nt"


def start(command, **options):
    """`subprocess.Popen(command, **options)`, in a process group of its own."""
    if WINDOWS:
        options["creationflags"] = options.get("creationflags", 0) | subprocess.CREATE_NEW_PROCESS_GROUP
    else:
        options["start_new_session"] = True
    return subprocess.Popen(command, **options)


def descendants(pid):
    """The pids of every process below `pid` (POSIX, from `ps`); [] where `ps` can't tell."""
    try:
        table = subprocess.run(["ps", "-A", "-o", "pid=", "-o", "ppid="], capture_output=True, text=True,
                               timeout=10, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    children = {}
    for line in table.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0].isdigit() and parts[1].isdigit():
            children.setdefault(int(parts[1]), []).append(int(parts[0]))
    found, waiting = [], [pid]
    while waiting:
        for child in children.get(waiting.pop(), []):
            found.append(child)
            waiting.append(child)
    return found


def kill(process):
    """Kill `process` and what it started; wait for it. Safe to call on a process that has ended.

    What it started may lead process groups of its own (the grader starts one per module, so that
    it can end each): those are found through `ps` first and ended too.
    """
    if hasattr(os, "killpg"):
        below = descendants(process.pid) if process.poll() is None else []
        for pid in [process.pid, *below]:
            for end in (os.killpg, os.kill):
                try:
                    end(pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError, OSError):
                    pass
        _wait_gone(below)  # SIGKILL is delivered later: return once they are really ended
    elif WINDOWS and process.poll() is None:
        subprocess.run(["taskkill", "/F", "/T", "/PID", str(process.pid)],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    if process.poll() is None:
        process.kill()
    return process.wait()


def _ended(pid):
    """Whether `pid` has ended (gone, or a zombie that its new parent has yet to reap)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            return stat.read().rsplit(")", 1)[-1].split()[0] == "Z"
    except OSError:
        if os.path.isdir("/proc"):
            return True  # Linux: no entry, no process
    try:
        os.kill(pid, 0)  # elsewhere (macOS): the pid still exists, perhaps as a zombie
    except ProcessLookupError:
        return True
    except OSError:
        pass
    return False


def _wait_gone(pids, seconds=2.0):
    """Wait, at most `seconds`, until every one of `pids` has ended."""
    deadline = time.monotonic() + seconds
    waiting = list(pids)
    while waiting and time.monotonic() < deadline:
        waiting = [pid for pid in waiting if not _ended(pid)]
        if waiting:
            time.sleep(0.01)


def how_it_ended(code):
    """'exit status 3', or 'killed by signal SIGSEGV' for a negative POSIX return code."""
    if code is not None and code < 0:
        try:
            return f"killed by signal {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit status {code}"
