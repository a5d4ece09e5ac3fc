"""The grader, run in the reader's browser (a Pyodide Web Worker) by the lesson pages' try-it panels.

Not a second grader: "Check" is `pytest grader --module M --in-process`, the command line that
grader.notebook.check runs (grader.submissions.grader_command), read back into the same rows
(grader.notebook._row), with the grader's own tests, checks, diagnoses and reread links; "Trace"
and "Hint" are grader.trace.main and grader.hint.main. Only the transport differs, because a
browser has no processes:

- the student's code: the terminal grader's runner is a process (grader/remote.py) whose
  grader/harness.py answers the judge's frames; here the same `Harness` answers the same frames
  in this interpreter (`InlineRunner`), and the Web Worker is the container: the page ends it
  when a test runs past its limit (an endless loop) and starts a fresh one;
- `grader.notebook.check` and `grader.trace.trace`, which start a child process, run here;
- `threading.Timer` never fires (Pyodide has no threads, nor `setitimer`): the page's
  watchdog, told the limit of each test as it starts, stands in for the grader's timers;
- NumPy's floating-point warnings: WebAssembly has no floating-point exception flags, so
  Pyodide's NumPy never says "overflow encountered in exp" (np.exp(1000) is inf, silently, even
  under np.errstate(over="raise")). `FlaggedUfunc` gives the usual culprits (exp, log, power,
  divide...) their flags back, from the values: an inf out of finite inputs is an overflow, and
  so on, warned or raised as np.errstate says, with NumPy's own words. Arithmetic operators
  (`a * b`, `a / 0`) cannot be reached that way: an overflow there goes unflagged in the page;
- `coursekit.mnist.load_mnist` returns the sample the site ships (mnist_sample.npz: the 64 test
  digits of the `digits` fixture at their own indices, and the first 500 training digits that
  grader/test_data.py reads). The tests that train on the whole of MNIST (`end_to_end=True`)
  are left out, and the panel says to run them locally.
"""

import ast
import contextlib
import io
import json
import os
import queue
import sys
import threading
import time
from pathlib import Path
from types import SimpleNamespace

COURSE = Path("/course")
TARGET = Path("/exercises")
STUBS = COURSE / "stubs"  # exercises/<module>.py as the stub generator writes them (the site's build)


def notify(event):
    """Tell the page (the worker's tryitNotify, when there is one) what is running now."""
    try:
        import js

        js.tryitNotify(json.dumps(event))
    except (ImportError, AttributeError):
        pass


class InertTimer:
    """threading.Timer's interface, never firing (no threads here; the page's watchdog stops loops)."""

    daemon = True

    def __init__(self, interval, function, args=None, kwargs=None):
        self.interval, self.function = interval, function

    def start(self):
        pass

    def cancel(self):
        pass


def install():
    """Make the course importable and swap in the browser's runner, timer, checks and MNIST sample."""
    if str(COURSE) not in sys.path:
        sys.path.insert(0, str(COURSE))
    os.chdir(COURSE)
    sys.dont_write_bytecode = True
    TARGET.mkdir(exist_ok=True)
    os.environ["COURSE_HINTS_STATE"] = "/tmp/hints.json"
    threading.Timer = InertTimer

    from coursekit import mnist
    from grader import notebook, remote, trace

    remote.LEVELS["browser"] = "your browser's Web Worker (no files of yours, stopped after the test's limit)"
    remote.containment = lambda: "browser"
    remote.Runner = _runner_class()
    notebook.check = inline_check
    trace.trace = inline_trace
    flag_numpy()
    sample = _sample(COURSE / "mnist_sample.npz")
    mnist.load_mnist = lambda *args, **kwargs: mnist.MNIST(**sample)


def _sample(path):
    import numpy as np

    with np.load(path) as data:
        arrays = {name: data[name] for name in data.files}
    test_images = np.zeros((10_000, 28, 28), np.uint8)
    test_labels = np.zeros(10_000, np.uint8)
    test_images[arrays["test_index"]] = arrays["test_images"]
    test_labels[arrays["test_index"]] = arrays["test_labels"]
    return {"train_images": arrays["train_images"], "train_labels": arrays["train_labels"],
            "test_images": test_images, "test_labels": test_labels}


# --- NumPy's floating-point flags, from the values ------------------------------------------------

