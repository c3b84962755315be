"""The in-target runner: measures one process and reports raw numbers.

Shipped into the measured interpreter by jitbench (nothing is installed there). Standard library
only; runs unmodified on CPython 3.9+ and PyPy 3.9+. It measures, it never analyses: every value is
an integer number of nanoseconds for ``loops`` outer iterations, as read from
``time.perf_counter_ns``.

Protocol: ``main(task, root)`` is called by the bootstrap with the task dict sent by the host and the
folder the payload was unpacked into. The result document is written as one JSON line to the file
descriptor that was stdout when the process started; the benchmark's own stdout is redirected to
stderr first, so nothing it prints can corrupt the result.
"""

import builtins
import contextlib
import gc
import importlib
import importlib.util
import json
import os
import runpy
import sys
import time

import jitbench_lifetime
import jitbench_protocol as protocol
from jitbench_protocol import Action, Benchmark, Counting, Events, Result, Task

# Calibration never lets a single timed value run longer than this many outer loops.
MAX_LOOPS = 2**32


class BenchmarkError(Exception):
    """The benchmark could not be loaded or run; the message names what went wrong."""


def _plain_time_func(func):
    """Build time_func(loops) -> ns for a plain function called once per iteration."""
    perf_counter_ns = time.perf_counter_ns

    def time_func(loops):
        it = range(loops)
        t0 = perf_counter_ns()
        for _ in it:
            func()
        return perf_counter_ns() - t0

    return time_func


def calibrate(time_func, min_time_ns):
    """Smallest power-of-two loop count whose timed value reaches min_time_ns (after one warm-up)."""
    time_func(1)
    loops = 1
    steps = []
    while True:
        dt = time_func(loops)
        steps.append([loops, dt])
        if dt >= min_time_ns or loops >= MAX_LOOPS:
            return loops, steps
        if dt <= 0:
            loops *= 2
            continue
        # Jump close to the target instead of doubling one step at a time, but never overshoot by
        # more than a factor of 2 over a simple doubling.
        factor = max(2, min(1024, int(min_time_ns / dt)))
        loops = min(MAX_LOOPS, loops * _next_pow2(factor))


def _next_pow2(n):
    p = 1
    while p < n:
        p *= 2
    return p


def measure(time_func, loops, warmups, values, counting=None, window=None, events=None):
    """Time the first iteration, then W warmup and N measured values of ``loops`` iterations.

    ``counting`` (a session of jitbench_counters) is read just around each measured value, like
    the timer; its counts come back under ``counting``. ``window`` (a profiler's on/off switch)
    is opened around each measured value only; ``events()`` is read after each value, outside
    timing.
    """
    start = events() if events else None
    first_ns = time_func(1)
    log = None
    if events:
        log = {Events.START: start, Events.FIRST: events(), Events.WARMUPS: [], Events.VALUES: []}
    warmups_ns = []
    for w in range(warmups):
        # The last warmup goes through the counting path, uncounted: the first value counted
        # after instrumentation starts costs ~0.4 % more instructions on CPython, every time.
        last = counting is not None and w == warmups - 1
        if last:
            counting.before(-1)  # jitbench_counters.WARMUP
        warmups_ns.append(time_func(loops))
        if last:
            counting.after(-1)
        if log:
            log[Events.WARMUPS].append(events())
    values_ns = []
    for i in range(values):
        if window:
            window.open()
        if counting is not None:
            counting.before(i)
        values_ns.append(time_func(loops))
        if counting is not None:
            counting.after(i)
        if window:
            window.close()
        if log:
            log[Events.VALUES].append(events())
    out = {Result.FIRST_NS: first_ns, Result.WARMUPS_NS: warmups_ns, Result.VALUES_NS: values_ns}
    if counting is not None:
        # An empty value through the same path: what the harness adds to each count, so the
        # host can report the benchmark's own counts (time is left as measured). Three times:
        # the first passes through a new path cost more (CPython specialises, a JIT compiles);
        # the smallest is kept.
        for _ in range(3):
            counting.before(-2)  # jitbench_counters.OVERHEAD
            time_func(0)
            counting.after(-2)
        out[Result.COUNTING] = counting.finish()
    if log:
        out[Result.EVENTS] = log
    return out


