"""The worked examples (coursekit/worked/<module>.py) and the stubs the lessons print.

For each module: the reference's trace runs and yields a value for every exercise method, the
stubs (as the generator makes them: exercises/ is the student's) stop the trace at once, a right
variant in another style agrees with it value for value, a wrong one differs where its mistake
shows, and every stub prints as the generated exercise holds it. That each value's section is a
heading of the lesson is `python -m coursekit.check`'s (tests/test_catalog.py runs it).
"""

import importlib.util
import re
import types

import numpy as np
import pytest
from grading import EXERCISES, edited

from coursekit import ROOT, course, hints, worked
from coursekit.solutions import load
from coursekit.stubs import find_stubs

MODULES = [m for m, entry in course.MODULES.items() if entry.worked]


def untouched(module):
    """exercises/<module>.py as the generator makes it: the folder itself is the student's."""
    return (EXERCISES / f"{module}.py").read_text(encoding="utf-8")


def stubs(module):
    return find_stubs(untouched(module))


@pytest.mark.parametrize("module", MODULES)
def test_reference_trace_covers_every_stub(module):
    values = worked.reference_values(module)
    assert {v.method for v in values} == stubs(module)
    for v in values:
        assert v.value is not None, v.label
        assert worked.agree(v.value, v.value), v.label
        assert np.all(np.isfinite(np.asarray(v.value, dtype=float))), v.label


@pytest.mark.parametrize("module", MODULES)
def test_given_data_and_every_method_print(module):
    assert worked.markdown(module).startswith("```text\n")
    for method in stubs(module):
        block = worked.markdown(module, method)
        assert block.count("\n") >= 3, method


@pytest.mark.parametrize("module", MODULES)
def test_the_stubs_stop_the_trace_at_the_first_value(module):
    exercise = types.ModuleType(f"exercise_{module}")
    exec(compile(untouched(module), f"exercises/{module}.py", "exec"), exercise.__dict__)
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



@pytest.mark.parametrize("module", course.MODULES)
def test_each_stub_prints_as_it_stands_in_the_generated_exercise(module):
    from coursekit import exercise_source

    text = untouched(module)
    for method in stubs(module):
        block = exercise_source.markdown(module, method)
        name = method.split(".")[-1]
        assert f"def {name}(" in block and "# TODO" in block and "..." in block, method
        body = exercise_source.source(module, method)
        assert body.splitlines()[1].strip() in text  # the docstring's first line, from the file
        assert "BEGIN SOLUTION" not in block
    with pytest.raises(KeyError):
        exercise_source.source(module, "no_such_function")


def notation_rows(page):
    """The first column of the table under a page's "## Notation" heading."""
    text = (ROOT / page).read_text(encoding="utf-8").split("## Notation", 1)[1].split("\n## ", 1)[0]
    return [line.split("|")[1].strip() for line in text.splitlines()
            if line.startswith("| ") and not line.startswith("| ---") and not line.startswith("| here")]


@pytest.mark.parametrize("page", [f"docs/{course.MODULES[m].page}.md" for m in ("functional", "nn")])
def test_the_notation_page_lists_every_symbol_of_lessons_2_and_3(page):
    notation = (ROOT / "docs" / "notation.md").read_text(encoding="utf-8")
    rows = notation_rows(page)
    assert len(rows) >= 10
    for cell in rows:
        symbols = re.findall(r"\\\((.*?)\\\)", cell)
        symbols = [re.split(r"\s*[=,(]\s*", s)[0].strip() for s in symbols] or [cell]
        assert any(symbol in notation for symbol in symbols), f"{page}: {cell}"


# --- lessons 5 and 6 (data, training): right and wrong variants, value for value ---


def module_from(source, name, tmp_path):
    """A module made from `source` text, imported from a file of its own."""
    path = tmp_path / f"{name}.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location(f"variant_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def first_difference(module_name, module):
    """The label of the first value of `module`'s trace that differs from the reference's, or None."""
    expected = worked.reference_values(module_name)
    got = list(worked.definition(module_name).trace(module))
    assert [v.label for v in got] == [v.label for v in expected]
    for e, g in zip(expected, got):
        if not worked.agree(e.value, g.value):
            return g.label
    return None


