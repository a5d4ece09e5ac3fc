"""Writes the verdicts itself: a results.json with full marks and a scores.csv with every
student at 100, at every path it can guess (its own folder and its parents, /autograder/results,
the --results-json and --out of every grader and classroom process in sight), at import and
again whenever one of its functions is called."""

import json
import os

from tests.hostile.toolkit import MARKER, attempt, contained, course_roots, processes, say

_RESULTS = json.dumps({"score": 100.0, "max_score": 100.0, "output": MARKER,
                       "tests": [{"name": "everything", "score": 100.0, "max_score": 100.0, "status": "passed",
                                  "output": MARKER}]})
_SCORES = f"student,status,total,max_score,seconds,detail\n{MARKER},ok,100,100,0,\n"


def _targets():
    paths = ["/autograder/results/results.json", "results.json", "../results.json", "../../results.json",
             "scores.csv", "../scores.csv", "../../scores.csv"]
    for root in course_roots():
        paths += [os.path.join(root, "results.json"), os.path.join(root, "scores.csv"),
                  os.path.join(root, "results", "results.json")]
    for _pid, args in processes():
        for previous, arg in zip(["", *args], args, strict=False):
            if previous == "--results-json":
                paths.append(arg)
            if previous == "--out":
                paths.append(os.path.join(arg, "scores.csv"))
            if previous == "--target":  # classroom: <out>/<student>/files
                paths += [os.path.join(os.path.dirname(arg), "results.json"),
                          os.path.join(os.path.dirname(os.path.dirname(arg)), "scores.csv")]
    return list(dict.fromkeys(paths))


def _write_all():
    if not contained():
        say("not in the grader's sandbox: writing nothing")
        return
    written = []
    for path in _targets():
        text = _SCORES if path.endswith(".csv") else _RESULTS

        def write(path=path, text=text):
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(text)

        if attempt(write):
            written.append(path)
    say(f"wrote full marks to {len(written)} paths: {written[:5]}")


def _hostile(*args, **kwargs):
    _write_all()


_write_all()