class ProfileWindow:
    """Switches a profiler on and off through its control fifo (perf record --control).

    Each command waits for the profiler's acknowledgement, so no sample of a measured value is
    lost and none of the code around it is sampled.
    """

    def __init__(self, spec):
        self.ctl = os.open(spec["ctl"], os.O_WRONLY)
        self.ack = os.open(spec["ack"], os.O_RDONLY)

    def _send(self, command):
        os.write(self.ctl, command)
        reply = b""
        while b"ack" not in reply:
            chunk = os.read(self.ack, 16)
            if not chunk:
                raise BenchmarkError("the profiler stopped answering on its control fifo")
            reply += chunk

    def open(self):
        self._send(b"enable\n")

    def close(self):
        self._send(b"disable\n")


class _Session:
    """One process's job: load the benchmark, then calibrate or measure it."""

    def __init__(self, task, root, probes):
        self.task = task
        self.root = root
        self.probes = probes
        self.result = None
        self.seen = []

    def on_benchmark(self, name, time_func, inner_loops, metadata):
        """Hook called by the pyperf shim (and directly for plain files)."""
        self.seen.append(name)
        wanted = self.task[Task.BENCHMARK].get(Benchmark.BENCH_NAME)
        if self.result is not None or (wanted and name != wanted):
            return
        self.result = self._run(time_func, inner_loops or 1)
        self.result[Result.BENCH_NAME] = name
        self.result[Result.METADATA] = _jsonable(metadata or {})

    def _run(self, time_func, inner_loops):
        task = self.task
        gc.collect()
        if task[Task.ACTION] == Action.CALIBRATE:
            loops, steps = calibrate(time_func, task[Task.MIN_TIME_NS])
            return {Result.LOOPS: loops, Result.INNER_LOOPS: inner_loops, Result.STEPS: steps}
        loops = task[Task.LOOPS]
        counting = _open_counting(self.root, task.get(Task.COUNTING))
        window = task.get(Task.PROFILE_WINDOW)
        window = ProfileWindow(window) if window else None
        events = self.probes.events_reader(task) if task.get(Task.EVENTS, True) else None
        out = measure(
            time_func, loops, task[Task.WARMUPS], task[Task.VALUES], counting, window, events
        )
        out[Result.LOOPS] = loops
        out[Result.INNER_LOOPS] = inner_loops
        return out


def _jsonable(obj):
    try:
        json.dumps(obj)
        return obj
    except (TypeError, ValueError):
        return {str(k): repr(v) for k, v in dict(obj).items()}


