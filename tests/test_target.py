"""One target rule: every command that works on a student's folder finds it the same way.

`--target DIR` (relative to the current folder), else $COURSE_TARGET, else the course's own
exercises/, from whatever folder the command is run (coursekit.course.target); and the grader
says which folder it graded.
"""

import ast
import os
import subprocess
import sys

import pytest

from coursekit import ROOT, course

# Every command with a --target: the module that declares it.
COMMANDS = ["grader/options.py", "grader/trace.py", "grader/hint.py", "grader/watch.py", "grader/reset.py",
            "grader/submit.py", "coursekit/run.py"]


def test_the_rule(monkeypatch, tmp_path):
    monkeypatch.delenv("COURSE_TARGET", raising=False)
    monkeypatch.chdir(tmp_path)
    assert course.target() == (ROOT / "exercises").resolve()  # wherever the command runs
    assert course.target("mine") == (tmp_path / "mine").resolve()
    assert course.target("mine", cwd=ROOT) == ROOT / "mine"
    monkeypatch.setenv("COURSE_TARGET", "theirs")
    assert course.target() == (tmp_path / "theirs").resolve()
    assert course.target("mine") == (tmp_path / "mine").resolve()  # the argument wins


def target_options(path):
    """(default, calls course.target) of the --target option a module declares."""
    source = (ROOT / path).read_text(encoding="utf-8")
    defaults = []
    for node in ast.walk(ast.parse(source)):
        if (isinstance(node, ast.Call) and getattr(node.func, "attr", "") in ("add_argument", "addoption")
                and node.args and isinstance(node.args[0], ast.Constant) and node.args[0].value == "--target"):
            defaults += [k.value for k in node.keywords if k.arg == "default"]
    return defaults, "course.target(" in source or path == "grader/options.py"


@pytest.mark.parametrize("path", COMMANDS)
def test_every_command_leaves_the_default_to_the_rule(path):
    defaults, uses_the_rule = target_options(path)
    assert defaults and all(isinstance(d, ast.Constant) and d.value is None for d in defaults), \
        f"{path}: --target must default to None (course.target decides)"
    assert uses_the_rule, f"{path} does not resolve its --target with course.target"


def test_no_other_module_declares_a_target_of_its_own():
    declared = set()
    for folder in ("grader", "coursekit"):
        for path in (ROOT / folder).rglob("*.py"):
            name = path.relative_to(ROOT).as_posix()
            if '"--target"' in path.read_text(encoding="utf-8") and target_options(name)[0]:
                declared.add(name)
    assert declared == set(COMMANDS)


def test_the_grader_run_from_elsewhere_grades_the_course_s_exercises_and_says_so(tmp_path):
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}
    env.pop("COURSE_TARGET", None)
    done = subprocess.run([sys.executable, "-m", "pytest", str(ROOT / "grader"), "--module", "data",
                           "--collect-only", "-p", "no:cacheprovider"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert f"graded folder: {(ROOT / 'exercises').resolve()}" in done.stdout, done.stdout + done.stderr
    missing = subprocess.run([sys.executable, "-m", "pytest", str(ROOT / "grader"), "--target", "nowhere",
                              "--collect-only", "-p", "no:cacheprovider"],
                             cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert missing.returncode != 0 and f"--target nowhere: no such folder ({tmp_path / 'nowhere'})" in missing.stderr
