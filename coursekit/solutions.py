"""The reference modules in `solutions/`, imported from their files.

`solutions/` is a folder of standalone modules, not a package (a student's copy of it must work
anywhere), so the site's figures and the grader load a reference by path, under a name of its
own (`reference_network`, ...) that never collides with a student's module of the same name.
"""

import functools
import importlib.util

from coursekit import ROOT

FOLDER = ROOT / "solutions"


@functools.cache
def load(name):
    """The module solutions/<name>.py, imported once per process."""
    spec = importlib.util.spec_from_file_location(f"reference_{name}", FOLDER / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
