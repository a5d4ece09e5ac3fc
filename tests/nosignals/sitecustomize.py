"""Make this Python look like Windows to the grader: no SIGALRM, no interval timers, no `resource`,
no fork (so the grader starts a fresh interpreter for each module, as on Windows and macOS).

Put this folder first on PYTHONPATH (tests/test_nosignals.py does) and every Python started
with that environment, the grader's child processes included, loads it at start-up.
"""

import os
import signal
import sys

for name in ("SIGALRM", "setitimer", "getitimer", "ITIMER_REAL", "alarm", "SIGXFSZ"):
    if hasattr(signal, name):
        delattr(signal, name)
for name in ("killpg", "fork"):
    if hasattr(os, name):
        delattr(os, name)
sys.modules["resource"] = None  # `import resource` raises ImportError, as on Windows
