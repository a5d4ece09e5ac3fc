"""Edits the course tree from the student's module: in every folder that could be the course's
root, appends to, rewrites, truncates, touches, renames and deletes the grader's, the
solutions', the tests' and coursekit's files, and drops a conftest.py and a hidden test that
pass everything into grader/."""

import os

from tests.hostile.toolkit import MARKER, attempt, contained, course_roots, say

_PASS_ALL = f"# {MARKER}\nimport pytest\n\n\n@pytest.hookimpl(tryfirst=True)\ndef pytest_runtest_call(item):\n" \
            "    return True\n"


def _append(path):
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(f"\n# {MARKER}\n")


def _rewrite(path, text=_PASS_ALL):
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)


def _edit():
    if not contained():
        say("not in the grader's sandbox: editing nothing")
        return
    tried, done = 0, []
    for root in course_roots():
        for part in ("grader", "solutions", "tests", "coursekit"):
            folder = os.path.join(root, part)
            try:
                names = sorted(os.listdir(folder))
            except OSError:
                continue
            for name in names:
                path = os.path.join(folder, name)
                if not name.endswith(".py"):
                    continue
                for action in (_append, lambda p: os.utime(p, (0, 0)), lambda p: os.chmod(p, 0o777),
                               lambda p: os.rename(p, p + ".moved"), os.unlink, _rewrite):
                    tried += 1
                    if attempt(action, path):
                        done.append(path)
        for path in (os.path.join(root, "grader", "conftest.py"), os.path.join(root, "grader", "hidden", "test_x.py"),
                     os.path.join(root, "conftest.py")):
            tried += 1
            if attempt(_rewrite, path):
                done.append(path)
    say(f"{len(done)} of {tried} edits of the course tree worked: {done[:3]}")


_edit()
