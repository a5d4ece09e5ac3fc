"""The hostile corpus: submissions that try to earn points they did not write, or to harm the
instructor's course or the other students graded with them (issue 26).

    from tests.hostile.corpus import CASES, build
    build("ref_walk_up", folder, marker)    # writes that submission's module files into folder

Each case is built from the course's own files, so that it keeps up with them:

- a cheat is the reference with every `# BEGIN SOLUTION` region replaced by `return _hostile()`
  (a function that does nothing, or the attack's own call-time work), with
  tests/hostile/toolkit.py and the case's tests/hostile/<case>/attack.py put at the end of the
  module: the attack runs when the module is imported. It is network.py and data.py that carry
  it (the first and the cheapest lesson's modules), or every module, or network.py alone, as the
  case says; the other modules are the stubs. A cheat's honest part is therefore nothing:
  every point it earns is a hole;
- a few cases are folders of module files (tests/hostile/<case>/*.py) put over the stubs;
- a bad input is one module of bytes the grader must survive, beside one module done right
  (the reference's, `honest_beside`) and the stubs: the module done right keeps its points, and
  each failed test says in one line what is wrong with which file.

`marker` is unique to a run of the project's tests: it goes into the command line of every
process an attack leaves behind and into every byte an attack writes (tests/test_hostile.py
looks for both).
"""

import importlib._bootstrap_external
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from coursekit import ROOT, course
from coursekit.stubs import BEGIN, END, SNIPPET, generate

HERE = Path(__file__).resolve().parent
SOLUTIONS = ROOT / "solutions"
MODULES = tuple(course.MODULES)
TOOLKIT_IMPORT = re.compile(r"^from tests\.hostile\.toolkit import .*\n", re.M)


@dataclass(frozen=True)
class Case:
    name: str
    kind: str  # what the issue calls it: reference, verdict, patch, channel, results, processes, ...
    tries: str  # one line: what the submission tries
    modules: tuple = ("network", "data")  # the modules that carry the attack (the others are the stubs)
    body: str = "return _hostile()"  # what replaces every SOLUTION region of those modules
    folder: bool = False  # module files of its own in tests/hostile/<name>/, over the stubs
    bad: tuple | None = None  # (module, bytes): a bad input, the other modules the reference's
    leaves: tuple = ()  # suffixes of the markers of the processes it tries to leave running
    destructive: bool = False  # acts only where contained (toolkit.contained): never run it uncontained
    top: str = ""  # a statement put at the top of each module that carries the attack (after its docstring)


def _region_body(source, body):
    """The reference `source` with each SOLUTION region replaced by `body` at its indentation."""
    out, inside = [], False
    for line in source.splitlines(keepends=True):
        begin = BEGIN.match(line)
        if SNIPPET.match(line):
            continue
        if begin:
            inside = True
            out.append(f"{begin['indent']}{body}\n")
        elif END.match(line):
            inside = False
        elif not inside:
            out.append(line)
    return "".join(out)


def honest_beside(bad_module):
    """The module a bad input's submission has done right (the reference's): it must keep its points."""
    return "network" if bad_module == "data" else "data"


def stub(module):
    """The untouched exercise `module`.py, as the stub generator writes it."""
    return generate((SOLUTIONS / f"{module}.py").read_text(encoding="utf-8"))


def reference(module):
    return (SOLUTIONS / f"{module}.py").read_text(encoding="utf-8")


def filled(module, body):
    """`module`.py with every function the student writes made of `body` alone."""
    return _region_body(reference(module), body)


def attack_text(case, marker):
    """tests/hostile/toolkit.py and the case's attack.py, ready to be put at the end of a module."""
    parts = []
    for path in (HERE / "toolkit.py", HERE / case.name / "attack.py"):
        if path.exists():
            text = TOOLKIT_IMPORT.sub("", path.read_text(encoding="utf-8"))
            parts.append(f"\n\n# --- tests/hostile/{path.relative_to(HERE).as_posix()} ---\n{text}")
    text = "".join(parts)
    return text.replace('"HOSTILE-CASE"', repr(case.name)).replace('"HOSTILE-MARKER"', repr(f"{marker}-{case.name}"))


