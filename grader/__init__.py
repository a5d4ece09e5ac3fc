"""The course's autograder: a pytest plugin (plugin.py) and one test file per exercise module."""

import os

# The grader's arrays are small: BLAS threads only add scheduling noise (and slow-downs of
# 10x on a loaded 2-core machine). Set before any test module imports NumPy.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
