"""The whole course checked against its table (course.toml), every gap printed with its fix.

    python -m coursekit.check              # every lesson, then the reference graded
    python -m coursekit.check dropout      # one lesson, by module name or number
    python -m coursekit.check --no-grade   # the files only (a second or two)

For each lesson of the table: the page exists and its H1 is "<number>. <title>"; the pages of
docs/lessons/ are the table's, in its order; and for a lesson with an exercise module, its
solution's marked regions give exactly the table's functions, the committed stubs are what the
generator makes of them, the grader's test file exists and tests every function, its points
name real tests, every anchor anything links to is a heading of the page (the table's
sections, each grade marker's `section=`, each diagnosis, each worked value, the reference
solutions), the hints cover exactly the stubs, the worked example covers them too, every
"Common mistakes" entry is tied to a diagnosis or a grader message (and back), and the
notebook exists, no TODO of the scaffold is left; then, when no problem is left, the grader's
tests run on the reference (solutions/; the MNIST runs left out) and each that fails is a
problem. Problems make the exit status 1; advice (a module without right-style variants, or
without a worked example) is printed and does not.

Everything here reads files, never `exercises/` (the student's folder): the stubs are generated
from solutions/ in memory. The project's tests run this check (tests/test_catalog.py), so a rule
of the course lives here once, and an instructor who adds a lesson sees every missing piece
before any test fails. This module is in the top layer: it may read the grader's tests and
diagnoses; nothing below it imports it.
"""

from __future__ import annotations

import argparse
import ast
import html
import importlib
import importlib.util
import re
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

from coursekit import ROOT, lesson_nav

try:
    from coursekit import course
except ValueError as error:  # course.TableError: the table itself cannot be read
    sys.exit(f"error: {error}")

REFERENCE_ANCHOR = "reference-solution"  # the grader's summary and `grader.hint` link here
CANNOT_TELL = "cannot tell it apart"  # a Common-mistakes entry the grader says it cannot name
FENCE = re.compile(r"^\s*(```|~~~)")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
ATTRIBUTES = re.compile(r"\s*\{:?\s*([^}]*)\}\s*$")


@dataclass(frozen=True)
class Gap:
    """One thing missing or wrong, and the fix."""

    lesson: str  # "1 network", "4 gradient-checking"
    problem: str
    fix: str
    advice: bool = False  # True: worth doing, but the course works without it

    def __str__(self):
        return f"{'advice' if self.advice else 'problem'}: {self.problem}\n    fix: {self.fix}"


# --- pages: headings as MkDocs makes their ids ---------------------------------------------------

def headings(text):
    """[(level, title, id)] of a Markdown page's headings, code blocks skipped, ids as MkDocs makes them.

    A heading's id is its `{#id}` attribute if it has one, else Python-Markdown's toc slug of its
    text (inline markup removed), made unique with `_1`, `_2` as the toc extension does.
    """
    import markdown
    from markdown.extensions.toc import slugify, unique

    found, used, fence = [], set(), None
    for line in text.splitlines():
        opened = FENCE.match(line)
        if opened:
            fence = None if fence == opened.group(1) else (fence or opened.group(1))
            continue
        match = HEADING.match(line) if fence is None else None
        if not match:
            continue
        title, explicit = match.group(2), None
        attributes = ATTRIBUTES.search(title)
        if attributes:
            title = title[:attributes.start()]
            explicit = next((a[1:] for a in attributes.group(1).split() if a.startswith("#")), None)
        inline = re.sub(r"^(\d+)\.", r"\1\\.", title)  # "1. Title" is a heading's text, not a list
        plain = html.unescape(re.sub(r"<[^>]+>", "", markdown.markdown(inline)))
        anchor = explicit or unique(slugify(plain, "-"), used)
        used.add(anchor)
        found.append((len(match.group(1)), plain.strip(), anchor))
    return found


