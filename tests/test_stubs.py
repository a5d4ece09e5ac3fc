"""The stub generator (coursekit.stubs) and the exercises it makes from the solutions.

exercises/ is the student's working folder: these tests never read the files there (a student
who has filled in network.py must not see the project's tests fail). They check the generated
text, the manifest the generator keeps (`exercises/.generated.json`), and, where git is at
hand, the committed exercises against the committed manifest.
"""

import ast
import importlib.util
import json
import shutil
import subprocess
import sys
import textwrap

import pytest

from coursekit import ROOT, stubs
from coursekit.stubs import MANIFEST, MarkerError, digest, find_stubs, generate, generate_folder

SOLUTIONS = ROOT / "solutions"
EXERCISES = ROOT / "exercises"
SOLUTION_FILES = sorted(p for p in SOLUTIONS.glob("*.py") if p.name != "__init__.py")


def dedent(text):
    return textwrap.dedent(text).lstrip("\n")


# --- generate: markers into TODOs ---------------------------------------------------------

def test_region_becomes_todo_and_ellipsis_at_its_indentation():
    source = dedent("""
        class A:
            def f(self, x):
                \"\"\"Doc.\"\"\"
                # BEGIN SOLUTION: add one to x
                y = x + 1
                return y
                # END SOLUTION

        def g():
            # BEGIN SOLUTION: return two
            return 2
            # END SOLUTION
        """)
    assert generate(source) == dedent("""
        class A:
            def f(self, x):
                \"\"\"Doc.\"\"\"
                # TODO: add one to x
                ...

        def g():
            # TODO: return two
            ...
        """)


def test_region_without_hint_gets_a_default_one():
    source = "def f():\n    # BEGIN SOLUTION\n    return 1\n    # END SOLUTION\n"
    assert generate(source) == "def f():\n    # TODO: your code here\n    ...\n"


def test_a_long_hint_is_wrapped_over_comment_lines_at_the_region_indentation():
    hint = " ".join(f"word{i}" for i in range(40))  # about 280 characters
    source = f"class A:\n    def f(self):\n        # BEGIN SOLUTION: {hint}\n        return 1\n        # END SOLUTION\n"
    out = generate(source)
    comments = [line for line in out.splitlines() if line.lstrip().startswith("#")]
    assert len(comments) > 2 and all(len(line) <= stubs.WIDTH for line in comments)
    assert comments[0].startswith("        # TODO: word0 ") and all(line.startswith("        # ") for line in comments)
    assert " ".join(line.split("#", 1)[1].strip() for line in comments).removeprefix("TODO: ") == hint
    assert find_stubs(out) == {"A.f"}


def test_every_todo_of_the_exercises_fits_the_width():
    for path in SOLUTION_FILES:  # the exercises as the generator makes them: exercises/ is the student's
        for number, line in enumerate(generated(path).splitlines(), start=1):
            assert not line.lstrip().startswith("#") or len(line) <= stubs.WIDTH, f"{path.name}:{number}"


def test_snippet_markers_are_dropped_and_everything_else_kept():
    source = dedent("""
        import numpy as np

        # --8<-- [start:f]
        def f(x):
            \"\"\"Doc.\"\"\"
            # a comment the student keeps
            # BEGIN SOLUTION: hint
            return x
            # END SOLUTION
        # --8<-- [end:f]
        """)
    result = generate(source)
    assert "--8<--" not in result
    assert result == dedent("""
        import numpy as np

        def f(x):
            \"\"\"Doc.\"\"\"
            # a comment the student keeps
            # TODO: hint
            ...
        """)


def test_generated_text_is_valid_python_and_a_stub():
    source = "def f(x):\n    # BEGIN SOLUTION: hint\n    return x\n    # END SOLUTION\n"
    assert find_stubs(generate(source)) == {"f"}


@pytest.mark.parametrize("source, line, what", [
    ("def f():\n    # BEGIN SOLUTION\n    return 1\n", 2, "never closed"),
    ("def f():\n    return 1\n    # END SOLUTION\n", 3, "without a BEGIN"),
    ("def f():\n    # BEGIN SOLUTION\n    # BEGIN SOLUTION\n    return 1\n    # END SOLUTION\n", 3, "inside"),
    ("def f():\n    # BEGIN SOLUTION\n    x = 1\n    # END SOLUTION\n    # END SOLUTION\n", 5, "without a BEGIN"),
], ids=["unclosed", "end without begin", "nested", "two ends"])
def test_unpaired_or_nested_markers_raise_naming_the_line(source, line, what):
    with pytest.raises(MarkerError) as raised:
        generate(source, filename="solutions/bad.py")
    assert f"solutions/bad.py:{line}:" in str(raised.value)
    assert what in str(raised.value)


