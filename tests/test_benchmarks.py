"""The benchmarks' own logic: the two per-example loops and the PyTorch twin train exactly as
the reference does, and the page renders the recorded tables. No timing is asserted here."""

import json
import re
import subprocess
import sys

import numpy as np
import pytest

from benchmarks.bench_reference import max_difference, per_example_train
from benchmarks.common import as_dtype, mnist_arrays
from benchmarks.nielsen_style import NielsenStyleNetwork, column_data
from coursekit import ROOT, benchtables
from solutions.network import Network
from solutions.training import train


def small_data(n=95, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.random((n, 12), dtype=np.float32)
    t = np.eye(4, dtype=np.float32)[rng.integers(0, 4, n)]
    return x, t


def test_per_example_loop_takes_the_same_steps_as_train():
    x, t = small_data()  # 95 examples: the last batch of 10 holds 5
    batched, looped = Network((12, 6, 4), seed=3), Network((12, 6, 4), seed=3)
    a = train(batched, x, t, 2, 10, 1.5, seed=4)
    b = per_example_train(looped, x, t, 2, 10, 1.5, seed=4)
    assert np.allclose(a, b, rtol=1e-12)
    assert max_difference(batched, looped) < 1e-12
    # ... and the comparison can fail: another seed gives another order, other weights.
    other = Network((12, 6, 4), seed=3)
    per_example_train(other, x, t, 2, 10, 1.5, seed=5)
    assert max_difference(batched, other) > 1e-6


def test_nielsen_style_loop_ends_with_the_weights_of_train():
    x, t, x_test, labels_test = mnist_arrays()
    x, t = x[:200], t[:200]  # 200 MNIST examples, a [784, 8, 10] network, two epochs
    batched = Network((784, 8, 10), seed=2)
    nielsen = NielsenStyleNetwork.from_network(Network((784, 8, 10), seed=2))
    assert nielsen.weights[0].shape == (8, 784) and nielsen.biases[0].shape == (8, 1)
    train(batched, x, t, 2, 10, 1.5, seed=3)
    nielsen.sgd(column_data(x, t), 2, 10, 3.0, seed=3)  # eta 3.0 for his cost with its 1/2
    assert max_difference(batched, nielsen.to_network(Network)) < 1e-12
    right = nielsen.evaluate(zip(x_test[:300].reshape(300, -1, 1), labels_test[:300]))
    assert right == int(np.sum(batched.predict(x_test[:300]) == labels_test[:300]))
    # ... and the comparison can fail: eta 1.5 would take half our steps.
    halved = NielsenStyleNetwork.from_network(Network((784, 8, 10), seed=2))
    halved.sgd(column_data(x, t), 2, 10, 1.5, seed=3)
    assert max_difference(batched, halved.to_network(Network)) > 1e-4


def test_as_dtype_gives_a_float32_network_that_stays_float32():
    x, t = small_data()
    network = as_dtype(Network((12, 6, 4), seed=0), np.float32)
    train(network, x, t, 1, 10, 1.5, seed=0)
    assert all(w.dtype == np.float32 for w in network.weights.values())
    assert network.output.dtype == np.float32


def test_pytorch_twin_takes_the_same_steps_as_train():
    torch = pytest.importorskip("torch")
    from benchmarks.bench_pytorch import max_difference as torch_difference
    from benchmarks.bench_pytorch import torch_model, torch_train

    x, t = small_data()
    network = Network((12, 6, 4), seed=3)
    model = torch_model(Network((12, 6, 4), seed=3), torch.float64)
    a = train(network, x, t, 2, 10, 1.5, seed=4)
    b = torch_train(model, x, t, 2, 10, 1.5, seed=4)
    assert np.allclose(a, b, rtol=1e-12)
    assert torch_difference(network, model) < 1e-12


SAMPLE = {
    "reference": {
        "title": "t", "date": "2026-11-23T12:30+00:00",
        "machine": {"cpu": "Some CPU", "cores": 2, "python": "3.11.7", "numpy": "2.3.0",
                    "blas": "scipy-openblas 0.3", "numpy_threads": 1, "os": "Linux"},
        "load": {"before": "1.0 on 2 cores", "after": "1.5 on 2 cores"},
        "header": ["training", "seconds"],
        "rows": [["loop | slow", "5.00"], ["batched", "0.50"]],
        "notes": ["A note."],
    }
}


def test_render_shows_the_recorded_table_machine_and_date(tmp_path):
    path = tmp_path / "benchmarks.json"
    path.write_text(json.dumps(SAMPLE))
    text = benchtables.render("reference", path)
    assert "| training | seconds |" in text
    assert "| loop \\| slow | 5.00 |" in text  # a | inside a cell must not split it
    assert "A note." in text
    assert "23 November 2026" in text and "Some CPU" in text and "2 cores" in text
    assert "scipy-openblas 0.3 on 1 thread(s)" in text and "1.5 on 2 cores" in text
    assert benchtables.cell("reference", 1, 1, path) == "0.50"


def test_render_says_when_a_benchmark_was_never_run(tmp_path):
    path = tmp_path / "absent.json"
    assert "has not been run" in benchtables.render("reference", path)
    assert benchtables.cell("reference", 0, 0, path) == "?"


def test_further_counts_the_flops_of_every_product_of_a_step():
    from benchmarks.bench_further import product_flops

    # [784, 100, 10], a batch of 64: h W and h^T g for both layers, g W^T for the second only.
    assert product_flops((784, 100, 10), 64) == 64 * 2 * (2 * 784 * 100 + 3 * 100 * 10)


def test_suite_time_runs_the_makefile_s_test_command():
    from benchmarks.suite_time import MAKE_TEST

    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "$(BIN)/python " + " ".join(MAKE_TEST) + "\n" in makefile


def test_the_filing_s_tests_all_exist_today(tmp_path):
    # A renamed or removed test must be renamed in the list too, or the benchmark times less.
    from benchmarks.suite_time import filing_tests

    ids = filing_tests()
    assert len(ids) > 100 and all(i.startswith("tests/") for i in ids)
    done = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *ids],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert re.search(r"^(\d+) tests? collected", done.stdout, re.M), done.stdout[-500:]
    listed = tmp_path / "list.txt"
    listed.write_text("# a comment\ntests/test_mnist.py::test_no_such_test\n", encoding="utf-8")
    missing = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
                              *filing_tests(listed)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert filing_tests(listed) == ["tests/test_mnist.py::test_no_such_test"]
    assert missing.returncode != 0  # the check above can fail


