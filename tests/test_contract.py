"""Clauses of /work/shared/CONTRACT.md that an audit found the grader did not enforce, or
enforced too strictly, each pinned by a submission that violates it or satisfies it in
another reasonable style.

A variant is the reference module with textual edits (each asserted to apply, so that a change
of the reference can't turn a variant into a copy of it). The grader runs on a copy of
solutions/ holding the variant, for that module only, as a student would run it.
"""

import shutil
import subprocess
import sys

import pytest

from coursekit import ROOT, course
from tests.grading import grade_module, start_grader

SOLUTIONS = ROOT / "solutions"

SHAPE_CHECK = '''        expected = np.shape(features)[:-1] + (self.definition[-1],)
        if np.shape(targets) != expected:
            raise ValueError(
                f"targets have shape {np.shape(targets)}, but the output for features of "
                f"shape {np.shape(features)} has shape {expected}"
            )
'''
STORE_OUTPUT = "        self.output = h\n"
BIASES_STEP = "            self.biases[k] -= learning_rate * self.biases_grad[k]\n"
UPDATE_CALL = "            network.update(step)\n"

# name: (module, [(text in the reference, its replacement)], the test it must fail)
WRONG = {
    # "targets has the output's shape": (8, 10) targets for a (8, 10) output in another layout,
    # or (1, 10) for a (10,) output (broadcasting gives the right loss), must be rejected.
    "network: targets checked by size only": (
        "network", [(SHAPE_CHECK, SHAPE_CHECK.replace("np.shape(targets) != expected",
                                                      "np.size(targets) != np.prod(expected)"))],
        "test_forward_rejects_mismatched_targets"),
    "network: (1, nL) targets accepted for one example": (
        "network", [(SHAPE_CHECK, SHAPE_CHECK.replace("np.shape(targets) != expected",
                                                      "np.shape(targets)[-1:] != expected[-1:]"))],
        "test_forward_rejects_mismatched_targets"),
    # "update changes only the parameters": biases_grad was not looked at.
    "network: update clears biases_grad": (
        "network", [(BIASES_STEP, BIASES_STEP + "            self.biases_grad[k] = 0 * self.biases_grad[k]\n")],
        "test_update_steps_against_the_gradient"),
    "network: update stores a new loss": (
        "network", [(BIASES_STEP, BIASES_STEP + "        self.loss = None\n")],
        "test_update_steps_against_the_gradient"),
    # A step by hand is accepted (below), so it must still be the right step.
    "training: step by hand without dividing by batch_size": (
        "training", [(UPDATE_CALL, "            for k in network.weights:\n"
                                   "                network.weights[k] -= learning_rate * network.weights_grad[k]\n"
                                   "                network.biases[k] -= learning_rate * network.biases_grad[k]\n")],
        "test_train_step_is_learning_rate_over_batch_size"),
    "training: step by hand on the weights only": (
        "training", [(UPDATE_CALL, "            for k in network.weights:\n"
                                   "                network.weights[k] -= step * network.weights_grad[k]\n")],
        "test_train_step_is_learning_rate_over_batch_size"),
    "network: an assert that does not name the shapes": (
        "network", [(SHAPE_CHECK, "        assert np.shape(targets) == np.shape(features)[:-1] + (self.definition[-1],)\n")],
        "test_forward_rejects_mismatched_targets"),
}

