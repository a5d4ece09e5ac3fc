"""The runner: the only process that runs a student's code, and all that it holds.

    python -I -B harness.py STUDENT_DIR

It imports the student's modules from STUDENT_DIR and answers the judge's requests on its
standard input and output, one frame each way: import a module, read or set an attribute, call a
function or method, build one of the stand-ins below. What it answers is plain data (see
`Wire`): numbers, strings, booleans, None, numeric NumPy arrays, and lists, tuples and dicts of
these; any other object stays here and crosses as a numbered handle. Nothing crosses as a pickle,
so nothing the student's code makes can run in the judge.

This file imports only the standard library and NumPy: it is copied beside the student's files
into a sandbox that holds no other file of the course (grader/remote.py starts it). Whatever the
student's code raises, prints or returns becomes an answer; a verdict is never made here.
"""

import builtins
import faulthandler
import io
import json
import os
import signal
import struct
import sys
import threading
import time
import tokenize
import traceback
import warnings

import numpy as np

OUTPUT_LIMIT = 1_000_000  # characters a request's code may print (the judge's limit per test)
FILE_BYTES = 50_000_000  # the most this process may write to one file (its output file included)
MAX_DEPTH = 64  # nesting of lists, tuples and dicts in a value that crosses


# --- the wire: plain values, framed, without pickle ---------------------------------------------


BIT_GENERATORS = ("PCG64", "PCG64DXSM", "MT19937", "Philox", "SFC64")  # NumPy's own, rebuilt from a state


class Unsendable(Exception):
    """A value that cannot cross as plain data (the judge's side: a grader bug)."""


class Wire:
    """Plain values to and from frames: a JSON header, then the arrays as .npy bytes.

    The header's JSON keeps None, booleans, ints, floats (nan and inf too) and strings; a tuple is
    {"$t": [...]}, a dict {"$d": [[key, value], ...]} (keys of any plain kind, as the course's
    `weights[k]`), an array {"$a": i} and a NumPy scalar {"$s": i}, i the index of its .npy block
    (`np.save(..., allow_pickle=False)`). A NumPy random Generator crosses as a copy of its bit
    generator's state, {"$g": state}, rebuilt only for NumPy's own bit generators: a test can
    hand `rng` to a student's function, which draws from its copy. `other(value)` turns anything
    else into a header entry (a handle), or raises Unsendable; `resolve(entry)` turns such an
    entry back.
    """

    ARRAY_KINDS = "biufcSU"  # booleans and numbers (and strings); never objects

    def __init__(self, other=None, resolve=None):
        self.other = other
        self.resolve = resolve

    def dumps(self, value):
        blocks = []
        header = json.dumps(self._encode(value, blocks, 0)).encode("utf-8")
        parts = [struct.pack(">QI", len(header), len(blocks)), header]
        for block in blocks:
            parts += [struct.pack(">Q", len(block)), block]
        return b"".join(parts)

    def _encode(self, value, blocks, depth):
        if depth > MAX_DEPTH:
            raise Unsendable(f"it is nested more than {MAX_DEPTH} deep (does a list contain itself?)")
        kind = type(value)
        if value is None or kind in (bool, str):
            return value
        if kind is int:
            return value
        if kind is float:
            return value
        if isinstance(value, np.ndarray):
            if value.dtype.kind not in self.ARRAY_KINDS or value.dtype.fields is not None:
                return self._other(value, f"an array of dtype {value.dtype}, not of numbers")
            return {"$a": self._block(np.asarray(value), blocks)}
        if isinstance(value, np.generic):
            if value.dtype.kind not in self.ARRAY_KINDS:
                return self._other(value, f"a NumPy scalar of dtype {value.dtype}")
            return {"$s": self._block(np.asarray(value), blocks)}
        if kind is list:
            return [self._encode(item, blocks, depth + 1) for item in value]
        if kind is tuple:
            return {"$t": [self._encode(item, blocks, depth + 1) for item in value]}
        if kind is dict:
            return {"$d": [[self._encode(k, blocks, depth + 1), self._encode(v, blocks, depth + 1)]
                           for k, v in value.items()]}
        if kind is np.random.Generator and type(value.bit_generator).__name__ in BIT_GENERATORS:
            return {"$g": self._encode(value.bit_generator.state, blocks, depth + 1)}
        return self._other(value, f"a {kind.__name__}")

    def _other(self, value, what):
        if self.other is None:
            raise Unsendable(what)
        return self.other(value)

    @staticmethod
    def _block(array, blocks):
        buffer = io.BytesIO()
        np.save(buffer, array, allow_pickle=False)
        blocks.append(buffer.getvalue())
        return len(blocks) - 1

    def loads(self, header, blocks):
        arrays = [np.load(io.BytesIO(block), allow_pickle=False) for block in blocks]
        return self._decode(json.loads(header.decode("utf-8")), arrays)

    def _decode(self, entry, arrays):
        if isinstance(entry, list):
            return [self._decode(item, arrays) for item in entry]
        if not isinstance(entry, dict):
            return entry
        if "$a" in entry:
            return arrays[entry["$a"]]
        if "$s" in entry:
            return arrays[entry["$s"]][()]
        if "$t" in entry:
            return tuple(self._decode(item, arrays) for item in entry["$t"])
        if "$d" in entry:
            return {self._decode(k, arrays): self._decode(v, arrays) for k, v in entry["$d"]}
        if "$g" in entry:
            state = self._decode(entry["$g"], arrays)
            name = state.get("bit_generator") if isinstance(state, dict) else None
            if name not in BIT_GENERATORS:
                raise ValueError(f"not a NumPy bit generator: {name!r}")
            bits = getattr(np.random, name)()
            bits.state = state
            return np.random.Generator(bits)
        if self.resolve is None:
            raise ValueError(f"unexpected entry {sorted(entry)}")
        return self.resolve(entry)