UNARY = ("exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sqrt", "square", "cosh", "sinh", "reciprocal")
BINARY = ("divide", "power", "float_power")
POLES = ("log", "log2", "log10", "log1p", "reciprocal")  # a finite input giving inf: divide by zero, not overflow


class FlaggedUfunc:
    """A NumPy ufunc that warns (or raises) as NumPy does where the hardware flags overflow,
    division by zero and invalid values, which WebAssembly does not."""

    def __init__(self, ufunc):
        self.ufunc = ufunc
        self.__name__ = ufunc.__name__
        self.__doc__ = ufunc.__doc__

    def __getattr__(self, name):  # nin, outer, reduce...: the ufunc's own
        return getattr(self.ufunc, name)

    def __repr__(self):
        return repr(self.ufunc)

    def __call__(self, *args, **kwargs):
        import numpy as np

        result = self.ufunc(*args, **kwargs)
        settings = np.geterr()
        if settings["over"] == settings["divide"] == settings["invalid"] == "ignore":
            return result
        try:
            inputs = [np.asarray(arg) for arg in args[:self.ufunc.nin]]
            out = np.asarray(result)
            if out.dtype.kind not in "fc" or any(a.dtype.kind not in "biufc" for a in inputs):
                return result
            finite = np.ones(np.broadcast_shapes(*(a.shape for a in inputs)), bool)
            for a in inputs:
                finite &= np.isfinite(a)
            made_inf = np.isinf(out) & finite
            made_nan = np.isnan(out) & ~np.isnan(sum(a.astype(float) * 0 for a in inputs))
            name = self.ufunc.__name__
            pole = name in POLES or (name == "divide" and np.any(made_inf & (np.asarray(inputs[1]) == 0)))
            if np.any(made_inf):
                self._flag("divide" if pole else "over", "divide by zero" if pole else "overflow", settings)
            if np.any(made_nan):
                self._flag("invalid", "invalid value", settings)
        except (TypeError, ValueError):  # objects, or shapes the ufunc broadcast its own way: no flags
            pass
        return result

    def _flag(self, kind, words, settings):
        import warnings

        message = f"{words} encountered in {self.ufunc.__name__}"
        if settings[kind] == "raise":
            raise FloatingPointError(message)
        if settings[kind] != "ignore":
            warnings.warn(message, RuntimeWarning, stacklevel=3)


def flag_numpy():
    import numpy as np

    for name in UNARY + BINARY:
        ufunc = getattr(np, name, None)
        if isinstance(ufunc, np.ufunc):
            setattr(np, name, FlaggedUfunc(ufunc))
    np.true_divide = np.divide


# --- the runner, in this interpreter -----------------------------------------------------------


class _Inline:
    """The runner 'process': each request frame written to its stdin is answered at once by a
    grader.harness.Harness, whose answer frame goes to the runner's queue as a process's would."""

    def __init__(self, runner):
        from grader import harness

        self.harness_module = harness
        self.runner, self.stdin, self.returncode = runner, self, None
        self.harness = harness.Harness(str(runner.target), None, self)
        self.answering = False

    def poll(self):
        return self.returncode

    def write(self, data):
        harness = self.harness_module
        frame = harness.read_frame(io.BytesIO(data))
        if self.answering:  # Harness.send, writing its answer
            self.runner.answers.put(frame)
            return
        request = self.harness.wire.loads(*frame)
        # No timers in a worker: the page's watchdog ends it past the test's limit.
        request.pop("seconds", None)
        request.pop("cpu_seconds", None)
        request["signals"] = False
        saved = sys.stdout, sys.stderr
        sys.stdout, sys.stderr = harness.Capped(sys.stdout), harness.Capped(sys.stderr)
        try:
            answer = self.harness.answer(request)
        finally:
            sys.stdout, sys.stderr = saved
        self.answering = True
        try:
            self.harness.send(answer)
        finally:
            self.answering = False

    def flush(self):
        pass

    def close(self):
        pass


