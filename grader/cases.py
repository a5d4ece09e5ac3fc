"""What the grader's tests run on: real digits one row each, and the grid of cases a test covers.

Lessons 1, 3 and 7 take one example per row (lesson 2 transposes, in grader/test_functional.py).
"""

import itertools

import pytest


def sample(digits, batch):
    """The first `batch` of the `digits` fixture's real digits: features (784,) and targets (10,)
    for one example, else features (batch, 784) and targets (batch, 10)."""
    features, targets = digits
    if batch == 1:
        return features[0], targets[0]
    return features[:batch], targets[:batch]


def every_combination(**tables):
    """One parametrize mark over every combination of the tables' values, each table an
    {id: value} dict (or a sequence of values that are their own ids) for the argument of its name.

    The ids read as stacked parametrize marks would give them ("784-30-10-one example"), the
    first table varying slowest.
    """
    tables = {name: table if isinstance(table, dict) else {value: value for value in table}
              for name, table in tables.items()}
    combinations = list(itertools.product(*(table.items() for table in tables.values())))
    return pytest.mark.parametrize(
        tuple(tables),
        [tuple(value for _, value in combination) for combination in combinations],
        ids=["-".join(str(key) for key, _ in combination) for combination in combinations],
    )
