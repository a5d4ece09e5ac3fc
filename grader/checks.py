"""Comparisons that fail with a message a student can act on.

Every check raises `WrongAnswer` with what was expected (type, shape, value), where the
largest difference is, and a short side-by-side of expected and actual values. The plugin
shows that message alone, without a stack of the grader's own frames.

A check given `diagnose=` (a callable, see grader/diagnoses/) adds what it returns to the
message of a wrong answer: the mistake that probably explains the numbers, or a sentence saying
that none of the known ones does.
"""

import warnings

import numpy as np

from coursekit.gradcheck import TOLERANCE, agrees
from grader import remote


class WrongAnswer(AssertionError):
    """A student's result is not the expected one; str() is the whole message. The grader's
    record (grader.results) keeps its parts apart: `said`, the check's own words; `explanation`,
    the diagnosis's lines; `diagnosis`, the names of the mistakes they name."""

    def __init__(self, message, explanation="", diagnosis=()):
        super().__init__(message + (f"\n    {explanation}" if explanation else ""))
        self.said, self.explanation, self.diagnosis = message, str(explanation), tuple(diagnosis)


def wrong_answer(message, diagnose=None):
    """The WrongAnswer for `message`, with the diagnosis's lines if a `diagnose` is given."""
    explanation, named = "", ()
    if diagnose is not None:
        try:
            explanation = diagnose()
            named = getattr(explanation, "named", ())  # a grader.diagnoses.Explanation: the mistakes it names
        except Exception:  # a hint must never hide the answer; tests/test_diagnoses.py finds such bugs
            explanation = ""
    return WrongAnswer(message, explanation, named)


def describe(value):
    """What a value is, in a few words: "an array of dtype bool and shape (3,)", "a single
    NumPy float64 number", "a single int", "a list"."""
    if isinstance(value, np.ndarray):
        return f"an array of dtype {value.dtype} and shape {value.shape}"
    if isinstance(value, np.generic):
        return f"a single NumPy {value.dtype} number"
    if isinstance(value, (bool, int, float)):
        return f"a single Python {type(value).__name__}"
    return "None" if value is None else f"a {type(value).__name__}"


def expect_floats(actual, what, hint=""):
    """`actual` is an array of floating-point numbers (not booleans, not integers)."""
    found = np.asarray(actual).dtype if isinstance(actual, (np.ndarray, np.generic)) else None
    if found is not None and found.kind != "f":
        raise WrongAnswer(f"{what} is {describe(actual)}; expected floating-point numbers{hint}")


def _fmt(x):
    return np.array2string(np.asarray(x), precision=4, suppress_small=True, threshold=8, edgeitems=2,
                           max_line_width=60).replace("\n", " ")


def expect_array(actual, expected, what, rtol=1e-5, atol=1e-8, diagnose=None):
    """`actual` is an array of `expected`'s shape whose values agree within tolerance."""
    expected = np.asarray(expected)
    if actual is None:
        raise WrongAnswer(f"{what} is None; expected an array of shape {expected.shape}")
    try:
        actual_array = np.asarray(actual, dtype=float)
    except (TypeError, ValueError):
        raise WrongAnswer(f"{what} is a {type(actual).__name__} that is not an array of numbers; "
                          f"expected an array of shape {expected.shape}") from None
    if actual_array.shape != expected.shape:
        hint = ""
        if actual_array.shape == expected.shape[::-1] and actual_array.ndim == 2:
            hint = " (the transpose: check the order of the factors in the product)"
        elif actual_array.size == expected.size:
            hint = " (the same number of values: check reshape, or a missing or extra axis)"
        raise wrong_answer(f"{what} has shape {actual_array.shape}, expected {expected.shape}{hint}", diagnose)
    if not np.all(np.isfinite(actual_array)) and np.all(np.isfinite(expected)):
        bad = np.argwhere(~np.isfinite(actual_array))[0]
        raise WrongAnswer(f"{what} contains nan or inf (first at index {tuple(int(i) for i in bad)}); "
                          f"expected finite values")
    if not np.allclose(actual_array, expected, rtol=rtol, atol=atol):
        difference = np.abs(actual_array - expected)
        index = np.unravel_index(np.argmax(difference), difference.shape)
        at = f" at index {tuple(int(i) for i in index)}" if difference.ndim else ""
        raise wrong_answer(
            f"{what} has the right shape {expected.shape} but wrong values: largest difference "
            f"{difference[index]:.3g}{at} (yours {actual_array[index]:.6g}, expected {expected[index]:.6g}); "
            f"{np.mean(~np.isclose(actual_array, expected, rtol=rtol, atol=atol)):.0%} of the values differ\n"
            f"    expected: {_fmt(expected)}\n"
            f"    yours:    {_fmt(actual_array)}",
            diagnose,
        )


