"""Scripts that print tables of measured times. `make bench` (`python -m benchmarks`) runs them
all; each also runs alone as `python -m benchmarks.<name>`.

NumPy's BLAS runs on one thread here unless OPENBLAS_NUM_THREADS says otherwise (it must be set
before NumPy is imported, hence here). The matrices of this course are small: a second thread
gains little on them, and on a machine whose cores are busy with other work, OpenBLAS's threads
wait for each other and a training step can take ten times longer (bench_reference measures it).
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
