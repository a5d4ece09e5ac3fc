"""Your values beside the reference's, on the lesson's worked example.

    python -m grader.trace network                    # exercises/network.py
    python -m grader.trace network --target mywork    # another folder

Runs your module through `coursekit.worked.<module>.trace`, the tiny example the lesson prints
(for lesson 1: a [3, 4, 2] network and two examples), and prints each value it computes, the
lesson's order, beside the reference's: each a(k) and h(k), the loss, each gradient, the
parameters after one update. The first value that differs is marked with the lesson section that
explains it. A method that is still a stub is "not attempted"; the reference's code stands in
for it (and says so), so that the methods after it can still be checked.

Your code runs in a process of its own, stopped after RUN_SECONDS: an endless loop can't hang
the terminal. The exit status is 0 when every value agrees, 1 when one differs, is not attempted
or could not be computed, 2 when the command itself can't run (no such module, no worked example).
"""

import argparse
import contextlib
import importlib.util
import json
import os
import queue
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from coursekit import ROOT, course

RUN_SECONDS = 10  # the example is tiny: a correct module needs well under a second
AGREES, DIFFERS, NOT_ATTEMPTED = "agrees", "differs", "not attempted"
FED = "fed wrong values"  # a method after the first that differs: its values came from that one's
INSIDE = "inside"  # a value the method computes but does not store: the reference's is shown


@dataclass
class Row:
    """One value of the trace, as the terminal shows it."""

    method: str
    label: str
    status: str  # AGREES, DIFFERS, NOT_ATTEMPTED or INSIDE
    yours: str | None
    expected: str
    section: str | None = None
    note: str | None = None  # what a difference here most likely means


@dataclass
class Traced:
    """What one trace run found: its rows in order, and the error that stopped it, if any."""

    module: str
    target: Path
    rows: list
    error: str | None = None  # why the trace stopped early (an exception, a time limit)
    error_method: str | None = None
    unreached: list = None  # the rows the error kept from being computed (expected only)

    @property
    def passed(self):
        return self.error is None and all(row.status in (AGREES, INSIDE) for row in self.rows)

    def method_status(self):
        """{method: AGREES, DIFFERS or NOT_ATTEMPTED}, in the lesson's order; a method the
        error stopped in, or never reached, counts as DIFFERS."""
        found = {}
        for row in self.rows:
            if row.status == INSIDE:
                continue
            previous = found.get(row.method, AGREES)
            found[row.method] = row.status if previous == AGREES else previous
        if self.error_method:
            found[self.error_method] = DIFFERS if found.get(self.error_method) != NOT_ATTEMPTED else NOT_ATTEMPTED
        for row in self.unreached or []:
            if row.status != INSIDE:
                found.setdefault(row.method, DIFFERS)
        first = next((method for method, status in found.items() if status == DIFFERS), None)
        after = False
        for method in found:
            if after and found[method] == DIFFERS:
                found[method] = FED
            after = after or method == first
        return found

    @property
    def first_difference(self):
        """The first method whose own values differ (or that stopped the trace), or None."""
        return next((m for m, status in self.method_status().items() if status == DIFFERS), None)


def has_worked_example(module):
    return importlib.util.find_spec(f"coursekit.worked.{module}") is not None


def link(module, section):
    return course.lesson_url(module, section) if module in course.MODULES else None


# --- the child: runs the student's code ------------------------------------------------------


def _qualified(module, name):
    """(owner, attribute) for "Network.forward" in `module`, or None if it is not there."""
    owner = module
    parts = name.split(".")
    for part in parts[:-1]:
        owner = getattr(owner, part, None)
        if owner is None:
            return None
    return (owner, parts[-1]) if hasattr(owner, parts[-1]) else None


def stand_in(student, reference, stubs, rebind=False):
    """Put the reference's function in place of each of the student's stubs; the names replaced.

    `rebind`: the reference's function runs with the student's module as its globals, so that the
    names it uses (lesson 8's `Tensor`, `as_tensor`) are the student's: a reference `__add__`
    then makes the student's Tensors, which the student's other methods know.
    """
    import types

    replaced = set()
    for name in sorted(stubs):
        theirs, ours = _qualified(student, name), _qualified(reference, name)
        if theirs and ours:
            function = getattr(*ours)
            if rebind and isinstance(function, types.FunctionType):
                function = types.FunctionType(function.__code__, vars(student), function.__name__,
                                              function.__defaults__, function.__closure__)
            setattr(theirs[0], theirs[1], function)
            replaced.add(name)
    return replaced


