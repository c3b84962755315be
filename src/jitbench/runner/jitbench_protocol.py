"""What the host and the in-target runner agree on; both read it from this one file.

Standard library only, Python 3.9+ and PyPy: it travels with the runner. The host checks the
version in every result document against its own, so a runner of another release is named
rather than misread.
"""

# Raised whenever the result document or the task changes meaning.
VERSION = 2

# The file descriptor the result line goes to: the one that was stdout when the process
# started. The benchmark's own output goes to OUTPUT_FD instead, so it cannot corrupt it.
RESULT_FD = 1
OUTPUT_FD = 2

# The result document is one line on RESULT_FD that starts with this marker.
RESULT_MARKER = "@@jitbench-result@@ "
# A target lacking cached bundles names them on a line with this marker and exits with this status.
MISSING_MARKER = "@@jitbench-missing@@ "
MISSING_STATUS = 3

# Keys of the result document's envelope.
VERSION_KEY = "protocol"
OK_KEY = "ok"
ERROR_KEY = "error"
TRACEBACK_KEY = "traceback"
CHILDREN_KEY = "children"


class Action:
    """What a task asks the runner to do (the task's ``Task.ACTION``)."""

    FACTS = "facts"  # start, report the interpreter's facts and JIT state; no benchmark
    CALIBRATE = "calibrate"  # find the loops whose value reaches ``Task.MIN_TIME_NS``
    RUN = "run"  # time the first iteration, warmups and values at ``Task.LOOPS``
    CODESIZE = "codesize"  # compile generated functions one by one; nothing is timed


class Task:
    """Keys of the task the host sends."""

    ACTION = "action"
    MIN_TIME_NS = "min_time_ns"
    LOOPS = "loops"
    WARMUPS = "warmups"
    VALUES = "values"
    BENCHMARK = "benchmark"  # a dict with the keys of ``Benchmark``
    SITE = "site"  # the mount of a package environment to put ahead on sys.path
    PRE_IMPORT = "pre_import"
    PROBES = "probes"  # the ``Probe`` names the variant's runtime kind declares
    MODE = "mode"
    JIT_OPTIONS = "jit_options"
    COUNTING = "counting"  # the counting session: {"backend": "perf"|"valgrind", ...}
    COUNTING_PROBE = "counting_probe"  # measures whose counters to look for
    PROFILE_WINDOW = "profile_window"  # a profiler's control and acknowledgement fifos
    EVENTS = "events"  # whether to read the JIT's events after each value (default on)
    CODESIZE = "codesize"  # the code-size probe's functions and arguments


class Probe:
    """What the runner inspects, as a runtime kind declares it (``Task.PROBES``); each probe's
    findings go under its own name in ``Result.JIT``, its counters into ``Result.EVENTS``."""

    CINDERX = "cinderx"  # the CinderX JIT: loaded, enabled, compiled functions, code size, log
    CPYTHON = "cpython"  # CPython's own JIT: available, enabled, executors
    PYPY = "pypy"  # PyPy's JIT: its parameters, loops and assembler memory


class Benchmark:
    """Keys of the task's benchmark: what to load and how."""

    NAME = "name"
    KIND = "kind"
    FILE = "file"  # the benchmark file, relative to the process's folder
    FUNCTION = "function"  # the function a plain file times
    BENCH_NAME = "bench_name"  # the registration a pyperf script makes that is timed
    ARGS = "args"  # a pyperf script's command line

    PYPERF = "pyperf"  # the kind of a pyperf script; any other kind is a plain file


class Result:
    """Keys of the result document's measurements, beside its envelope."""

    FACTS = "facts"
    JIT = "jit"  # the JIT's state after the last value (its ``ACTION`` says which task ran);
    # inside ``FACTS``, its state when the process started
    ACTION = "action"
    LOOPS = "loops"
    INNER_LOOPS = "inner_loops"
    STEPS = "steps"  # calibration: [loops, ns] per try
    FIRST_NS = "first_ns"
    WARMUPS_NS = "warmups_ns"
    VALUES_NS = "values_ns"
    BENCH_NAME = "bench_name"
    METADATA = "metadata"
    COUNTING = "counting"
    EVENTS = "events"
    COUNTING_PROBE = "counting_probe"
    CODESIZE = "codesize"  # inside ``JIT``: the code-size probe's sizes
    CHILD_INTERPRETER = "child_interpreter"  # inside ``JIT``: what a Python child reported

    # What a process record keeps of a result document.
    KEPT = (
        LOOPS,
        INNER_LOOPS,
        FIRST_NS,
        WARMUPS_NS,
        VALUES_NS,
        STEPS,
        FACTS,
        JIT,
        BENCH_NAME,
        METADATA,
        COUNTING,
        EVENTS,
        COUNTING_PROBE,
    )


class Counting:
    """Keys of the task's counting session (``Task.COUNTING``) and of the counts it returns
    (``Result.COUNTING``). The counting probe (``Result.COUNTING_PROBE``) answers per backend:
    ``PERF``: {event: None when perf_event_open counts it, else why not}; ``VALGRIND``: depth."""

    BACKEND = "backend"
    PERF = "perf"  # perf_event_open counters around each value
    VALGRIND = "valgrind"  # callgrind counts, zeroed and dumped around each value
    EVENTS = "events"  # perf: the events to count
    OUT_FILE = "out_file"  # valgrind: where callgrind dumps (``%p``: the pid)
    COUNTS = "counts"  # measure → one count per measured value
    OVERHEAD = "overhead"  # measure → the count of an empty value (the harness's own)


class Events:
    """Keys of the result's ``Result.EVENTS``: JIT and GC counters read between values."""

    START = "start"  # before the first iteration
    FIRST = "first"  # after it
    WARMUPS = "warmups"  # after each warmup
    VALUES = "values"  # after each measured value


def facts_task(counting_probe=None):
    """A task that only starts the interpreter and reports its facts (and counters found)."""
    task: dict = {Task.ACTION: Action.FACTS}
    if counting_probe:
        task[Task.COUNTING_PROBE] = list(counting_probe)
    return task


def calibrate_task(min_time_ns):
    """A task that finds the loops whose timed value reaches ``min_time_ns``."""
    return {Task.ACTION: Action.CALIBRATE, Task.MIN_TIME_NS: int(min_time_ns)}


def run_task(loops, warmups, values):
    """A task that times ``warmups`` then ``values`` values of ``loops`` iterations."""
    return {Task.ACTION: Action.RUN, Task.LOOPS: loops, Task.WARMUPS: warmups, Task.VALUES: values}


def codesize_task(spec):
    """A task that compiles the functions ``spec`` names one by one and reports their sizes."""
    return {Task.ACTION: Action.CODESIZE, Task.CODESIZE: spec}