def read_frame(stream):
    """(header bytes, [block bytes]) of the next frame, or None at the end of the stream."""
    head = _read_exactly(stream, 12)
    if head is None:
        return None
    size, count = struct.unpack(">QI", head)
    if size > 1 << 30 or count > 1 << 20:
        raise ValueError("a frame announced an impossible size")
    header = _read_exactly(stream, size)
    blocks = []
    for _ in range(count):
        length = struct.unpack(">Q", _read_exactly(stream, 8) or b"\0" * 8)[0]
        if length > 1 << 34:
            raise ValueError("a frame announced an impossible size")
        blocks.append(_read_exactly(stream, length) or b"")
    return header, blocks


def _read_exactly(stream, n):
    chunks, got = [], 0
    while got < n:
        chunk = stream.read(n - got)
        if not chunk:
            if got == 0:
                return None
            raise EOFError("the stream ended inside a frame")
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


# --- stand-ins the grader hands to student code --------------------------------------------------
#
# They only record: what the student's code called, with what, and what it found. The judge reads
# the record back as plain data (`record()`) and replays it with its checks and their messages
# (grader/test_training.py, grader/test_further.py); no verdict is made here.


def plain_number(value):
    """`value` as an int or float if it is a number (NumPy's included, or an array of one), else its
    repr: what the judge compares with the sizes and rates it expects, and shows when they differ."""
    if isinstance(value, np.ndarray) and value.size == 1 and value.dtype.kind in "biuf":
        value = value.reshape(-1)[0]
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value)
    return repr(value)[:200]


def first_column(values):
    """The examples' indices: column 0 of `values` (one row, or rows), as ints."""
    return [int(i) for i in np.atleast_2d(np.asarray(values, dtype=float))[:, 0]]


