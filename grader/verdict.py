"""The grader's verdict on each method of a module: what trace, hint, watch and the notebooks say.

    from grader import verdict
    found = verdict.judge("network", "exercises")   # runs the grader's checks of every method
    found.first                                     # the first method to fix, in the lesson's order
    found.methods["Network.update"].status          # PASSES, WRONG, FED, NOT_ATTEMPTED, UNTESTED

The tools around the grader never judge a student's code on their own: they ask the grader
(`grader.notebook.check`, the grader run as `pytest grader --module M --uses NAME ...` in a
process of its own, the module's end-to-end MNIST run left out) and read its results and each
test's `uses`. One rule, `Blame`, turns the failed tests into a verdict per method, and the
grader itself uses the same rule to say, under a failure, which function to fix first:

- a test's own method is the one its `grade` marker says it is `about`, when it says; else the
  last of its `uses` in the lesson's order (`test_update_...` uses forward, backprop and update:
  it is update's test; lesson 8's `test_matmul_gradients` uses `Tensor.backward` too, the last in
  the lesson, but is `about="Tensor.__matmul__"`: backward only runs the rule it checks);
- a failed test is evidence against its own method (WRONG), unless another method it uses has
  already failed a test of its own: then its own method was fed wrong values (FED), and the
  earlier one is the one to fix first.

The lesson's order is the order of the module's functions in course.toml, which
`python -m coursekit.check` holds to the stubs.
"""

from dataclasses import dataclass, field
from pathlib import Path

from coursekit import course
from grader.progress import CONSEQUENCE

PASSES, WRONG, FED, NOT_ATTEMPTED, UNTESTED = "passes", "wrong", "fed wrong values", "not attempted", "untested"


def order(module):
    """The module's methods in the lesson's order ("Network.forward", ...)."""
    return list(course.MODULES[module].functions)


def own_uses(uses, module):
    """The functions of `module` among a test's uses ("network:Network.forward" or "Network.forward")."""
    found = []
    for use in uses:
        owner, _, name = use.rpartition(":")
        if (owner or module) == module:
            found.append(name)
    return found


class Blame:
    """Which method a failed test blames, given the failures seen before it (the rule above)."""

    def __init__(self, module, methods=None):
        self.module = module
        self.methods = list(methods) if methods is not None else order(module)
        self.wrong = {}  # method -> the name of the first test of its own that failed

    def position(self, method):
        return self.methods.index(method) if method in self.methods else len(self.methods)

    def own(self, uses, about=None):
        """The method a test is about: its marker's `about`, else the last of its uses in the lesson's order."""
        if about:
            return about.rpartition(":")[2]
        mine = own_uses(uses, self.module)
        return max(mine, key=self.position) if mine else None

    def record(self, test, uses, about=None, against=None):
        """A failed test: (its own method, [the wrong methods that fed it, in the lesson's order]).

        `against`, when every failure is known ({method: [the uses of each failed test of its own]}):
        a test `about` a method X was also fed by another method it uses that failed a test of its
        own that does not use X (a backward() that fails where no matmul runs is not matmul's fault)."""
        own = self.own(uses, about)
        mine = own_uses(uses, self.module)
        upstream = {m for m in mine if m != own and m in self.wrong}
        if about and against:
            upstream |= {m for m in mine if m != own and any(own not in used for used in against.get(m, ()))}
        upstream = sorted(upstream, key=self.position)
        if not upstream and own is not None:
            self.wrong.setdefault(own, test)
        return own, upstream

    def settle(self, failed):
        """Every failed test of a run at once, [(test, uses, about)]: [(test, own, upstream)], in
        the lesson's order (the grader's order within a method). What the grader's last line,
        trace and hint go by; the line under each failure is written before later tests ran."""
        owns = [self.own(uses, about) for _, uses, about in failed]
        against = {}
        for (_, uses, _), own in zip(failed, owns):
            against.setdefault(own, []).append(set(own_uses(uses, self.module)))
        ordered = sorted(zip(failed, owns), key=lambda pair: self.position(pair[1]))
        return [(test, *self.record(test, uses, about, against)) for (test, uses, about), _ in ordered]


def upstream_note(upstream, module, wrong):
    """The line added under a failure whose values came from a function that failed its own test."""
    first = upstream[0]
    failed = f"{wrong[first]} failed" if first in wrong else "its own tests fail"
    return (f"fix {first} first: {failed}, and this test feeds {first}'s values to the code it "
            f"checks; {CONSEQUENCE}")


@dataclass
class Method:
    """The grader's verdict on one method."""

    name: str
    status: str
    tests: list = field(default_factory=list)  # the failed rows (grader.notebook.Row) that blame it
    upstream: list = field(default_factory=list)  # for FED: the wrong methods that fed it

    @property
    def message(self):
        """The grader's message for the first failed test that blames this method."""
        return self.tests[0].message if self.tests else ""

    @property
    def mistakes(self):
        """The mistakes the grader's diagnoses named in this method's failures, in order."""
        found = []
        for row in self.tests:
            for name in row.diagnosis:
                if name not in found:
                    found.append(name)
        return found


@dataclass
class Verdict:
    """The grader's verdict on a module, method by method, in the lesson's order."""

    module: str
    target: Path
    methods: dict  # name -> Method
    rows: list  # every test's row
    note: str = ""  # the grader did not finish (a time limit, its own error)

    @property
    def first(self):
        """The first method to work on: still a stub, or wrong (not merely fed wrong values)."""
        return next((m for m in self.methods.values() if m.status in (WRONG, NOT_ATTEMPTED)), None)

    @property
    def passed(self):
        return not self.note and bool(self.rows) and all(row.status == "passed" for row in self.rows)

    def failed(self):
        return [row for row in self.rows if row.status == "failed"]


def judge(module, target, seconds=None):
    """Run the grader's checks of every method of `module` in `target`: a Verdict."""
    from grader import notebook

    methods = order(module)
    options = {"seconds": seconds} if seconds else {}
    report = notebook.check(module, methods, target=target, **options)
    return verdict_of(module, report.target, methods, report.rows, report.note)


def verdict_of(module, target, methods, rows, note=""):
    """The Verdict of the rows of a grader run (grader.notebook.Row, each with its uses)."""
    blame = Blame(module, methods)
    found = {name: Method(name, UNTESTED) for name in methods}
    for row in rows:
        for name in own_uses(row.uses, module):
            if name in found and found[name].status == UNTESTED:
                found[name].status = PASSES
    for row in rows:
        if row.status == "not attempted":
            for name in own_uses(row.stubs, module):
                if name in found:
                    found[name].status = NOT_ATTEMPTED
    failed = {row.name: row for row in rows if row.status == "failed"}
    settled = blame.settle([(row.name, row.uses, row.about) for row in failed.values()])
    for name, own, upstream in settled:
        row = failed[name]
        if own is None or own not in found:
            continue
        method = found[own]
        if upstream:
            if method.status != WRONG:
                method.status = FED
                method.upstream = sorted(set(method.upstream) | set(upstream), key=blame.position)
            method.tests.append(row)
        else:
            if method.status == FED:
                method.tests = []
            method.status = WRONG
            method.tests.append(row)
    return Verdict(module, Path(target), found, rows, note)


def mistake(name):
    """The diagnoses' Mistake called `name`, or None."""
    from grader import diagnoses

    return next((m for m in diagnoses.catalogue() if m.name == name), None)