def child(module_name, target, emit):
    """Trace the student's module; `emit(record)` gets one dict per value, then an error if any."""
    from coursekit import worked
    from coursekit.stubs import find_stubs
    from grader.loader import StudentCodeError, import_student_module, no_input, where_in

    expected = worked.reference_values(module_name)
    path = target / f"{module_name}.py"
    try:
        stubs = find_stubs(path.read_bytes()) if path.exists() else set()
    except (SyntaxError, ValueError):
        stubs = set()  # the import below reports it, with the line
    try:
        student = import_student_module(module_name, target)
    except StudentCodeError as error:
        emit({"kind": "error", "method": expected[0].method, "message": str(error), "next": 0})
        return
    from coursekit.solutions import load

    definition = worked.definition(module_name)
    stand_in(student, load(module_name), stubs, rebind=getattr(definition, "REBIND_STAND_INS", False))
    values = definition.trace(student)
    index = 0
    try:
        with no_input():
            for got in values:
                want = expected[index]
                if got.label != want.label:  # the trace definition is the same code: never expected
                    raise RuntimeError(f"the trace gave {got.label} where {want.label} was expected")
                if want.method in stubs:
                    status, yours = NOT_ATTEMPTED, None
                elif not want.compared:
                    status, yours = INSIDE, None
                else:
                    status = AGREES if worked.agree(want.value, got.value) else DIFFERS
                    yours = worked.fmt(got.value)
                    kinds = worked.kind(got.value), worked.kind(want.value)
                    if None not in kinds and kinds[0] != kinds[1]:
                        yours += f"  ({kinds[0]} values; expected {kinds[1]})"
                emit({"kind": "value", "method": want.method, "label": want.label, "status": status,
                      "yours": yours, "expected": worked.fmt(want.value), "section": want.section,
                      "note": want.note})
                index += 1
    except KeyboardInterrupt:
        raise
    except BaseException as error:  # whatever the student's code raised, or failed to store
        method = expected[index].method if index < len(expected) else None
        place = where_in(error.__traceback__, target)
        at = f"\n    at {place}" if place else ""
        if isinstance(error, SystemExit):
            message = f"your code called sys.exit({error.code!r}){at}"
        elif place:
            message = f"your code raised {type(error).__name__}: {error}{at}"
        else:  # raised by the trace reading what the method should have stored
            message = (f"could not read {expected[index].label} after {method}: "
                       f"{type(error).__name__}: {error} (did it store it, with the name and type "
                       "the lesson gives?)")
        emit({"kind": "error", "method": method, "message": message, "next": index})


def run_child(module_name, target):
    """The child's entry point: JSON records on stdout; the student's own printing goes to stderr."""
    protocol = sys.stdout
    sys.stdout = sys.stderr
    sys.dont_write_bytecode = True  # leave the student's folder as it was

    def emit(record):
        protocol.write(json.dumps(record) + "\n")
        protocol.flush()

    child(module_name, target, emit)
    emit({"kind": "done"})
    return 0


# --- the parent: runs the child with a time limit ------------------------------------------


def _rows_unreached(module_name, start):
    from coursekit import worked

    return [Row(v.method, v.label, DIFFERS if v.compared else INSIDE, None, worked.fmt(v.value), v.section)
            for v in worked.reference_values(module_name)[start:]]