def _runner_class():
    from grader import remote

    class Inline(remote.Runner):
        """grader.remote.Runner, its requests answered in this interpreter (_Inline)."""

        def __init__(self, target):
            self.target = Path(target).resolve()
            self.level = "browser"
            self.process = None
            self.generation = 0
            self.starts = 0
            self.work = self.uid = self.output = self.answers = None
            self.output_at = 0
            self.pid = os.getpid()
            self.last_end = None

        def start(self):
            self.close()
            self.starts += 1
            self.generation += 1
            self.answers = queue.Queue()
            self.process = _Inline(self)
            sys.path.insert(0, str(self.target))  # `import network` in the student's training.py

        def close(self):
            process, self.process = self.process, None
            if process is not None:
                for name in process.harness.modules:
                    sys.modules.pop(name, None)
                while str(self.target) in sys.path:
                    sys.path.remove(str(self.target))

        def release(self):
            self.close()

    return Inline


# --- grader.notebook.check and grader.trace.trace, in this interpreter ---------------------------


class Browser:
    """The pytest plugin of a run here: leaves out the end-to-end tests, tells the page each test's limit."""

    def __init__(self):
        self.local = []

    def pytest_collection_modifyitems(self, config, items):
        from grader.select import end_to_end

        left = [item for item in items if end_to_end(item)]
        if left:
            self.local += [item.name for item in left]
            config.hook.pytest_deselected(items=left)
            items[:] = [item for item in items if not end_to_end(item)]

    def pytest_runtest_setup(self, item):
        from grader import plugin

        # What the grader says of a test stopped at its limit, for the page to say if it ends the worker.
        stopped = plugin.describe(SimpleNamespace(value=plugin.TestTimeout(), tb=None), item,
                                  plugin.Grading(target=TARGET))
        notify({"event": "test", "name": item.name, "seconds": plugin.seconds_for(item), "stopped": stopped})


LAST = {}


def inline_check(module, method=None, target=None, seconds=None):
    """grader.notebook.check, run in this interpreter: `pytest grader/test_<module>.py --module
    <module> --in-process [--uses NAME]...` and its results.json read into a notebook.Report."""
    import pytest

    from grader import notebook
    from grader import results as records
    from grader.submissions import grader_command

    methods = [method] if isinstance(method, str) else list(method or ())
    folder = Path(target or TARGET)
    results = Path("/tmp/results.json")
    results.unlink(missing_ok=True)
    command = grader_command(folder, results, "--module", module, "--in-process",
                             # pytest's own capture of file descriptors needs a real OS; its unraisable-
                             # and thread-exception plugins collect garbage five times per run (0.3 s here)
                             "--capture=sys", "-p", "no:unraisableexception", "-p", "no:threadexception",
                             *[word for name in methods for word in ("--uses", name)],
                             tests=[f"grader/test_{module}.py"])
    browser = Browser()
    output = io.StringIO()
    started = time.monotonic()
    with contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
        code = pytest.main(command[3:], plugins=[browser])
    graded = None
    try:  # the records the judge made, as grader.notebook.check reads them
        graded = records.read(json.loads(results.read_text(encoding="utf-8"))) if results.exists() else None
    except ValueError:
        pass
    report = notebook.Report(module, method, folder, seconds=time.monotonic() - started)
    if graded is not None:
        report.rows = [notebook.Row.of(record) for record in graded]
    if graded is None or int(code) >= 2 and not report.rows:
        report.note = f"the grader could not run (exit status {int(code)}):\n" + output.getvalue()[-3000:]
    LAST["local"] = browser.local
    return report


def inline_trace(module_name, target, on_row=None, seconds=None):
    """grader.trace.trace, run in this interpreter: grader.trace.child's records into a Traced."""
    from coursekit import worked
    from grader import trace

    target = Path(target).resolve()
    records = []
    notify({"event": "test", "name": f"trace {module_name}", "seconds": trace.RUN_SECONDS,
            "stopped": f"stopped after {trace.RUN_SECONDS:g} s: an endless loop, or far more work than this "
                       "tiny example needs?"})
    with contextlib.redirect_stdout(io.StringIO()):  # the student's printing, as the child's stderr
        trace.child(module_name, target, records.append)
    result = trace.Traced(module_name, target, rows=[])
    for record in records:
        if record["kind"] == "value":
            row = trace.Row(record["method"], record["label"], record["status"], record["yours"],
                            record["expected"], record["section"])
            result.rows.append(row)
            if on_row:
                on_row(row)
        elif record["kind"] == "error":
            result.error, result.error_method = record["message"], record["method"]
            result.unreached = [trace.Row(v.method, v.label, trace.DIFFERS if v.compared else trace.INSIDE, None,
                                          worked.fmt(v.value), v.section)
                                for v in worked.reference_values(module_name)[record["next"]:]]
    return result