class TrainingRecorder:
    """A network stand-in for training.train (grader/test_training.py replays its record).

    weights[1] is (n, 2) and biases[1] is (2,); backprop() after forward() of examples I stores
    dJ/dW with 1 in the rows I and dJ/db = |I| in every entry, so that any step shows in the
    parameters which examples it used. Every call is logged with the parameters it found, as
    [call, weights[1], biases[1], indices, target indices]: "forward" (the features' and the
    targets' examples), "backprop" (the targets' examples), "update" and "updated" (before and
    after update() stepped).
    """

    def __init__(self, n):
        self.n = n
        self.loss = None
        self.output = None
        self.definition, self.n_layers = (n, 2), 1  # the parameters' shapes, not the features'
        self.weights, self.biases = {1: np.zeros((n, 2))}, {1: np.zeros(2)}
        self.weights_grad, self.biases_grad = {1: np.zeros((n, 2))}, {1: np.zeros(2)}
        self.log = []

    def _snapshot(self):
        """Copies of weights[1] and biases[1]. If the student's code replaced them by something else,
        the error is raised in the call that found them, as a network's own method would raise it."""
        return [np.array(self.weights[1], dtype=float), np.array(self.biases[1], dtype=float)]

    def _write(self, call, indices=None, target_indices=None):
        self.log.append([call, *self._snapshot(), indices, target_indices])

    def forward(self, features, targets):
        indices, target_indices = first_column(features), first_column(targets)
        self._write("forward", indices, target_indices)
        self.output = np.atleast_2d(np.asarray(targets, dtype=float)).copy()
        self.loss = float(np.sum(np.atleast_2d(np.asarray(features, dtype=float))[:, 1]))  # the batch's summed loss

    def backprop(self, targets):
        indices = first_column(targets)
        self._write("backprop", indices)
        weights_grad = np.zeros((self.n, 2))
        np.add.at(weights_grad, [i for i in indices if 0 <= i < self.n], 1.0)
        self.weights_grad = {1: weights_grad}  # new arrays, as the Network's backprop stores
        self.biases_grad = {1: np.full(2, float(len(indices)))}

    def update(self, learning_rate):
        self._write("update")
        self.weights[1] = self.weights[1] - learning_rate * np.asarray(self.weights_grad[1], dtype=float)
        self.biases[1] = self.biases[1] - learning_rate * np.asarray(self.biases_grad[1], dtype=float)
        self._write("updated")

    def compute_loss(self, targets):
        return self.loss

    def predict(self, features):
        return np.zeros(len(np.atleast_2d(features)), dtype=int)

    def record(self):
        """The log, and the parameters now as a last "end" entry (what went wrong reading them, in
        place of weights[1], if they are not arrays any more): plain data."""
        try:
            end = self._snapshot()
        except Exception as error:  # noqa: BLE001 (the student's code replaced them by something else)
            end = [f"{type(error).__name__}: {safe_str(error)}"[:300], None]
        return [list(entry) for entry in self.log] + [["end", *end, None, None]]


class FitRecorder:
    """A network and optimizer stand-in for further.fit: both write every call into one log,
    ["forward", indices, target indices], ["backprop", indices] or ["step", n, learning rate]."""

    def __init__(self):
        self.calls = []
        self.loss, self.output, self.learning_rate = None, None, 1.0
        self.weights, self.biases = {1: np.zeros((3, 2))}, {1: np.zeros(2)}
        self.weights_grad, self.biases_grad = {1: np.zeros((3, 2))}, {1: np.zeros(2)}

    def forward(self, features, targets):
        self.calls.append(["forward", first_column(features), first_column(targets)])
        self.output = np.array(np.atleast_2d(targets), dtype=float)
        self.loss = float(np.sum(np.atleast_2d(np.asarray(features, dtype=float))[:, 1]))

    def backprop(self, targets):
        self.calls.append(["backprop", first_column(targets)])

    def step(self, n):
        self.calls.append(["step", plain_number(n), plain_number(self.learning_rate)])

    def predict(self, features):
        return np.zeros(len(np.atleast_2d(features)), dtype=int)

    def record(self):
        return [list(call) for call in self.calls]


class Parameters:
    """A network's parameters and gradients only: what an optimizer reads and steps."""

    def __init__(self, weights, biases):
        self.weights = {k: np.array(W, dtype=float) for k, W in weights.items()}
        self.biases = {k: np.array(b, dtype=float) for k, b in biases.items()}
        self.weights_grad = {k: np.zeros_like(W) for k, W in self.weights.items()}
        self.biases_grad = {k: np.zeros_like(b) for k, b in self.biases.items()}


