"""What a student sees at the end of every run, and which tests a run selects.

The summary is one row per module (lesson number and title from `course.MODULES`), a progress
line in the manner of rustlings ("1/3 modules done"), and the next thing to do: the first
failing test's message and the lesson section to reread, else the first stub to fill in.

Selection: `--lesson N` and `--module NAME` keep the tests of one lesson or one module; every
module's name is also a marker (`-m network`), registered from `course.MODULES`.
"""

from pathlib import Path

import pytest

from coursekit import course
from grader import results
from grader.results import STATUSES


def module_of(path):
    """The exercise module a test file grades: grader/test_network.py grades network.py."""
    return Path(path).stem.removeprefix("test_")


def register_markers(config):
    for name, module in course.MODULES.items():
        config.addinivalue_line("markers", f"{name}: the tests of {name}.py (lesson {module.number}, "
                                           f"{module.title})")
    config.addinivalue_line("markers", "visibility(value): Gradescope visibility of a test's result "
                                       "(visible, hidden, after_due_date, after_published)")


def wanted_modules(config):
    """The module names --lesson/--module ask for (each may be given several times: all of them are
    graded), or None for every module; a pytest.UsageError for a lesson or module there is not."""
    lessons = config.getoption("lesson", None) or []
    names = config.getoption("module_name", None) or []
    if not lessons and not names:
        return None
    wanted = set()
    for lesson in lessons:
        found = {name for name, module in course.MODULES.items() if module.number == lesson}
        if not found:
            known = ", ".join(f"{m.number} ({name})" for name, m in course.MODULES.items())
            raise pytest.UsageError(f"--lesson {lesson}: no such lesson; lessons with exercises: {known}")
        wanted |= found
    for name in names:
        name = Path(name).name.removesuffix(".py")
        if name not in course.MODULES:
            raise pytest.UsageError(f"--module {name}: no such module; modules: {', '.join(course.MODULES)}")
        wanted.add(name)
    return wanted


def mark_and_select(config, items):
    """Mark each test with its module's name, then drop those --lesson/--module leave out."""
    for item in items:
        name = module_of(item.path)
        if name in course.MODULES:
            item.add_marker(getattr(pytest.mark, name))
    wanted = wanted_modules(config)
    if wanted is None:
        return
    kept = [item for item in items if module_of(item.path) in wanted]
    dropped = [item for item in items if module_of(item.path) not in wanted]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def visibility(item):
    """Gradescope visibility: a `visibility` marker's, else "after_published" for a hidden test."""
    marker = item.get_closest_marker("visibility")
    if marker and marker.args:
        return marker.args[0]
    return "after_published" if "hidden" in Path(item.path).parent.name else "visible"


# --- the summary ------------------------------------------------------------------------------


def points(x):
    """Points for people: shares of a parametrized test add up to round numbers again."""
    return f"{round(x, 2):g}"


def order(name):
    module = course.MODULES.get(name)
    return (module.number if module else 99, name)


def _link(record):
    return course.lesson_url(record.module, record.section) if record.module in course.MODULES else ""


# Where each lesson's reference solutions wait, collapsed, at the end of the page.
REFERENCE_ANCHOR = "reference-solution"


def diagnosis(record):
    """The lines of a failure's diagnosis, when it names a mistake, and its "fix X first" line."""
    if not record.diagnosis:
        return []
    lines = record.explanation.splitlines() + ([record.note] if record.note else [])
    return ["        " + line.strip() if line.lstrip().startswith("- ") else "      " + line.strip()
            for line in lines]


CONSEQUENCE = "this failure may be only a consequence"  # grader.verdict.upstream_note's words


def stuck(module):
    """The line that offers the module's hints and trace, when it has them."""
    import importlib.util

    from coursekit import hints

    worked = importlib.util.find_spec(f"coursekit.worked.{module}") is not None  # what grader.trace runs
    tools = [f"python -m grader.{name} {module}" for name, has in
             (("hint", bool(hints.load(module))), ("trace", worked)) if has]
    return [f"      stuck? {' or '.join(tools)}"] if tools else []


