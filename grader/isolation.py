"""One process per module: nothing a module does can cost another module a point.

`pytest grader` collects every test as usual; then, instead of running them itself
(`Isolation.pytest_runtestloop`), it runs each module's tests in a child process

    python -m pytest grader/test_network.py --target DIR --grader-worker JOB.json ...

JOBS modules at a time. The child (`Worker`) runs only the tests listed in JOB.json and writes,
as JSON lines, each test's start, its reports and its outcome. The parent replays them to
pytest's own reporting in the collection's order, so the terminal, the grade table,
results.json and the exit status are what one process would give.

On Linux the child is instead forked from the parent once the tests are collected
(`fork_child`): it runs the same job, with the same events, on the items it inherits, without
starting Python, NumPy and pytest again or collecting anything; MNIST is read once, before the
first fork. GRADER_START=spawn (or fork) chooses; macOS and Windows always start a fresh
interpreter, since forking is unsafe or absent there.

The parent also watches each child: a child silent past a test's time limit plus the import
limit and the grace the child's own watchdog allows is killed (an endless loop that swallows
the interruption, or one in C code that no signal reaches), and a child that ends without
finishing (`os._exit`, a crash, a file-size or memory limit) has its test failed with what
happened and is started again on the module's remaining tests, up to MAX_STARTS times.
"""

import faulthandler
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

import pytest
from _pytest.reports import TestReport

from grader import loader, processes, remote, results
from grader.plugin import GRADING, HARD_STOP_SECONDS, SWALLOWED, module_of, seconds_for
from grader.submissions import grader_command

JOBS = 2  # modules graded at once (GRADER_JOBS overrides): the machines are small
MAX_STARTS = 3  # a module whose code ends its process more often than this is not graded further
STARTUP_SECONDS = 90  # a child that reports nothing this long after starting is stuck
MARGIN_SECONDS = 10  # on top of a test's limits, for a loaded machine
POLL_SECONDS = 0.02
FILE_BYTES = 1_000_000_000  # the most a child may write to one file


@pytest.hookimpl(trylast=True)  # after grader.plugin's, which set up config.stash[GRADING]
def pytest_configure(config):
    """Grade each module in a child process of its own (or, in such a child, run its job)."""
    if config.getoption("grader_worker"):
        config.pluginmanager.register(Worker(config), "grader-worker")
    elif not config.getoption("in_process"):
        config.pluginmanager.register(Isolation(config), "grader-isolation")


def start_method():
    """'fork' (Linux, unless GRADER_START=spawn) or 'spawn': how a module's child is started."""
    wanted = os.environ.get("GRADER_START", "").strip().lower()
    can_fork = hasattr(os, "fork") and sys.platform.startswith("linux")
    if wanted == "spawn" or not can_fork:
        return "spawn"
    return "fork"


def jobs():
    try:
        wanted = int(os.environ.get("GRADER_JOBS", JOBS))
    except ValueError:
        wanted = JOBS
    return max(1, min(wanted, os.cpu_count() or 1))


# --- the child ------------------------------------------------------------------------------


def limit_file_size(limit=FILE_BYTES):
    """Cap what this process may write to one file (the capture of a test's output, past the cap
    on print()): student code writing to file descriptor 1 in a loop would otherwise fill the
    disk before its time limit. Past it the process ends, and the parent says why. POSIX only."""
    try:
        import resource
    except ImportError:
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    if soft == resource.RLIM_INFINITY or soft > limit:
        try:
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
        except (ValueError, OSError):
            pass