def trace(module_name, target, on_row=None, seconds=RUN_SECONDS):
    """Run the trace in a child process; a Traced. `on_row(row)` sees each row as it arrives."""
    target = Path(target).resolve()
    command = [sys.executable, "-m", "grader.trace", "--child", module_name, "--target", str(target)]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True, env=env,
                               start_new_session=True)
    lines = queue.Queue()
    reader = threading.Thread(target=lambda: [lines.put(line) for line in process.stdout] + [lines.put(None)],
                              daemon=True)
    reader.start()
    result = Traced(module_name, target, rows=[])
    deadline = threading.Event()
    timer = threading.Timer(seconds, deadline.set)
    timer.start()
    done = False
    try:
        while not deadline.is_set():
            try:
                line = lines.get(timeout=0.1)
            except queue.Empty:
                continue
            if line is None:
                break
            record = json.loads(line)
            if record["kind"] == "value":
                row = Row(record["method"], record["label"], record["status"], record["yours"],
                          record["expected"], record["section"], record.get("note"))
                result.rows.append(row)
                if on_row:
                    on_row(row)
            elif record["kind"] == "error":
                result.error, result.error_method = record["message"], record["method"]
                result.unreached = _rows_unreached(module_name, record["next"])
            elif record["kind"] == "done":
                done = True
        if deadline.is_set():
            result.error = (f"stopped after {seconds:g} s: an endless loop, or far more work than "
                            "this tiny example needs?")
            result.unreached = _rows_unreached(module_name, len(result.rows))
            result.error_method = result.unreached[0].method if result.unreached else None
        elif not done and result.error is None:
            result.error = "your code ended the process (os._exit, a crash) before the trace finished"
            result.unreached = _rows_unreached(module_name, len(result.rows))
            result.error_method = result.unreached[0].method if result.unreached else None
    finally:
        timer.cancel()
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    return result


# --- printing ------------------------------------------------------------------------------


def _indent(text, pad):
    return text.replace("\n", "\n" + " " * pad)


class Printer:
    """Prints the rows as they come: a heading per method, the first difference marked."""

    def __init__(self, module, write=print):
        self.module, self.write = module, write
        self.method = None
        self.first = None  # the first row that differs
        self.fed = set()  # methods after it whose values differ: marked FED, not blamed

    def row(self, row):
        if row.method != self.method:
            self.method = row.method
            note = ("  NOT ATTEMPTED: still a stub (the reference's code stands in for it, so that "
                    "the methods after it can be checked)" if row.status == NOT_ATTEMPTED else "")
            self.write(f"\n{row.method}{note}")
        if row.status == NOT_ATTEMPTED:
            self.write(f"  -              {row.label}, expected {_indent(row.expected, 28 + len(row.label))}")
            return
        if row.status == INSIDE:
            self.write(f"  (inside)       {row.label} = {_indent(row.expected, 19 + len(row.label))}")
            return
        if row.status == AGREES:
            self.write(f"  ok             {row.label} = {_indent(row.yours, 19 + len(row.label))}")
            return
        fed = self.first is not None and row.method != self.first.method
        mark = "FIRST DIFFERENCE" if self.first is None else "FED" if fed else "DIFFERS"
        self.write(f"  {mark:<14} {row.label}")
        self.write(f"                 yours    {_indent(row.yours, 26)}")
        self.write(f"                 expected {_indent(row.expected, 26)}")
        if fed and row.method not in self.fed:
            self.fed.add(row.method)
            self.write(f"                 (computed from {self.first.method}'s values, which differ above: fix "
                       f"{self.first.method} first; this may be only a consequence)")
        if self.first is None:
            self.first = row
            if row.note:
                import textwrap

                lines = textwrap.wrap(f"probably: {row.note}", 82, subsequent_indent="  ")
                self.write("\n".join(" " * 17 + line for line in lines))
            url = link(self.module, row.section)
            if url:
                self.write(f"                 reread: {url}")