def next_step(records, partial=()):
    ordered = sorted(records, key=lambda r: order(r.module))
    # A failure that only follows from an earlier one (grader.verdict.upstream_note) is not first.
    ordered.sort(key=lambda r: r.status == results.FAILED and bool(r.upstream))
    for record in ordered:
        if record.status == results.FAILED:
            first = record.message.splitlines()[0] if record.message else ""
            lines = [f"next: fix {record.module}.py, {record.name}: {first}", *diagnosis(record)]
            if _link(record):
                lines.append(f"      reread: {_link(record)}")
            return "\n".join(lines + stuck(record.module))
    for record in ordered:
        if record.status == results.NOT_ATTEMPTED:
            return (f"next: {results.stub_sentence(record.stubs, record.module)}; start with {record.name}\n"
                    f"      {_link(record)}").rstrip() + "".join("\n" + line for line in stuck(record.module))
    return all_passed(records, partial)


def all_passed(outcomes, partial=()):
    """The last line when nothing failed: with hidden tests in the run, they are not the grade yet;
    with part of a module left out (-k), the module is not done yet either."""
    hidden = sum(o.visibility != "visible" for o in outcomes)
    if hidden:
        line = (f"next: the visible tests pass; {hidden} hidden test{'s are' if hidden > 1 else ' is'} "
                "graded after submission, and their results show once grades are published")
    elif partial:
        line = "next: the selected tests pass"
    else:
        return "next: everything selected passes. Well done!"
    if partial:
        first = sorted(partial, key=order)[0]
        names = ", ".join(f"{name}.py" for name in sorted(partial, key=order))
        line += (f"\n      only part of {names} was graded; run `pytest grader --module {first}` for the "
                 "module's grade")
    return line


def summary_lines(outcomes, target, collected=None):
    """The grade table, the progress line and the next step, as lines of text, from the run's
    records (grader.results.Result).

    `collected` is {module: number of its tests before -k and the like left some out}: a module
    graded in part is "partly graded", never "done", whatever its selected tests gave.
    """
    modules = {}
    for outcome in outcomes:
        modules.setdefault(outcome.module, []).append(outcome)
    partial = {name for name, tests in modules.items()
               if collected is not None and len(tests) < collected.get(name, len(tests))}
    rows, done = [], 0
    for name, tests in sorted(modules.items(), key=lambda kv: order(kv[0])):
        count = {status: sum(o.status == status for o in tests) for status in STATUSES}
        got = sum(o.score for o in tests)
        total = sum(o.points for o in tests)
        lesson = course.MODULES.get(name)
        state = ("partly graded" if name in partial else
                 "done" if count["passed"] == len(tests) else
                 "to do" if count["not attempted"] == len(tests) else "in progress")
        done += state == "done"
        rows.append((f"{lesson.number}" if lesson else "-", f"{name}.py", lesson.title if lesson else "",
                     count, f"{points(got)}/{points(total)}", state))
    title_width = min(max(len(r[2]) for r in rows), 42)
    name_width = max(len(r[1]) for r in rows)
    lines = [f"{'lesson':<6}  {'module':<{name_width}}  {'title':<{title_width}}  pass  fail  todo  {'points':>9}"]
    for lesson, name, title, count, pts, state in rows:
        title = title if len(title) <= title_width else title[:title_width - 1] + "…"
        lines.append(f"{lesson:<6}  {name:<{name_width}}  {title:<{title_width}}  {count['passed']:>4}  "
                     f"{count['failed']:>4}  {count['not attempted']:>4}  {pts:>9}  {state}")
    score = sum(o.score for o in outcomes)
    total = sum(o.points for o in outcomes)
    lines.append(f"progress: {done}/{len(rows)} modules done, {points(score)}/{points(total)} points "
                 f"({target})")
    for name, tests in sorted(modules.items(), key=lambda kv: order(kv[0])):
        if name in course.MODULES and name not in partial and all(o.status == "passed" for o in tests):
            lines.append(f"{name}.py passes: compare with the reference, "
                         f"{course.lesson_url(name, REFERENCE_ANCHOR)}")
    lines.append(next_step(outcomes, partial))
    return lines


def write_summary(terminalreporter, outcomes, target, collected=None):
    terminalreporter.section("your grade")
    for line in summary_lines(list(outcomes), target, collected):
        terminalreporter.write_line(line)
