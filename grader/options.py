"""The grader's command-line options, declared before pytest reads a single path.

    python -m pytest grader --target DIR          # the same as --target=DIR
    python -m pytest grader --module network --uses Network.forward

pytest guesses which arguments are test paths before the plugins that declare options are
loaded, and imports the `conftest.py` of every folder it takes for one. Declared only by
grader/conftest.py, `--target DIR` would be one of those guesses: DIR/conftest.py, a file the
student wrote, would run inside the judge. So the course's pyproject.toml loads this module
with `addopts = "-p grader.options"` (pytest puts the course root on `sys.path`, from its
`pythonpath` setting, before it imports `-p` plugins), and pytest then knows that DIR belongs
to `--target`. grader/conftest.py lists it too, for a run that finds no pyproject.toml; a
module already loaded is not loaded twice. Nothing here acts: the hooks are in grader.plugin,
grader.select and grader.isolation.
"""

import argparse


def pytest_addoption(parser):
    """--target, --results-json, --results-format, --lesson, --module, --uses, --function, --markers-json,
    --in-process."""
    group = parser.getgroup("grader", "the course's grader")
    group.addoption("--target", default=None, metavar="DIR",
                    help="folder holding the module files to grade (default: $COURSE_TARGET, else the "
                         "course's exercises/)")
    group.addoption("--results-json", default=None, metavar="PATH",
                    help="also write the grade in Gradescope's results.json format (see --results-format)")
    group.addoption("--results-format", default="gradescope", choices=["gradescope", "classroom50"],
                    help="the format of --results-json: Gradescope's results.json (default) or Classroom 50's "
                         "result.json (grader/classroom50.py)")
    group.addoption("--lesson", type=int, action="append", default=None, metavar="N",
                    help="grade only the modules of lesson N (see the table at the end of a run); repeatable")
    group.addoption("--module", dest="module_name", action="append", default=None, metavar="NAME",
                    help="grade only NAME.py (also: -m NAME); repeatable")
    # grader/select.py
    group.addoption("--uses", action="append", default=[], metavar="NAME",
                    help="grade only the tests that use NAME (a function or Class.method of the module; "
                         "module:NAME for another module's)")
    group.addoption("--function", action="append", default=[], metavar="NAME",
                    help="grade only the tests of NAME itself (a function, Class.method or Class of the module: "
                         "the tests whose last function used, in the lesson's order, is NAME); repeatable")
    group.addoption("--markers-json", default=None, metavar="PATH",
                    help="write each selected test's grade marker (uses, section) as JSON")
    group.addoption("--in-process", action="store_true", default=False,
                    help="grade every module in this process, not one process per module (for "
                         "debugging the grader: a module that ends its process then ends the run)")
    group.addoption("--grader-worker", default=None, help=argparse.SUPPRESS)  # see grader/isolation.py
