"""Imports run one way: no circle among the project's own modules (grader/, coursekit/, tests/,
benchmarks/), counting the imports inside functions too, which hide a circle until the day
someone moves one to the top of its file; and no module imports from a layer above its own
(coursekit/__init__.py names the layers: the course, the grader, the site/notebooks/runs/tools,
the tests).

The graph is read from the source with `ast`, never by importing: `from coursekit import course`
is an edge to coursekit.course, `from coursekit.course import MODULES` an edge to coursekit.course,
`import grader` an edge to grader/__init__.py. Code in strings (notebook cells, subprocesses'
`-c` programs) is not an import of the module that holds it and is not counted.
"""

import ast

import pytest

import coursekit
from coursekit import ROOT

PACKAGES = ["grader", "coursekit", "tests", "benchmarks"]


def module_name(path):
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def project_modules():
    """{dotted name: path} of every module of PACKAGES."""
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "__pycache__" not in path.parts:
                found[module_name(path)] = path
    return found


def imported(tree, name, path, modules):
    """The project modules that the module `name` (at `path`) imports, anywhere in its code."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets = set()

    def resolve(dotted):
        if dotted in modules:
            return dotted
        if f"tests.{dotted}" in modules:  # tests/ is on sys.path: `from grading import ...`
            return f"tests.{dotted}"
        return None

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                for end in range(len(parts), 0, -1):  # `import a.b.c`: the deepest project module
                    target = resolve(".".join(parts[:end]))
                    if target:
                        targets.add(target)
                        break
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            for alias in node.names:
                target = resolve(f"{base}.{alias.name}") or resolve(base)
                if target:
                    targets.add(target)
    targets.discard(name)
    return targets


def import_graph():
    modules = project_modules()
    return {name: imported(ast.parse(path.read_text(encoding="utf-8")), name, path, modules)
            for name, path in modules.items()}


def find_cycle(graph):
    """One import circle as [a, b, ..., a], or None."""
    state = {}  # absent: unseen, 1: on the current path, 2: done
    path = []

    def visit(node):
        state[node] = 1
        path.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                return path[path.index(target):] + [target]
            if target not in state:
                found = visit(target)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_the_project_has_no_import_circle():
    cycle = find_cycle(import_graph())
    assert cycle is None, "import circle: " + " -> ".join(cycle)


def test_the_graph_sees_imports_inside_functions():
    graph = import_graph()
    # grader.trace imports coursekit.worked inside its functions only.
    assert "coursekit.worked" in graph["grader.trace"]
    assert "grader.submissions" in graph["grader.classroom"] and "grader.submissions" in graph["grader.gradescope"]


@pytest.mark.parametrize("source, cycle", [
    ({"a": "from b import x", "b": "def f():\n    import a\n"}, ["a", "b", "a"]),
    ({"a": "from . import b", "b": "import c", "c": "x = 1"}, None),
])
def test_a_circle_is_found_even_inside_a_function(tmp_path, source, cycle):
    modules = {name: tmp_path / "pkg" / f"{name}.py" for name in source}
    graph = {}
    for name, text in source.items():
        others = {other: path for other, path in modules.items()}
        graph[name] = imported(ast.parse(text), name, modules[name], others)
    assert find_cycle(graph) == cycle


def test_classroom_and_gradescope_do_not_import_each_other():
    graph = import_graph()
    assert "grader.classroom" not in graph["grader.gradescope"]


LAYERS = ("the course (coursekit)", "the grader", "the site, notebooks, runs and tools", "tests and benchmarks")


def layer(name):
    """The layer of a project module, 0 (the course) to 3 (tests and benchmarks)."""
    package, _, rest = name.partition(".")
    if package in ("tests", "benchmarks"):
        return 3
    if package == "grader":
        return 1
    top = rest.split(".")[0]
    above = any(top == n or (n.endswith("_") and top.startswith(n)) for n in coursekit.ABOVE_THE_GRADER)
    return 2 if above else 0


def upward(graph):
    """[(importer, imported)] of every import from a lower layer to a higher one."""
    return sorted((a, b) for a, targets in graph.items() for b in targets if layer(b) > layer(a))


def test_no_module_imports_from_a_layer_above_its_own():
    found = upward(import_graph())
    assert not found, "imports that point up the layers: " + "; ".join(
        f"{a} ({LAYERS[layer(a)]}) imports {b} ({LAYERS[layer(b)]})" for a, b in found)


def test_the_layers_are_what_coursekit_says():
    assert layer("coursekit.course") == layer("coursekit.mnist") == layer("coursekit.stubs") == 0
    assert layer("grader.plugin") == 1
    assert layer("coursekit.check") == layer("coursekit.notebooks") == layer("coursekit.figures_nn") == 2
    assert layer("coursekit.run_further") == layer("coursekit.mkdocs_hooks") == 2
    assert layer("tests.grading") == 3


def test_an_import_up_the_layers_is_caught():
    graph = {"coursekit.course": {"grader.plugin"}, "grader.plugin": {"coursekit.notebooks", "coursekit.mnist"},
             "coursekit.notebooks": {"grader.plugin"}, "coursekit.stubs": {"tests.grading"}}
    assert upward(graph) == [("coursekit.course", "grader.plugin"), ("coursekit.stubs", "tests.grading"),
                             ("grader.plugin", "coursekit.notebooks")]