# --- the student's file: the stub with the panels' code in place --------------------------------


def _definitions(tree):
    """{qualname: node} of the functions and methods at the top of a parsed file or block."""
    found = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            found[node.name] = node
        elif isinstance(node, ast.ClassDef):
            for child in node.body:
                if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    found[f"{node.name}.{child.name}"] = child
    return found


def _span(node):
    start = min([node.lineno] + [d.lineno for d in node.decorator_list]) - 1
    return start, node.end_lineno


def compose(module, blocks):
    """exercises/<module>.py: the stub with each panel's functions (`blocks`, their code as the
    editor holds it) in place of the stub's. {"text": ...} or {"error": the grader's message for a
    block Python cannot compile}."""
    from grader.harness import compile_problem

    text = (STUBS / f"{module}.py").read_text(encoding="utf-8")
    replacements = []
    defined = _definitions(ast.parse(text))
    for name, block in blocks:
        scratch = Path("/tmp") / f"{module}.py ({name})"
        scratch.write_text(block, encoding="utf-8")
        problem = compile_problem(scratch)
        if problem:
            return {"error": problem.replace(str(scratch), f"exercises/{module}.py, {name}")}
        lines = block.splitlines()
        for qualname, node in _definitions(ast.parse(block)).items():
            if qualname not in defined:
                continue
            start, end = _span(node)
            replacements.append((_span(defined[qualname]), lines[start:end]))
    out = text.splitlines()
    for (start, end), lines in sorted(replacements, key=lambda item: item[0][0], reverse=True):
        out[start:end] = lines
    return {"text": "\n".join(out) + "\n"}


def write_files(files):
    """The graded folder: one file per module, as the page composed them (stubs for the others)."""
    for path in TARGET.glob("*.py"):
        path.unlink()
    for stub in STUBS.glob("*.py"):
        (TARGET / stub.name).write_text(stub.read_text(encoding="utf-8"), encoding="utf-8")
    problems = {}
    for module, blocks in files.items():
        composed = compose(module, blocks)
        if "error" in composed:
            problems[module] = composed["error"]
            continue
        (TARGET / f"{module}.py").write_text(composed["text"], encoding="utf-8")
    return problems


# --- what the page asks for ---------------------------------------------------------------------


def _tool(main, argv):
    output = io.StringIO()
    with contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
        try:
            code = main(argv)
        except SystemExit as error:
            code = error.code
    return output.getvalue(), code


def run(request_json):
    """One request of the page (JSON in, JSON out): check, trace, hint or download."""
    request = json.loads(request_json)
    op, module = request["op"], request["module"]
    files = {name: [tuple(block) for block in blocks] for name, blocks in request.get("files", {}).items()}
    started = time.monotonic()
    if op == "download":
        composed = compose(module, files.get(module, []))
        return json.dumps(composed)
    problems = write_files(files)
    if module in problems:
        return json.dumps({"op": op, "error": problems[module]})
    if op == "check":
        from grader.verdict import Blame

        report = inline_check(module, request.get("uses") or None)
        blame = Blame(module)  # which function each test is about: the rule of `--function` and hint
        answer = {"op": op, "module": module, "note": report.note, "summary": report.summary if report.rows else "",
                  "rows": [{"name": row.name, "status": row.status, "message": row.message, "link": row.link,
                            "uses": row.uses, "about": blame.own(row.uses, row.about)} for row in report.rows],
                  "local": LAST.get("local", []),
                  "local_command": f"python -m pytest grader --module {module}"}
    elif op == "trace":
        from grader import trace

        text, code = _tool(trace.main, [module, "--target", str(TARGET)])
        answer = {"op": op, "text": text}
    elif op == "hint":
        from grader import hint

        state = hint.state_path()  # the page keeps it in the browser's storage, between workers
        state.write_text(json.dumps(request.get("hints") or {}), encoding="utf-8")
        text, code = _tool(hint.main, [module, *filter(None, [request.get("method")]), "--target", str(TARGET)])
        answer = {"op": op, "text": text, "hints": json.loads(state.read_text(encoding="utf-8"))}
    else:
        raise ValueError(f"unknown request {op!r}")
    answer["seconds"] = round(time.monotonic() - started, 3)
    return json.dumps(answer)
