"""Shipped as conftest.py beside the submission's modules (whose functions return None): if
pytest ever imports it into the grading process, it passes every test just before the results
are written, and leaves a marker file saying it ran there."""

import pytest

MARKER = "HOSTILE-MARKER"


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session):
    open(f"/tmp/{MARKER}-conftest-ran", "w").close()  # noqa: SIM115
    try:
        from grader.plugin import GRADING
    except ImportError:
        return
    for outcome in session.config.stash[GRADING].outcomes.values():
        outcome.status, outcome.output = "passed", ""