# name: (module, [(text, replacement)]): correct in another style, so every test passes.
RIGHT = {
    # Clarified: whether forward() stored anything before raising is not graded; a correct
    # forward pass that checks the targets' shape at the end is right (it failed before).
    "network: shape checked after storing the output": (
        "network", [(SHAPE_CHECK, ""), (STORE_OUTPUT, STORE_OUTPUT + SHAPE_CHECK)]),
    # The owner's draft lesson checks with an assert naming both shapes (it failed before).
    "network: an assert naming both shapes": (
        "network", [(SHAPE_CHECK, "        expected = np.shape(features)[:-1] + (self.definition[-1],)\n"
                                  "        assert np.shape(targets) == expected, f\"targets {np.shape(targets)}, output {expected}\"\n")]),
    # "each step calls forward, backprop and applies W -= (learning_rate / batch_size) * dJ/dW":
    # applying the step to the Network's dicts directly, instead of calling update(), is that too.
    "training: step applied by hand": (
        "training", [(UPDATE_CALL, "            for k in network.weights:\n"
                                   "                network.weights[k] -= step * network.weights_grad[k]\n"
                                   "                network.biases[k] -= step * network.biases_grad[k]\n")]),
    "training: step by hand, new arrays": (
        "training", [(UPDATE_CALL, "            for k in range(1, len(network.weights) + 1):\n"
                                   "                network.weights[k] = network.weights[k] - step * network.weights_grad[k]\n"
                                   "                network.biases[k] = network.biases[k] - step * network.biases_grad[k]\n")]),
    # "Network.forward ... a stub is recognised from its source, not from its return value".
    "network: forward returns the output": (
        "network", [("        self.loss = np.sum((self.output - targets) ** 2)\n",
                     "        self.loss = np.sum((self.output - targets) ** 2)\n        return self.output\n")]),
    "network: predict returns a Python int": (
        "network", [("return np.argmax(h, axis=-1)",
                     "return int(np.argmax(h)) if np.ndim(h) == 1 else np.argmax(h, axis=-1)")]),
    "functional: update returns a new dict": (
        "functional", [('''    model["weights"] = [W - eta * dW for W, dW in zip(model["weights"], model["grad_weights"])]
    model["biases"] = [b - eta * db for b, db in zip(model["biases"], model["grad_biases"])]
    for key in ("z_inputs", "activations", "grad_weights", "grad_biases"):
        del model[key]
    return model
''', '''    kept = {k: v for k, v in model.items() if k not in ("z_inputs", "activations", "grad_weights", "grad_biases")}
    kept["weights"] = [W - eta * dW for W, dW in zip(model["weights"], model["grad_weights"])]
    kept["biases"] = [b - eta * db for b, db in zip(model["biases"], model["grad_biases"])]
    return kept
''')]),
    "functional: gradient_descent returns arrays": (
        "functional", [("    return model, epochs, losses\n",
                        "    return model, np.array(epochs), np.array(losses)\n")]),
    "functional: sigma without exp of a large number, via tanh": (
        "functional", [('''    e = np.exp(-np.abs(x))  # in (0, 1]: both branches below are safe for every x
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))
''', "    return 0.5 * (1 + np.tanh(0.5 * np.asarray(x, dtype=float)))\n")]),
    "nn: backprop reshapes y to the output's shape": (
        "nn", [("        g = self.loss.deriv(h, y)", "        g = self.loss.deriv(h, np.reshape(y, h.shape))")]),
}


def variant(folder, module, edits):
    """A copy of solutions/ in `folder` with `module`.py edited."""
    folder.mkdir()
    for path in SOLUTIONS.glob("*.py"):
        shutil.copy(path, folder / path.name)
    source = (folder / f"{module}.py").read_text(encoding="utf-8")
    for old, new in edits:
        assert source.count(old) == 1, f"the edit no longer applies to solutions/{module}.py: {old!r}"
        source = source.replace(old, new)
    (folder / f"{module}.py").write_text(source, encoding="utf-8")
    return folder


def grade(target, module, tmp_path):
    """(exit status, {test function name: [results.json entries]}) of the grader on one module
    (in the warm grader, tests/grading.py)."""
    graded = grade_module(module, target, tmp_path / "results.json")
    tests = {}
    for test in graded.results["tests"]:
        tests.setdefault(test["name"].split(": ", 1)[1].split("[")[0], []).append(test)
    return graded.exit_code, tests


def failed(tests):
    found = {name: [t["output"] for t in cases if t["status"] == "failed"] for name, cases in tests.items()}
    found = {name: outputs for name, outputs in found.items() if outputs}
    for name, outputs in found.items():  # a message for the student, not a crash of the grader
        assert all(o and "Traceback" not in o and "grader/test_" not in o for o in outputs), (name, outputs)
    return found


