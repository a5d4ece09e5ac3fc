"""The judge's side of the runner: the student's code runs in another process, contained.

The tests, the reference solutions, the diagnoses and every result stay in the judge (the
pytest process). The student's modules are imported only in the runner (grader/harness.py),
a process started from a folder holding copies of the student's module files and the harness,
nothing else. `student.Network((784, 30, 10))` in a test returns a `Remote`: a proxy whose
attribute reads, attribute writes and calls are requests to the runner. Only plain values come
back (numbers, strings, booleans, None, numeric arrays, and lists, tuples and dicts of them);
every other object the student's code makes stays in the runner and comes back as another proxy.
An exception from the student's code comes back as its type's name, its message and the line
where it was raised, and is raised here as a `StudentRaised` that is also the builtin exception
it derives from (so `except ValueError` in a test still catches the student's ValueError).

How the runner is contained (`containment()`, GRADER_CONTAINMENT chooses):

- "bwrap": Debian's bubblewrap. Its own mount, PID, network, IPC and user namespaces; only the
  Python installation, the student's copied files (read-only) and an empty private /tmp are
  there; it dies with the judge and takes every process it started along.
- "user": as root where bwrap cannot run (a Docker container such as Gradescope's): the runner
  is a user id of its own, which cannot read the course's solutions, tests or data, nor signal
  another student's runner; every process of that user id is killed when it ends.
- "process": elsewhere (a student's laptop, macOS, Windows) a plain separate process, in a
  process group of its own that is killed when it ends.
"""

import functools
import os
import queue
import re
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from pathlib import Path

import numpy as np

from coursekit import ROOT, course
from grader import processes
from grader.harness import Unsendable, Wire, read_frame
from grader.loader import IMPORT_SECONDS, InputCalled, StudentCodeError

HARNESS = Path(__file__).with_name("harness.py")
GRACE_SECONDS = 5  # past a request's limit, before a runner that swallowed its interruption is killed
SEND_FILE_BYTES = 5_000_000  # the largest module file copied into the runner
STARTUP_SECONDS = 60  # Python and NumPy start in well under a second; a loaded machine is slow
MAX_STARTS = 4  # a runner that ends this many times in one run is not started again
LEVELS = {
    "bwrap": "bubblewrap sandbox (no network, no course files, its own processes)",
    "user": "separate user (cannot read the course files; its processes killed at the end)",
    "process": "separate process (not contained: for grading your own work)",
}


# --- what the judge raises for the student's code ---------------------------------------------


class StudentRaised(Exception):
    """The student's code raised an exception; `type_name`, `message` and `place` describe it."""

    def __init__(self, type_name, message, place=None):
        super().__init__(message)
        self.type_name, self.message, self.place = type_name, message, place

    def __str__(self):
        return self.message


class CodeTimeout(BaseException):
    """The student's code ran past the time it had (BaseException, as the plugin's TestTimeout)."""

    def __init__(self, place=None, swallowed=False):
        super().__init__(place)
        self.place, self.swallowed = place, swallowed


class CpuSpent(Exception):
    """The student's code used the CPU time a `cpu_budget` gave it."""


class StudentExit(Exception):
    """The student's code called sys.exit() or raised SystemExit."""

    def __init__(self, code, place=None):
        super().__init__(code)
        self.code, self.place = code, place


class OutputFlood(Exception):
    """The student's code printed more than the grader allows in one test."""

    def __init__(self, message, place=None):
        super().__init__(message)
        self.place = place


class RunnerEnded(Exception):
    """The runner's process ended in the middle of a request (os._exit, a crash, a limit); `cause`,
    grader.results' word for it ("crash", or "output-flood" past the file-size limit)."""

    def __init__(self, message, cause="crash"):
        super().__init__(message)
        self.cause = cause


@functools.lru_cache(maxsize=256)
def _exception_class(type_name, base_name):
    """A StudentRaised that is also the builtin exception `base_name` (ValueError, KeyError...)."""
    import builtins

    base = getattr(builtins, base_name, None)
    bases = (StudentRaised,)
    if isinstance(base, type) and issubclass(base, Exception) and base is not Exception:
        bases = (StudentRaised, base)
    try:
        return type(type_name, bases, {"__module__": "student"})
    except TypeError:  # a builtin whose layout cannot be mixed in (OSError's family)
        return type(type_name, (StudentRaised,), {"__module__": "student"})


