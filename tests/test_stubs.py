"""The stub generator (coursekit.stubs) and the exercises it makes from the solutions."""

import ast
import importlib.util
import textwrap
from pathlib import Path

import pytest

from coursekit.stubs import MarkerError, find_stubs, generate, generate_folder

REPOSITORY = Path(__file__).resolve().parent.parent
SOLUTIONS = REPOSITORY / "solutions"
EXERCISES = REPOSITORY / "exercises"
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


# --- exercises/ is what the generator makes from solutions/ ---------------------------------

def test_exercises_are_up_to_date():
    stale = generate_folder(SOLUTIONS, EXERCISES, check=True)
    assert stale == [], f"exercises/ out of date for {stale}: run `make exercises`"


def test_every_solution_has_an_exercise_and_no_more():
    names = {p.name for p in SOLUTION_FILES}
    assert names, "no solutions found"
    assert {p.name for p in EXERCISES.glob("*.py") if p.name != "__init__.py"} == names


def test_generate_folder_writes_then_reports_nothing_stale(tmp_path):
    assert generate_folder(SOLUTIONS, tmp_path) == [p.name for p in SOLUTION_FILES]
    assert generate_folder(SOLUTIONS, tmp_path, check=True) == []
    (tmp_path / SOLUTION_FILES[0].name).write_text("# edited by hand\n", encoding="utf-8")
    assert generate_folder(SOLUTIONS, tmp_path, check=True) == [SOLUTION_FILES[0].name]


def solution_regions(source):
    """Qualified names of the functions that contain a BEGIN SOLUTION marker."""
    lines = source.splitlines()
    marked = {n for n, line in enumerate(lines, start=1) if line.strip().startswith("# BEGIN SOLUTION")}
    names = set()

    def visit(body, prefix):
        for node in body:
            if isinstance(node, ast.ClassDef):
                visit(node.body, f"{prefix}{node.name}.")
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                if any(node.lineno <= n <= node.end_lineno for n in marked):
                    names.add(prefix + node.name)

    visit(ast.parse(source).body, "")
    return names


@pytest.mark.parametrize("solution", SOLUTION_FILES, ids=lambda p: p.name)
def test_exercise_stubs_exactly_the_solution_regions(solution):
    exercise = EXERCISES / solution.name
    regions = solution_regions(solution.read_text(encoding="utf-8"))
    assert regions, f"{solution.name} marks no BEGIN SOLUTION region"
    assert find_stubs(exercise.read_text(encoding="utf-8")) == regions


@pytest.mark.parametrize("solution", SOLUTION_FILES, ids=lambda p: p.name)
def test_exercise_imports_cleanly(solution):
    path = EXERCISES / solution.name
    spec = importlib.util.spec_from_file_location(f"exercise_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    source = solution.read_text(encoding="utf-8")
    public = {node.name for node in ast.parse(source).body
              if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and not node.name.startswith("_")}
    missing = sorted(name for name in public if not hasattr(module, name))
    assert not missing, f"exercises/{path.name} lacks {missing}"