class Worker:
    """In the child: run only the job's tests, and tell the parent everything, line by line."""

    def __init__(self, config, job=None):
        self.config = config
        if job is None:
            job = json.loads(Path(config.getoption("grader_worker")).read_text(encoding="utf-8"))
        self.nodeids = job["nodeids"]
        config.stash[GRADING].hung.update(job.get("hung", {}))  # modules used here that ran out of time
        self.stream = open(job["events"], "a", encoding="utf-8")
        limit_file_size()


    def write(self, event):
        self.stream.write(json.dumps(event) + "\n")
        self.stream.flush()

    @pytest.hookimpl(trylast=True)  # after the grader's own selection
    def pytest_collection_modifyitems(self, config, items):
        """In the child: keep only the tests of its job, in the job's order."""
        by_id = {item.nodeid: item for item in items}
        kept = [by_id[nodeid] for nodeid in self.nodeids if nodeid in by_id]
        dropped = [item for item in items if item.nodeid not in set(self.nodeids)]
        if dropped:
            config.hook.pytest_deselected(items=dropped)
        items[:] = kept

    def pytest_runtest_logstart(self, nodeid, location):
        """Tell the parent a test started: it times the test's silence from here."""
        self.write({"event": "start", "nodeid": nodeid})

    def pytest_runtest_logreport(self, report):
        """Send the parent each report, for it to replay."""
        data = self.config.hook.pytest_report_to_serializable(config=self.config, report=report)
        self.write({"event": "report", "nodeid": report.nodeid, "report": data})

    def pytest_runtest_logfinish(self, nodeid, location):
        """Send the parent the test's grade (status, cause, message, diagnosis, seconds...)."""
        outcome = self.config.stash[GRADING].outcomes.get(nodeid)
        if outcome is not None:
            self.write({"event": "finish", "nodeid": nodeid, "state": outcome.state()})

    def pytest_sessionfinish(self, session, exitstatus):
        """Send the parent the child's exit status: 2 or more is the grader's own error."""
        self.write({"event": "exit", "status": int(exitstatus)})


class ForkedChild:
    """A child forked from the parent, with what `processes.kill` and ModuleRun use of a Popen."""

    def __init__(self, pid):
        self.pid = pid
        self.returncode = None

    def _reaped(self, status):
        self.returncode = os.waitstatus_to_exitcode(status)  # -N for signal N, as Popen gives
        return self.returncode

    def poll(self):
        if self.returncode is None:
            try:
                pid, status = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:  # reaped elsewhere
                self.returncode = -signal.SIGKILL
                return self.returncode
            if pid:
                self._reaped(status)
        return self.returncode

    def wait(self):
        if self.returncode is None:
            try:
                self._reaped(os.waitpid(self.pid, 0)[1])
            except ChildProcessError:
                self.returncode = -signal.SIGKILL
        return self.returncode

    def kill(self):
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def fork_child(session, job, log):
    """Fork a child that runs `job`'s tests of this session and writes its events; its handle.

    The child leads a session of its own (so that killing its group ends what the student's code
    started), reads nothing, and writes to `log`. pytest's global capture is made again in the
    child: the parent's capture files would otherwise be shared by every child forked.
    """
    for stream in (sys.stdout, sys.stderr):  # else the child would write the parent's buffered text again
        stream.flush()
    pid = os.fork()
    if pid:
        return ForkedChild(pid)
    code, worker = 3, None
    try:
        os.setsid()
        config = session.config
        capture = config.pluginmanager.getplugin("capturemanager")
        if capture is not None:
            capture.stop_global_capturing()
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.close(null)
        os.dup2(log.fileno(), 1)
        os.dup2(log.fileno(), 2)
        faulthandler.enable(file=os.fdopen(os.dup(2), "w"))  # a crash's traceback goes to the log
        if capture is not None:
            capture.start_global_capturing()
            capture.suspend_global_capture()
        reporter = config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:  # the parent reports; the child only writes events
            config.pluginmanager.unregister(reporter)
        worker = Worker(config, job)
        config.pluginmanager.register(worker, "grader-worker")
        by_id = {item.nodeid: item for item in session.items}
        items = [by_id[nodeid] for nodeid in worker.nodeids if nodeid in by_id]
        for index, item in enumerate(items):
            following = items[index + 1] if index + 1 < len(items) else None
            item.config.hook.pytest_runtest_protocol(item=item, nextitem=following)
        worker.write({"event": "exit", "status": 1 if session.testsfailed else 0})
        code = 0
    except BaseException:  # the grader's own error: the parent shows the end of the log
        try:
            traceback.print_exc()
            if worker is not None:
                worker.write({"event": "exit", "status": 3})  # as pytest's own internal error
        except BaseException:
            pass
    finally:
        remote.close_all()  # os._exit skips atexit and the session's end: end this child's runners here
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except BaseException:
                pass
        os._exit(code)


# --- the parent -----------------------------------------------------------------------------


