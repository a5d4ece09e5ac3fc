"""A new graded lesson, scaffolded: its entry in course.toml and its files, each with TODOs.

    python -m coursekit.new dropout "Dropout"

writes the entry (the next number, page lessons/dropout), docs/lessons/dropout.md,
solutions/dropout.py, grader/test_dropout.py and grader/hints/dropout.toml, and refuses to
overwrite anything that exists. Then `python -m coursekit.check dropout` lists exactly what is
left to write: the solution's functions between their markers, a grade marker testing each,
their hints and sections, the page's Common mistakes; and what to generate (`make exercises`,
`make notebooks`). CONTRIBUTING.md ("Adding a lesson") walks through it.
"""

from __future__ import annotations

import argparse
import re
import sys

from coursekit import ROOT

PAGE = '''# {number}. {title}

TODO: what this lesson teaches, and why, in a paragraph a student reads before anything else.

## The exercise

TODO: the file `exercises/{module}.py`, and each function it asks for: its task, its maths and
pseudocode, the shapes, a number to check against. Give each function a heading of its own and
write its anchor under `[lesson.functions]` in course.toml.

Check yourself: `pytest grader --module {module}`.

## Common mistakes

TODO: one `### The mistake {{#its-anchor}}` per mistake a diagnosis names
(grader/diagnoses/{module}.py), one `- **The mistake.** ...` bullet per mistake a grader message
names (list it under `[lesson.named_by_a_message]` in course.toml), or say that the grader cannot
tell it apart.

## Reference solutions {{#reference-solution}}

TODO: each function of solutions/{module}.py, collapsed (see lessons/data.md for the pattern).
'''

SOLUTION = '''"""{title}: the reference for lesson {number} (exercises/{module}.py is generated from it).

TODO: what the module holds, with the shapes of its arrays. Put each exercise body between
`# BEGIN SOLUTION` and `# END SOLUTION` lines (the generator turns it into `...` and a one-line
TODO), then list the function under `[lesson.functions]` in course.toml.
"""

import numpy as np  # noqa: F401
'''

TESTS = '''"""Grades {module}.py, lesson {number}: {title}.

TODO: one test per behaviour, each marked with the functions it uses and the lesson's section
that teaches them, for example

    @pytest.mark.grade(uses=["my_function"], section="my-function")
    def test_my_function_matches_reference(student, reference):
        expect_array(student.my_function(x), reference("{module}").my_function(x), "my_function(x)")

`student` is the student's module (run in the contained runner), `reference("{module}")` the
solution. Points per test go under `[lesson.points]` in course.toml (1 if not listed).
"""

import pytest  # noqa: F401

from grader.checks import expect, expect_array  # noqa: F401
'''

HINTS = '''# Hints for lesson {number} (exercises/{module}.py), one level deeper each time: read by the
# lesson page (coursekit.hints.markdown) and by `python -m grader.hint {module}`.
# TODO: a table per stub, two or three hints each:
#
# ["my_function"]
# hints = [
#     \'\'\'A nudge.\'\'\',
#     \'\'\'The key idea.\'\'\',
#     \'\'\'Nearly code.\'\'\',
# ]
'''

ENTRY = '''
[[lesson]]
number = {number}
title = "{title}"
page = "lessons/{module}"
summary = "TODO: what it teaches, one line for the home page"
module = "{module}"
worked = false

[lesson.functions]
'''


def files(module, number, title):
    """{path under the course: text} of the new lesson's files."""
    values = {"module": module, "number": number, "title": title}
    return {f"docs/lessons/{module}.md": PAGE.format(**values),
            f"solutions/{module}.py": SOLUTION.format(**values),
            f"grader/test_{module}.py": TESTS.format(**values),
            f"grader/hints/{module}.toml": HINTS.format(**values)}


def main(argv=None, root=ROOT):
    parser = argparse.ArgumentParser(prog="python -m coursekit.new", description=__doc__.split("\n\n")[0])
    parser.add_argument("module", help="the exercise module's name, lower case (dropout)")
    parser.add_argument("title", help='the lesson\'s title, without its number ("Dropout")')
    args = parser.parse_args(argv)
    module, title = args.module, args.title.strip()
    if not re.fullmatch(r"[a-z][a-z0-9_]*", module):
        parser.error(f"{module!r}: a module's name is lower-case letters, digits and _ (dropout, batch_norm)")
    if not title or '"' in title or "\\" in title:
        parser.error("the title must be non-empty, without quotes or backslashes")
    from coursekit import course

    lessons = course.read(root / "course.toml")
    if any(lesson.module == module for lesson in lessons):
        parser.error(f"course.toml already has a lesson with the module {module!r}")
    number = max((lesson.number for lesson in lessons), default=0) + 1
    new = files(module, number, title)
    existing = [path for path in new if (root / path).exists()]
    if existing:
        parser.error(f"these exist already, and nothing was written: {', '.join(existing)}")
    for path, text in new.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text, encoding="utf-8")
        print(f"wrote {path}")
    with (root / "course.toml").open("a", encoding="utf-8") as table:
        table.write(ENTRY.format(number=number, title=title, module=module))
    print(f"added lesson {number} ({module}) to course.toml")
    print(f"\nnext: python -m coursekit.check {module}   (it lists what is left to write)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
