"""One stub as it stands in `exercises/`, for a lesson page's task box.

    ```python exec="true"
    from coursekit import exercise_source
    print(exercise_source.markdown("functional", "backward"))
    ```

prints the stub's source (signature, docstring, TODO and `...`) as a Python code block,
generated at build time from solutions/<module>.py by the stub generator, so the page shows
exactly what a fresh exercise file holds, and never the student's own half-finished code (a
site built on the student's machine would otherwise show their exercises/ as "The task").
Snippet sections cannot do this: the generator drops their markers. Every lesson shows its
tasks this way (the one stub printer of the course).
"""

import ast
import functools

from coursekit import ROOT

SOLUTIONS = ROOT / "solutions"


@functools.cache
def stub_file(module):
    """exercises/<module>.py as the generator writes it from solutions/<module>.py (not read from disk)."""
    from coursekit.stubs import generate

    path = SOLUTIONS / f"{module}.py"
    return generate(path.read_text(encoding="utf-8"), filename=str(path))


def source(module, qualname):
    """The text of `qualname` ("backward", "NN.backprop") in the stub of <module>.py, dedented."""
    text = stub_file(module)
    lines = text.splitlines()
    scope, *rest = qualname.split(".")
    for node in ast.parse(text).body:
        if getattr(node, "name", None) != scope:
            continue
        for name in rest:
            node = next(child for child in node.body if getattr(child, "name", None) == name)
        block = lines[node.lineno - 1 - len(node.decorator_list):node.end_lineno]
        indent = len(block[0]) - len(block[0].lstrip())
        return "\n".join(line[indent:] for line in block)
    raise KeyError(f"the exercise {module}.py has no {qualname}")


def markdown(module, *qualnames):
    """The stubs `qualnames` of exercises/<module>.py as one fenced Python block, with its file.

    Methods appear under their class's header (`class NN:`, then the method indented), one
    header for consecutive methods of the same class.
    """
    parts, current = [], None
    for name in qualnames:
        scope = name.split(".")[0] if "." in name else None
        text = source(module, name)
        if scope:
            text = "\n".join("    " + line if line else line for line in text.splitlines())
            if scope != current:
                text = f"class {scope}:\n{text}"
        parts.append(text)
        current = scope
    body = "\n\n".join(parts)
    return f'```python title="exercises/{module}.py"\n{body}\n```\n'
