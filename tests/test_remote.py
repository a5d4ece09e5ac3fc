"""The channel between the judge and the runner (grader/harness.py, grader/remote.py).

Plain values cross and keep their types; nothing crosses as a pickle; the student's exceptions,
warnings and exits come back as what they were; a runner that ends or garbles the channel fails
only the request it was answering; under bubblewrap the course's files are not there at all.
"""

import io
import struct
import warnings

import numpy as np
import pytest

from coursekit import ROOT
from grader import remote
from grader.harness import Unsendable, Wire

STUDENT = '''\
import os, sys, warnings
import numpy as np

class Thing:
    def __init__(self, n):
        self.n = n
        self.weights = {1: np.zeros((2, 3)), 2: np.ones(3)}

    def double(self, x):
        return 2 * x

def plain():
    return {"tuple": (1, 2.5, "three"), 7: [True, None], "scalar": np.float64(1.5), "int": np.int64(3),
            "bools": np.array([True, False])}

def objects():
    return np.array([object(), 1], dtype=object)

def generator():
    return (i for i in range(3))

def fails(kind):
    if kind == "value":
        raise ValueError("shapes (2,) and (3,) differ")
    if kind == "custom":
        class Mine(KeyError):
            pass
        raise Mine("k")
    if kind == "bad str":
        class Odd(Exception):
            def __str__(self):
                raise RuntimeError("no")
        raise Odd()
    if kind == "exit":
        sys.exit(4)
    if kind == "keyboard":
        raise KeyboardInterrupt
    if kind == "skip":
        import unittest
        raise unittest.SkipTest("skip me")

def overflow(x):
    return np.exp(x)

def warn():
    warnings.warn("careful", RuntimeWarning)
    return 1

def read(path):
    try:
        with open(path, "rb") as handle:
            return handle.read(20).decode("latin-1")
    except OSError as error:
        return type(error).__name__

def importable(name):
    try:
        __import__(name)
        return "imported"
    except ImportError as error:
        return type(error).__name__

def end():
    os._exit(3)

def garble():
    os.write(1, b"not a frame")
    for fd in range(3, 10):
        try:
            os.write(fd, b"\\xff" * 64)
        except OSError:
            pass
    return 1

def loop():
    while True:
        pass
'''


@pytest.fixture(scope="module")
def student(tmp_path_factory):
    folder = tmp_path_factory.mktemp("remote")
    (folder / "network.py").write_text(STUDENT, encoding="utf-8")
    runner = remote.Runner(folder)
    yield runner.module("network")
    runner.release()


def roundtrip(value):
    wire = Wire()
    data = wire.dumps(value)
    size, count = struct.unpack(">QI", data[:12])
    header = data[12:12 + size]
    blocks, at = [], 12 + size
    for _ in range(count):
        (length,) = struct.unpack(">Q", data[at:at + 8])
        blocks.append(data[at + 8:at + 8 + length])
        at += 8 + length
    return wire.loads(header, blocks)


def test_plain_values_keep_their_types():
    value = {1: (np.arange(6.0).reshape(2, 3), [None, True, "x"]), "s": np.float32(2.5), "i": np.int64(7),
             "big": 2 ** 80, "nan": float("nan")}
    back = roundtrip(value)
    assert set(back) == {1, "s", "i", "big", "nan"}
    assert isinstance(back[1], tuple) and isinstance(back[1][1], list)
    np.testing.assert_array_equal(back[1][0], value[1][0])
    assert type(back["s"]) is np.float32 and type(back["i"]) is np.int64 and back["big"] == 2 ** 80
    assert np.isnan(back["nan"])


def test_other_objects_and_object_arrays_do_not_cross_as_values():
    for value in (object(), np.array([object()], dtype=object), lambda: 1, {1, 2}):
        with pytest.raises(Unsendable):
            Wire().dumps(value)


def test_a_numpy_generator_crosses_as_a_copy_of_its_state():
    for bits in (np.random.PCG64, np.random.MT19937, np.random.Philox, np.random.SFC64):
        rng = np.random.Generator(bits(7))
        rng.random(3)
        back = roundtrip({"rng": rng})["rng"]
        assert type(back.bit_generator) is bits and back is not rng
        np.testing.assert_array_equal(back.random(5), rng.random(5))  # the same draws from here on


def test_only_numpy_s_own_bit_generators_are_rebuilt():
    header = b'{"$g": {"$d": [["bit_generator", "os.system"], ["state", "x"]]}}'
    with pytest.raises(ValueError, match="not a NumPy bit generator"):
        Wire().loads(header, [])


