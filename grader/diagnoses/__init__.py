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
of its scale, and the prediction must differ from the right answer by more than DISTINCT of its
scale in at least one of them; arrays the student got right are left alone. So two mistakes are told apart
whenever their predictions differ by more than about a thousandth, and an unrelated mistake
(a wrong constant, a little noise) is named by none.
"""

import importlib
import importlib.util
import itertools
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


class Explanation(str):
    """A diagnosis's lines, as the failure message shows them, and `named`: the names of the mistakes
    they name (none for UNRECOGNISED), which grader.checks.wrong_answer hands to the grader's record."""

    def __new__(cls, text, named=()):
        explanation = super().__new__(cls, text)
        explanation.named = tuple(named)
        return explanation


class Diagnose:
    """A callable for `expect_array(..., diagnose=...)`: the diagnosis lines for a failed check.

    `got()` collects the student's whole result ({label: array}) when the check fails, so a
    mistake is judged on every array, not only on the first one found wrong.

    When no single mistake explains the numbers, combinations of two, then three, are tried
    (`combined`): a student often makes two mistakes at once (a list built from the output layer
    down AND bias gradients without keepdims), and each is named only when the numbers need it.
    `explains_together(case, got, mistakes)`, if given, judges a combination (for mistakes seen in
    properties of the result, `recognise`); otherwise predictions are composed (`compose`).
    """

    LARGEST = 3  # mistakes made at once that the diagnosis tries

    def __init__(self, check, case, got, catalogue, explains_together=None):
        self.check, self.case, self.got, self.catalogue = check, case, got, catalogue
        self.explains_together = explains_together
        self._cache = {}  # what compose() finds once per mistake: from scratch or not, its prediction

    def candidates(self):
        """The catalogue's mistakes for this check, one per name."""
        found = {}
        for mistake in self.catalogue:
            if self.check in mistake.checks:
                found.setdefault(mistake.name, mistake)
        return list(found.values())

    def explanations(self):
        """The smallest sets of mistakes that explain the student's numbers: [(mistake, ...), ...];
        single mistakes first (several when the numbers cannot tell them apart), else pairs, else triples."""
        got = self.got()
        candidates = self.candidates()
        singles = [(m,) for m in candidates if m.explains(self.case, got)]
        if singles:
            return singles
        for size in range(2, self.LARGEST + 1):
            found = [combo for combo in itertools.combinations(candidates, size) if self.combined(combo, got)]
            if found:
                return found
        return []

    def combined(self, combo, got):
        if self.explains_together is not None:
            return bool(self.explains_together(self.case, got, combo))
        if any(m.recognise is not None for m in combo):
            return False
        got = {label: as_array(value) for label, value in got.items()}
        return any(_explains(p, got, self.case.correct, self.case.rtol, self.case.atol)
                   for p in compose(self.case, combo, self._cache))

    def mistakes(self):
        """The mistakes that explain the student's numbers (alone or together), without repeating a name."""
        found = {}
        for combo in self.explanations():
            for mistake in combo:
                found.setdefault(mistake.name, mistake)
        return list(found.values())

    def __call__(self):
        found = self.explanations()
        # The grader's record keeps the names (grader.results), each once, in the message's order.
        return Explanation(self._lines(found), tuple(dict.fromkeys(m.name for combo in found for m in combo)))

    @staticmethod
    def _lines(found):
        if not found:
            return UNRECOGNISED
        if len(found) == 1 and len(found[0]) == 1:
            return "probably: " + found[0][0].describe()
        if all(len(combo) == 1 for combo in found):
            return ("probably one or more of these mistakes, which each explain the numbers:\n      - "
                    + "\n      - ".join(combo[0].describe() for combo in found))
        if len(found) == 1:
            return (f"probably {len(found[0])} mistakes at once, each needed to explain the numbers:\n      - "
                    + "\n      - ".join(m.describe() for m in found[0]))
        return ("probably one of these sets of mistakes made at once, each set explaining the numbers:\n"
                + "\n".join(f"      {i}. " + "\n         ".join(m.describe().replace("\n", "\n   ") for m in combo)
                             for i, combo in enumerate(found, start=1)))


def _alternatives(predicted):
    if predicted is None:
        return []
    return predicted if isinstance(predicted, list) else [predicted]


def _differs(a, b):
    """Whether two predictions ({label: array}) differ by more than DISTINCT somewhere."""
    for label in set(a) | set(b):
        x, y = as_array(a.get(label)), as_array(b.get(label))
        if x is None or y is None or not _close(x, y, DISTINCT):
            return True
    return False


def _from_scratch(mistake, case):
    """Whether the mistake's prediction is recomputed from the case's data (derivative left out, ...)
    rather than made from the right result (a factor, a transpose, a reversed list): it then
    ignores `case.correct`, and goes first in a combination."""
    if mistake.produce is None:
        return False
    twice = Case({label: 2 * np.asarray(v, dtype=float) for label, v in case.correct.items()},
                 case.rtol, case.atol, case.data)
    first, second = _alternatives(mistake.produce(case)), _alternatives(mistake.produce(twice))
    return bool(first) and len(first) == len(second) and not any(_differs(a, b) for a, b in zip(first, second))


def compose(case, combo, cache=None):
    """The predictions of the mistakes in `combo` made at once: at most one recomputed from scratch
    (first), then each other applied to the result so far, as if it were the right answer. A
    mistake that changes nothing on the way gives no prediction (it is not needed). `cache` (a
    dict) keeps, across calls, which mistakes are from scratch and their first predictions."""
    cache = {} if cache is None else cache

    def scratch(mistake):
        if ("scratch", mistake.name) not in cache:
            cache["scratch", mistake.name] = _from_scratch(mistake, case)
        return cache["scratch", mistake.name]

    def first(mistake):
        if ("first", mistake.name) not in cache:
            cache["first", mistake.name] = [p for p in _alternatives(mistake.produce(case))
                                            if _differs(p, case.correct)]
        return cache["first", mistake.name]

    from_scratch = [m for m in combo if scratch(m)]
    if len(from_scratch) > 1:
        return []
    ordered = from_scratch + [m for m in combo if m not in from_scratch]
    results = first(ordered[0])
    for mistake in ordered[1:]:
        following = []
        for so_far in results:
            base = Case(so_far, case.rtol, case.atol, case.data)
            try:
                predictions = _alternatives(mistake.produce(base))
            except Exception:  # noqa: BLE001 (a prediction that cannot be made of this result is no explanation)
                predictions = []
            for predicted in predictions:
                if _differs(predicted, so_far):
                    following.append(predicted)
        results = following
        if not results:
            return []
    return results


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
    distinct = False
    for label in wrong:
        if label not in predicted:
            return False
        p = np.asarray(predicted[label], dtype=float)
        right = np.asarray(correct[label], dtype=float)
        if not _close(got.get(label), p, MATCH):
            return False
        distinct = distinct or not _close(p, right, DISTINCT)
    return distinct  # the mistake makes a difference somewhere (a rate at step 0 may differ only a little)


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