class Isolation:
    """In the parent: run each module's tests in a child, and replay what the children report."""

    def __init__(self, config):
        self.config = config
        self.errors = []  # (module, exit status, the end of the child's output): the grader's own

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtestloop(self, session):
        """Replace pytest's loop: run each module's tests in children, and replay their reports."""
        config = session.config
        if session.testsfailed and not config.option.continue_on_collection_errors:
            return None  # pytest's own loop stops for the collection errors
        if config.option.collectonly or not session.items:
            return None
        groups = {}
        for item in session.items:
            groups.setdefault(module_of(item), []).append(item)
        if start_method() == "fork":
            read_mnist_once(groups)
        with tempfile.TemporaryDirectory(prefix="grader-") as work:
            runs = [ModuleRun(self, session, name, items, Path(work)) for name, items in groups.items()]
            try:
                self._run(session, runs)
            finally:
                for run in runs:
                    run.stop()
        if self.errors:
            module, status, tail = self.errors[0]
            reporter = config.pluginmanager.get_plugin("terminalreporter")
            if reporter is not None:
                reporter.write_line(f"\nthe grader could not grade {module}.py (its process ended with "
                                    f"{processes.how_it_ended(status)}); its output ends with:\n{tail}", red=True)
            pytest.exit(f"the grader could not grade {module}.py", returncode=status if status >= 2 else 3)
        return True

    def _run(self, session, runs):
        # A module whose tests use another's functions (training.py trains the student's
        # Network) waits for that module, and learns whether it ran out of time, so that the
        # endless loop is not paid for twice. Otherwise the longest first (a test with a longer
        # limit, then the most tests), so that the slots finish together. The reports are still
        # replayed in the collection's order.
        by_name = {run.module: run for run in runs}
        for run in runs:
            run.needs = {by_name[name] for name in run.uses() if name in by_name and name != run.module}
        needed = {dep for run in runs for dep in run.needs}
        waiting = sorted(runs, key=lambda run: (run in needed, max(map(seconds_for, run.items)), len(run.items)),
                         reverse=True)
        active, shown = [], 0
        parallel = jobs()
        while shown < len(runs):
            while len(active) < parallel and not (session.shouldstop or session.shouldfail):
                ready = next((run for run in waiting if all(dep.finished for dep in run.needs)), None)
                if ready is None:
                    break
                waiting.remove(ready)
                ready.start({dep.module: dep.hung_test for dep in ready.needs if dep.hung_test})
                active.append(ready)
            for run in active:
                run.poll()
            active = [run for run in active if not run.finished]
            while shown < len(runs):
                runs[shown].replay()
                if not (runs[shown].finished and runs[shown].replayed_all()):
                    break
                shown += 1
            if (session.shouldstop or session.shouldfail) and not active:
                break
            time.sleep(POLL_SECONDS)


def read_mnist_once(groups):
    """Load MNIST here, where every forked child finds it loaded, if two modules or more use it.

    A failure is left for the children's own fixture to report, with the command that fixes it.
    """
    if sum(any("mnist" in item.fixturenames for item in items) for items in groups.values()) < 2:
        return
    from coursekit.mnist import load_mnist

    try:
        load_mnist()
    except Exception:
        pass


def ran_out_of_time(cause):
    """Whether a test, or the import it needed, ran out of time (its record's cause)."""
    return cause == results.TIMEOUT