class Schedule:
    """A schedule for fit(): `offset + j` at step j, every j it was asked for kept in `asked`."""

    def __init__(self, offset):
        self.offset = offset
        self.asked = []

    def __call__(self, j):
        self.asked.append(plain_number(j))
        return self.offset + j


class CallWith:
    """`function(j, *rest)`: a student function with its other arguments fixed (a schedule)."""

    def __init__(self, function, *rest):
        self.function, self.rest = function, rest

    def __call__(self, j):
        return self.function(j, *self.rest)


def pixels(images):
    """MNIST images (N, 28, 28) of uint8 as the features of the end-to-end tests, (N, 784) float32 in
    [0, 1], made here: a quarter of the bytes cross than for the features themselves."""
    return np.asarray(images).reshape(len(images), -1).astype(np.float32) / 255


def one_hot(labels, classes):
    """Labels (N,) as one-hot float32 targets (N, classes), made here from the labels."""
    return np.eye(classes, dtype=np.float32)[np.asarray(labels)]


OPERATORS = {"add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b,
             "matmul": lambda a, b: a @ b, "neg": lambda a: -a}


def operate(name, *operands):
    """`a + b`, `a @ b`, `-a`... on the student's objects (autodiff.py's Tensors), done here: a proxy
    has no operators, so the judge asks for them by name (grader/test_autodiff.py's `Live`)."""
    return OPERATORS[name](*operands)


class ModelTrainer:
    """Mini-batch gradient descent on an autodiff.py Model, the loop a student writes, run here so
    that thousands of steps do not each cross the channel. It drives the student's code and
    judges nothing: the judge measures the model between epochs (grader/test_autodiff.py)."""

    def __init__(self, model, sgd_step):
        self.model, self.sgd_step = model, sgd_step

    def epoch(self, features, targets, batch_size, rates, seed):
        """A random order from default_rng(seed); per batch j `loss = model.loss(x, t)`,
        `loss.backward()`, `sgd_step(model.parameters(), rates[j], len(x))`. Returns the mean
        per-example loss (`plain_number` of it)."""
        order = np.random.default_rng(seed).permutation(len(features))
        total = 0.0
        for j, start in enumerate(range(0, len(features), batch_size)):
            batch = order[start:start + batch_size]
            x, t = features[batch], targets[batch]
            loss = self.model.loss(x, t)
            loss.backward()
            self.sgd_step(self.model.parameters(), float(rates[j]), len(x))
            total += float(np.asarray(loss.data, dtype=float).reshape(-1)[0])
        return plain_number(total / len(features))


STAND_INS = {cls.__name__: cls for cls in (TrainingRecorder, FitRecorder, Parameters, Schedule, CallWith,
                                             ModelTrainer)}
# Arrays and the student's own objects, not stand-ins: they cross as handles all the same.
STAND_INS.update(pixels=pixels, one_hot=one_hot, operate=operate)


# --- answering ---------------------------------------------------------------------------------


class CodeTimeout(BaseException):
    """The request ran past the time the judge gave it (BaseException: not swallowed by `except Exception`)."""


class CpuSpent(BaseException):
    """The request used the CPU time the judge gave it."""


class OutputFlood(Exception):
    """The student's code printed more than OUTPUT_LIMIT characters in one request."""


class InputCalled(RuntimeError):
    """Raised in place of input(): the grader has no keyboard to answer it."""


def _no_input(prompt=""):
    raise InputCalled(f"input({prompt!r}) was called, but the grader runs without a keyboard: "
                      "remove the input() call (pass values as arguments instead)")


