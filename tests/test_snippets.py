"""Code the site includes from docs/snippets/ runs as the lessons say it does.

Each snippet is run as a student runs it: `python docs/snippets/<name>.py` from a folder that
holds `exercises/`, with the course's packages importable.
"""

import os
import subprocess
import sys

import pytest

from coursekit import ROOT
from tests.variants_network import REFERENCE, wrong_source

GRADCHECK = ROOT / "docs" / "snippets" / "gradcheck_network.py"


def run_snippet(snippet, folder, network_source):
    (folder / "exercises").mkdir(parents=True)
    (folder / "exercises" / "network.py").write_text(network_source, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, str(snippet)], cwd=folder, env=env,
                          capture_output=True, text=True, timeout=60)


def test_gradcheck_snippet_passes_the_reference(tmp_path):
    result = run_snippet(GRADCHECK, tmp_path, REFERENCE.read_text(encoding="utf-8"))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    # Every parameter array of the [6, 5, 4, 3] network, the last layer first, then the verdict.
    assert [line.split(":")[0] for line in lines[:-1]] == [
        "weights[3]", "biases[3]", "weights[2]", "biases[2]", "weights[1]", "biases[1]"]
    assert lines[-1] == "gradients look right"


@pytest.mark.parametrize("mistake", ["sign flipped", "activation derivative missing"])
def test_gradcheck_snippet_catches_a_wrong_backprop(tmp_path, mistake):
    result = run_snippet(GRADCHECK, tmp_path, wrong_source(mistake))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].startswith("wrong:"), result.stdout
