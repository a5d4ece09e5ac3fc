"""Building the course site from the tests: the reader's site, wherever the tests run."""

import os
import subprocess
import sys


def mkdocs_build(config_dir, site_dir, **env):
    """`mkdocs build --strict` of `config_dir` into `site_dir`, as the reader's site (no SITE_URL)."""
    environment = {**os.environ, "NO_MKDOCS_2_WARNING": "1", **env}
    environment.pop("SITE_URL", None)  # build the same site wherever the tests run
    if "COURSE_SOLUTIONS" not in env:
        environment.pop("COURSE_SOLUTIONS", None)
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site_dir)],
                          cwd=config_dir, env=environment, capture_output=True, text=True, timeout=900)
