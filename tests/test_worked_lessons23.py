"""The worked examples and hints of lessons 2 and 3 (functional, nn) cover every stub.

For each module: the reference's trace runs and yields a value for every exercise method,
each value points at a heading of the lesson, the stubs in exercises/ stop the trace at once,
a wrong variant is told apart from the reference, and every method has two or three hints.
"""

import re
import types

import numpy as np
import pytest

from coursekit import ROOT, hints, worked
from coursekit.stubs import find_stubs

MODULES = {"functional": "docs/lessons/functional.md", "nn": "docs/lessons/graph.md"}


def heading_anchors(page):
    """The anchors of a lesson's headings: `{#id}` when given, else the slug of the title."""
    anchors = set()
    for line in (ROOT / page).read_text(encoding="utf-8").splitlines():
        match = re.match(r"#{2,6} (.*?)\s*(\{#([\w-]+)\})?$", line)
        if match:
            title = re.sub(r"[`*]", "", match.group(1))
            anchors.add(match.group(3) or re.sub(r"[\s]+", "-", re.sub(r"[^\w\s-]", "", title).strip().lower()))
    return anchors


def stubs(module):
    return find_stubs((ROOT / "exercises" / f"{module}.py").read_text(encoding="utf-8"))


@pytest.mark.parametrize("module", MODULES)
def test_reference_trace_covers_every_stub(module):
    values = worked.reference_values(module)
    assert {v.method for v in values} == stubs(module)
    for v in values:
        assert v.value is not None, v.label
        assert worked.agree(v.value, v.value), v.label
        assert np.all(np.isfinite(np.asarray(v.value, dtype=float))), v.label


@pytest.mark.parametrize("module", MODULES)
def test_sections_are_headings_of_the_lesson(module):
    anchors = heading_anchors(MODULES[module])
    missing = {v.section for v in worked.reference_values(module)} - anchors
    assert not missing, f"{MODULES[module]} has no heading for {sorted(missing)}"


@pytest.mark.parametrize("module", MODULES)
def test_given_data_and_every_method_print(module):
    assert worked.markdown(module).startswith("```text\n")
    for method in stubs(module):
        block = worked.markdown(module, method)
        assert block.count("\n") >= 3, method


@pytest.mark.parametrize("module", MODULES)
def test_the_stubs_stop_the_trace_at_the_first_value(module):
    exercise = types.ModuleType(f"exercise_{module}")
    path = ROOT / "exercises" / f"{module}.py"
    exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), exercise.__dict__)
    try:  # a stub returns None: the first value is None, or computing it raises
        first = next(worked.definition(module).trace(exercise))
    except Exception:
        return
    assert not worked.agree(worked.reference_values(module)[0].value, first.value)


def variant(module, old, new):
    """The reference module with one textual edit, applied exactly once."""
    source = (ROOT / "solutions" / f"{module}.py").read_text(encoding="utf-8")
    assert source.count(old) == 1, old
    namespace = types.ModuleType(f"variant_{module}")
    exec(compile(source.replace(old, new), f"{module}.py (edited)", "exec"), namespace.__dict__)
    return namespace


@pytest.mark.parametrize("module, old, new, method", [
    ("functional", "return yhat - y", "return y - yhat", "loss_prime"),
    ("functional", "delta.sum(axis=1, keepdims=True)", "delta.mean(axis=1, keepdims=True)", "backward"),
    ("nn", "return 2 * (yhat - y)", "return yhat - y", "L2.deriv"),
    ("nn", "b_grad[i] = g.sum(axis=0, keepdims=True)", "b_grad[i] = g.mean(axis=0, keepdims=True)",
     "NN.backprop"),
])
def test_a_wrong_variant_first_differs_in_its_method(module, old, new, method):
    expected = worked.reference_values(module)
    got = worked.definition(module).trace(variant(module, old, new))
    for want, have in zip(expected, got):
        assert want.label == have.label
        if not worked.agree(want.value, have.value):
            assert have.method == method
            return
    pytest.fail("the variant agreed with the reference everywhere")


@pytest.mark.parametrize("module", MODULES)
def test_every_stub_has_two_or_three_hints(module):
    table = hints.load(module)
    assert set(table) == stubs(module)
    for method, entries in table.items():
        assert 2 <= len(entries) <= 3, method
        assert "??? tip" in hints.markdown(module, method)


def test_lesson_2_example_is_lesson_1s_transposed_with_half_the_gradients():
    network = worked.reference_values("network")
    functional = worked.reference_values("functional")
    grad1 = next(v.value for v in network if v.label == "weights_grad[2]")
    grad2 = next(v.value for v in functional if v.label == "dE/dW(2)")
    assert np.allclose(grad2, grad1.T / 2)



@pytest.mark.parametrize("module", MODULES)
def test_each_stub_prints_as_it_stands_in_exercises(module):
    from coursekit import exercise_source

    text = (ROOT / "exercises" / f"{module}.py").read_text(encoding="utf-8")
    for method in stubs(module):
        block = exercise_source.markdown(module, method)
        name = method.split(".")[-1]
        assert f"def {name}(" in block and "# TODO" in block and "..." in block, method
        body = exercise_source.source(module, method)
        assert body.splitlines()[1].strip() in text  # the docstring's first line, from the file
    with pytest.raises(KeyError):
        exercise_source.source(module, "no_such_function")


def notation_rows(page):
    """The first column of the table under a page's "## Notation" heading."""
    text = (ROOT / page).read_text(encoding="utf-8").split("## Notation", 1)[1].split("\n## ", 1)[0]
    return [line.split("|")[1].strip() for line in text.splitlines()
            if line.startswith("| ") and not line.startswith("| ---") and not line.startswith("| here")]


@pytest.mark.parametrize("page", MODULES.values())
def test_the_notation_page_lists_every_symbol_of_lessons_2_and_3(page):
    notation = (ROOT / "docs" / "notation.md").read_text(encoding="utf-8")
    rows = notation_rows(page)
    assert len(rows) >= 10
    for cell in rows:
        symbols = re.findall(r"\\\((.*?)\\\)", cell)
        symbols = [re.split(r"\s*[=,(]\s*", s)[0].strip() for s in symbols] or [cell]
        assert any(symbol in notation for symbol in symbols), f"{page}: {cell}"