# --- proxies ----------------------------------------------------------------------------------


class Remote:
    """An object of the student's that lives in the runner. Reads, writes and calls are requests.

    Only attribute names without a leading double underscore are asked for: NumPy and Python
    probe objects for `__array__` and the like, which a proxy must not turn into requests.
    """

    __slots__ = ("_runner", "_ref", "_generation")

    def __init__(self, runner, ref):
        object.__setattr__(self, "_runner", runner)
        object.__setattr__(self, "_ref", ref)
        object.__setattr__(self, "_generation", runner.generation)

    def _ask(self, op, **fields):
        return self._runner.request(op, target=self._ref, generation=self._generation, **fields)

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return self._ask("getattr", name=name)

    def __setattr__(self, name, value):
        self._ask("setattr", name=name, value=value)

    def __call__(self, *args, **kwargs):
        return self._ask("call", args=list(args), kwargs=kwargs)

    def __getitem__(self, key):
        return self._ask("getitem", key=key)

    def __setitem__(self, key, value):
        self._ask("setitem", key=key, value=value)

    def __len__(self):
        return self._ask("len")

    def __iter__(self):
        return iter(self._ask("list"))

    def __repr__(self):
        return f"<your {type(self).__name__}>"


@functools.lru_cache(maxsize=512)
def _proxy_class(type_name, is_class=False):
    """A Remote subclass named as the student's type, so that messages say `generator`, `Network`;
    `is_class(proxy)` says whether the student's object is itself a class."""
    return type(type_name, (Remote,), {"__slots__": (), "__module__": "student", "_student_class": is_class})


def is_class(value):
    """Whether `value`, a proxy, stands for a class of the student's (a class where the exercise
    wants a function, or the other way round, gets a message of its own)."""
    return isinstance(value, Remote) and type(value).__dict__.get("_student_class", False) is True


class RemoteModule(Remote):
    """The student's module `name` in the runner: `student.sigma(x)` is a request.

    It is named, not numbered: after the runner ends (os._exit in one test), the next test's
    requests start a new runner, which imports the module again.
    """

    __slots__ = ()

    def _ask(self, op, **fields):
        return self._runner.request(op, target=self._ref, **fields)

    def __repr__(self):
        return f"<your module {self._ref}>"


# --- containment -------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def containment():
    """'bwrap', 'user' or 'process': the strongest containment this machine allows (GRADER_CONTAINMENT
    asks for one; a level that cannot be had here falls back to the next)."""
    wanted = os.environ.get("GRADER_CONTAINMENT", "auto").strip().lower() or "auto"
    if wanted in ("auto", "bwrap") and _bwrap_works():
        return "bwrap"
    if wanted in ("auto", "bwrap", "user") and _user_works():
        return "user"
    return "process"


def _bwrap_works():
    bwrap = shutil.which("bwrap")
    if not bwrap or not sys.platform.startswith("linux"):
        return False
    try:
        probe = subprocess.run([bwrap, *_bwrap_options(), "--", sys.executable, "-I", "-c", "pass"],
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               timeout=30)
    except (OSError, subprocess.SubprocessError):
        return False
    return probe.returncode == 0


