"""What the lessons, the solutions' tests and the grader share: MNIST loading, the stub
generator, plotting helpers and the site's build hooks."""

from pathlib import Path

# The repository's root: the one name every module and test uses for it (solutions/ does not
# import coursekit: it stands alone).
ROOT = Path(__file__).resolve().parent.parent