def test_a_pickled_array_is_refused():
    buffer = io.BytesIO()
    np.save(buffer, np.array([object()], dtype=object), allow_pickle=True)
    header = b'{"$a": 0}'
    with pytest.raises(ValueError):
        Wire().loads(header, [buffer.getvalue()])


def test_objects_stay_in_the_runner_and_answer_as_proxies(student):
    thing = student.Thing(3)
    assert type(thing).__name__ == "Thing" and isinstance(thing, remote.Remote)
    assert thing.n == 3 and thing.double(4) == 8
    weights = thing.weights
    weights[1] += 5  # a copy: the runner's arrays do not change
    assert float(np.sum(thing.weights[1])) == 0.0
    thing.weights = {1: np.ones((2, 3))}
    assert float(np.sum(thing.weights[1])) == 6.0
    got = student.plain()
    assert got["tuple"] == (1, 2.5, "three") and got[7] == [True, None]
    assert type(got["scalar"]) is np.float64 and type(got["int"]) is np.int64 and got["bools"].dtype == bool
    assert type(student.objects()).__name__ == "ndarray" and isinstance(student.objects(), remote.Remote)
    assert type(student.generator()).__name__ == "generator"


def test_exceptions_come_back_as_what_they_were(student):
    with pytest.raises(ValueError, match=r"shapes \(2,\) and \(3,\) differ") as caught:
        student.fails("value")
    assert isinstance(caught.value, remote.StudentRaised)
    assert caught.value.place.endswith('raise ValueError("shapes (2,) and (3,) differ")')
    with pytest.raises(KeyError) as caught:
        student.fails("custom")
    assert caught.value.type_name == "Mine"
    with pytest.raises(remote.StudentRaised, match="str\\(\\) raised RuntimeError"):
        student.fails("bad str")
    with pytest.raises(remote.StudentExit) as exited:
        student.fails("exit")
    assert exited.value.code == "4"
    with pytest.raises(remote.StudentRaised) as caught:
        student.fails("keyboard")
    assert caught.value.type_name == "KeyboardInterrupt"
    with pytest.raises(remote.StudentRaised) as caught:  # never pytest's or unittest's skip in the judge
        student.fails("skip")
    assert caught.value.type_name == "SkipTest" and not isinstance(caught.value, pytest.skip.Exception)


def test_warnings_and_numpy_error_state_cross(student):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert student.warn() == 1
    assert [str(w.message) for w in caught] == ["careful"] and caught[0].category is RuntimeWarning
    with np.errstate(over="raise"), pytest.raises(FloatingPointError):
        student.overflow(np.array([1000.0]))
    with np.errstate(over="ignore"), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        student.overflow(np.array([1000.0]))
    assert caught == []


def test_a_runner_that_ends_fails_one_request_and_the_next_starts_again(student):
    thing = student.Thing(1)
    with pytest.raises(remote.RunnerEnded, match=r"ended the grading process \(exit status 3"):
        student.end()
    with pytest.raises(remote.StudentCodeError):
        thing.double(1)  # made by the runner that ended
    assert student.Thing(2).double(2) == 4


def test_a_garbled_channel_is_the_students_failure(student):
    try:
        student.garble()
    except remote.RunnerEnded:
        pass  # writing into the answers' pipe garbles the frame: the process is ended
    assert student.Thing(2).double(3) == 6


def test_a_loop_is_stopped_with_its_place(student):
    remote.Deadline.end = __import__("time").monotonic() + 1
    try:
        with pytest.raises(remote.CodeTimeout) as caught:
            student.loop()
    finally:
        remote.Deadline.end = None
    assert "while True" in (caught.value.place or "") or "pass" in (caught.value.place or "")


@pytest.mark.skipif(remote.containment() != "bwrap", reason="bubblewrap cannot run here")
def test_in_bubblewrap_the_course_is_not_there(student):
    assert student.read(str(ROOT / "solutions" / "network.py")) == "FileNotFoundError"
    assert student.read(str(ROOT / "grader" / "checks.py")) == "FileNotFoundError"
    for name in ("solutions", "grader", "coursekit"):
        assert student.importable(name) == "ModuleNotFoundError"


def test_a_python_installation_under_tmp_is_bound_on_top_of_the_runners_empty_tmp(monkeypatch, tmp_path):
    """A course cloned under /tmp has its .venv there: bubblewrap's empty /tmp must come first,
    or it hides the runner's Python and grading falls back to a weaker containment."""
    venv = tmp_path / ".venv"
    venv.mkdir()
    monkeypatch.setattr(remote, "_bound_paths", lambda: [venv])
    options = remote._bwrap_options()
    pairs = list(zip(options, options[1:]))
    empty_tmp = pairs.index(("--tmpfs", "/tmp"))
    bound = pairs.index(("--ro-bind", str(venv)))
    assert empty_tmp < bound