def _user_works():
    """As root on POSIX, whether Python and NumPy run as another user id (not where Python lives
    in a folder only root may enter, such as /root)."""
    if not (os.name == "posix" and hasattr(os, "geteuid") and os.geteuid() == 0):
        return False
    try:
        probe = subprocess.run([sys.executable, "-I", "-c", "import numpy"], user=UID_FIRST - 1,
                               group=UID_FIRST - 1, extra_groups=[], cwd="/", stdin=subprocess.DEVNULL,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return False
    return probe.returncode == 0


def _bound_paths():
    """The folders the runner needs, read-only: the Python installation, its packages, NumPy."""
    paths = {Path(sys.base_prefix), Path(sys.prefix), Path(np.__file__).resolve().parent.parent,
             Path(os.path.realpath(sys.executable)).parent}
    if sys.base_prefix.startswith("/usr/"):
        paths.discard(Path(sys.base_prefix))
    kept = []
    for path in sorted({p.resolve() for p in paths if p.exists()}, key=lambda p: len(p.parts)):
        if path == Path("/") or any(path.is_relative_to(k) for k in kept):
            continue
        kept.append(path)
    return kept


def _hidden_paths():
    """Folders that must not be seen from the runner even where a bound folder holds them."""
    from coursekit import mnist

    hidden = [ROOT.resolve(), Path(tempfile.gettempdir()).resolve()]
    try:
        hidden.append(mnist.cache_path().resolve().parent)
    except Exception:  # noqa: BLE001 (no cache configured: nothing to hide)
        pass
    return hidden


def _bwrap_options():
    options = ["--unshare-all", "--unshare-user", "--uid", "65534", "--gid", "65534", "--die-with-parent",
               "--new-session", "--cap-drop", "ALL",
               "--ro-bind", "/usr", "/usr",
               # first, so that a Python installation under /tmp (a course cloned there) is bound on top
               "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"]
    for name in ("bin", "lib", "lib32", "lib64", "sbin"):
        path = Path("/") / name
        if path.is_symlink():
            options += ["--symlink", os.readlink(path), str(path)]
        elif path.is_dir():
            options += ["--ro-bind", str(path), str(path)]
    bound = _bound_paths()
    for path in bound:
        if not path.is_relative_to("/usr"):
            options += ["--ro-bind", str(path), str(path)]
    for secret in _hidden_paths():
        if any(secret.is_relative_to(path) and secret != path for path in bound):
            options += ["--tmpfs", str(secret)]
    options += ["--clearenv",
                "--setenv", "OPENBLAS_NUM_THREADS", "1", "--setenv", "HOME", "/tmp",
                "--setenv", "PATH", "/usr/bin:/bin", "--setenv", "PYTHONHASHSEED", "0"]
    return options


# --- user ids for the "user" level --------------------------------------------------------------

UID_FIRST, UID_COUNT = 61_000, 1_000
# One folder of lock files for the whole machine, whatever TMPDIR each grader has: two graders
# that gave the same user id to two students' runners would let one read and kill the other's.
LOCKS = Path("/run/nncourse-runner-uids" if os.path.isdir("/run") and os.access("/run", os.W_OK)
             else "/tmp/nncourse-runner-uids")


def _locks_folder():
    """LOCKS, made by root and for root only; one made by anyone else is removed first."""
    try:
        found = os.lstat(LOCKS)
    except FileNotFoundError:
        found = None
    if found is not None and not (stat.S_ISDIR(found.st_mode) and found.st_uid == os.geteuid()
                                  and not found.st_mode & 0o077):
        if stat.S_ISDIR(found.st_mode):
            shutil.rmtree(LOCKS, ignore_errors=True)
        else:
            os.unlink(LOCKS)
    _locks_folder()
    return LOCKS


def _claim_uid():
    """A user id no other runner on this machine holds now (a lock file per id)."""
    LOCKS.mkdir(mode=0o700, exist_ok=True)
    start = os.getpid() % UID_COUNT
    for step in range(UID_COUNT):
        uid = UID_FIRST + (start + step) % UID_COUNT
        lock = LOCKS / str(uid)
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        except FileExistsError:
            try:
                holder = int(lock.read_text() or 0)
                os.kill(holder, 0)
                continue
            except (ValueError, ProcessLookupError):
                lock.unlink(missing_ok=True)  # its judge is gone
                continue
            except OSError:
                continue
        os.write(fd, str(os.getpid()).encode())
        os.close(fd)
        return uid
    raise RuntimeError("no free user id for the runner")


SHARED_BASE = Path("/tmp/nncourse-runners")  # the "user" level's runner folders, where TMPDIR is closed to others


def _work_base(level):
    """Where a runner's folder is made: the temporary folder, unless the runner runs as another
    user who could not reach it (a TMPDIR inside a folder only root may enter); then SHARED_BASE,
    owned by root and mode 0711 (others may pass through it, not list or write it), made before
    any runner starts, so that no student's code could have made it first."""
    base = Path(tempfile.gettempdir()).resolve()
    if level != "user" or all(folder.stat().st_mode & 0o001 for folder in (base, *base.parents)):
        return base
    try:
        found = os.lstat(SHARED_BASE)
    except FileNotFoundError:
        found = None
    if found is not None and not (stat.S_ISDIR(found.st_mode) and found.st_uid == 0 and not found.st_mode & 0o022):
        if stat.S_ISDIR(found.st_mode):
            shutil.rmtree(SHARED_BASE, ignore_errors=True)  # not ours: whoever made it cannot keep it
        else:
            os.unlink(SHARED_BASE)
        found = None
    if found is None:
        SHARED_BASE.mkdir(mode=0o711, exist_ok=True)
    os.chown(SHARED_BASE, 0, 0)
    SHARED_BASE.chmod(0o711)
    return SHARED_BASE


USER_PROCESSES = 64  # the "user" level's cap on a runner's processes and threads (RLIMIT_NPROC)


def _kill_uid(uid):
    """Kill every process running as `uid`, and remove what it left in the shared temporary folders.

    `kill -KILL -1` run as that user signals all of the user's processes in one pass of the
    kernel's process list, which a chain of forks cannot outrun; /proc is read afterwards (and is
    the only way where `kill` is missing) for anything left.
    """
    kill = shutil.which("kill") or ("/bin/kill" if Path("/bin/kill").exists() else None)
    if kill:
        try:
            subprocess.run([kill, "-KILL", "-1"], user=uid, group=uid, extra_groups=[], cwd="/",
                           stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           timeout=30)
        except (OSError, subprocess.SubprocessError):
            pass
    for _ in range(20):
        found = []
        for entry in Path("/proc").iterdir() if Path("/proc").is_dir() else []:
            if not entry.name.isdigit():
                continue
            try:
                if entry.stat().st_uid == uid:
                    found.append(int(entry.name))
            except OSError:
                continue
        if not found:
            break
        for pid in found:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        time.sleep(0.02)
    for shared in ("/tmp", "/var/tmp", "/dev/shm"):  # the only folders such a user can write to
        try:
            entries = list(os.scandir(shared))
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.stat(follow_symlinks=False).st_uid != uid:
                    continue
                if entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(entry.path, ignore_errors=True)
                else:
                    os.unlink(entry.path)
            except OSError:
                pass


def _protect_course():
    """Make the course unreadable to other users (the "user" level), and leave it so.

    The course's folder keeps only its `x` bit for others (they may pass through it, not list
    it), so that a Python installation inside it (`.venv/`) still runs as the runner's user; every
    other entry at its top (solutions/, grader/, tests/, .git/, docs/, site/, exercises/, ...)
    and the MNIST cache's folder lose every permission for others.
    """
    from coursekit import mnist

    needed = _bound_paths()
    private = [path for path in ROOT.iterdir()
               if not any(path.resolve() == need or need.is_relative_to(path.resolve()) for need in needed)]
    try:
        private.append(mnist.cache_path().parent)
    except Exception:  # noqa: BLE001
        pass
    for path, keep in [(ROOT, 0o001), *((path, 0) for path in private)]:
        try:
            mode = path.lstat().st_mode
            if not stat.S_ISLNK(mode) and mode & 0o007 & ~keep:
                path.chmod(stat.S_IMODE(mode) & ~(0o007 & ~keep))  # only ever takes permissions away
        except OSError:
            pass


# --- the runner ----------------------------------------------------------------------------------


class Runner:
    """One runner process for the student's folder `target`, started on first use and again after it ends."""

    def __init__(self, target):
        self.target = Path(target).resolve()
        self.level = containment()
        self.process = None
        self.generation = 0
        self.starts = 0
        self.work = None
        self.uid = None
        self.output = None
        self.output_at = 0
        self.answers = None
        self.pid = os.getpid()
        self.last_end = None  # how the last runner ended, for the message

    # starting and stopping
    def _copy_files(self, folder):
        """Copies of the student's module files: regular files only, never links (which could
        point at the course's own files), and never the rest of the folder (a `.pth`, bytecode)."""
        folder.mkdir()
        for name in course.MODULES:
            source = self.target / f"{name}.py"
            try:
                info = os.lstat(source)
            except OSError:
                continue
            import stat

            if not stat.S_ISREG(info.st_mode) or info.st_size > SEND_FILE_BYTES:
                continue
            flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0)
            fd = os.open(source, flags)
            with os.fdopen(fd, "rb") as handle:
                (folder / f"{name}.py").write_bytes(handle.read())

    def start(self):
        if self.starts >= MAX_STARTS:
            raise StudentCodeError(f"not run: your code ended the process that runs it {self.starts} times "
                                   "in this run (os._exit, a crash, or output past the limit): fix that first")
        self.close()
        self.starts += 1
        self.generation += 1
        self.work = Path(tempfile.mkdtemp(prefix="nncourse-runner-", dir=_work_base(self.level)))
        student = self.work / "student"
        self._copy_files(student)
        shutil.copyfile(HARNESS, self.work / "harness.py")
        self.output = open(self.work / "output.log", "w+b")
        self.output_at = 0
        python = sys.executable
        env = {"OPENBLAS_NUM_THREADS": "1", "PYTHONHASHSEED": "0", "PYTHONIOENCODING": "utf-8"}
        for name in ("PATH", "SYSTEMROOT", "TEMP", "TMP"):  # Windows needs SYSTEMROOT to start Python
            if name in os.environ:
                env[name] = os.environ[name]
        options = dict(stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.output, env=env)
        if self.level == "bwrap":
            command = ["bwrap", *_bwrap_options(), "--ro-bind", str(student), "/student",
                       "--ro-bind", str(self.work / "harness.py"), "/harness/harness.py",
                       "--chdir", "/student", "--", python, "-I", "-B", "/harness/harness.py", "/student"]
        else:
            command = [python, "-I", "-B", str(self.work / "harness.py"), str(student)]
            options["cwd"] = str(student)
            if self.level == "user":
                _protect_course()
                self.uid = self.uid or _claim_uid()
                for path in (self.work, student, student.parent / "harness.py", *student.iterdir()):
                    os.chown(path, self.uid, self.uid)
                os.chmod(self.work, 0o700)
                env["HOME"] = str(self.work)
                env["GRADER_MAX_PROCESSES"] = str(USER_PROCESSES)  # processes and threads of this user id
                options.update(user=self.uid, group=self.uid, extra_groups=[], umask=0o077)
        self.process = processes.start(command, **options)
        self.answers = queue.Queue()
        reader = threading.Thread(target=self._read, args=(self.process.stdout, self.answers), daemon=True)
        reader.start()
        try:
            frame = self.answers.get(timeout=STARTUP_SECONDS)
        except queue.Empty:
            frame = None
        if not isinstance(frame, tuple):
            self.output.seek(0)
            said = self.output.read(2000).decode("utf-8", errors="replace").strip()
            self.close()
            raise RuntimeError(f"the grader could not start the process that runs student code "
                               f"(containment {self.level}): {said or 'no output'}")

    @staticmethod
    def _read(stream, answers):
        try:
            while True:
                frame = read_frame(stream)
                answers.put(frame)
                if frame is None:
                    return
        except Exception as error:  # noqa: BLE001 (a frame the student's code garbled)
            answers.put(error)

    def close(self):
        """End the runner and everything it started; remove its folder."""
        process, self.process = self.process, None
        if process is not None:
            try:
                process.stdin.close()
            except OSError:
                pass
            processes.kill(process)
            self.last_end = process.returncode
        if self.uid is not None:
            _kill_uid(self.uid)
        if self.output is not None:
            self.output.close()
            self.output = None
        if self.work is not None:
            shutil.rmtree(self.work, ignore_errors=True)
            self.work = None

    def release(self):
        """close(), and give back the user id."""
        self.close()
        if self.uid is not None:
            (LOCKS / str(self.uid)).unlink(missing_ok=True)
            self.uid = None

    # requests
    def module(self, name):
        """The student's module `name`, imported in the runner; StudentCodeError if it cannot be."""
        try:
            self.request("import", name=name, seconds=IMPORT_SECONDS)
        except StudentCodeError:
            raise
        except (StudentRaised, CodeTimeout, StudentExit, OutputFlood, RunnerEnded, InputCalled,
                CpuSpent) as error:
            raise StudentCodeError(self._import_message(name, error)) from None
        return RemoteModule(self, name)

    def _import_message(self, name, error):
        path = self.target / f"{name}.py"
        place = getattr(error, "place", None) or str(path)
        if isinstance(error, CodeTimeout):
            return (f"{place}: importing the module did not finish in {IMPORT_SECONDS} s: is there an endless "
                    "loop, or long work, at the top level of the file? Put it under `if __name__ == \"__main__\":`")
        if isinstance(error, StudentExit):
            return f"{place}: the module called sys.exit({error.code}) while being imported"
        if isinstance(error, StudentRaised):
            return f"{place}: importing the module raised {error.type_name}: {error.message}"
        return f"{place}: importing the module failed: {error}"

    def build(self, kind, *args, **kwargs):
        """A stand-in of grader/harness.py (`TrainingRecorder`, `FitRecorder`...) made in the runner."""
        return self.request("build", kind=kind, args=list(args), kwargs=kwargs)

    def reset(self):
        """Forget the objects of earlier tests (their proxies then fail)."""
        if self.process is not None and self.process.poll() is None:
            self.request("reset")

    def request(self, op, generation=None, seconds=None, **fields):
        if os.getpid() != self.pid:
            raise RuntimeError("a runner belongs to the process that started it")
        if generation is not None and generation != self.generation:
            raise StudentCodeError("not run: this object was made by your code before its process ended "
                                   "(see the test that ended it)")
        if self.process is None or self.process.poll() is not None:
            if op not in ("import", "reset") and generation is not None:
                raise StudentCodeError("not run: your code's process ended earlier in this test")
            if op == "reset":
                return None
            self.start()
        budget = Budget.current
        # The judge's NumPy error state and whether it has timer signals (a Python without them, as
        # on Windows, is what tests/test_nosignals.py checks) go with every request.
        fields.update(op=op, errstate=dict(np.geterr()), signals=hasattr(signal, "setitimer"))
        limit = seconds if seconds is not None else Deadline.remaining()
        if limit is not None:
            fields["seconds"] = max(limit, 0.01)
        if budget is not None:
            fields["cpu_seconds"] = max(budget.remaining, 0.01)
        wire = Wire(other=self._reference)
        data = wire.dumps(fields)
        try:
            self.process.stdin.write(data)
            self.process.stdin.flush()
        except OSError:
            pass  # it ended: the wait below says how
        answer = self._wait(limit)
        self._forward_output()
        if budget is not None:
            budget.remaining -= float(answer.get("cpu") or 0.0)
        for category, message in answer.get("warnings") or ():
            kind = getattr(__import__("builtins"), str(category), None)
            if not (isinstance(kind, type) and issubclass(kind, Warning)):
                kind = UserWarning
            warnings.warn(str(message), kind, stacklevel=3)
        if "error" in answer:
            raise self._error(answer["error"], budget)
        return answer.get("value")

    def _reference(self, value):
        if isinstance(value, Remote) and value._runner is self:
            if value._generation != self.generation:
                raise StudentCodeError("not run: this object was made by your code before its process ended")
            return {"$r": value._ref}
        raise Unsendable(f"the grader cannot send a {type(value).__name__} to the student's process")

    def _resolve(self, entry):
        if "$h" in entry:
            cls = _proxy_class(str(entry.get("type", "object"))[:100], entry.get("class") is True)
            return cls(self, int(entry["$h"]))
        raise ValueError(f"unexpected entry {sorted(entry)}")

    def _wait(self, limit):
        """The runner's answer, waiting at most `limit` + GRACE_SECONDS (then it is killed)."""
        deadline = None if limit is None else time.monotonic() + limit + GRACE_SECONDS
        try:
            while True:
                try:
                    frame = self.answers.get(timeout=0.05)
                    break
                except queue.Empty:
                    if deadline is not None and time.monotonic() > deadline:
                        self.close()
                        raise CodeTimeout(swallowed=True) from None
        except BaseException:
            if self.process is not None:  # interrupted here (the test's own limit, Ctrl-C): it is in an unknown state
                self.close()
            raise
        if isinstance(frame, Exception) or frame is None:
            raise RunnerEnded(*self._ended())
        try:
            return Wire(resolve=self._resolve).loads(*frame)
        except Exception as error:  # noqa: BLE001
            self.close()
            raise RunnerEnded(f"your code wrote something unreadable where the grader reads its answers "
                              f"({type(error).__name__}); its process was ended") from None

    def _ended(self):
        """What to tell the test whose runner ended, and its cause (grader.results)."""
        process = self.process
        code = None
        if process is not None:
            try:
                code = process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                code = None
        if self.level == "bwrap" and code is not None and 128 < code < 128 + 65:
            code = 128 - code  # bwrap exits 128+N when the process it ran was killed by signal N
        where = self._crash_place()  # and what the code printed before it ended goes to the test's output
        self.close()
        how = processes.how_it_ended(code)
        if code is not None and code < 0 and "SIGXFSZ" in how:
            return (f"your code printed more than the grader allows, and its process was ended ({how}): "
                    "remove the print() calls inside loops"), "output-flood"
        if code is not None and code < 0:
            return f"your code crashed the grading process ({how}){where}", "crash"
        return f"your code ended the grading process ({how}: `os._exit`?){where}", "crash"

    def _crash_place(self):
        """' at FILE:LINE in NAME': the innermost place in the student's files of the traceback that
        Python's faulthandler wrote when the process crashed (grader/harness.py enables it), or ''.
        What the code printed before it goes to the test's output."""
        dump = self._forward_output()
        for path, line, name in re.findall(r'^\s*File "(.+)", line (\d+) in (\S+)', dump, re.M):
            place = self._place(path)
            if place and place != path:  # a file of the student's
                return f" at {place}:{line} in {name}"
        return ""

    def _forward_output(self):
        """What the student's code printed during the request, to this process's output (pytest
        captures it); returns the traceback faulthandler wrote after it, if the process crashed."""
        if self.output is None:
            return ""
        self.output.seek(self.output_at)
        text = self.output.read(400_000).decode("utf-8", errors="replace")
        self.output_at = self.output.seek(0, os.SEEK_END)
        printed, _, dump = text.partition("Fatal Python error:")
        if printed:
            try:
                sys.stdout.write(printed)
            except Exception:  # noqa: BLE001 (the plugin's cap raised: the runner's own cap is the one that counts)
                pass
        return dump

    def _place(self, place):
        """A place in the runner's copy of the files, as a place in the student's own folder."""
        if not place:
            return None
        for inside in ("/student/", str(self.work / "student") + os.sep if self.work else None):
            if inside and place.startswith(inside):
                return str(self.target / place[len(inside):])
        return place

    def _message(self, text):
        if not text:
            return text
        for inside in ("/student/", str(self.work / "student") + os.sep if self.work else None):
            if inside:
                text = text.replace(inside, str(self.target) + os.sep)
        return text

    def _error(self, error, budget):
        kind = error.get("kind")
        place = self._place(error.get("place"))
        message = self._message(str(error.get("message", "")))
        type_name = str(error.get("type", "Exception"))[:100]
        if kind == "import":
            return StudentCodeError(message)
        if kind == "timeout":
            return CodeTimeout(place)
        if kind == "cpu":
            return CpuSpent(budget.message if budget is not None else "your code used its CPU time")
        if kind == "flood":
            return OutputFlood(message, place)
        if kind == "input":
            error = InputCalled(message)
            error.place = place
            return error
        if kind == "exit":
            return StudentExit(str(error.get("code", "?")), place)
        if kind == "unsendable":
            return StudentRaised("UnsendableValue", "your code returned something the grader cannot read back "
                                 f"as plain data ({message}): return numbers, arrays, lists, tuples or dicts",
                                 None)
        if kind == "grader":
            return RuntimeError(f"the runner could not read the grader's request: {type_name}: {message}")
        bases = [str(name) for name in error.get("bases") or ()]
        base = next((name for name in bases if name not in ("BaseException", "Exception", "object")), "Exception")
        raised = _exception_class(type_name, base)(type_name, message, place)
        if isinstance(error.get("errno"), int):  # an OSError's number: what grader.results.cause_of reads
            raised.errno = error["errno"]
        return raised


# --- limits that cross: the test's deadline and a CPU budget ---------------------------------------


class Deadline:
    """The current test's end (set by the plugin), so that each request gets the time left."""

    end = None

    @classmethod
    def remaining(cls):
        return None if cls.end is None else cls.end - time.monotonic()


class Budget:
    """CPU seconds that the student's code may use over several requests (`with Budget(...)`)."""

    current = None

    def __init__(self, seconds, message):
        self.remaining, self.message = float(seconds), message

    def __enter__(self):
        Budget.current = self
        return self

    def __exit__(self, *exc):
        Budget.current = None
        return False


def build(module, kind, *args, **kwargs):
    """A stand-in of grader/harness.py, made in the runner of `module` (a RemoteModule)."""
    return module._runner.build(kind, *args, **kwargs)


def close_all():
    """End every runner this process started (before any result is written)."""
    for runner in list(_RUNNERS.values()):
        runner.release()
    _RUNNERS.clear()


_RUNNERS = {}


def runner_for(target):
    """The runner of this process for the folder `target`."""
    key = (os.getpid(), str(Path(target).resolve()))
    if key not in _RUNNERS:
        _RUNNERS[key] = Runner(target)
    return _RUNNERS[key]
