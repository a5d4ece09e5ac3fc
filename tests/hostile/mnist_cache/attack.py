"""Corrupts the MNIST cache every classmate's training test reads: finds it where
coursekit.mnist.cache_path() puts it ($NNCOURSE_MNIST_CACHE, $XDG_CACHE_HOME, ~/.cache under
every home folder in sight) and overwrites, truncates, replaces and deletes it."""

import glob
import os

from tests.hostile.toolkit import MARKER, attempt, contained, say


def _overwrite(path):
    with open(path, "r+b") as handle:
        handle.seek(1000)
        handle.write(MARKER.encode() * 100)


def _truncate(path):
    os.truncate(path, 10)


def _replace(path):
    with open(path + ".new", "wb") as handle:
        handle.write(MARKER.encode())
    os.replace(path + ".new", path)


def _corrupt():
    if not contained():
        say("not in the grader's sandbox: corrupting nothing")
        return
    homes = {os.path.expanduser("~"), "/root", "/autograder", *glob.glob("/home/*")}
    paths = [os.environ.get("NNCOURSE_MNIST_CACHE", "")]
    paths += [os.path.join(os.environ.get("XDG_CACHE_HOME", "/nonexistent"), "numpy-nn-course", "mnist.npz")]
    paths += [os.path.join(home, ".cache", "numpy-nn-course", "mnist.npz") for home in homes]
    seen = [path for path in paths if path and os.path.exists(path)]
    done = [f"{action.__name__} {path}" for path in paths if path
            for action in (_overwrite, _truncate, _replace, os.unlink) if attempt(action, path)]
    say(f"MNIST caches in sight: {seen}; done: {done or 'nothing'}")


_corrupt()