def test_containment_reads_pytest_s_summary_and_passes_grader_options_on():
    import pkgutil

    import benchmarks
    from benchmarks.bench_containment import grade_command, parse_counts, split_argv

    assert "bench_containment" in {m.name for m in pkgutil.iter_modules(benchmarks.__path__)}  # make bench runs it
    assert parse_counts("FAILED grader/x.py::t\n66 failed, 106 passed in 9.70s\n") == {"failed": 66, "passed": 106}
    assert parse_counts("151 deselected, 21 not attempted in 0.92s") == {"deselected": 151, "not attempted": 21}
    assert parse_counts("=== 1 passed, 2 warnings in 75.3s (0:01:15) ===") == {"passed": 1, "warnings": 2}
    assert parse_counts("ERROR: usage: pytest [options]") == {}  # no summary: the run says its exit status
    own, extra = split_argv(["--runs", "3", "--", "-k", "network", "--", "x"])
    assert own == ["--runs", "3"] and extra == ["-k", "network", "--", "x"]
    assert split_argv(["--runs", "3"]) == (["--runs", "3"], [])
    reference, stubs = grade_command("reference", ["-k", "network"]), grade_command("stubs", [])
    assert reference[:6] == [sys.executable, "-m", "pytest", "grader", "--target", "solutions"]
    assert reference[-2:] == ["-k", "network"] and "--target" not in stubs
