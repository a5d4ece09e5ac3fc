"""How long grading takes: one submission alone, and a small class in parallel.

    python -m benchmarks.bench_classroom

Goals: a full grade of one submission in at most 15 s, and a class graded in parallel (on two
cores or more, faster than one submission after another). Exits 1 if a goal is missed.
"""

import os
import sys
import tempfile
import time
from pathlib import Path

from grader.classroom import grade_class
from tests.grading import EXERCISES, submission
from tests.variants_network import WRONG, wrong_source

ONE_GOAL = 15.0  # seconds for one submission, graded alone
CLASS_SIZE = 8
JOBS = 2


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        alone = base / "alone"
        submission(alone / "reference")
        start = time.perf_counter()
        [one] = grade_class(alone, base / "out-alone", jobs=1, report=None)
        one_seconds = time.perf_counter() - start

        group = base / "class"
        submission(group / "reference")
        (group / "exercises").mkdir(parents=True)
        for path in EXERCISES.glob("*.py"):
            (group / "exercises" / path.name).write_text(path.read_text())
        for name in list(WRONG)[:CLASS_SIZE - 2]:
            submission(group / name.replace(" ", "-"), wrong_source(name))
        start = time.perf_counter()
        results = grade_class(group, base / "out-class", jobs=JOBS, report=None)
        class_seconds = time.perf_counter() - start
    serial = sum(r.seconds for r in results)
    ok = one.status == "ok" and one_seconds <= ONE_GOAL and all(r.status == "ok" for r in results)
    parallel_ok = class_seconds < serial or (os.cpu_count() or 1) < 2
    print(f"| grading ({os.cpu_count()} cores)                     | seconds | goal          | met |")
    print("| ---------------------------------------- | ------: | ------------- | --- |")
    print(f"| one submission, alone                    | {one_seconds:7.1f} | <= {ONE_GOAL:g} s       | "
          f"{'yes' if ok else 'NO':3} |")
    print(f"| class of {len(results)}, --jobs {JOBS}                    | {class_seconds:7.1f} | "
          f"< {serial:.1f} s serial | {'yes' if parallel_ok else 'NO':3} |")
    print(f"| per submission in the class (wall/size)  | {class_seconds / len(results):7.1f} |               |     |")
    return 0 if ok and parallel_ok else 1


if __name__ == "__main__":
    sys.exit(main())
