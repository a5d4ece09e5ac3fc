"""Fixtures several test files share; the costly ones are made once per run, whatever the workers.

`make test` runs the suite on every core with pytest-xdist (`-n auto --dist loadfile`: each file
on one worker, so a file's module fixtures are made once). The default site build is shared by
tests/test_site.py, tests/test_solutions_hidden.py and tests/test_browser.py: the first worker
to need it builds it into the run's common temporary folder, under a file lock, and the others
read it there.
"""

import json
import os
import subprocess
import sys
from contextlib import contextmanager

import pytest

from coursekit import ROOT
from tests import grading
from tests.sites import mkdocs_build

# tests/ is on sys.path too, and most test files write `from grading import ...`: one module under
# both names, so that what it makes once per process (the untouched exercises, the warm grader)
# is made once, not once per name.
sys.modules.setdefault("grading", grading)

try:
    import fcntl
except ImportError:  # Windows: no lock, each worker builds its own site
    fcntl = None


def shared_folder(tmp_path_factory):
    """A folder every worker of this run sees (the run's own temporary folder without xdist)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") and fcntl else base


@contextmanager
def locked(path):
    """Hold an exclusive lock on `path` (created) while the block runs; no lock without fcntl."""
    with open(path, "a") as handle:
        if fcntl:
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            if fcntl:
                fcntl.flock(handle, fcntl.LOCK_UN)


def once(tmp_path_factory, name, make):
    """`make(folder)` -> CompletedProcess, run once per test run into a shared `folder`: (result, folder)."""
    shared = shared_folder(tmp_path_factory)
    folder, record = shared / name, shared / f"{name}.json"
    with locked(shared / f"{name}.lock"):
        if not record.exists():
            result = make(folder)
            record.write_text(json.dumps({"args": result.args, "returncode": result.returncode,
                                          "stdout": result.stdout, "stderr": result.stderr}), encoding="utf-8")
    saved = json.loads(record.read_text(encoding="utf-8"))
    return subprocess.CompletedProcess(saved["args"], saved["returncode"], saved["stdout"], saved["stderr"]), folder


@pytest.fixture(scope="session")
def site_build(tmp_path_factory):
    """(CompletedProcess, site folder) of the default `mkdocs build --strict`, made once per run."""
    return once(tmp_path_factory, "default-site", lambda folder: mkdocs_build(ROOT, folder))