def expect_scalar(actual, expected, what, rtol=1e-5, atol=1e-8, diagnose=None):
    """`actual` is a single number (Python or NumPy scalar) close to `expected`."""
    if isinstance(actual, np.ndarray) and actual.ndim == 0:
        actual = actual[()]
    if not isinstance(actual, (int, float, np.integer, np.floating)) or isinstance(actual, bool):
        shape = f" of shape {np.shape(actual)}" if isinstance(actual, np.ndarray) else ""
        raise WrongAnswer(f"{what} is a {type(actual).__name__}{shape}; expected a single number")
    if not np.isclose(float(actual), expected, rtol=rtol, atol=atol):
        raise wrong_answer(f"{what}: yours is {float(actual):.6g}, expected {expected:.6g}", diagnose)


def expect(condition, message, diagnose=None):
    """A plain check with a message for the student."""
    if not condition:
        raise wrong_answer(message, diagnose)


def expect_slope(analytic, slope, what, nudged, loss="your loss", verdict=None):
    """An analytic gradient entry agrees with a finite-difference slope by the course's one standard
    (coursekit.gradcheck: |a - n| <= TOLERANCE * max(1, |a|, |n|)). `what` names the student's
    gradient entry, `nudged` the parameter entry moved, `loss` whose loss was measured (or the
    function, for a derivative checked against its own function), `verdict` what a disagreement
    means (default: the gradient does not belong to the loss)."""
    if not agrees(analytic, slope):
        raise WrongAnswer(f"your {what} is {float(analytic):.6g}, but nudging {nudged} changes {loss} at a rate "
                          f"of {float(slope):.6g} (they should agree within {TOLERANCE:g} x max(1, |gradient|)): "
                          + (verdict or "the gradient does not belong to the loss"))


def cpu_budget(seconds, reference_seconds, example_by_example_seconds):
    """A `with` block in which the student's code may use `seconds` of CPU time, over all its calls.

    For the training runs on MNIST: CPU time, unlike the wall clock, is not inflated by other
    programs on a busy machine, so a right solution in a slow style still passes there; the
    test's own wall-clock limit only stops a run that hangs. The student's code runs in the
    runner, so the runner measures it (grader.remote.Budget: each request inside gets the CPU
    seconds left); past them the test fails with remote.CpuSpent and this message. Without
    SIGPROF there (Windows) only the wall-clock limit holds.
    """
    return remote.Budget(seconds, f"your training used more than {seconds} s of CPU time (the reference needs "
                                  f"about {reference_seconds} s, a solution written example by example about "
                                  f"{example_by_example_seconds} s): look for work repeated inside the loops, "
                                  "such as copying every array once per example")


def quietly(function, *args):
    """function(*args), with NumPy's floating-point warnings turned into a list of messages."""
    with (warnings.catch_warnings(record=True) as caught,
          np.errstate(over="warn", invalid="warn", divide="warn", under="ignore")):
        warnings.simplefilter("always")
        result = function(*args)
    return result, [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]
