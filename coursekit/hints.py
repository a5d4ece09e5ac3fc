"""Hints for the exercises: written once, read by the lesson pages and by `grader.hint`.

Each exercise module has a file `grader/hints/<module>.toml` with one table per stub, keyed by
the stub's qualified name as `coursekit.stubs.find_stubs` reports it ("Network.forward",
"sigma", "L2.deriv"), holding two or three hints that go one level deeper each time:

    ["Network.forward"]
    hints = [
        '''A nudge: what the method must store, and in which order.''',
        '''The key idea.''',
        '''A line that is nearly code.''',
    ]

Hints are Markdown (inline code, math as \\( ... \\)); TOML literal strings ('...' or
'''...''') keep backslashes as they are.
"""

import tomllib

from coursekit import ROOT

HINTS_DIR = ROOT / "grader" / "hints"
LEVELS = ("a nudge", "the key idea", "nearly code")


def load(module):
    """{qualified method name: [hint, ...]} for an exercise module; {} if it has no hints file."""
    path = HINTS_DIR / f"{module}.toml"
    if not path.exists():
        return {}
    with path.open("rb") as file:
        table = tomllib.load(file)
    return {method: list(entry["hints"]) for method, entry in table.items()}


def level_name(index, count):
    """'Hint 2 of 3: the key idea' for index 1 of 3 hints."""
    name = LEVELS[min(index, len(LEVELS) - 1)] if count > 1 else "a nudge"
    if count == 2 and index == 1:
        name = LEVELS[2]
    return f"Hint {index + 1} of {count}: {name}"


def markdown(module, method):
    """The hints for one method as collapsed Material admonitions, for a lesson page."""
    hints = load(module).get(method)
    if not hints:
        raise KeyError(f"no hints for {method} in grader/hints/{module}.toml")
    blocks = []
    for index, hint in enumerate(hints):
        body = "\n".join(f"    {line}" if line else "" for line in hint.strip().splitlines())
        blocks.append(f'??? tip "{level_name(index, len(hints))}"\n\n{body}\n')
    return "\n".join(blocks)