def _load_plain(path, function):
    """Import a plain benchmark file as a module named after it and return the function to time."""
    name = os.path.splitext(os.path.basename(path))[0]
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise BenchmarkError("cannot import benchmark file %s" % path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    func = getattr(module, function, None)
    if func is None or not callable(func):
        raise BenchmarkError(
            "benchmark file %s has no function %r" % (os.path.basename(path), function)
        )
    return func


def _run_pyperf_script(session, path, shim_dir):
    """Run a pyperf script as __main__ with the shim first on sys.path and our hook installed."""
    sys.path.insert(0, shim_dir)
    for mod in [m for m in sys.modules if m == "pyperf" or m.startswith("pyperf.")]:
        del sys.modules[mod]
    pyperf = importlib.import_module("pyperf")
    setattr(pyperf, "_jitbench_hook", session.on_benchmark)  # noqa: B010 - read by the shim
    sys.argv = [path] + list(session.task[Task.BENCHMARK].get(Benchmark.ARGS) or [])
    # As when Python runs a script: its __builtins__ is the module (scripts assign to it).
    runpy.run_path(path, init_globals={"__builtins__": builtins}, run_name="__main__")
    if session.result is None:
        wanted = session.task[Task.BENCHMARK].get(Benchmark.BENCH_NAME)
        if wanted and session.seen:
            raise BenchmarkError(
                "pyperf script registered %s but not %r" % (", ".join(session.seen), wanted)
            )
        raise BenchmarkError("pyperf script registered no benchmark (no Runner().bench_* call ran)")


def _add_site(folder):
    """Make the packages installed in ``folder`` importable, ahead of the runtime's own."""
    import site

    before = list(sys.path)
    site.addsitedir(folder)  # also runs the folder's .pth files, as a venv's site-packages would
    added = [p for p in sys.path if p not in before]
    sys.path[:] = added + before


def _children_like_this_one(task, root):
    """Python processes the benchmark starts get its package environment and pre-imports too.

    A copy of ``runner/child`` goes first on their ``PYTHONPATH``; its ``sitecustomize`` does the
    work and writes what it did to the returned path. None when there is nothing to carry over.
    """
    imports = task.get(Task.PRE_IMPORT) or []
    if not imports and not task.get(Task.SITE):
        return None
    env = os.environ
    # A private copy; the first child writes its bytecode. Not compiled here: py_compile's
    # imports (enum, importlib, ...) would run in the measured process, and under a JIT that
    # compiles after a few calls they queue dozens of functions ahead of the benchmark's own
    # (a float loop then ran 3x slower than no JIT under CinderX's background compilation).
    child = os.path.join(root, "child")
    os.mkdir(child)
    with open(os.path.join(root, "runner", "child", "sitecustomize.py"), "rb") as f:
        data = f.read()
    with open(os.path.join(child, "sitecustomize.py"), "wb") as f:
        f.write(data)
    env["PYTHONPATH"] = os.pathsep.join([child] + [p for p in [env.get("PYTHONPATH")] if p])
    env["JITBENCH_CHILD_IMPORTS"] = ",".join(imports)
    if task.get(Task.SITE):
        env["JITBENCH_CHILD_SITE"] = os.path.join(root, task[Task.SITE])
    report = os.path.join(root, "child-interpreter.json")
    env["JITBENCH_CHILD_REPORT"] = report
    return report


def _pre_import(names):
    for name in names:
        importlib.import_module(name)


def _run_task(task, root):
    probes = _load_probes(root)
    # Before the pre-imports: a JIT reads its settings (files, log paths) when it is imported.
    probes.prepare(task, root)
    _pre_import(task.get(Task.PRE_IMPORT, []))
    out = {
        protocol.VERSION_KEY: protocol.VERSION,
        protocol.OK_KEY: True,
        Result.FACTS: probes.facts(task),
    }
    if task[Task.ACTION] == Action.FACTS:
        out[Result.JIT] = probes.after(task)
        if task.get(Task.COUNTING_PROBE) is not None:
            out[Result.COUNTING_PROBE] = _counters(root).probe(task[Task.COUNTING_PROBE])
        return out
    session = _Session(task, root, probes)
    bench = task[Task.BENCHMARK]
    if task.get(Task.SITE):
        _add_site(os.path.join(root, task[Task.SITE]))
    child_report = _children_like_this_one(task, root)
    path = os.path.join(root, bench[Benchmark.FILE])
    sys.path.insert(0, os.path.dirname(path))
    os.chdir(os.path.dirname(path))
    probes.before(task)
    if task[Task.ACTION] == Action.CODESIZE:
        # jitbench codesize: compile the generated functions one by one; nothing is timed. The
        # sizes travel inside "jit", the part of the result every process record keeps.
        func = _load_plain(path, bench[Benchmark.FUNCTION])
        sizes = probes.codesize(task, func.__globals__)
        out[Result.JIT] = probes.after(task)
        out[Result.JIT][Result.CODESIZE] = sizes
        return out
    if bench[Benchmark.KIND] == Benchmark.PYPERF:
        _run_pyperf_script(session, path, os.path.join(root, "shim"))
    else:
        func = _load_plain(path, bench[Benchmark.FUNCTION])
        name = bench.get(Benchmark.NAME) or bench[Benchmark.FUNCTION]
        session.on_benchmark(name, _plain_time_func(func), 1, {})
    assert session.result is not None, "the benchmark ran but left no result"
    out.update(session.result)
    # Introspection runs after the last timed value, outside any timing.
    out[Result.JIT] = probes.after(task)
    if child_report and os.path.isfile(child_report):
        with open(child_report) as f:
            out[Result.JIT][Result.CHILD_INTERPRETER] = json.loads(f.read())
    return out


def _open_counting(root, spec):
    """The counting session a task asks for, or None; imported only when counting."""
    if not spec:
        return None
    jitbench_counters = _counters(root)
    try:
        return jitbench_counters.open_session(spec)
    except jitbench_counters.CounterError as exc:
        raise BenchmarkError("counting %s: %s" % (spec.get(Counting.BACKEND), exc)) from None


def _runner_module(root, name):
    """A module shipped beside the runner, imported only when a task needs it."""
    sys.path.insert(0, os.path.join(root, "runner"))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.pop(0)


def _counters(root):
    return _runner_module(root, "jitbench_counters")


def _load_probes(root):
    return _runner_module(root, "jitbench_probes")


def _traceback_tail():
    # Imported only on failure: traceback costs milliseconds at every process start otherwise.
    import traceback

    return traceback.format_exc()[-4000:]


def _write_result(fd, doc):
    data = (protocol.RESULT_MARKER + json.dumps(doc, separators=(",", ":")) + "\n").encode("utf-8")
    while data:
        n = os.write(fd, data)
        data = data[n:]


# multiprocessing's helper processes (the default start method is forkserver from Python 3.14):
# each serves this process until it exits, then ends with it.
_HELPERS = (
    ("multiprocessing.forkserver", "_forkserver"),
    ("multiprocessing.resource_tracker", "_resource_tracker"),
)


def _stop_multiprocessing_helpers():
    """Stop the helpers the benchmark's multiprocessing started, as this process's exit would, so
    they are not taken for children it left running (their ``_stop`` is what CPython's tests use)."""
    for module, attr in _HELPERS:
        stop = getattr(getattr(sys.modules.get(module), attr, None), "_stop", None)
        if stop is not None:
            with contextlib.suppress(Exception):
                stop()


def main(task, root):
    """Run one task; write the result document to the original stdout; return the exit status."""
    jitbench_lifetime.tie_to_stdin()
    sys.stdout.flush()
    result_fd = os.dup(protocol.RESULT_FD)
    # From here on, anything written to stdout (print, C extensions) lands on stderr instead.
    os.dup2(protocol.OUTPUT_FD, protocol.RESULT_FD)
    try:
        doc = _run_task(task, root)
        status = 0
    except BaseException as exc:  # noqa: BLE001 - every failure must reach the host as a document
        if isinstance(exc, KeyboardInterrupt):
            raise
        doc = {
            protocol.VERSION_KEY: protocol.VERSION,
            protocol.OK_KEY: False,
            protocol.ERROR_KEY: "%s: %s" % (type(exc).__name__, exc),
            protocol.TRACEBACK_KEY: _traceback_tail(),
        }
        status = 1
    with contextlib.suppress(Exception):
        sys.stdout.flush()
    _stop_multiprocessing_helpers()
    left = jitbench_lifetime.children()
    if left:
        # Reported rather than ignored: a child still running disturbs the next measurement.
        jitbench_lifetime.end(left)
        doc[protocol.CHILDREN_KEY] = [{"pid": pid, "command": cmd} for pid, cmd in left]
    _write_result(result_fd, doc)
    return status