@pytest.mark.parametrize("name", WRONG)
def test_violation_fails(name, tmp_path):
    module, edits, expected = WRONG[name]
    code, tests = grade(variant(tmp_path / "v", module, edits), module, tmp_path)
    assert code == 1, f"exit status {code}: 1 expected for a wrong answer"
    assert expected in failed(tests), f"{name}: {expected} passed; failed: {sorted(failed(tests))}"


@pytest.mark.parametrize("name", RIGHT)
def test_reasonable_alternative_passes(name, tmp_path):
    module, edits = RIGHT[name]
    code, tests = grade(variant(tmp_path / "v", module, edits), module, tmp_path)
    assert code == 0, failed(tests)


def test_training_end_to_end_names_a_wrong_predict_shape(tmp_path):
    """A Network whose predict() returns the wrong shape fails training's end-to-end test with a
    message for the student, not with NumPy's broadcasting error raised in the grader's code."""
    folder = variant(tmp_path / "v", "network", [("return np.argmax(h, axis=-1)", "return np.argmax(h, axis=0)")])
    code, tests = grade(folder, "training", tmp_path)
    assert code == 1
    output = failed(tests)["test_train_your_network_on_mnist"][0]
    assert "predict()" in output and "(5000,)" in output, output


# --- the grader's interface ------------------------------------------------------------------

# The interface tests below are about hangs, floods and imports: the two MNIST training runs
# (some 12 s of CPU a run) are left out of their runs and of the reference's alike.
WITHOUT_MNIST = ("-k", "not test_your_classifier_on_mnist and not test_train_your_network_on_mnist")


HANG = "        import time\n        while True:\n            try:\n                time.sleep(0.5)\n            except:\n                pass\n"
SIGMA = "        e = np.exp(-np.abs(x))\n        return np.where(x >= 0, 1 / (1 + e), e / (1 + e))\n"
EXTRA = ("import numpy as np\n", "import numpy as np\n\n\ndef test_extra():\n    assert False\n\n\n"
         "class TestExtra:\n    def test_x(self):\n        assert False\n\n\ndef helper():\n    return 1\n")
# name: (module, edits) of each folder graded whole; None: the reference itself.
WHOLE = {
    "reference": None,
    "swallowed time limit": ("nn", [(SIGMA, HANG)]),
    "printing at import": ("nn", [("import numpy as np\n", "import numpy as np\nwhile True: print('x' * 1000)\n")]),
    "extra definitions": ("network", [EXTRA]),
    "broken import": ("nn", [("import numpy as np\n", "import numpy as np\nraise RuntimeError('boom')\n")]),
}


@pytest.fixture(scope="module")
def whole_runs(tmp_path_factory):
    """{name: (folder, Running)}: every whole run of this file, started together, each as a
    student runs the grader (a process per module), but for the MNIST runs."""
    base = tmp_path_factory.mktemp("whole")
    runs = {}
    for index, (name, change) in enumerate(WHOLE.items()):
        folder = SOLUTIONS if change is None else variant(base / f"v{index}", *change)
        (base / f"r{index}").mkdir()
        runs[name] = folder, start_grader(folder, base / f"r{index}" / "results.json", *WITHOUT_MNIST)
    yield runs
    for _, running in runs.values():
        running.wait()


@pytest.fixture(scope="module", autouse=True)
def whole_runs_started_early(request):
    """Starts whole_runs with the module's first test, if any selected test of the module needs
    it: the runs spend most of their time waiting for the grader's limits, so they wait alongside
    the variant tests above instead of one after another."""
    if any(item.module is request.module and "whole_runs" in item.fixturenames for item in request.session.items):
        request.getfixturevalue("whole_runs")


def full_run(whole_runs, name):
    """(exit status, results.json, graded folder) of the whole run `name` of whole_runs."""
    folder, running = whole_runs[name]
    graded = running.wait()
    assert graded.results is not None, graded
    return graded.exit_code, graded.results, folder


