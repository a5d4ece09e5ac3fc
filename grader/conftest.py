"""Wires the grader's plugin into `pytest grader`, and the fixtures every test file shares."""

import numpy as np
import pytest

from coursekit import solutions
from grader.plugin import (  # noqa: F401  (pytest finds hooks by name in this module)
    pytest_collection,
    pytest_collection_finish,
    pytest_collection_modifyitems,
    pytest_configure,
    pytest_report_header,
    pytest_report_teststatus,
    pytest_runtest_call,
    pytest_runtest_makereport,
    pytest_sessionfinish,
    pytest_terminal_summary,
    student,
    student_module,
)

# The options (grader/options.py; pyproject.toml loads it first: see there why); --uses and
# --markers-json (grader/select.py); each module's tests in a child process (grader/isolation.py).
pytest_plugins = ["grader.options", "grader.select", "grader.isolation"]


@pytest.fixture(scope="session")
def reference():
    """`reference("network")` is solutions/network.py, under a name that never meets the student's."""
    return solutions.load


@pytest.fixture(scope="session")
def mnist():
    """Real MNIST digits, loaded once; a missing data set ends the run with the command that fixes it."""
    from coursekit.mnist import MNISTError, load_mnist

    try:
        return load_mnist()
    except MNISTError as error:
        pytest.exit(f"the grader needs MNIST: {error}", returncode=3)


@pytest.fixture(scope="session")
def digits(mnist):
    """A fixed sample of 64 test digits as (features (64, 784) float64 in [0, 1], one-hot targets (64, 10))."""
    index = np.random.default_rng(2024).choice(len(mnist.test_labels), size=64, replace=False)
    features = mnist.test_images[index].reshape(-1, 784) / 255.0
    targets = np.eye(10)[mnist.test_labels[index]]
    return features, targets