def unchecked_pyc(source, filename):
    """Bytecode Python runs without checking it against any source (an unchecked hash-based .pyc)."""
    code = compile(source, filename, "exec")
    return importlib._bootstrap_external._code_to_hash_pyc(code, b"\0" * 8, checked=False)


def _extras(case, folder, marker):
    """Files some cases ship beside their modules."""
    tag = f"{marker}-{case.name}"
    if case.name == "pth_file":
        ran = f"open('/tmp/{tag}-' + __name__ + '-ran', 'w').close()\n"
        (folder / "hostile.pth").write_text(f"import os; {ran}", encoding="utf-8")
        for name in ("sitecustomize", "usercustomize", "conftest", "pytest", "grader"):
            (folder / f"{name}.py").write_text(f"# {tag}\n{ran}", encoding="utf-8")
        (folder / "numpy.py").write_text(f"# {tag}\n{ran}def allclose(*args, **kwargs):\n    return True\n",
                                         encoding="utf-8")
    if case.name == "symlink_reference":
        for module in case.modules:
            (folder / f"{module}.py").unlink()
            (folder / f"{module}.py").symlink_to(SOLUTIONS / f"{module}.py")
    if case.name == "conftest_in_submission":
        text = (HERE / case.name / "submission_conftest.py").read_text(encoding="utf-8")
        (folder / "conftest.py").write_text(text.replace('"HOSTILE-MARKER"', repr(tag)), encoding="utf-8")
    if case.name == "pycache_poison":
        (folder / "__pycache__").mkdir(exist_ok=True)
        for module in case.modules:
            data = unchecked_pyc(reference(module), str(folder / f"{module}.py"))
            (folder / "__pycache__" / f"{module}.{sys.implementation.cache_tag}.pyc").write_bytes(data)
            (folder / f"{module}.pyc").write_bytes(data)


def build(name, folder, marker):
    """Write the submission of case `name` into `folder` (created); returns the folder."""
    case = CASES[name]
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    if case.bad is not None:
        bad_module, data = case.bad
        for module in MODULES:
            (folder / f"{module}.py").write_text(reference(module) if module == honest_beside(bad_module)
                                                 else stub(module), encoding="utf-8")
        (folder / f"{bad_module}.py").write_bytes(data)
        return folder
    for module in MODULES:
        if module in case.modules and not case.folder:
            text = filled(module, case.body) + attack_text(case, marker)
            if case.top:
                text = _after_docstring(text, case.top.replace("MODULE", module))
        else:
            text = stub(module)
        (folder / f"{module}.py").write_text(text, encoding="utf-8")
    if case.folder:
        for path in (HERE / name).glob("*.py"):
            shutil.copy(path, folder / path.name)
    _extras(case, folder, marker)
    return folder


def _after_docstring(source, line):
    """`source` with `line` as the first statement after the module's docstring."""
    end = source.index('"""', source.index('"""') + 3) + 3
    return source[:end] + f"\n{line}\n" + source[end:]


def _bad_call(module, function, line):
    """The reference `module` with `line` as the first statement of `function` (a top-level def)."""
    source = reference(module)
    match = re.search(rf"^def {function}\(.*?\n(    \"\"\".*?\"\"\"\n)?", source, re.M | re.S)
    assert match, f"{module}.py has no function {function}"
    return (source[:match.end()] + f"    {line}\n" + source[match.end():]).encode("utf-8")


def _with_top(module, text):
    """The reference `module` with `text` added at its end (run at import)."""
    return (reference(module) + "\n\n" + text + "\n").encode("utf-8")


_STR_RAISES = ("class Unprintable(Exception):\n    def __str__(self):\n        raise RuntimeError('no str')\n\n\n"
               "class Unprintable2(Exception):\n    def __str__(self):\n        raise Unprintable()\n")