def shape_of(results):
    return {t["name"]: t["max_score"] for t in results["tests"]}, results["max_score"]


@pytest.fixture(scope="module")
def reference(whole_runs):
    """The reference's results.json, from its whole run."""
    code, results, _ = full_run(whole_runs, "reference")
    assert code == 0, results
    return results


def test_a_loop_that_swallows_the_time_limit_still_ends_the_run(whole_runs, reference):
    """A bare `except:` in an endless loop catches the grader's interruption; the run must still
    end (within about two minutes), exit 1, and write the same tests and max_score."""
    code, results, _ = full_run(whole_runs, "swallowed time limit")
    assert code == 1
    assert shape_of(results) == shape_of(reference)
    outputs = {t["name"]: t["output"] for t in results["tests"] if t["status"] == "failed"}
    assert "went on after the grader interrupted it" in outputs["nn.py: test_activation_fn[Sigmoid]"]
    assert all(t["status"] == "passed" for t in results["tests"] if t["name"].startswith(("data", "functional", "network")))


def test_printing_forever_at_import_is_reported_against_the_module(whole_runs):
    code, results, folder = full_run(whole_runs, "printing at import")
    assert code == 1
    failed = {t["name"]: t["output"] for t in results["tests"] if t["status"] == "failed"}
    assert failed and all(name.startswith("nn.py") for name in failed), sorted(failed)
    assert all(f"{(folder / 'nn.py').resolve()}:17" in output and "printed more than" in output
               for output in failed.values())


def test_extra_definitions_and_a_broken_import_leave_the_tests_and_points_alone(whole_runs, reference):
    code, results, _ = full_run(whole_runs, "extra definitions")
    assert code == 0 and shape_of(results) == shape_of(reference)
    code, results, _ = full_run(whole_runs, "broken import")
    assert code == 1 and shape_of(results) == shape_of(reference)
    failed = [t["name"] for t in results["tests"] if t["status"] == "failed"]
    assert failed and all(name.startswith("nn.py") for name in failed)


def test_a_nul_byte_is_reported_at_its_line(tmp_path):
    folder = variant(tmp_path / "v", "data", [("import numpy as np\n", "import numpy as np\n# \x00\n")])
    code, tests = grade(folder, "data", tmp_path)
    assert code == 1
    assert all(f"{(folder / 'data.py').resolve()}:15: syntax error" in outputs[0] for outputs in failed(tests).values())


def test_solutions_work_copied_elsewhere(tmp_path):
    """"solutions/ keeps working when copied elsewhere": import every module from a copy, with
    the working directory somewhere else, and run a little of each."""
    copy = tmp_path / "copy"
    shutil.copytree(SOLUTIONS, copy)
    script = (
        "import importlib.util, numpy as np\n"
        "mods = {}\n"
        f"for name in {sorted(course.MODULES)}:\n"
        f"    spec = importlib.util.spec_from_file_location(name, r'{copy}/' + name + '.py')\n"
        "    mods[name] = importlib.util.module_from_spec(spec); spec.loader.exec_module(mods[name])\n"
        "net = mods['network'].Network((4, 3, 2), seed=0)\n"
        "x, t = np.ones((5, 4)), np.zeros((5, 2))\n"
        "print(len(mods['training'].train(net, x, t, 2, 2, 0.1, seed=0)))\n"
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    done = subprocess.run([sys.executable, "-c", script], cwd=elsewhere, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.strip() == "2", done.stderr


def test_a_module_with_a_coding_line_is_graded(tmp_path):
    """A valid Python file in Latin-1 (declared on its first line) is graded like any other."""
    folder = variant(tmp_path / "v", "data", [])
    source = (folder / "data.py").read_text(encoding="utf-8")
    (folder / "data.py").write_bytes(("# -*- coding: latin-1 -*-\n# café\n" + source).encode("latin-1"))
    code, tests = grade(folder, "data", tmp_path)
    assert code == 0, failed(tests)