def report(result, printer, write=print, judged=None):
    """The closing lines after the rows; the exit status. `judged` is the grader's verdict on the
    module (grader.verdict.Verdict), which has the last word: the worked example is one case."""
    if result.error:
        earlier = result.first_difference
        write(f"\nstopped in {result.error_method}: {result.error}")
        if earlier and earlier != result.error_method:
            write(f"    {earlier}, before it, already gave values that differ: fix {earlier} first; this may "
                  "be only a consequence")
        url = link(result.module, result.unreached[0].section) if result.unreached else None
        if earlier and earlier != result.error_method and printer.first is not None:
            url = link(result.module, printer.first.section)
        if url:
            write(f"    reread: {url}")
        if result.unreached:
            write(f"not computed: {', '.join(row.label for row in result.unreached if row.status != INSIDE)}")
    total = sum(row.status != INSIDE for row in result.rows + (result.unreached or []))
    agree = sum(row.status == AGREES for row in result.rows)
    todo = list(dict.fromkeys(row.method for row in result.rows if row.status == NOT_ATTEMPTED))
    write("")
    inside = sum(row.status == INSIDE for row in result.rows)
    if inside:
        write("(inside): the reference's values of what a method computes without storing it; "
              "print yours there to compare")
    if judged is not None:
        write_verdict(judged, write)
    graded = judged is None or judged.note or judged.passed
    if result.passed and graded:
        write(f"all {total} values agree with the reference" + ("" if judged is None or judged.note else
                                                                  ", and the grader's checks pass"))
        return 0
    if result.passed:
        from grader import verdict

        failing = [m.name for m in judged.methods.values() if m.status == verdict.WRONG]
        parts = [f"all {total} values of the worked example agree with the reference, but the grader's checks "
                 f"fail for {', '.join(failing) or 'the module'}: the worked example is only one case"]
    else:
        parts = [f"{agree}/{total} values of the worked example agree with the reference"]
    if printer.first:
        parts.append(f"the first that differs is {printer.first.label}, from {printer.first.method}")
    if todo:
        parts.append(f"not attempted: {', '.join(todo)}")
    write("; ".join(parts))
    first = first_to_fix(result, judged)
    if first:
        write(f"the first method to fix: {first}")
    return 1


def first_to_fix(result, judged):
    """The method to work on first: the grader's first (a stub or wrong), else the worked example's."""
    if judged is not None and not judged.note and judged.first is not None:
        return judged.first.name
    status = result.method_status()
    return next((m for m, s in status.items() if s in (DIFFERS, NOT_ATTEMPTED)), None)


def write_verdict(judged, write=print):
    """The grader's verdict, method by method (grader.verdict)."""
    from grader import verdict

    write(f"the grader's checks of each method (python -m pytest grader --module {judged.module} "
          "--uses NAME, without the MNIST run):")
    if judged.note:
        write(f"  {_indent(judged.note, 2)}")
        return
    width = max(len(name) for name in judged.methods)
    for method in judged.methods.values():
        line = f"  {method.name:<{width}}  {method.status.upper() if method.status != verdict.PASSES else 'ok'}"
        if method.status == verdict.FED:
            line += f": its tests use {', '.join(method.upstream)}, which fails its own: fix that first"
        write(line)
        if method.status == verdict.WRONG:
            row = method.tests[0]
            write(f"      {row.name}: {_indent(row.message, 6)}")
            if row.link:
                write(f"      reread: {row.link}")
    write("")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m grader.trace", description=__doc__.split("\n\n")[0])
    parser.add_argument("module", help="the exercise module: " + ", ".join(course.MODULES))
    parser.add_argument("--target", default=None,
                        help="the folder holding it (default: $COURSE_TARGET, else the course's exercises/)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    module = Path(args.module).name.removesuffix(".py")
    target = course.target(args.target)
    if not target.is_dir():
        parser.error(f"--target {args.target or target}: no such folder")
    if not has_worked_example(module):
        known = ", ".join(name for name in course.MODULES if has_worked_example(name))
        parser.error(f"{module}: no worked example (coursekit/worked/{module}.py); modules with one: {known}")
    if args.child:
        return run_child(module, target.resolve())
    from coursekit import worked

    title = getattr(worked.definition(module), "TITLE", "the worked example")
    print(f"{target / (module + '.py')} on the lesson's worked example: {title}")
    page = link(module, None)
    if page:
        print(f"(the numbers are printed in the lesson too: {page})")
    printer = Printer(module)
    result = trace(module, target, on_row=printer.row)
    print("")
    judged = None
    if module in course.MODULES:
        from grader import verdict

        judged = verdict.judge(module, target)
    return report(result, printer, judged=judged)


if __name__ == "__main__":
    sys.exit(main())