def page_problems(lesson, text, wanted):
    """What is wrong with a lesson page: its H1, and the anchors in `wanted` ({anchor: who links})."""
    problems = []
    titles = [title for level, title, _ in headings(text) if level == 1]
    if titles[:1] != [lesson.heading]:
        problems.append((f"the page's H1 is {titles[:1]}, the table says {lesson.heading!r}",
                         f"make the first line of docs/{lesson.page}.md `# {lesson.heading}`, or change "
                         "the entry in course.toml"))
    ids = {anchor for _, _, anchor in headings(text)}
    for anchor, who in sorted(wanted.items()):
        if anchor not in ids:
            problems.append((f"{who} links to #{anchor}, which no heading of docs/{lesson.page}.md has",
                             f"add a heading with `{{#{anchor}}}` to the page, or link to one it has"))
    return problems


def common_mistakes(text):
    """The "Common mistakes" section of a page: [(kind, key, text)], kind "heading" (key: its
    {#id}, or None) or "bullet" (key: its bold lead), text the entry up to the next; None if the
    page has no such section."""
    match = re.search(r"^## Common mistakes(?:\s*\{#[\w-]+\})?\s*$(.*?)(?=^## |^\*\*Next:\*\*|\Z)", text, re.M | re.S)
    if not match:
        return None
    entries = []
    for block in re.split(r"\n(?=### |- \*\*)", match.group(1).strip()):
        heading = re.match(r"### (.*?)(?:\s*\{#([\w-]+)\})?\s*$", block.splitlines()[0]) if block else None
        bullet = re.match(r"- \*\*(.+?)\*\*", block)
        flat = " ".join(block.split())  # a sentence may be wrapped across lines
        if heading:
            entries.append(("heading", heading.group(2), flat))
        elif bullet:
            entries.append(("bullet", bullet.group(1), flat))
    return entries


def mistake_problems(lesson, entries, anchors, grader_text):
    """Every Common-mistakes entry tied to a diagnosis (its heading's id) or a grader message (the
    table's named_by_a_message), or saying the grader cannot tell it apart; and back: every
    diagnosis has its heading, every named_by_a_message entry its bullet.

    `anchors` are the diagnoses' anchors; `grader_text(file)` the text of a file under grader/.
    """
    problems = []
    keys = set()
    for kind, key, text in entries:
        keys.add(key)
        if kind == "heading" and key is not None and key not in anchors and CANNOT_TELL not in text:
            problems.append((f"the Common mistakes heading #{key} is named by no diagnosis",
                             f"add a Mistake with anchor={key!r} to grader/diagnoses/{lesson.module}.py, or "
                             f"say in the entry that the grader {CANNOT_TELL}"))
        elif kind == "bullet" and CANNOT_TELL not in text:
            if key not in lesson.named_by_a_message:
                problems.append((f"the Common mistakes bullet {key!r} is neither named by the grader nor said "
                                 "not to be",
                                 f"add `{json_key(key)} = [\"test_{lesson.module}.py\", \"<a fragment of the "
                                 f"message that names it>\"]` under [lesson.named_by_a_message] in course.toml, "
                                 f"or say in the bullet that the grader {CANNOT_TELL}"))
                continue
            file, fragment = lesson.named_by_a_message[key]
            if fragment not in grader_text(file):
                problems.append((f"the bullet {key!r} is said to be named by grader/{file}, which has no "
                                 f"message with {fragment!r}",
                                 "write that message in the grader, or correct the fragment in course.toml (a "
                                 "fragment is matched in the file's strings, adjacent literals joined; an "
                                 "f-string's {values} are left out)"))
    for key in sorted(set(lesson.named_by_a_message) - keys):
        problems.append((f"course.toml's named_by_a_message lists {key!r}, which is no bullet of the page's "
                         "Common mistakes", "remove it from course.toml, or restore the bullet"))
    headed = {key for kind, key, _ in entries if kind == "heading"}
    for anchor in sorted(set(anchors) - headed):
        problems.append((f"the diagnosis anchored at #{anchor} has no heading under Common mistakes",
                         f"add `### <the mistake> {{#{anchor}}}` to the page's Common mistakes"))
    return problems