CASES = {case.name: case for case in [
    # --- reaching the reference --------------------------------------------------------------
    Case("ref_star_import", "reference", "network.py is `from solutions.network import *`", modules=("network",),
         folder=True),
    Case("ref_syspath", "reference", "every guessable course root on sys.path, then import solutions.<m> and "
         "coursekit.solutions"),
    Case("ref_walk_up", "reference", "walk up from __file__ and the working folder to solutions/<m>.py and exec it"),
    Case("ref_gc", "reference", "gc.get_objects(), sys.modules and the frames above for a reference module"),
    Case("ref_read_paths", "reference", "read ../solutions/<m>.py, /work/main/..., /autograder/source/..., "
         "/proc/<pid>/cwd/... and the grader's own files by path"),
    Case("ref_course_packages", "reference", "import grader, coursekit, coursekit.solutions.load, "
         "grader.loader.import_student_module on solutions/"),
    Case("ref_git", "reference", "git show HEAD:solutions/<m>.py and the loose objects of every .git in sight"),
    Case("symlink_reference", "reference", "network.py and data.py are symbolic links to solutions/'s files",
         body="return None"),
    Case("ref_find", "reference", "walk the whole filesystem for a copy of the reference (BEGIN SOLUTION)",
         modules=("network",)),
    # --- verdicts that are not passes ---------------------------------------------------------
    Case("skip_unittest", "verdict", "raise unittest.SkipTest in every function", modules=MODULES,
         body='raise __import__("unittest").SkipTest("hostile: nothing to grade here")'),
    Case("skip_pytest", "verdict", "pytest.skip() in every function",
         body='__import__("pytest").skip("hostile: skipped")'),
    Case("xfail_pytest", "verdict", "pytest.xfail() in every function",
         body='__import__("pytest").xfail("hostile: expected to fail")'),
    Case("exit_pytest", "verdict", "pytest.exit(returncode=0) in every function",
         body='__import__("pytest").exit("hostile: stop the run here", returncode=0)'),
    Case("skip_at_import", "verdict", "raise unittest.SkipTest / pytest.skip(allow_module_level=True) at the top "
         "of every module", body="return None",
         top='__import__("pytest").skip("hostile: skip MODULE", allow_module_level=True)'),
    Case("conftest_in_submission", "verdict", "ships a conftest.py that passes every test if the judge imports it",
         body="return None"),
    # --- patching from the student's module ----------------------------------------------------
    Case("patch_numpy", "patch", "np.allclose/isclose/array_equal/testing asserts always true"),
    Case("patch_builtins", "patch", "isinstance, callable, AssertionError, __import__, sys.exit replaced"),
    Case("patch_pytest", "patch", "pytest.fail/approx/raises and TestReport.passed patched; a fake grader.checks"),
    Case("patch_harness", "patch", "the runner's own Harness.answer patched to turn every error into None, "
         "the stand-ins' logs emptied"),
    # --- forging the channel --------------------------------------------------------------------
    Case("forge_stdout", "channel", "fake answer frames, worker JSON lines and PASSED lines on fd 1, then os._exit(0)"),
    Case("forge_channel", "channel", "fake answer frames on every writable pipe (the channel), then os._exit(0)"),
    # --- writing the results ------------------------------------------------------------------
    Case("write_results", "results", "results.json and scores.csv with full marks at every guessable path, "
         "at import and in every call", destructive=True),
    # --- processes ---------------------------------------------------------------------------------
    Case("detached_sleeper", "processes", "setsid + double fork; wakes after 8 s to rewrite results.json "
         "and scores.csv", modules=("network",), leaves=("sleeper",), destructive=True),
    Case("fork_chain", "processes", "a process that forks and exits every 5 ms for a minute",
         modules=("network",), leaves=("chain",), destructive=True),
    Case("leave_processes", "processes", "children that ignore SIGTERM/SIGHUP, one in its own session, "
         "a thread that never ends", modules=("network",), leaves=("ignores-signals", "own-session", "same-group"),
         destructive=True),
    # --- the course tree -------------------------------------------------------------------------
    Case("edit_course", "course", "append to, rewrite, delete grader/, solutions/, tests/, coursekit/ files; "
         "drop a conftest.py", modules=("network",), destructive=True),
    Case("pth_file", "course", ".pth, sitecustomize.py, usercustomize.py in site-packages; the submission "
         "ships a .pth and numpy.py, pytest.py, conftest.py, sitecustomize.py", modules=("network",),
         destructive=True),
    Case("pycache_poison", "bytecode", "ships __pycache__ and sourceless .pyc compiled from the reference; "
         "writes .pyc over the grader's and NumPy's caches", destructive=True),
    Case("mnist_cache", "mnist", "overwrite, truncate, replace, delete the MNIST cache (coursekit.mnist.cache_path())",
         modules=("network",), destructive=True),
    # --- classmates --------------------------------------------------------------------------------
    Case("kill_classmates", "classmates", "os.kill(-1, 9), every pid in /proc, pkill, killall: at import "
         "and in every call", modules=("network",), destructive=True),
    Case("read_classmates", "classmates", "find other submissions (--target of processes in sight, a walk of "
         "the filesystem) and run a classmate's network.py", modules=("network",)),
    # --- no free points ------------------------------------------------------------------------------
    Case("null", "no free points", "every function returns None, every method does nothing", body="return None",
         modules=MODULES),
    Case("constant_true", "no free points", "every function returns True, every method too", body="return True",
         modules=MODULES),
    Case("zeros_network", "no free points", "a Network that answers zeros of the right shapes, the rest stubs",
         modules=("network",), folder=True),
    # --- bad inputs (the other modules are the reference's) --------------------------------------------
    Case("bad_syntax", "bad input", "a syntax error in network.py",
         bad=("network", reference("network").replace("def forward(", "def forward(:", 1).encode())),
    Case("bad_deep_sum", "bad input", "RecursionError in the compiler: 1+1+...+1, 100000 deep, in functional.py",
         bad=("functional", _with_top("functional", "DEEP = " + "1+" * 100_000 + "1"))),
    Case("bad_deep_unary", "bad input", "MemoryError in the compiler: ---...-1, 100000 deep, in nn.py",
         bad=("nn", _with_top("nn", "DEEP = " + "-" * 100_000 + "1"))),
    Case("bad_nul", "bad input", "NUL bytes in data.py",
         bad=("data", reference("data").encode().replace(b"import numpy as np\n", b"import numpy as np\n\0\0\n", 1))),
    Case("bad_encoding", "bad input", "bytes that are not UTF-8 in further.py",
         bad=("further", reference("further").encode() + b"\nCAFE = \"caf\xe9\"\n")),
    Case("bad_empty", "bad input", "an empty training.py", bad=("training", b"")),
    Case("bad_interrupt_import", "bad input", "raise KeyboardInterrupt at import of network.py",
         bad=("network", _with_top("network", "raise KeyboardInterrupt"))),
    Case("bad_exit_import", "bad input", "sys.exit(3) at import of functional.py",
         bad=("functional", _with_top("functional", "import sys\nsys.exit(3)"))),
    Case("bad_interrupt_call", "bad input", "raise KeyboardInterrupt in data.py's one_hot",
         bad=("data", _bad_call("data", "one_hot", "raise KeyboardInterrupt"))),
    Case("bad_exit_call", "bad input", "raise SystemExit in data.py's to_features",
         bad=("data", _bad_call("data", "to_features", "raise SystemExit(0)"))),
    Case("bad_str_raises", "bad input", "an exception whose __str__ raises, from functional.py's sigma",
         bad=("functional", _with_top("functional", _STR_RAISES).replace(
             b"def sigma(x):\n", b"def sigma(x):\n    raise Unprintable2()\n", 1))),
    Case("bad_class_for_function", "bad input", "a class where a function is expected: data.py's one_hot",
         bad=("data", _with_top("data", "class one_hot:\n    def __init__(self, *args, **kwargs):\n"
                                        "        self.args = args\n"))),
]}

CHEATS = [name for name, case in CASES.items() if case.bad is None]
BAD_INPUTS = [name for name, case in CASES.items() if case.bad is not None]
