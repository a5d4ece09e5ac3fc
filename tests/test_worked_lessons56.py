"""The worked examples of lessons 5 and 6 (coursekit/worked/data.py, training.py).

The reference's trace yields a value for every stub of the exercise module; a right variant in
another style agrees with it value for value, and a wrong one differs where the mistake shows.
"""

import importlib.util
import re

import pytest
from grading import edited

from coursekit import ROOT, worked
from coursekit.solutions import load
from coursekit.stubs import find_stubs


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


@pytest.mark.parametrize("module_name", ["data", "training"])
def test_the_reference_trace_covers_every_stub(module_name):
    values = worked.reference_values(module_name)
    stubs = find_stubs((ROOT / "exercises" / f"{module_name}.py").read_text(encoding="utf-8"))
    assert {v.method for v in values} == stubs
    assert all(v.section for v in values)
    for method in stubs:  # the page prints each method's block
        assert "```text" in worked.markdown(module_name, method)
    assert "```text" in worked.markdown(module_name)


@pytest.mark.parametrize("module_name", ["data", "training"])
def test_every_section_is_a_heading_of_the_lesson(module_name):
    page = (ROOT / "docs" / "lessons" / f"{module_name}.md").read_text(encoding="utf-8")

    anchors = set(re.findall(r"\{#([\w-]+)\}", page))
    headings = {re.sub(r"[^\w\s-]", "", h).strip().lower().replace(" ", "-")
                for h in re.findall(r"^#+ (.+?)(?: \{#[\w-]+\})?$", page, flags=re.M)}
    for v in worked.reference_values(module_name):
        assert v.section in anchors | headings, v


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
    ("data", [("    targets = np.zeros((len(labels), n_classes)", "    targets = np.zeros((len(labels), labels.max() + 1)")],
     "one_hot(labels, 5)"),
    # A step made by hand, from per-example gradients summed (Nielsen's style): the same steps.
    ("training", [(STEP_LINES,
                   "            sums = None\n"
                   "            for row, target in zip(x, t):\n"
                   "                network.forward(row, target)\n"
                   "                network.backprop(target)\n"
                   "                grads = [g.copy() for k in network.weights for g in (network.weights_grad[k], network.biases_grad[k])]\n"
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
], ids=["data divided by 256", "data column-major", "data scaled by the image's max", "one_hot too narrow",
        "training by hand per example", "training never shuffled", "training lr not divided", "training loss summed"])
def test_a_variant_differs_exactly_where_its_mistake_shows(module_name, edits, first, tmp_path):
    module = module_from(edited(module_name, edits), module_name, tmp_path)
    assert first_difference(module_name, module) == first


def test_the_reference_agrees_with_itself():
    for name in ("data", "training"):
        assert first_difference(name, load(name)) is None