def message_text(source):
    """The strings of a Python file, one per line, as Python reads them: adjacent literals joined
    ("a " "b" is "a b"), an f-string's literal parts joined with a space where its values go.
    A fragment of a grader message is looked for here, so a message may be wrapped in the source."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            found.append(node.value)
        elif isinstance(node, ast.JoinedStr):
            found.append(" ".join(part.value for part in node.values
                                  if isinstance(part, ast.Constant) and isinstance(part.value, str)))
    return "\n".join(found)


def json_key(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


# --- the grader's tests, as pytest collects them ---------------------------------------------------

class CollectError(RuntimeError):
    """The grader's tests do not collect; the message is pytest's."""


def collected_markers(root=ROOT):
    """{module: [(test function, uses, section)]} of every grader test, as `--markers-json` reports
    them after a `--collect-only` run (the grade markers validated by the grader itself); nothing
    of any exercise is run or read."""
    import json
    import subprocess
    import tempfile

    from grader.submissions import grader_command

    with tempfile.TemporaryDirectory(prefix="course-check-") as scratch:
        path = Path(scratch) / "markers.json"
        command = grader_command(root / "solutions", None, "--collect-only", "--markers-json", path)
        done = subprocess.run(command, cwd=root, capture_output=True, text=True)
        if done.returncode != 0 or not path.exists():
            raise CollectError((done.stdout[-2500:] + done.stderr[-2500:]).strip())
        described = json.loads(path.read_text(encoding="utf-8"))
    found = {}
    for node, test in described.items():
        function = node.split(": ", 1)[-1].split("[", 1)[0]
        uses = [use.split(":", 1)[-1] for use in test["uses"] if use.startswith(f"{test['module']}:")]
        found.setdefault(test["module"], []).append((function, uses, test["section"]))
    return found


# --- one lesson ---------------------------------------------------------------------------------

def stubs_of(solution):
    """The stubs the generator makes of a solution file, in file order (qualified names)."""
    from coursekit.stubs import MarkerError, find_stubs, generate

    try:
        text = generate(solution.read_text(encoding="utf-8"), filename=str(solution))
    except MarkerError as error:
        raise ValueError(str(error)) from None
    found = find_stubs(text)
    names = []

    def visit(body, prefix):
        for node in body:
            if isinstance(node, ast.ClassDef):
                visit(node.body, f"{prefix}{node.name}.")
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and prefix + node.name in found:
                names.append(prefix + node.name)

    visit(ast.parse(text).body, "")
    return names, text


def check_lesson(lesson, root=ROOT, markers=None):
    """[Gap] of one lesson; `markers` as collected_markers() gives them (collected here if None)."""
    name = f"{lesson.number} {lesson.module or Path(lesson.page).name}"
    gaps = []

    def gap(problem, fix, advice=False):
        gaps.append(Gap(name, problem, fix, advice))

    page = root / "docs" / f"{lesson.page}.md"
    if not page.is_file():
        gap(f"docs/{lesson.page}.md is missing", f"write the lesson's page, starting `# {lesson.heading}`")
        return gaps
    text = page.read_text(encoding="utf-8")
    wanted = {}
    module = lesson.module
    if module is None:
        for problem, fix in page_problems(lesson, text, wanted):
            gap(problem, fix)
        return gaps

    solution = root / "solutions" / f"{module}.py"
    test_file = root / "grader" / f"test_{module}.py"
    hints_file = root / "grader" / "hints" / f"{module}.toml"
    stubs, stub_text = [], None
    if not solution.is_file():
        gap(f"solutions/{module}.py is missing", "write the reference, its exercise bodies between "
            "`# BEGIN SOLUTION` and `# END SOLUTION` lines")
    else:
        try:
            stubs, stub_text = stubs_of(solution)
        except ValueError as error:
            gap(f"solutions/{module}.py: {error}", "fix the solution's markers")
        if stub_text is not None and not stubs:
            gap(f"solutions/{module}.py marks no function body as the exercise",
                "put each exercise body between `# BEGIN SOLUTION` and `# END SOLUTION` lines")
    if stub_text is not None and sorted(lesson.functions) != sorted(stubs):
        gap(f"course.toml lists the functions {list(lesson.functions)}; solutions/{module}.py's marked "
            f"regions give {stubs}",
            "make [lesson.functions] in course.toml name every stub, in the order the lesson teaches them, "
            "each with the anchor of the heading that teaches it")
    for function, anchor in lesson.functions.items():
        wanted[anchor] = f"course.toml's section of {function}"

    if stub_text is not None:
        from coursekit.stubs import digest, read_manifest

        recorded = read_manifest(root / "exercises").get(f"{module}.py")
        if recorded != digest(stub_text):
            gap(f"exercises/{module}.py is not what the generator makes of solutions/{module}.py"
                + (" (never generated)" if recorded is None else ""),
                "python -m coursekit.stubs solutions exercises (make exercises), then commit both folders")

    if not test_file.is_file():
        gap(f"grader/test_{module}.py is missing", "write the grader's tests, each with "
            "@pytest.mark.grade(uses=[...], section=...) (see CONTRIBUTING.md, Writing a grader test)")
    else:
        if markers is None:
            try:
                markers = collected_markers(root)
            except CollectError as error:
                gap("the grader's tests do not collect:\n" + str(error), f"fix grader/test_{module}.py")
                markers = {}
        markers = markers.get(module, [])
        tests = {test for test, _, _ in markers}
        if not markers:
            gap(f"grader/test_{module}.py has no @pytest.mark.grade test", "mark each test with the functions "
                "it uses and the section that teaches them")
        used = {use for _, uses, _ in markers for use in uses}
        for function in lesson.functions:
            if function not in used:
                gap(f"no grader test uses {function}", f"add a test of grader/test_{module}.py with "
                    f"@pytest.mark.grade(uses=[{function!r}], section=...)")
        for test, uses, section in markers:
            if section:
                wanted[section] = f"the grade marker of {test} (grader/test_{module}.py)"
        for test in sorted(set(lesson.points) - tests):
            gap(f"course.toml gives points to {test}, which grader/test_{module}.py does not define",
                "correct the name under [lesson.points], or remove it")

    if not hints_file.is_file():
        gap(f"grader/hints/{module}.toml is missing", "write two or three hints per stub "
            "(see coursekit/hints.py for the format)")
    else:
        try:
            with hints_file.open("rb") as file:
                hinted = tomllib.load(file)
        except tomllib.TOMLDecodeError as error:
            hinted = None
            gap(f"grader/hints/{module}.toml is not valid TOML: {error}", "fix its syntax")
        if hinted is not None:
            for function in lesson.functions:
                if function not in hinted:
                    gap(f"the stub {function} has no hints", f'add ["{function}"] hints = [...] to '
                        f"grader/hints/{module}.toml")
                elif not 2 <= len(hinted[function].get("hints", [])) <= 3:
                    gap(f"{function} has {len(hinted[function].get('hints', []))} hints; the course gives 2 or 3",
                        "a nudge, the key idea, then nearly code")
            for extra in sorted(set(hinted) - set(lesson.functions)):
                gap(f"grader/hints/{module}.toml has hints for {extra}, which is no stub of the exercise",
                    "remove them, or correct the name")

    anchors = set()
    if (root / "grader" / "diagnoses" / f"{module}.py").is_file():
        for mistake in importlib.import_module(f"grader.diagnoses.{module}").MISTAKES:
            anchors.add(mistake.anchor)
            wanted[mistake.anchor] = f"the diagnosis {mistake.name!r} (grader/diagnoses/{module}.py)"

    if lesson.worked:
        if not (root / "coursekit" / "worked" / f"{module}.py").is_file():
            gap(f"course.toml says lesson {lesson.number} has a worked example; coursekit/worked/{module}.py "
                "is missing", "write it (see coursekit/worked/__init__.py), or set `worked = false`")
        elif solution.is_file():
            from coursekit import worked

            try:
                values = worked.reference_values(module)
            except Exception as error:  # the example's own code: say what broke, not a traceback
                values = []
                gap(f"the worked example fails on the reference: {type(error).__name__}: {error}",
                    f"fix coursekit/worked/{module}.py")
            traced = {value.method for value in values if value.method}
            for function in lesson.functions:
                if values and function not in traced:
                    gap(f"the worked example computes nothing with {function}",
                        f"add a value of {function} to coursekit/worked/{module}.py's trace")
            for value in values:
                if value.section:
                    wanted[value.section] = f"the worked value {value.label!r} (coursekit/worked/{module}.py)"
    else:
        gap(f"lesson {lesson.number} has no worked example", "write coursekit/worked/<module>.py and drop "
            "`worked = false`: grader.trace then shows a student's values beside the lesson's", advice=True)

    if lesson.summary.startswith("TODO") or not lesson.summary:
        gap("course.toml's summary of the lesson is still to write", "one line for the home page's course path")
    todos = [number for number, line in enumerate(text.splitlines(), 1) if line.startswith("TODO")]
    if todos:
        gap(f"docs/{lesson.page}.md still has TODO paragraphs (line {', '.join(map(str, todos))})",
            "write them, or remove them")
    wanted[REFERENCE_ANCHOR] = "the grader's summary and python -m grader.hint"
    for problem, fix in page_problems(lesson, text, wanted):
        gap(problem, fix)

    entries = common_mistakes(text)
    if entries is None:
        gap(f"docs/{lesson.page}.md has no `## Common mistakes` section",
            "add one: a `### heading {#anchor}` per mistake a diagnosis names, a `- **bullet**` per one a "
            "grader message names")
    else:
        def grader_text(file):
            path = root / "grader" / file
            return message_text(path.read_text(encoding="utf-8")) if path.is_file() else ""

        for problem, fix in mistake_problems(lesson, entries, anchors, grader_text):
            gap(problem, fix)

    if not (root / "notebooks" / f"{module}.ipynb").is_file():
        gap(f"notebooks/{module}.ipynb is missing", "make notebooks (python -m coursekit.notebooks)")
    if not any((root / "tests" / "right").glob(f"*/{module}.py")):
        gap(f"no right-style variant of {module}.py in tests/right/<style>/",
            f"write {module}.py once more in another reasonable style (tests/right/<style>/{module}.py): the "
            "project's tests then prove the grader gives it full marks", advice=True)
    return gaps


def check_course(root=ROOT, lessons=None):
    """[Gap] of the whole course: the table's order and pages, then every lesson."""
    gaps = []
    lessons = course.LESSONS if lessons is None else lessons
    numbers = [lesson.number for lesson in lessons]
    if numbers != sorted(set(numbers)):
        gaps.append(Gap("course.toml", f"the lesson numbers {numbers} are not increasing and unique",
                        "number the entries 1, 2, 3... in the order they are read"))
    listed = {f"{lesson.page}.md" for lesson in lessons}
    on_disk = lesson_nav.lesson_pages(root / "docs")
    for page in on_disk:
        if page not in listed:
            gaps.append(Gap("course.toml", f"docs/{page} is a lesson page with no entry in course.toml",
                            "add its [[lesson]] entry (python -m coursekit.new does), or move the page "
                            "out of docs/lessons/"))
    config = (root / "mkdocs.yml").read_text(encoding="utf-8") if (root / "mkdocs.yml").is_file() else ""
    if not re.search(r"^  - Lessons: lessons/", config, re.M):
        gaps.append(Gap("mkdocs.yml", "the nav lost its `- Lessons: lessons/` entry, which the table fills",
                        "put `  - Lessons: lessons/` back in mkdocs.yml's nav"))
    for page in sorted(listed):
        if re.search(rf"^\s+- [^:\n]+: {re.escape(page)}\s*$", config, re.M):
            gaps.append(Gap("mkdocs.yml", f"the nav titles {page} itself",
                            "remove that nav entry: the table puts the page in the nav, titled by its H1"))
    in_order = [page for page in on_disk if page in listed]
    expected = [f"{lesson.page}.md" for lesson in lessons if f"{lesson.page}.md" in on_disk]
    if in_order != expected:
        gaps.append(Gap("course.toml", f"the site's nav orders the lessons {in_order}, the table {expected}",
                        "make each page's H1 number its entry's number"))
    modules = {lesson.module for lesson in lessons if lesson.module}
    for path in sorted((root / "solutions").glob("*.py")):
        if path.stem not in modules and path.name != "__init__.py":
            gaps.append(Gap("course.toml", f"solutions/{path.name} is the module of no lesson",
                            f"add a [[lesson]] entry with module = {path.stem!r} (python -m coursekit.new), "
                            "or move the file out of solutions/"))
    try:
        markers = collected_markers(root)
    except CollectError as error:
        return gaps + [Gap("grader", "the grader's tests do not collect:\n" + str(error),
                           "fix the test file pytest names above")]
    for lesson in lessons:
        gaps.extend(check_lesson(lesson, root, markers))
    if root == ROOT and not any(not gap.advice for gap in gaps):
        from coursekit import notebooks  # builds every notebook in memory: only a course that checks

        for path in notebooks.stale(notebooks.expected()):
            gaps.append(Gap("notebooks", f"{path.relative_to(root)} is out of date with the course",
                            "make notebooks (python -m coursekit.notebooks), then commit it"))
    return gaps


