"""Poisons bytecode: the submission ships __pycache__/<module>.cpython-3XX.pyc and a sourceless
<module>.pyc compiled from the reference (unchecked hash-based .pyc files, which Python runs
without looking at the source; tests/hostile/corpus.py adds them), while <module>.py itself
returns None everywhere. At import it also writes such .pyc files over the grader's, the
solutions' and NumPy's caches wherever it can."""

import importlib.util
import os
import sys

import numpy

from tests.hostile.toolkit import MARKER, attempt, contained, course_roots, say


def _poison(path):
    code = compile(f"MARKER = {MARKER!r}\n", path, "exec")
    data = importlib._bootstrap_external._code_to_hash_pyc(code, b"\0" * 8, checked=False)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as handle:
        handle.write(data)


def _leave():
    if not contained():
        say("not in the grader's sandbox: writing nothing")
        return
    tag = sys.implementation.cache_tag
    targets = [os.path.join(os.path.dirname(numpy.__file__), "__pycache__", f"__init__.{tag}.pyc"),
               os.path.join(os.path.dirname(numpy.__file__), "core", "__pycache__", f"numeric.{tag}.pyc")]
    for root in course_roots():
        for part, name in (("grader", "checks"), ("grader", "plugin"), ("solutions", "network"),
                           ("coursekit", "stubs")):
            targets.append(os.path.join(root, part, "__pycache__", f"{name}.{tag}.pyc"))
    done = [path for path in targets if attempt(_poison, path)]
    say(f"poisoned {len(done)} of {len(targets)} bytecode caches: {done[:3]}")
    say(f"imported from {importlib.util.find_spec(__name__).origin if __name__ in sys.modules else '?'}")


_leave()