# --- find_stubs: what counts as not attempted ---------------------------------------------

STUB_BODIES = {
    "docstring and ellipsis": '"""Doc."""\n...',
    "ellipsis": "...",
    "pass": "pass",
    "docstring and pass": '"""Doc."""\npass',
    "raise NotImplementedError": "raise NotImplementedError",
    "raise NotImplementedError('x')": 'raise NotImplementedError("x")',
    "docstring, TODO comment, ellipsis": '"""Doc."""\n# TODO: hint\n...',
}

REAL_BODIES = {
    "return None": "return None",
    "return a value": "return x + 1",
    "assignment then ellipsis": "y = x\n...",
    "docstring and a call": '"""Doc."""\nprint(x)',
    "raise another error": 'raise ValueError("x")',
    "conditional NotImplementedError": "if x:\n    raise NotImplementedError\nreturn x",
}


def in_function_and_method(body):
    body = textwrap.indent(body, "    ")
    return f"def f(x):\n{body}\n\nclass C:\n    def m(self, x):\n{textwrap.indent(body, '    ')}\n"


@pytest.mark.parametrize("body", STUB_BODIES.values(), ids=STUB_BODIES.keys())
def test_find_stubs_recognises_stub_bodies(body):
    assert find_stubs(in_function_and_method(body)) == {"f", "C.m"}


@pytest.mark.parametrize("body", REAL_BODIES.values(), ids=REAL_BODIES.keys())
def test_find_stubs_leaves_real_bodies_alone(body):
    assert find_stubs(in_function_and_method(body)) == set()


def test_find_stubs_on_the_reference_finds_nothing():
    for path in SOLUTION_FILES:
        assert find_stubs(path.read_text(encoding="utf-8")) == set(), path.name


# --- exercises/ is what the generator makes from solutions/ ------------------------------------

def generated(solution):
    return generate(solution.read_text(encoding="utf-8"), filename=str(solution))


def test_the_manifest_records_what_the_generator_makes_from_every_solution():
    manifest = json.loads((EXERCISES / MANIFEST).read_text(encoding="utf-8"))
    assert set(manifest) == {p.name for p in SOLUTION_FILES}, "a solution without an exercise, or the reverse"
    changed = [p.name for p in SOLUTION_FILES if manifest[p.name] != digest(generated(p))]
    assert not changed, (f"solutions/ changed since the exercises were generated: {changed}; regenerate "
                         "them (python -m coursekit.stubs solutions exercises) and commit both")


def git(*args):
    return subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True)


def test_the_committed_exercises_are_what_the_committed_manifest_records():
    """The repository as committed: each exercise is exactly what the generator wrote."""
    if shutil.which("git") is None or git("rev-parse", "HEAD").returncode != 0:
        pytest.skip("no git repository here: nothing committed to compare")
    shown = git("show", f"HEAD:exercises/{MANIFEST}")
    if shown.returncode != 0:
        pytest.skip(f"exercises/{MANIFEST} is not committed yet")
    manifest = json.loads(shown.stdout)
    for name, expected in manifest.items():
        committed = git("show", f"HEAD:exercises/{name}")
        assert committed.returncode == 0, f"exercises/{name} is in the manifest but not committed"
        text = committed.stdout.decode("utf-8").replace("\r\n", "\n")
        assert digest(text) == expected, f"the committed exercises/{name} is not what the generator wrote"


def test_generate_folder_writes_then_reports_nothing_stale(tmp_path):
    assert generate_folder(SOLUTIONS, tmp_path) == [p.name for p in SOLUTION_FILES]
    assert generate_folder(SOLUTIONS, tmp_path, check=True) == []
    (tmp_path / SOLUTION_FILES[0].name).write_text("# edited by hand\n", encoding="utf-8")
    assert generate_folder(SOLUTIONS, tmp_path, check=True) == [SOLUTION_FILES[0].name]


# --- regenerating never loses a student's work ------------------------------------------------

