"""The code passes the project's linter, ruff, configured in pyproject.toml (installed with the dev extras)."""

import subprocess
import sys

from coursekit import ROOT


def test_ruff_check_is_clean():
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "--output-format", "concise", "."],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert "No module named ruff" not in result.stderr, "ruff is missing: pip install -e '.[dev]'"
    assert result.returncode == 0, f"ruff check . found problems:\n{result.stdout}{result.stderr}"
