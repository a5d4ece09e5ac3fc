"""The shortest cheat there is: the reference's network.py, imported whole (the course root was
on sys.path when the student's module was imported into the grader's own process)."""

from solutions.network import *  # noqa: F403