def reference_failures(modules, root=ROOT):
    """[(test, message)] of the grader's tests of `modules` that fail on the reference, the MNIST
    training runs left out (a minute each; the project's tests run them)."""
    import json
    import os
    import subprocess
    import tempfile

    from grader.submissions import grader_command

    with tempfile.TemporaryDirectory(prefix="course-check-") as scratch:
        path = Path(scratch) / "results.json"
        selected = [option for module in modules for option in ("--module", module)]
        command = grader_command(root / "solutions", path, *selected, "-k", "not mnist")
        env = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}
        done = subprocess.run(command, cwd=root, capture_output=True, text=True, env=env)
        if not path.exists():
            return [("the grader", (done.stdout[-2000:] + done.stderr[-2000:]).strip())]
        tests = json.loads(path.read_text(encoding="utf-8"))["tests"]
    return [(test["name"], test.get("output", "")) for test in tests if test.get("status") != "passed"]


def grading_gaps(lessons, root=ROOT):
    modules = [lesson.module for lesson in lessons if lesson.module]
    gaps = []
    for test, message in reference_failures(modules, root) if modules else []:
        module = test.split(".py:", 1)[0]
        first = message.strip().splitlines()[0] if message.strip() else "(no message)"
        gaps.append(Gap(f"grading solutions/{module}.py", f"the reference fails {test}: {first}",
                        "every grader test must pass on solutions/: fix the test or the reference "
                        f"(pytest grader --module {module} --target solutions shows it whole)"))
    return gaps


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m coursekit.check", description=__doc__.split("\n\n")[0])
    parser.add_argument("lesson", nargs="?", help="one lesson: its module name or number (default: all)")
    parser.add_argument("--no-grade", action="store_true",
                        help="skip grading the reference (solutions/) with the grader's tests")
    args = parser.parse_args(argv)
    lessons = course.LESSONS
    if args.lesson:
        lessons = [lesson for lesson in course.LESSONS
                   if args.lesson in (lesson.module, str(lesson.number), Path(lesson.page).name)]
        if not lessons:
            parser.error(f"{args.lesson}: no such lesson in course.toml; lessons: "
                         + ", ".join(f"{lesson.number} ({lesson.module or Path(lesson.page).name})"
                                     for lesson in course.LESSONS))
    gaps = check_course(lessons=lessons) if not args.lesson else [g for l in lessons for g in check_lesson(l)]
    if not args.no_grade and not any(not gap.advice for gap in gaps):
        print("grading the reference with the grader's tests (the MNIST runs left out; --no-grade skips it)...",
              flush=True)
        gaps += grading_gaps(lessons)
    current = None
    for found in gaps:
        if found.lesson != current:
            current = found.lesson
            print(f"\n{current}:")
        print("  " + str(found).replace("\n", "\n  "))
    problems = [g for g in gaps if not g.advice]
    advice = len(gaps) - len(problems)
    print(f"\n{len(lessons)} lesson(s) checked: {len(problems)} problem(s), {advice} piece(s) of advice")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