class Capped:
    """A text stream that raises OutputFlood past OUTPUT_LIMIT characters since the last reset."""

    written = 0

    def __init__(self, stream):
        self._stream = stream

    def write(self, text):
        Capped.written += len(text)
        if Capped.written > OUTPUT_LIMIT:
            Capped.written = 0
            raise OutputFlood(f"your code printed more than {OUTPUT_LIMIT:,} characters in one test; "
                              "remove the print() calls inside loops")
        return self._stream.write(text)

    def __getattr__(self, name):
        return getattr(self._stream, name)


def safe_str(error):
    """str(error), or a sentence saying that str() itself failed."""
    try:
        return str(error)
    except BaseException as inner:  # noqa: BLE001 (student code: anything)
        return f"(the exception's str() raised {type(inner).__name__})"


def where_in(tb, folder):
    """'file:line in function(): text' of the innermost traceback frame inside `folder`, or None."""
    inside = os.path.join(os.path.realpath(folder), "")
    found = None
    for frame, lineno in traceback.walk_tb(tb):
        filename = frame.f_code.co_filename
        if os.path.isabs(filename) and os.path.realpath(filename).startswith(inside):
            found = filename, lineno, frame.f_code.co_name
    if found is None:
        return None
    filename, lineno, function = found
    import linecache

    text = linecache.getline(filename, lineno).strip()
    return f"{filename}:{lineno} in {function}()" + (f": {text}" if text else "")


class Harness:
    """Answers the judge's requests, one at a time, for as long as the judge writes them."""

    def __init__(self, folder, requests, answers):
        self.folder = os.path.realpath(folder)
        self.requests, self.answers = requests, answers
        self.objects = {}  # handle -> object
        self.modules = {}  # name -> module
        self.wire = Wire(other=self._handle, resolve=self._resolve)

    # handles
    def _handle(self, value):
        if isinstance(value, StandIn):
            value = value.value
        key = len(self.objects) + 1
        self.objects[key] = value
        return {"$h": key, "type": _type_name(value), "callable": callable(value), "class": isinstance(value, type)}

    def _resolve(self, entry):
        if "$r" in entry:
            return self._target(entry["$r"])
        raise ValueError(f"unexpected entry {sorted(entry)}")

    def _target(self, ref):
        if isinstance(ref, str):
            return self.import_module(ref)
        if ref not in self.objects:
            raise LookupError("this object belongs to an earlier run of your code, which ended")
        return self.objects[ref]

    # imports
    def import_module(self, name):
        if name in self.modules:
            return self.modules[name]
        import importlib.util

        path = os.path.join(self.folder, f"{name}.py")
        if not os.path.isfile(path):
            raise ImportProblem(f"{path} does not exist: the module {name}.py is missing from {self.folder}")
        problem = compile_problem(path)
        if problem:
            raise ImportProblem(problem)
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        try:
            spec.loader.exec_module(module)
        except BaseException:
            sys.modules.pop(name, None)
            raise
        self.modules[name] = module
        return module

    # the loop
    def serve(self):
        while True:
            frame = read_frame(self.requests)
            if frame is None:
                return
            try:
                request = self.wire.loads(*frame)
            except Exception as error:  # noqa: BLE001
                self.send({"error": {"kind": "grader", "type": type(error).__name__, "message": safe_str(error)}})
                continue
            self.send(self.answer(request))

    def send(self, answer):
        try:
            data = self.wire.dumps(answer)
        except BaseException as error:  # noqa: BLE001 (a value that cannot cross: the student's)
            data = self.wire.dumps({"error": {"kind": "unsendable", "type": type(error).__name__,
                                              "message": safe_str(error)}})
        self.answers.write(data)
        self.answers.flush()

    def answer(self, request):
        op = request.get("op")
        if op == "reset":
            self.objects.clear()
            return {"value": None}
        Capped.written = 0
        caught = []
        cpu_before = time.process_time()
        try:
            with warnings.catch_warnings(record=True) as caught, \
                    np.errstate(**request.get("errstate") or {}), \
                    limits(request.get("seconds"), request.get("cpu_seconds"), request.get("signals", True)):
                warnings.simplefilter("always")
                value = self.run(op, request)
            answer = {"value": value}
        except ImportProblem as problem:
            answer = {"error": {"kind": "import", "type": "ImportError", "message": str(problem)}}
        except BaseException as error:  # noqa: BLE001 (student code: anything, KeyboardInterrupt included)
            answer = {"error": self.describe(error, op)}
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
        answer["cpu"] = time.process_time() - cpu_before
        answer["warnings"] = [[w.category.__name__, safe_str(w.message)] for w in caught or []
                              if isinstance(w.category, type)]
        return answer

    def describe(self, error, op):
        kind = {CodeTimeout: "timeout", CpuSpent: "cpu", OutputFlood: "flood", InputCalled: "input",
                SystemExit: "exit", KeyboardInterrupt: "keyboard"}.get(type(error), "raised")
        described = {"kind": kind, "type": type(error).__name__, "message": safe_str(error),
                     "place": where_in(error.__traceback__, self.folder), "import": op == "import",
                     "bases": [cls.__name__ for cls in type(error).__mro__ if cls.__module__ == "builtins"]}
        if isinstance(error, OSError) and isinstance(error.errno, int):
            described["errno"] = error.errno  # EFBIG: past the file-size limit; ENOMEM (grader.results)
        if kind == "exit":
            try:
                described["code"] = repr(error.code)
            except BaseException:  # noqa: BLE001
                described["code"] = "?"
        return described

    def run(self, op, request):
        if op == "import":
            self.import_module(request["name"])
            return None
        if op == "build":
            return StandIn(STAND_INS[request["kind"]](*request.get("args", ()), **request.get("kwargs", {})))
        target = self._target(request["target"])
        if op == "getattr":
            return getattr(target, request["name"])
        if op == "setattr":
            setattr(target, request["name"], request["value"])
            return None
        if op == "call":
            return target(*request.get("args", ()), **request.get("kwargs", {}))
        if op == "method":  # a method call on the object, in one request
            return getattr(target, request["name"])(*request.get("args", ()), **request.get("kwargs", {}))
        if op == "getitem":
            return target[request["key"]]
        if op == "setitem":
            target[request["key"]] = request["value"]
            return None
        if op == "len":
            return len(target)
        if op == "list":
            return list(target)
        raise ValueError(f"unknown request {op!r}")