class ModuleRun:
    """One module's tests, run in one child (or several, if its code keeps ending them)."""

    def __init__(self, isolation, session, module, items, work):
        self.isolation = isolation
        self.session = session
        self.config = session.config
        self.module = module
        self.items = items
        self.by_id = {item.nodeid: item for item in items}
        self.work = work
        self.remaining = [item.nodeid for item in items]  # not yet finished by a child
        self.events = []  # to replay, in order
        self.replayed = 0
        self.started_ids = set()  # nodeids whose start was reported
        self.starts = 0
        self.process = None
        self.finished = False
        self.hung_test = None  # the name of this module's first test that ran out of time
        self.hung_others = {}  # {module: test}: the modules it uses that ran out of time
        self.needs = set()

    def uses(self):
        """The other modules whose functions this module's tests use ("network:Network.forward")."""
        names = set()
        for item in self.items:
            for use in results.grade_of(item).qualified(self.module):
                names.add(use.rpartition(":")[0])
        return names

    # The child's command line: the module's test files, the target, the job, and the parent's
    # own choices that change how a test runs or is reported.
    def command(self, job):
        config = self.config
        files = sorted({str(item.path) for item in self.items})
        command = grader_command(config.stash[GRADING].target, None, "--grader-worker", job,
                                 "--rootdir", config.rootpath, f"--tb={config.option.tbstyle}", tests=files)
        if config.inipath:
            command += ["-c", str(config.inipath)]
        args = list(config.invocation_params.args)
        for index, arg in enumerate(args):  # -p NAME / -pNAME: plugins on or off
            if arg == "-p" and index + 1 < len(args) and args[index + 1] != "no:cacheprovider":
                command += ["-p", args[index + 1]]
            elif arg.startswith("-p") and len(arg) > 2 and arg != "-pno:cacheprovider":
                command.append(arg)
        return command

    def start(self, hung=None):
        if hung is not None:
            self.hung_others = hung
        self.starts += 1
        name = f"{self.module}-{self.starts}"
        job = self.work / f"{name}.json"
        self.events_path = self.work / f"{name}.events"
        self.log_path = self.work / f"{name}.log"
        self.events_path.write_text("", encoding="utf-8")
        listed = {"nodeids": self.remaining, "events": str(self.events_path), "hung": self.hung_others}
        job.write_text(json.dumps(listed), encoding="utf-8")
        self.offset = 0
        self.buffer = b""
        self.current = None  # the nodeid the child is running, and when its start arrived
        self.current_since = time.monotonic()
        self.hung = None  # the child's own watchdog: {"nodeid", "message"}
        self.began = False  # whether this child has started a test yet
        self.exit_status = None  # the child's pytest exit status, if it got that far
        self.log = open(self.log_path, "wb")
        if start_method() == "fork":
            self.log.flush()
            self.process = fork_child(self.session, listed, self.log)
            return
        # The child keeps the graded folder free of bytecode itself (grader.plugin); the grader's
        # own files may be cached, which saves each child compiling them.
        self.process = processes.start(self.command(job), cwd=self.config.invocation_params.dir,
                                       stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log)

    def stop(self):
        if self.process is not None:
            processes.kill(self.process)
            self.log.close()

    def read(self):
        with open(self.events_path, "rb") as stream:
            stream.seek(self.offset)
            chunk = stream.read()
        self.offset += len(chunk)
        self.buffer += chunk
        *lines, self.buffer = self.buffer.split(b"\n")  # a last line cut off by os._exit stays
        for line in lines:
            try:
                event = json.loads(line)
            except ValueError:
                continue
            self.take(event)

    def take(self, event):
        kind = event["event"]
        if kind == "start":
            self.current, self.current_since, self.began = event["nodeid"], time.monotonic(), True
        elif kind == "finish":
            if self.hung_test is None and ran_out_of_time(event["state"]["cause"]):
                self.hung_test = self.by_id[event["nodeid"]].name
            if event["nodeid"] in self.remaining:
                self.remaining.remove(event["nodeid"])
            self.current = None
            self.current_since = time.monotonic()
        elif kind == "hung":
            self.hung = event
            return
        elif kind == "exit":
            self.exit_status = event["status"]
            return
        self.events.append(event)

    def limit(self):
        """How long the child may stay silent in its current test before it is killed."""
        if self.current is None:  # starting up, or between two tests
            return STARTUP_SECONDS if not self.began else loader.IMPORT_SECONDS + MARGIN_SECONDS
        return (seconds_for(self.by_id[self.current]) + loader.IMPORT_SECONDS + HARD_STOP_SECONDS
                + MARGIN_SECONDS)

    def poll(self):
        if self.finished:
            return
        self.read()
        code = self.process.poll()
        if code is None:
            if time.monotonic() - self.current_since > self.limit():
                processes.kill(self.process)
                self.read()
                self.ended(None, killed=True)
            return
        processes.kill(self.process)  # whatever the student's code left running
        self.read()
        self.ended(code)

    def ended(self, code, killed=False):
        """The child is gone: say what happened to its test, then go on or stop."""
        self.log.close()
        current = self.current
        if self.exit_status is not None and not self.remaining:
            self.finished = True
            return
        if self.exit_status is not None and self.exit_status >= 2:  # the grader's own error
            self.isolation.errors.append((self.module, self.exit_status, self.tail()))
            self.give_up("not run: the grader stopped with an error before this test")
            return
        if killed:
            if current is None:
                message = ("not run: the grader's process for this module stopped answering "
                           f"(killed after {self.limit():g} s)")
            else:
                seconds = seconds_for(self.by_id[current])
                message = SWALLOWED.format(seconds=seconds) + "; its process was ended"
            self.fail(current, message, results.NOT_RUN if current is None else results.TIMEOUT)
            self.give_up(f"not run: {self.name(current)} ran out of time and its process was ended")
            return
        if self.hung is not None:
            self.fail(self.hung["nodeid"], self.hung["message"], results.TIMEOUT)
            self.give_up(f"not run: {self.name(self.hung['nodeid'])} ran out of time and its process was ended")
            return
        if current is None and not self.began:  # it died before it could run anything
            self.isolation.errors.append((self.module, code if code and code >= 2 else 3, self.tail()))
            self.give_up(f"not run: the grader's process for this module ended with {processes.how_it_ended(code)}")
            return
        self.fail(current, *self.crash_message(code, current))
        if self.starts >= MAX_STARTS:
            self.give_up(f"not run: your code ended the grading process {self.starts} times in "
                         f"{self.module}.py, so the rest of it is not graded in this run")
            return
        if self.remaining:
            self.start()  # the module's other tests, in a fresh process
        else:
            self.finished = True

    def files_run_by(self, nodeid):
        """'network.py and training.py': the student's files the test `nodeid` runs (None: unknown)."""
        item = self.by_id.get(nodeid)
        if item is None:
            return None
        modules = sorted({use.rpartition(":")[0] for use in results.grade_of(item).qualified(self.module)})
        return " and ".join(f"{module}.py" for module in modules) or None

    def crash_message(self, code, nodeid=None):
        """What the test whose process ended is told, and its cause."""
        how = processes.how_it_ended(code)
        files = self.files_run_by(nodeid)
        if files and files != f"{self.module}.py":  # the crash may come from another of the student's files
            how += f", in a test that runs your {files}"
        if code is not None and code < 0 and "SIGXFSZ" in how:
            return (f"your code printed more than the grader allows, and its process was ended ({how}): "
                    "remove the print() calls inside loops"), results.OUTPUT_FLOOD
        if code is not None and code < 0:
            return (f"your code crashed the grading process ({how}); the module's other tests were run again",
                    results.CRASH)
        return (f"your code ended the grading process ({how}: `os._exit`?); "
                "the module's other tests were run again"), results.CRASH

    def name(self, nodeid):
        item = self.by_id.get(nodeid)
        return f"{item.name} in {self.module}.py" if item is not None else f"a test of {self.module}.py"

    def fail(self, nodeid, message, cause=results.NOT_RUN):
        if nodeid is None:
            nodeid = self.remaining[0] if self.remaining else None
        if nodeid is None:
            return
        if nodeid in self.remaining:
            self.remaining.remove(nodeid)
        if self.hung_test is None and ran_out_of_time(cause):
            self.hung_test = self.by_id[nodeid].name
        self.events.append({"event": "failed", "nodeid": nodeid, "message": message, "cause": cause})

    def give_up(self, message):
        for nodeid in list(self.remaining):
            self.fail(nodeid, message)
        self.finished = True

    def tail(self, size=4000):
        try:
            return self.log_path.read_bytes()[-size:].decode("utf-8", errors="replace")
        except OSError:
            return ""

    # --- replaying to pytest's reporting ------------------------------------------------------

    def replayed_all(self):
        return self.replayed == len(self.events)

    def replay(self):
        grading = self.config.stash[GRADING]
        while self.replayed < len(self.events):
            event = self.events[self.replayed]
            self.replayed += 1
            item = self.by_id.get(event["nodeid"])
            if item is None:
                continue
            kind = event["event"]
            if kind == "start":
                self.started_ids.add(item.nodeid)
                item.ihook.pytest_runtest_logstart(nodeid=item.nodeid, location=item.location)
            elif kind == "report":
                report = self.config.hook.pytest_report_from_serializable(config=self.config, data=event["report"])
                item.ihook.pytest_runtest_logreport(report=report)
            elif kind == "finish":
                grading.outcomes[item.nodeid].restore(event["state"])
                grading.finished.add(item.nodeid)
                item.ihook.pytest_runtest_logfinish(nodeid=item.nodeid, location=item.location)
            elif kind == "failed":  # what the parent saw: the child never finished this test
                if item.nodeid not in self.started_ids:
                    self.started_ids.add(item.nodeid)
                    item.ihook.pytest_runtest_logstart(nodeid=item.nodeid, location=item.location)
                grading.outcomes[item.nodeid].judged(event["message"], event["cause"])
                grading.finished.add(item.nodeid)
                report = TestReport(item.nodeid, item.location, {k: 1 for k in item.keywords}, "failed",
                                    event["message"], "call", sections=[], duration=0.0)
                item.ihook.pytest_runtest_logreport(report=report)
                item.ihook.pytest_runtest_logfinish(nodeid=item.nodeid, location=item.location)