def course_copy(tmp_path):
    """A solutions/ copy and an exercises/ folder generated from it, as a student checks them out."""
    solutions = shutil.copytree(SOLUTIONS, tmp_path / "solutions")
    exercises = tmp_path / "exercises"
    generate_folder(solutions, exercises)
    return solutions, exercises


def new_version(solutions, name="network.py"):
    """The course changes one solution's stub (a new docstring line)."""
    path = solutions / name
    path.write_text(path.read_text(encoding="utf-8").replace('"""', '"""New in this version. ', 1), encoding="utf-8")


def run_stubs(solutions, exercises, *args):
    return subprocess.run([sys.executable, "-m", "coursekit.stubs", str(solutions), str(exercises), *args],
                          cwd=ROOT, capture_output=True, text=True)


def test_regenerating_keeps_an_edited_exercise_and_says_so(tmp_path):
    solutions, exercises = course_copy(tmp_path)
    mine = "# my work, half done\n" + (exercises / "network.py").read_text(encoding="utf-8")
    (exercises / "network.py").write_text(mine, encoding="utf-8")
    new_version(solutions, "network.py")
    new_version(solutions, "nn.py")
    run = run_stubs(solutions, exercises)
    assert run.returncode == 1, run
    assert (exercises / "network.py").read_text(encoding="utf-8") == mine  # nothing lost
    assert f"kept {exercises / 'network.py'}" in run.stdout and "--force" in run.stdout
    assert "nothing of yours was overwritten" in run.stderr
    # The untouched file of the same run is brought up to date.
    assert (exercises / "nn.py").read_text(encoding="utf-8") == generated(solutions / "nn.py")
    assert not (exercises / ".backup").exists()


def test_force_replaces_an_edited_exercise_after_a_backup_it_prints(tmp_path):
    solutions, exercises = course_copy(tmp_path)
    mine = "# my work\n"
    (exercises / "network.py").write_text(mine, encoding="utf-8")
    new_version(solutions)
    run = run_stubs(solutions, exercises, "--force")
    assert run.returncode == 0, run
    backups = list((exercises / ".backup").glob("network.*.py"))
    assert len(backups) == 1 and backups[0].read_text(encoding="utf-8") == mine
    assert f"backed up {exercises / 'network.py'} to {backups[0]}" in run.stdout
    assert (exercises / "network.py").read_text(encoding="utf-8") == generated(solutions / "network.py")
    manifest = json.loads((exercises / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["network.py"] == digest(generated(solutions / "network.py"))


def test_a_file_the_manifest_does_not_know_counts_as_edited(tmp_path):
    solutions, exercises = course_copy(tmp_path)
    (exercises / MANIFEST).unlink()  # an older checkout, before the manifest
    (exercises / "network.py").write_text("# mine\n", encoding="utf-8")
    assert generate_folder(solutions, exercises) == ["network.py"]
    assert (exercises / "network.py").read_text(encoding="utf-8") == "# mine\n"


def test_the_backup_folder_is_ignored_by_git():
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert f"exercises/{stubs.BACKUP}/" in ignored


def solution_regions(source):
    """Qualified names of the functions that contain a BEGIN SOLUTION marker."""
    lines = source.splitlines()
    marked = {n for n, line in enumerate(lines, start=1) if line.strip().startswith("# BEGIN SOLUTION")}
    return {name for name, node in stubs.functions(source) if any(node.lineno <= n <= node.end_lineno for n in marked)}


@pytest.mark.parametrize("solution", SOLUTION_FILES, ids=lambda p: p.name)
def test_exercise_stubs_exactly_the_solution_regions(solution):
    regions = solution_regions(solution.read_text(encoding="utf-8"))
    assert regions, f"{solution.name} marks no BEGIN SOLUTION region"
    assert find_stubs(generated(solution)) == regions


@pytest.mark.parametrize("solution", SOLUTION_FILES, ids=lambda p: p.name)
def test_exercise_imports_cleanly(solution, tmp_path):
    path = tmp_path / solution.name
    path.write_text(generated(solution), encoding="utf-8")
    spec = importlib.util.spec_from_file_location(f"exercise_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    source = solution.read_text(encoding="utf-8")
    public = {node.name for node in ast.parse(source).body
              if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and not node.name.startswith("_")}
    missing = sorted(name for name in public if not hasattr(module, name))
    assert not missing, f"the exercise {path.name} lacks {missing}"