class StandIn:
    """Wraps a new stand-in, so that it crosses as a handle however plain it looks."""

    def __init__(self, value):
        self.value = value


class ImportProblem(Exception):
    """The student's module cannot be imported; the message names the file and line."""


def compile_problem(path):
    """One line saying why Python cannot compile the file at `path` (a syntax error and its line,
    a NUL byte, nesting too deep, bytes that are not UTF-8), or None when it can."""
    with open(path, "rb") as handle:
        raw = handle.read()
    source = raw.decode("utf-8", errors="replace")
    try:
        compile(source, path, "exec")
    except SyntaxError as error:
        text = f": {error.text.strip()}" if error.text else ""
        line = error.lineno
        if line is None and "\0" in source:  # Python names no line for a NUL byte
            line = source.count("\n", 0, source.index("\0")) + 1
        return f"{path}:{line or 1}: syntax error, {error.msg}{text}"
    except (ValueError, RecursionError, MemoryError) as error:
        return f"{path}: Python cannot compile this file: {type(error).__name__}: {safe_str(error)}"
    try:
        raw.decode(tokenize.detect_encoding(io.BytesIO(raw).readline)[0])
    except (SyntaxError, LookupError, UnicodeDecodeError) as error:
        start = getattr(error, "start", 0)
        line = raw.count(b"\n", 0, start) + 1
        return f"{path}:{line}: the file is not UTF-8 text ({safe_str(error)}): save it as UTF-8"
    return None


def _type_name(value):
    return type(value).__name__


