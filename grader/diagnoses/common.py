"""The mistakes any backprop can make, written once for every module that grades one.

network.py, functional.py and nn.py (grader/diagnoses/) each list these in their own table and
words: a sign flipped, a factor 2 lost or doubled, a mean over the examples instead of the sum,
a transposed weight gradient, a bias gradient without keepdims, the activation's derivative left
out or taken at its output. Each is a prediction `produce(case)` of the student's gradients. What
differs from module to module (how gradients are labelled, the layout of the arrays) is the
module's `Convention`, which its builders put in the case's data as `convention`.
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from grader.diagnoses import batch_size


@dataclass(frozen=True)
class Convention:
    """How one module labels its gradients: the labels of its weight and bias gradients start
    with `weights` and `biases`; `recompute(case, **mistake)` gives its gradients by label, redone
    by network.recompute with `mistake` (derivative="none", ...) in them."""

    weights: str
    biases: str
    recompute: Callable


def scaled(case, factor):
    """The right result times `factor`."""
    return {label: np.asarray(value, dtype=float) * factor for label, value in case.correct.items()}


def sign_flipped(case):
    """Minus the right result: g started as t - y instead of y - t."""
    return scaled(case, -1)


def halved(case):
    """Half the right result: a factor 2 lost (or a 1/2 too many)."""
    return scaled(case, 0.5)


def doubled(case):
    """Twice the right result: a factor 2 too many, or a sum added to the last call's."""
    return scaled(case, 2)


def averaged(case):
    """The right result divided by the batch size: a mean over the examples, not the sum (None
    for one example, where the two are the same)."""
    return scaled(case, 1 / batch_size(case)) if batch_size(case) > 1 else None


def transposed(case):
    """Every weight gradient transposed: g^T h instead of h^T g, the same mistake in every convention."""
    prefix = case.convention.weights
    return {label: (np.asarray(v).T if label.startswith(prefix) else v) for label, v in case.correct.items()}


def bias_rank_lost(case):
    """Every bias gradient flattened to (n,): a sum without keepdims."""
    prefix = case.convention.biases
    return {label: (np.asarray(v).reshape(-1) if label.startswith(prefix) else v) for label, v in case.correct.items()}


def derivative_missing(case):
    """The gradients of a chain rule without the activation's derivative."""
    return case.convention.recompute(case, derivative="none")


def derivative_of_output(case):
    """The gradients with the activation's derivative taken at its output h instead of its input."""
    return case.convention.recompute(case, derivative="h")


SHIFTS = (("previous", -1), ("weights", -1), ("weights", 1), ("derivative_at", -1), ("derivative_at", 1))


def layer_index_off_by_one(case, shifts=SHIFTS + (("previous", 1),), wraps=(False, True)):
    """The gradients of a backprop with one layer index off by one, each way it can be: the h(k-1)
    of dJ/dW(k) (h(k-2) or h(k)), the W(k) that passes g down (W(k-1) or W(k+1)), the a(k) at
    which f' is taken below the output; each with and without a list's wrap-around below the first
    layer (a[-1] is the last). Only those whose shapes fit (square layers, or a wrap-around that
    lands on the right shape) give a prediction: the others would have raised."""
    alternatives = []
    for kind, shift in shifts:
        for wrap in wraps:
            try:
                alternatives.append(case.convention.recompute(case, **{kind: shift, "wrap": wrap}))
            except (KeyError, IndexError, ValueError):
                continue
    return alternatives or None


def layer_index_off_by_one_in_dicts(case):
    """layer_index_off_by_one for lesson 1's dicts keyed 1 ... L, where no index wraps around (a
    missing key raises), without h(k) for h(k-1), which lesson 1's table names on its own."""
    return layer_index_off_by_one(case, SHIFTS, wraps=(False,))
