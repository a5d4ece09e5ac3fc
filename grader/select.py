"""Grading one method, and telling a caller what each selected test is about.

    python -m pytest grader --module network --uses Network.forward   # the tests that call it
    python -m pytest grader --uses network:Network.forward            # also other modules' tests
    python -m pytest grader --module network --markers-json m.json    # each test's uses, section

`--uses NAME` keeps the tests whose `grade` marker lists NAME among the functions they use: a
bare name ("Network.forward", "train") is a function of the test's own module, "module:name"
one of any module (training.py's end-to-end test uses "network:Network.forward"). Given more
than once, a test that uses any of them is kept. The end-to-end tests (`end_to_end=True` in
their marker: they train on MNIST with every function of the module) are left to the module's
whole run: `--uses` asks about one function, and answers in seconds.

`--function NAME` keeps the tests about NAME itself: those whose last function used, in the
lesson's order, is NAME (a class keeps its methods' tests), the rule grader.verdict uses to say
which method a failure is about; this is what a lesson's "Check yourself" box runs.

`--markers-json PATH` writes, for every selected test, its marker's `uses`, `section` and `about`
(the function it is about, when the last of its uses is not: see grader.verdict), keyed
by the test's name as results.json spells it ("network.py: test_forward_matches_reference[...]"),
so that a caller (grader.notebook) can link each result to its lesson section. With
`--collect-only` it describes the tests without running any.
"""

import json
from pathlib import Path

import pytest

from grader import progress, results


def module_of(item):
    return progress.module_of(item.path)


def qualified_uses(item):
    """The functions a test uses, each as "module:function"."""
    return list(results.grade_of(item).qualified(module_of(item)))


def end_to_end(item):
    """Whether the test trains on MNIST with the whole module (its marker says `end_to_end=True`)."""
    return results.grade_of(item).end_to_end


def names(name, functions):
    """Whether `name` ("Network.forward", or a class, "Momentum") names one of `functions`."""
    return any(function == name or function.startswith(f"{name}.") for function in functions)


def about(item):
    """The function the test's marker says it is `about` ("Tensor.__matmul__"), or None."""
    return results.grade_of(item).about


def own_function(item):
    """The function a test is about: its marker's `about`, else the last of its uses in the
    lesson's order (grader.verdict.Blame)."""
    from grader import verdict

    return verdict.Blame(module_of(item)).own(qualified_uses(item), about(item))


def pytest_collection_modifyitems(config, items):
    """After --lesson/--module (their hook runs first): keep the tests of a --function name, then
    those that use a --uses name. The end-to-end runs are left to the module's whole run."""
    functions = config.getoption("function", None)
    if functions:
        def about_it(item):  # its own function (own_function) is NAME, or a method of the class NAME
            own = own_function(item)
            return own is not None and any(names(name, [own]) for name in functions)

        keep(config, items, about_it, lambda: (
            f"--function {' '.join(functions)}: no selected test is about it; the tests are about "
            f"{', '.join(sorted({own_function(item) for item in items} - {None})) or 'nothing'}"))
    wanted = config.getoption("uses", None)
    if wanted:
        def uses_it(item):
            uses = qualified_uses(item)
            own = {use.rpartition(":")[2] for use in uses if use.startswith(f"{module_of(item)}:")}
            return any(name in uses if ":" in name else names(name, own) for name in wanted)

        def used():  # the functions of their own module that the tests use
            return sorted({use.rpartition(":")[2] for item in items for use in qualified_uses(item)
                           if use.startswith(f"{module_of(item)}:")})

        keep(config, items, uses_it, lambda: (f"--uses {' '.join(wanted)}: no selected test uses it; the tests "
                                              f"use {', '.join(used()) or 'nothing'}"))


def keep(config, items, wanted, nothing_left):
    """Keep the items `wanted(item)` chooses (never an end-to-end run); when none is left, stop with
    the message `nothing_left()` makes."""
    kept, dropped = [], []
    for item in items:
        (kept if wanted(item) and not end_to_end(item) else dropped).append(item)
    if not kept:
        message = nothing_left()
        # Nothing is left to grade, and nothing must be graded: the grader's own hooks give every
        # collected test an outcome even when this hook raises.
        config.hook.pytest_deselected(items=list(items))
        items[:] = []
        raise pytest.UsageError(message)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def pytest_collection_finish(session):
    """Write each test's module, uses and section to --markers-json, for the notebooks and hints."""
    path = session.config.getoption("markers_json", None)
    if not path:
        return
    described = {}
    for item in session.items:
        described[f"{module_of(item)}.py: {item.name}"] = {
            "module": module_of(item),
            "uses": qualified_uses(item),
            "section": results.grade_of(item).section,
            "about": about(item),
        }
    Path(path).write_text(json.dumps(described, indent=2) + "\n", encoding="utf-8")