@pytest.mark.parametrize("module_name", MODULES)
def test_the_reference_trace_covers_every_stub_and_has_a_section(module_name):
    values = worked.reference_values(module_name)
    stubs = find_stubs(untouched(module_name))
    assert {v.method for v in values} == stubs
    assert all(v.section for v in values)
    for method in stubs:  # the page prints each method's block
        assert "```text" in worked.markdown(module_name, method)
    assert "```text" in worked.markdown(module_name)


def test_the_training_trace_shows_the_partial_batch():
    values = {v.label: v.value for v in worked.reference_values("training")}
    assert list(values["step 1: examples"]) == list(values["epoch 1: the order of the examples"][:4])
    assert len(values["step 2: examples"]) == 2  # six examples, batches of 4
    assert sorted(values["epoch 2: the order of the examples"]) == list(range(6))
    assert len(values["train(...) returns"]) == 2


DIVIDE = "    return flat.astype(np.float32) / 255\n"
PERMUTATION = "        order = rng.permutation(n)  # a new order every epoch\n"
STEP_LINES = "            network.forward(x, t)\n            network.backprop(t)\n            network.update(step)\n"


@pytest.mark.parametrize("module_name, edits, first", [
    ("data", [(DIVIDE, DIVIDE.replace("255", "256"))], None),  # 256 is right too
    ("data", [(DIVIDE, "    return images.transpose(0, 2, 1).reshape(len(images), -1) / np.float32(255)\n")],
     "features[0]: indices of the non-zero features"),
    ("data", [(DIVIDE, "    return flat.astype(np.float32) / flat.max(axis=1, keepdims=True)\n")],
     "features[2] at those indices"),
    ("data", [("    targets = np.zeros((len(labels), n_classes)", "    targets = np.zeros((len(labels), labels.max() + 1)")],  # noqa: E501
     "one_hot(labels, 5)"),
    # A step made by hand, from per-example gradients summed (Nielsen's style): the same steps.
    ("training", [(STEP_LINES,
                   "            sums = None\n"
                   "            for row, target in zip(x, t):\n"
                   "                network.forward(row, target)\n"
                   "                network.backprop(target)\n"
                   "                grads = [g.copy() for k in network.weights for g in (network.weights_grad[k], network.biases_grad[k])]\n"  # noqa: E501
                   "                sums = grads if sums is None else [s + g for s, g in zip(sums, grads)]\n"
                   "                total += float(network.loss)\n"
                   "            for i, k in enumerate(network.weights):\n"
                   "                network.weights[k] -= step * sums[2 * i]\n"
                   "                network.biases[k] -= step * sums[2 * i + 1]\n"),
                  ("            total += float(network.loss)  # the batch's summed loss\n", "")], None),
    ("training", [(PERMUTATION, "        order = np.arange(n)\n")], "epoch 1: the order of the examples"),
    ("training", [("    step = learning_rate / batch_size", "    step = learning_rate")],
     "step 1: W(1) after the step"),
    ("training", [("        losses.append(total / n)", "        losses.append(total)")], "train(...) returns"),
    # The features shuffled in place every epoch, the targets left as they were: epoch 1's order is
    # right, its targets are not (before, only epoch 2's order differed).
    ("training", [(PERMUTATION + "        np.take(features, order, axis=0, out=shuffled_features)\n"
                   "        np.take(targets, order, axis=0, out=shuffled_targets)\n",
                   "        rng.shuffle(features)\n        shuffled_features[:] = features\n"
                   "        shuffled_targets[:] = targets\n")],
     "epoch 1: the class of the target given with each example"),
], ids=["data divided by 256", "data column-major", "data scaled by the image's max", "one_hot too narrow",
        "training by hand per example", "training never shuffled", "training lr not divided", "training loss summed",
        "training features shuffled, targets not"])
def test_a_variant_differs_exactly_where_its_mistake_shows(module_name, edits, first, tmp_path):
    module = module_from(edited(module_name, edits), module_name, tmp_path)
    assert first_difference(module_name, module) == first


def test_the_reference_agrees_with_itself():
    for name in ("data", "training"):
        assert first_difference(name, load(name)) is None
