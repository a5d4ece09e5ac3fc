"""Naming the mistake behind a wrong answer, from the numbers alone.

When a result is wrong, the grader can say more than "weights_grad[2] is off by 0.37": it
recomputes, with the REFERENCE module and the very parameters and inputs the student's code
was given, what each known mistake would have produced, and names the mistake whose numbers
the student's agree with, as a TA looking over the student's shoulder would. The student's
source is never read: a diagnosis is offered only when it explains the numbers.

    from grader.diagnoses import network as mistakes
    diagnose = mistakes.backprop(network, ours, x, t, theirs)
    expect_array(theirs.weights_grad[k], ours.weights_grad[k], "weights_grad[2]", diagnose=diagnose)

`diagnose()` returns the lines added to the failure message: "probably: <mistake>: <why>" and a
link to the lesson section that covers it, or the plain sentence `UNRECOGNISED`.

This file is the mechanism (Mistake, Case, Diagnose, the matching, and the predictions more
than one module makes). The mistakes themselves live one file per exercise module, mirroring
grader/test_<module>.py: grader/diagnoses/<module>.py holds `MISTAKES`, its table of mistakes
(`mistakes_of`), and small builders (`network.backprop(...)`) that the grader's tests call.
`catalogue()` is every module's list. A row of a table is one mistake: its name (what the
student did, in a few words), the `anchor` of the lesson heading that explains it, its
prediction, and why it gives these numbers; the row's key is the kind of result it predicts
(`checks`: "backprop", "forward", "loss", ...). The prediction is a function `produce(case)` that
returns what the student would have produced under that mistake, as `{label: array}` (or a list
of such alternatives, or None when the mistake changes nothing for this case, e.g. a mean over
a batch of one). Results that are not numbers to recompute (the order train() visits examples
in) are judged by a function `recognise(case, got)` instead, marked @recognises. The gradient
mistakes every backprop can make (a transposed weight gradient, the activation's derivative
left out, ...) are written once, in grader/diagnoses/common.py, and each module's table
names them in its own convention and words. When several mistakes explain the numbers (a one-layer network cannot
tell "derivative missing" from "missing on the output layer"), all of them are listed.

How a mistake is matched: every array of the student's result that is wrong (it fails the
test's own tolerance against the reference) must agree with the mistake's prediction to MATCH
of its scale, and the prediction there must differ from the right answer by more than DISTINCT
of its scale; arrays the student got right are left alone. So two mistakes are told apart
whenever their predictions differ by more than about a thousandth, and an unrelated mistake
(a wrong constant, a little noise) is named by none.
"""

import importlib
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from coursekit import course

MATCH = 1e-4  # the student's array agrees with a prediction: max |difference| <= MATCH * scale
DISTINCT = 1e-3  # a prediction differs from the right answer: max |difference| > DISTINCT * scale
UNRECOGNISED = ("the grader does not recognise this mistake from the numbers (none of the common "
                "mistakes it knows gives them): compare your code with the lesson line by line")


@dataclass(frozen=True)
class Mistake:
    """A known mistake: what it is, why it happens, and what a student making it would get."""

    name: str  # what the student did, in a few words
    why: str  # one or two sentences: why it gives these numbers, and what is right
    module: str  # the exercise module; its lesson (course.MODULES) covers the mistake
    checks: tuple  # the kinds of result it predicts: "backprop", "forward", "loss", ...
    produce: Callable[[Any], Any] = None  # case -> {label: array}, a list of them, or None
    anchor: str = "common-mistakes"  # the {#id} of the heading, in the module's lesson, that explains it
    # For results that are not numbers to recompute (the order train() visits examples in):
    # (case, got) -> whether the mistake shows in them. Used instead of `produce`.
    recognise: Callable[[Any, Any], bool] = None

    def explains(self, case, got):
        if self.recognise is not None:
            return bool(self.recognise(case, got))
        predicted = self.produce(case)
        if predicted is None:
            return False
        alternatives = predicted if isinstance(predicted, list) else [predicted]
        got = {label: as_array(value) for label, value in got.items()}
        return any(_explains(p, got, case.correct, case.rtol, case.atol) for p in alternatives)

    def describe(self):
        url = course.lesson_url(self.module, self.anchor) if self.module in course.MODULES else ""
        return f"{self.name}: {self.why}" + (f"\n      about this mistake: {url}" if url else "")


