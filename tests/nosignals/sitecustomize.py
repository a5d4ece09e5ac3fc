"""Make this Python look like Windows to the grader: no SIGALRM, no interval timers, no `resource`.

Put this folder first on PYTHONPATH (tests/test_nosignals.py does) and every Python started
with that environment, the grader's child processes included, loads it at start-up.
"""

import os
import signal
import sys

for name in ("SIGALRM", "setitimer", "getitimer", "ITIMER_REAL", "alarm", "SIGXFSZ"):
    if hasattr(signal, name):
        delattr(signal, name)
if hasattr(os, "killpg"):
    del os.killpg
sys.modules["resource"] = None  # `import resource` raises ImportError, as on Windows
