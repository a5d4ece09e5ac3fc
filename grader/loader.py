"""Importing student code so that nothing it does can end or hang the grading run.

A student module is imported from the target folder under its own name (so `import network`
inside a student's training.py finds the student's network.py), with `input()` disabled, a
time limit, and `sys.exit` caught. Whatever goes wrong becomes a `StudentCodeError` whose
message names the file and line; the tests of that module fail with it, and the run goes on.
"""

import _thread
import builtins
import functools
import importlib.util
import linecache
import os
import signal
import sys
import threading
import time
import traceback
from contextlib import contextmanager
from pathlib import Path

from grader.harness import compile_problem

IMPORT_SECONDS = 10


class StudentCodeError(Exception):
    """Student code could not be imported or run; the message is for the student."""


class InputCalled(RuntimeError):
    """Raised in place of input(): the grader has no keyboard to answer it."""


def _no_input(prompt=""):
    raise InputCalled(
        f"input({prompt!r}) was called, but the grader runs without a keyboard: "
        "remove the input() call (pass values as arguments instead)"
    )


@contextmanager
def no_input():
    saved = builtins.input
    builtins.input = _no_input
    try:
        yield
    finally:
        builtins.input = saved


class _ImportTimeout(BaseException):
    """BaseException, so that a student's `except Exception` can't swallow it."""


def has_alarm():
    """Whether this Python has SIGALRM and setitimer (POSIX); Windows has neither."""
    return hasattr(signal, "SIGALRM") and hasattr(signal, "setitimer")


@contextmanager
def time_limit(seconds, error=_ImportTimeout):
    """Raise `error()` in the block if it runs past `seconds`: an endless loop in student code.

    With SIGALRM (Linux, macOS) an interval timer interrupts the block; limits nest, an outer
    one being put back, minus the time spent here, when the block ends. Without it (Windows) a
    timer thread interrupts the main thread with `_thread.interrupt_main`, the way Ctrl-C would.
    Either way the interruption is an exception that student code could catch and ignore (a
    bare `except:` in a loop): the grader's watchdog, or the parent process, ends that case.
    Outside the main thread there is no limit.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
    elif has_alarm():
        with _alarm_limit(seconds, error):
            yield
    else:
        with _thread_limit(seconds, error):
            yield


@contextmanager
def _alarm_limit(seconds, error):
    def interrupt(signum, frame):
        raise error()

    start = time.monotonic()
    previous_handler = signal.signal(signal.SIGALRM, interrupt)
    previous_delay, _ = signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous_handler)
        if previous_delay:
            remaining = previous_delay - (time.monotonic() - start)
            signal.setitimer(signal.ITIMER_REAL, max(remaining, 0.001))


class _Limit:
    def __init__(self, error):
        self.error = error
        self.active = True
        self.fired = False


_limits = []  # the thread-based limits in force, outermost first
_lock = threading.Lock()
_pending = 0  # interruptions sent by a limit's timer and not yet handled


def _on_interrupt(signum, frame):
    """SIGINT's handler while thread-based limits are used: a limit that fired, else Ctrl-C."""
    global _pending
    with _lock:
        ours = _pending > 0
        _pending = max(_pending - 1, 0)
        fired = next((limit for limit in _limits if limit.fired), None)
    if fired is not None:
        raise fired.error()
    if not ours:
        raise KeyboardInterrupt
    # a limit's timer fired just as its block ended: nothing to interrupt


def _fire(limit):
    global _pending
    with _lock:
        if not limit.active:
            return
        limit.fired = True
        _pending += 1
    _thread.interrupt_main(signal.SIGINT)


@contextmanager
def _thread_limit(seconds, error):
    # The handler stays installed once set: an interruption may arrive after its block ended.
    if signal.getsignal(signal.SIGINT) is not _on_interrupt:
        signal.signal(signal.SIGINT, _on_interrupt)
    limit = _Limit(error)
    timer = threading.Timer(seconds, _fire, args=(limit,))
    timer.daemon = True
    with _lock:
        _limits.append(limit)
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
        with _lock:
            limit.active = False
            _limits.remove(limit)


@functools.lru_cache(maxsize=4096)
def _real_path(filename):
    return os.path.realpath(filename)


def where_in(tb, folder):
    """'file:line in function' of the innermost traceback frame inside `folder`, or None."""
    inside = os.path.join(os.path.realpath(folder), "")  # with a trailing separator
    found = None
    # Every failure of a run passes here, through some 25 frames of pytest's: a path is resolved
    # once per run, and only the frame that is found has its line read.
    for frame, lineno in traceback.walk_tb(tb):
        filename = frame.f_code.co_filename
        if os.path.isabs(filename) and _real_path(filename).startswith(inside):
            found = filename, lineno, frame.f_code.co_name
    if found is None:
        return None
    filename, lineno, function = found
    text = linecache.getline(filename, lineno).strip()
    line = f": {text}" if text else ""
    return f"{filename}:{lineno} in {function}(){line}"


def import_student_module(name, folder):
    """Import `folder/name.py` as module `name`; raise StudentCodeError when that fails."""
    folder = Path(folder).resolve()
    path = folder / f"{name}.py"
    if not path.exists():
        raise StudentCodeError(f"{path} does not exist: the module {name}.py is missing from {folder}")
    problem = compile_problem(str(path))  # the runner's own words (grader/harness.py)
    if problem:
        raise StudentCodeError(problem)

    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))  # sibling imports resolve to the student's own files
    sys.modules[name] = module
    try:
        with no_input(), time_limit(IMPORT_SECONDS):
            spec.loader.exec_module(module)
        return module
    except KeyboardInterrupt:
        raise
    except _ImportTimeout as error:
        place = where_in(error.__traceback__, folder) or str(path)
        message = (
            f"{place}: importing the module did not finish in {IMPORT_SECONDS} s: is there an endless "
            "loop, or long work, at the top level of the file? Put it under `if __name__ == \"__main__\":`"
        )
    except SystemExit as error:
        place = where_in(error.__traceback__, folder) or str(path)
        message = f"{place}: the module called sys.exit({error.code!r}) while being imported"
    except BaseException as error:  # anything the student's top level raised
        place = where_in(error.__traceback__, folder) or str(path)
        message = f"{place}: importing the module raised {type(error).__name__}: {error}"
    sys.modules.pop(name, None)
    raise StudentCodeError(message)
