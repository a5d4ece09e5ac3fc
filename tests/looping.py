"""A network.py that hangs or ends its process costs only network.py's own tests.

    python -m tests.looping        # from the repository root; exit 0 when everything holds

Grades the reference, the untouched exercises, and copies of the reference whose network.py
loops at import, loops in backprop while swallowing the grader's interruption (`while True:`
around a bare `except:`), or calls `os._exit` in update, two runs at a time. Checks that the
reference gets full marks, the stubs are all "not attempted", and each broken copy keeps the
reference's score in every other module, says in network.py's tests what its code did, and
finishes within two minutes. tests/test_isolation.py runs it; so do the workflow's Windows and
macOS jobs, where it shows the grader needs no signals.
"""

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # tests/, as pytest puts it there

from grading import EXERCISES, SOLUTIONS, WITHOUT_LESSON_7_MNIST, run_many, submission  # noqa: E402

REFERENCE = (SOLUTIONS / "network.py").read_text(encoding="utf-8")
RUN_LIMIT = 120  # seconds: a module that hangs still lets the whole run end within two minutes
# training.py's end-to-end test trains the student's own Network: it fails with a broken network.py.
USES_STUDENT_NETWORK = "training.py: test_train_your_network_on_mnist"


def at_top(code):
    anchor = "import numpy as np\n"
    assert REFERENCE.count(anchor) == 1
    return REFERENCE.replace(anchor, anchor + code + "\n")


def in_method(method, code):
    """The reference with `code` (lines, indented for a method body) first in Network.<method>'s solution."""
    start = REFERENCE.index(f"    def {method}(self")
    line = REFERENCE.index("\n", REFERENCE.index("# BEGIN SOLUTION", start)) + 1
    body = "".join(f"        {text}\n" for text in code.splitlines())
    return REFERENCE[:line] + body + REFERENCE[line:]


# name: (network.py, what network.py's failed tests must say). The sleep puts the interruption
# inside the `try` (a bare `while True: pass` is interrupted at the loop's jump, outside it).
VARIANTS = {
    "swallows the interruption": (
        in_method("backprop",
                  "import time\nwhile True:\n    try:\n        time.sleep(0.01)\n    except:\n        pass"),
        "your code went on after the grader interrupted it"),
    "ends the process": (in_method("update", "import os\nos._exit(3)"), "ended the grading process"),
    "loops at import": (at_top("import time\nwhile True:\n    time.sleep(0.1)"), "did not finish in 10 s"),
}


def scores(graded):
    return {test["name"]: test["score"] for test in graded.results["tests"]}


def problems_in(runs):
    """What does not hold, as sentences (empty: everything holds)."""
    problems = []
    reference, stubs = runs["reference"], runs["untouched exercises"]
    results = reference.results
    if reference.exit_code != 0 or not results or results["score"] != results["max_score"]:
        problems.append(f"the reference does not get full marks: {reference!r}")
        return problems
    if stubs.exit_code != 1 or not stubs.results or any(
            "not attempted" not in test["output"] for test in stubs.results["tests"]):
        problems.append(f"the untouched exercises are not all 'not attempted': {stubs!r}")
    expected = scores(reference)
    for name, (_, says) in VARIANTS.items():
        graded = runs[name]
        if graded.results is None or graded.exit_code != 1:
            problems.append(f"{name}: the run did not end with a grade: {graded!r}")
            continue
        if graded.seconds > RUN_LIMIT:
            problems.append(f"{name}: the run took {graded.seconds:.0f} s, more than {RUN_LIMIT} s")
        got = scores(graded)
        changed = [test for test, score in expected.items() if not test.startswith("network.py: ")
                   and test != USES_STUDENT_NETWORK and got.get(test) != score]
        if changed:
            problems.append(f"{name}: other modules lost points: {changed}")
        failed = [t for t in graded.results["tests"]
                  if t["name"].startswith("network.py: ") and t["status"] == "failed"]
        if not failed or says not in failed[0]["output"]:
            problems.append(f"{name}: network.py's first failed test does not say {says!r}: "
                            f"{failed[0]['output'] if failed else 'none failed'}")
    return problems


def grade_all(work):
    work = Path(work)
    folders = {name: submission(work / name.replace(" ", "-"), source) for name, (source, _) in VARIANTS.items()}
    folders["reference"] = SOLUTIONS
    folders["untouched exercises"] = EXERCISES
    return run_many(folders, work, parallel=2, args=WITHOUT_LESSON_7_MNIST)


def main():
    with tempfile.TemporaryDirectory(prefix="looping-") as work:
        runs = grade_all(work)
        for name, graded in runs.items():
            total = f"{graded.results['score']:g}/{graded.results['max_score']:g}" if graded.results else "no grade"
            print(f"{name:<28} exit {graded.exit_code}  {total:>7}  {graded.seconds:5.1f} s")
        problems = problems_in(runs)
    for problem in problems:
        print(f"PROBLEM: {problem}")
    print("every other module kept its points" if not problems else f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