class limits:
    """At most `seconds` of wall-clock time and `cpu_seconds` of CPU time for the block.

    With SIGALRM (Linux, macOS) interval timers interrupt student code with an exception whose
    traceback says where it was; without it (Windows) a timer thread interrupts the main thread as
    Ctrl-C would. Either way the judge kills this process if the code swallows the interruption.
    """

    def __init__(self, seconds, cpu_seconds, signals=True):
        self.seconds, self.cpu_seconds = seconds, cpu_seconds
        self.signals = signals and hasattr(signal, "setitimer")  # the judge may have none (Windows, or its test)
        self.timer = None

    def __enter__(self):
        if self.signals:
            if self.seconds:
                signal.signal(signal.SIGALRM, _raise(CodeTimeout))
                signal.setitimer(signal.ITIMER_REAL, max(self.seconds, 0.001))
            if self.cpu_seconds:
                signal.signal(signal.SIGPROF, _raise(CpuSpent))
                signal.setitimer(signal.ITIMER_PROF, max(self.cpu_seconds, 0.001))
        elif self.seconds:
            import _thread

            self.fired = False

            def fire():
                self.fired = True
                _thread.interrupt_main()

            self.timer = threading.Timer(self.seconds, fire)
            self.timer.daemon = True
            self.timer.start()
        return self

    def __exit__(self, kind, error, tb):
        if self.signals:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.setitimer(signal.ITIMER_PROF, 0)
        if self.timer is not None:
            self.timer.cancel()
            if kind is KeyboardInterrupt and self.fired:
                raise CodeTimeout().with_traceback(tb) from None  # the traceback says where the code was
        return False


def _raise(kind):
    def handler(signum, frame):
        raise kind()
    return handler


def limit_file_size(limit=FILE_BYTES):
    """At most `limit` bytes in any file written, no core dumps, and, where the judge gives this
    runner a user id of its own (GRADER_MAX_PROCESSES), at most that many processes and threads
    for that user: a fork bomb fails with an error instead of filling the machine."""
    try:
        import resource
    except ImportError:
        return
    limits = [(resource.RLIMIT_FSIZE, limit), (resource.RLIMIT_CORE, 0)]
    if os.environ.get("GRADER_MAX_PROCESSES", "").isdigit() and hasattr(resource, "RLIMIT_NPROC"):
        limits.append((resource.RLIMIT_NPROC, int(os.environ["GRADER_MAX_PROCESSES"])))
    for which, value in limits:
        try:
            soft, hard = resource.getrlimit(which)
            if hard == resource.RLIM_INFINITY or hard > value:
                resource.setrlimit(which, (value, value))
        except (ValueError, OSError):
            pass


CRASH_LOG = None


def main(argv):
    folder = argv[1]
    # The channel is this process's own copy of stdin and stdout; fds 0, 1 and 2 become what the
    # student's code reads and prints to (nothing, and the output file the judge reads).
    requests = os.fdopen(os.dup(0), "rb", buffering=0)
    answers = os.fdopen(os.dup(1), "wb")
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(2, 1)
    sys.stdin = open(os.devnull, encoding="utf-8")
    sys.stdout = Capped(io.TextIOWrapper(os.fdopen(1, "wb", buffering=0, closefd=False), encoding="utf-8",
                                         errors="replace", write_through=True))
    sys.stderr = Capped(io.TextIOWrapper(os.fdopen(2, "wb", buffering=0, closefd=False), encoding="utf-8",
                                         errors="replace", write_through=True))
    builtins.input = _no_input
    # A crash (a segfault in an extension, a signal) writes where the code was into the output
    # file; the judge reads it back (grader/remote.py, Runner._crash_place).
    global CRASH_LOG
    CRASH_LOG = os.fdopen(2, "wb", buffering=0, closefd=False)  # kept alive: faulthandler writes to its fd
    faulthandler.enable(file=CRASH_LOG)
    limit_file_size()
    sys.path[:] = [os.path.realpath(folder)] + [p for p in sys.path if p and os.path.realpath(p) != os.getcwd()]
    sys.dont_write_bytecode = True
    os.chdir(folder)
    harness = Harness(folder, requests, answers)
    harness.send({"ready": sys.version})  # before any student code: a runner that cannot start is the grader's problem
    harness.serve()


if __name__ == "__main__":
    main(sys.argv)