@dataclass
class Case:
    """What a check compared: the right result by label, and anything `produce` needs to redo it."""

    correct: dict = None  # label -> the reference's array (what the test expects)
    rtol: float = 1e-5  # the test's own tolerance: which of the student's arrays are wrong
    atol: float = 1e-8
    data: dict = None  # reference module, parameters, inputs: whatever the mistakes need

    def __getattr__(self, name):
        data = self.__dict__.get("data") or {}
        if name in data:
            return data[name]
        raise AttributeError(name)


class Diagnose:
    """A callable for `expect_array(..., diagnose=...)`: the diagnosis lines for a failed check.

    `got()` collects the student's whole result ({label: array}) when the check fails, so a
    mistake is judged on every array, not only on the first one found wrong.
    """

    def __init__(self, check, case, got, catalogue):
        self.check, self.case, self.got, self.catalogue = check, case, got, catalogue

    def mistakes(self):
        """The mistakes that explain the student's numbers, without repeating a name."""
        got = self.got()
        found = {}
        for mistake in self.catalogue:
            if self.check in mistake.checks and mistake.name not in found and mistake.explains(self.case, got):
                found[mistake.name] = mistake
        return list(found.values())

    def __call__(self):
        found = self.mistakes()
        self.named = tuple(m.name for m in found)  # the grader's record keeps the names (grader.results)
        if not found:
            return UNRECOGNISED
        if len(found) == 1:
            return "probably: " + found[0].describe()
        return ("probably one or more of these mistakes, which each explain the numbers:\n      - "
                + "\n      - ".join(m.describe() for m in found))


def as_array(value):
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return None
    return array


def _close(a, b, fraction):
    """Same shape, and max |a - b| within `fraction` of b's largest magnitude."""
    if a is None or b is None or a.shape != b.shape:
        return False
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        return False
    scale = float(np.max(np.abs(b))) if b.size else 0.0
    return b.size == 0 or float(np.max(np.abs(a - b))) <= fraction * scale + 1e-12


def _right(a, b, rtol, atol):
    """The test's own verdict: `a` passes against the right answer `b`."""
    return a is not None and a.shape == b.shape and bool(np.allclose(a, b, rtol=rtol, atol=atol))


def _explains(predicted, got, correct, rtol, atol):
    wrong = [label for label, right in correct.items()
             if not _right(got.get(label), np.asarray(right, dtype=float), rtol, atol)]
    if not wrong:
        return False
    for label in wrong:
        if label not in predicted:
            return False
        p = np.asarray(predicted[label], dtype=float)
        right = np.asarray(correct[label], dtype=float)
        if not _close(got.get(label), p, MATCH) or _close(p, right, DISTINCT):
            return False
    return True


def catalogue():
    """Every module's mistakes, in the course's order: MISTAKES of grader/diagnoses/<module>.py."""
    found = []
    for module in course.MODULES:
        if importlib.util.find_spec(f"{__name__}.{module}") is not None:
            found += importlib.import_module(f"{__name__}.{module}").MISTAKES
    return found


# ---------------------------------------------------------------------------------------------
# A module's table of mistakes
# ---------------------------------------------------------------------------------------------

def mistakes_of(module, table):
    """`module`'s Mistakes, from its table {checks: [(name, anchor, prediction, why), ...]}: checks
    the kind of result the rows predict (or a tuple of kinds), prediction the Mistake's `produce`,
    or its `recognise` if that function is marked @recognises."""
    found = []
    for checks, rows in table.items():
        checks = (checks,) if isinstance(checks, str) else tuple(checks)
        for name, anchor, prediction, why in rows:
            how = "recognise" if getattr(prediction, "recognises", False) else "produce"
            found.append(Mistake(name, why, module, checks, anchor=anchor, **{how: prediction}))
    return found


def recognises(test):
    """Marks `test(case, got) -> bool` as a row's `recognise`: for results that are not numbers
    to recompute, the mistake is seen in properties of the student's result."""
    test.recognises = True
    return test


# ---------------------------------------------------------------------------------------------
# Helpers more than one module uses
# ---------------------------------------------------------------------------------------------

def batch_size(case):
    """The rows of the case's input x: 1 for a single example (n,)."""
    return 1 if np.ndim(case.x) == 1 else len(case.x)


def loss_over(case, divisor):
    """The right loss divided by `divisor` (None when that changes nothing)."""
    if divisor == 1:
        return None
    return {"loss": np.float64(case.correct["loss"]) / divisor}


def members(network, *names):
    """{'weights_grad[2]': array, ...} from the dicts a (student's) network holds; missing is left out."""
    result = {}
    for name in names:
        found = getattr(network, name, None)
        if isinstance(found, dict):
            result.update({f"{name}[{k}]": value for k, value in found.items()})
        elif found is not None and not callable(found):
            result[name] = found
    return result
