"""A warm grader: many of the project's grader runs in one long-lived process, one after another.

A grader run started on its own (`python -m pytest grader --target DIR --module M`) spends about
2.5 s of CPU, most of it starting Python, pytest and a child process for the module; the module's
tests themselves take a fraction of that. The variant tests grade one module of a folder about
200 times, so tests/grading.py sends those runs here instead: this process starts once per test
worker, imports pytest, NumPy and the grader once, then runs `pytest.main(args)` for each job,
with `--in-process` (the grader's own mode for one process).

What a job proves is the same as for a run of its own: the verdict, the messages, the exit
status and results.json. What it does not prove, the process isolation, is tested by the tests
that start the grader themselves (test_isolation, looping, test_classroom, test_grader).

    python -m tests.warm_grader FOLDER

reads FOLDER/<n>.job (JSON: args, stdout, stderr), numbered from 1, as they appear, and writes
FOLDER/<n>.done (the exit status) when job n is graded. It ends when its parent does, or on a
job whose args are null. Jobs and answers are files, not pipes: student code may read stdin
and write to file descriptors 1 and 2 (pytest captures those during a test).
"""

import json
import os
import sys
import time
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

POLL_SECONDS = 0.005


def forget(target):
    """Drop what grading `target` added to sys.modules and sys.path, so that the next job imports
    its own modules (the loader registers a student's module under its plain name)."""
    target = str(Path(target).resolve())
    for name, module in list(sys.modules.items()):
        path = getattr(module, "__file__", None) or ""
        if path.startswith(target + os.sep):
            del sys.modules[name]
    while target in sys.path:
        sys.path.remove(target)


def target_of(args):
    return args[args.index("--target") + 1] if "--target" in args else None


def serve(folder):
    import numpy  # noqa: F401  (imported once, before any job, like everything the grader imports)
    import pytest

    import grader.conftest  # noqa: F401
    import grader.plugin  # noqa: F401

    folder, parent, number = Path(folder), os.getppid(), 1
    while True:
        job_file = folder / f"{number}.job"
        if not job_file.exists():
            if os.getppid() != parent:  # the test process is gone
                return
            time.sleep(POLL_SECONDS)
            continue
        job = json.loads(job_file.read_text(encoding="utf-8"))
        if job["args"] is None:
            return
        with open(job["stdout"], "w", encoding="utf-8") as out, open(job["stderr"], "w", encoding="utf-8") as err:
            with redirect_stdout(out), redirect_stderr(err):
                try:
                    code = int(pytest.main(job["args"]))
                except BaseException as error:  # a job that breaks pytest itself must not end the rest
                    print(f"[warm grader] pytest.main raised {type(error).__name__}: {error}", file=err)
                    code = -1
        if target_of(job["args"]):
            forget(target_of(job["args"]))
        done = folder / f"{number}.done"
        done.with_suffix(".tmp").write_text(str(code), encoding="utf-8")
        done.with_suffix(".tmp").replace(done)
        number += 1


if __name__ == "__main__":
    serve(sys.argv[1])
