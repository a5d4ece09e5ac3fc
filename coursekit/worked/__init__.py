"""Worked examples: one tiny problem per exercise module, every intermediate value computed.

`coursekit/worked/<module>.py` defines, for its exercise module,

    TITLE = "a [3, 4, 2] network and one example"   # what the example is, for headings
    def given():                  # -> list[Value]: parameters, inputs and targets, printed first
    def trace(module):            # -> iterator of Value, in the order the lesson computes them

`trace` runs the functions of `module` (the reference, or a student's module: the same code
path) on the example and yields each value as it is computed, so that a caller can stop at
the first stub, exception or disagreement. `Value.method` is the qualified stub name that
computed it ("Network.forward"), `label` the lesson's name for it ("a(1)", "weights_grad[2]"),
`section` the lesson heading's anchor that explains it. A value the method computes but does
not store (backprop's `g` on its way down) has `compared=False`: the lesson prints it and
`grader.trace` shows the reference's, for a student to compare with a print of their own.

The lesson prints the reference's values at build time (`markdown`), and `grader.trace`
prints a student's beside them (`compare`): both come from this one definition, so the page
and the grader can never disagree.
"""

import importlib
from dataclasses import dataclass
from typing import Any

import numpy as np

SIGNIFICANT = 4  # figures shown; values agree when they agree to about this precision
RTOL, ATOL = 1e-4, 1e-7


@dataclass
class Value:
    """One number (or array) of the worked example."""

    method: str | None  # the stub that computes it; None for the given data
    label: str  # the lesson's name for it: "a(1)", "h(2)", "loss", "weights_grad[1]"
    value: Any
    section: str | None = None  # the lesson heading anchor that explains it
    compared: bool = True  # False: computed inside the method, not read from the student's code
    note: str | None = None  # what a difference here most likely means, for grader.trace to say


def definition(module_name):
    """The worked-example module for an exercise module: coursekit.worked.<module_name>."""
    return importlib.import_module(f"coursekit.worked.{module_name}")


def fmt(value):
    """`value` printed to SIGNIFICANT significant figures; arrays keep their shape.

    Anything that is not a number or an array of numbers (None from a method that stored
    nothing, a list of strings) is shown as Python shows it, with its type.
    """
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    try:
        array = np.asarray(value)
    except (TypeError, ValueError):  # ragged lists
        array = None
    if array is None or array.dtype.kind not in "iubf":
        text = repr(value)
        return text if len(text) <= 200 else text[:199] + "…"
    if array.dtype.kind in "iub":
        return np.array2string(array, separator=", ")
    if array.ndim == 0:
        return f"{float(array):.{SIGNIFICANT}g}"
    return np.array2string(array.astype(float), separator=", ",
                           formatter={"float_kind": lambda x: f"{x:.{SIGNIFICANT}g}"})


def kind(value):
    """"bool", "int" or "float": what kind of number a value holds (None for anything else)."""
    try:
        found = np.asarray(value).dtype.kind
    except (TypeError, ValueError):
        return None
    return {"b": "bool", "i": "int", "u": "int", "f": "float"}.get(found)


def agree(expected, got):
    """Whether a student's value agrees with the reference's: kind of number (bool, int,
    float), shape and numbers."""
    if got is None or isinstance(got, (str, bytes)):
        return False
    if kind(expected) and kind(got) and kind(expected) != kind(got):
        return False
    try:
        expected_array, got_array = np.asarray(expected, dtype=float), np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return False
    return (expected_array.shape == got_array.shape
            and bool(np.allclose(got_array, expected_array, rtol=RTOL, atol=ATOL, equal_nan=False)))


def reference_values(module_name):
    """The reference's trace of the worked example, as a list of Value."""
    from coursekit.solutions import load

    return list(definition(module_name).trace(load(module_name)))


def block(values):
    """Values as the lesson prints them: `label = value`, one per line, in a text code block."""
    lines = []
    for v in values:
        text = fmt(v.value)
        if "\n" in text:
            pad = " " * (len(v.label) + 3)
            text = text.replace("\n", "\n" + pad)
        lines.append(f"{v.label} = {text}")
    return "```text\n" + "\n".join(lines) + "\n```\n"


def markdown(module_name, method=None):
    """The worked example for a lesson page: the given data (method None) or one method's values."""
    if method is None:
        return block(definition(module_name).given())
    values = [v for v in reference_values(module_name) if v.method == method]
    if not values:
        raise KeyError(f"the worked example of {module_name} has no values computed by {method}")
    return block(values)
