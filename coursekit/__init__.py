"""What the lessons, the solutions' tests and the grader share: the course's table (course.py),
MNIST loading, the stub generator, gradient checking, hints, worked examples and plotting; and,
above the grader, the site's build hooks, the notebooks, the training runs and the course's
own tools (check, new).

The project's imports point one way, bottom to top (tests/test_imports.py holds it):

1. the course: coursekit's modules not listed below (course.toml's reader among them);
2. the grader: grader/, which reads the course from layer 1;
3. the site, notebooks, training runs and tools: the modules of coursekit named in
   ABOVE_THE_GRADER, which may use the grader;
4. the project's tests and benchmarks.

A module imports from its own layer and those below it, never from one above.
"""

from pathlib import Path

# The repository's root: the one name every module and test uses for it (solutions/ does not
# import coursekit: it stands alone).
ROOT = Path(__file__).resolve().parent.parent

# coursekit's modules in layer 3 (above the grader); a name ending in "_" covers every module
# it begins (figures_network, figures_nn...).
ABOVE_THE_GRADER = ("check", "new", "notebooks", "notebook_links", "mkdocs_hooks", "grader_demo",
                    "run", "run_", "runs", "runs_", "figures_", "benchtables")
