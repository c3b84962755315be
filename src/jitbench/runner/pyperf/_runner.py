"""``pyperf.Runner`` for scripts run by jitbench: same API, registration instead of measurement."""

import argparse
import sys

from . import _timing
from ._utils import python_has_jit

_NO_HOOK = (
    "jitbench: this pyperf shim only works inside jitbench's runner (no measurement hook is "
    "installed); run the script with jitbench, or with the real pyperf"
)


def _hook():
    # Looked up on the package at call time: the runner sets it after importing the shim.
    package = sys.modules[__package__]
    return getattr(package, "_jitbench_hook", None)


def strictly_positive(value):
    value = int(value)
    if value <= 0:
        raise ValueError("value must be > 0")
    return value


def positive_or_nul(value):
    if "^" in value:
        base, _, exponent = value.partition("^")
        value = int(base) ** int(exponent)
    else:
        value = int(value)
    if value < 0:
        raise ValueError("value must be >= 0")
    return value


def comma_separated(values):
    return [v for v in (value.strip() for value in values.split(",")) if v]


def parse_python_names(names):
    parts = names.split(":")
    if len(parts) != 2:
        raise ValueError("syntax is REF_NAME:CHANGED_NAME")
    return parts


def _add_pyperf_options(parser, processes, values, warmups, loops, min_time):
    """pyperf's standard command line, so scripts reading e.g. ``args.fast`` keep working.

    jitbench decides processes, values and loops itself; these options are parsed and kept on
    ``runner.args`` but do not change what jitbench measures.
    """
    add = parser.add_argument
    add("--rigorous", action="store_true", help="Spend longer running tests")
    add("--fast", action="store_true", help="Get rough answers quickly")
    add("--debug-single-value", action="store_true", help="Only compute a single value")
    add("-p", "--processes", type=strictly_positive, default=processes)
    add("-n", "--values", dest="values", type=strictly_positive, default=values)
    add("-w", "--warmups", type=positive_or_nul, default=warmups)
    add("-l", "--loops", type=positive_or_nul, default=loops)
    add("-v", "--verbose", action="store_true")
    add("-q", "--quiet", action="store_true")
    add("--pipe", type=int, metavar="FD")
    add("-o", "--output", metavar="FILENAME")
    add("--append", metavar="FILENAME")
    add("--min-time", type=float, default=min_time)
    add("--timeout", type=strictly_positive)
    add("--worker", action="store_true")
    # pyperf 2.11: no worker processes. jitbench always runs the benchmark in its own process.
    add("--in-process", action="store_true", dest="in_process")
    add("--worker-task", type=positive_or_nul, metavar="TASK_ID")
    add("--calibrate-loops", action="store_true")
    add("--recalibrate-loops", action="store_true")
    add("--calibrate-warmups", action="store_true")
    add("--recalibrate-warmups", action="store_true")
    add("-d", "--dump", action="store_true")
    add("--metadata", "-m", action="store_true")
    add("--hist", "-g", action="store_true")
    add("--stats", "-t", action="store_true")
    add("--affinity", metavar="CPU_LIST", default=None)
    add("--inherit-environ", metavar="VARS", type=comma_separated)
    add("--copy-env", dest="copy_env", action="store_true", default=False)
    add("--no-locale", dest="locale", action="store_false", default=True)
    add("--python", default=sys.executable)
    add("--compare-to", metavar="REF_PYTHON")
    add("--python-names", metavar="REF_NAME:CHANGED_NAME", type=parse_python_names)
    add("--profile", type=str)
    add("--hook", action="append")
    memory = parser.add_mutually_exclusive_group()
    memory.add_argument("--tracemalloc", action="store_true")
    memory.add_argument("--track-memory", action="store_true")


class Runner:
    """pyperf's Runner: parses pyperf's options, hands every ``bench_*`` call to jitbench."""

    def __init__(
        self,
        values=None,
        processes=None,
        loops=0,
        min_time=0.1,
        metadata=None,
        show_name=True,
        program_args=None,
        add_cmdline_args=None,
        _argparser=None,
        warmups=1,
        **kwargs,
    ):
        # Same defaults as pyperf, so the parsed args look as they would there.
        has_jit = python_has_jit()
        if not values:
            values = 10 if has_jit else 3
        if not processes:
            processes = 6 if has_jit else 20
        self.metadata = metadata if metadata is not None else {}
        self.args = None
        self._bench_names = set()
        # No worker processes are spawned here (jitbench owns processes); these are kept only
        # so scripts that read them back find them.
        self._add_cmdline_args = add_cmdline_args
        self._program_args = tuple(program_args) if program_args else (sys.argv[0],)
        self._show_name = show_name
        self._min_time = min_time
        self._extra_kwargs = kwargs  # options of newer pyperf releases: accepted, unused

        parser = _argparser if _argparser is not None else argparse.ArgumentParser()
        parser.description = "Benchmark"
        _add_pyperf_options(parser, processes, values, warmups, loops, min_time)
        self.argparser = parser

    def parse_args(self, args=None):
        """Parse ``sys.argv[1:]`` (or ``args``) once; later calls return the same namespace."""
        if self.args is not None and args is None:
            return self.args
        if self.args is not None:
            raise RuntimeError("arguments already parsed")
        parsed = self.argparser.parse_args(args)
        self._adjust(parsed)
        self.args = parsed
        return parsed

    def _adjust(self, args):
        # pyperf's derived settings, without its checks on worker/calibration flags: jitbench
        # passes none of them, and a script only reads the values.
        if args.pipe:
            args.quiet = True
            args.verbose = False
        elif args.quiet:
            args.verbose = False
        nprocess = self.argparser.get_default("processes")
        nvalues = self.argparser.get_default("values")
        if args.rigorous:
            args.processes = nprocess * 2
        elif args.fast:
            args.processes = max(nprocess // 2, 3)
            args.values = max(nvalues * 2 // 3, 2)
        elif args.debug_single_value:
            args.processes = 1
            args.warmups = 0
            args.values = 1
            args.loops = 1
            args.min_time = 1e-9

    def _register(self, name, time_func, inner_loops, metadata):
        hook = _hook()
        if hook is None:
            raise RuntimeError(_NO_HOOK)
        if not isinstance(name, str) or not name.strip():
            raise ValueError("benchmark name must be a non-empty string")
        name = name.strip()
        if name in self._bench_names:
            raise ValueError("duplicated benchmark name: %r" % name)
        if not inner_loops:
            inner_loops = None
        elif int(inner_loops) != inner_loops or inner_loops < 1:
            raise ValueError("inner_loops must be a positive integer, got %r" % (inner_loops,))
        self.parse_args()
        self._bench_names.add(name)

        # What pyperf records for a run: the runner's metadata as it is now, the call's own on
        # top, a default unit, the name, and inner_loops when given.
        meta = dict(self.metadata)
        if metadata:
            meta.update(metadata)
        meta.setdefault("unit", "second")
        meta["name"] = name
        if inner_loops is not None:
            inner_loops = int(inner_loops)
            meta["inner_loops"] = inner_loops
        hook(name, time_func, inner_loops or 1, meta)

    def bench_func(self, name, func, *args, inner_loops=None, metadata=None):
        """Register ``func(*args)``, timed ``loops`` times in a row."""
        self._register(name, _timing.func_timer(func, args), inner_loops, metadata)

    def bench_time_func(self, name, time_func, *args, inner_loops=None, metadata=None):
        """Register ``time_func(loops, *args)``, which returns the elapsed float seconds."""
        self._register(name, _timing.seconds_timer(time_func, args), inner_loops, metadata)

    def bench_async_func(
        self, name, func, *args, inner_loops=None, metadata=None, loop_factory=None
    ):
        """Register ``await func(*args)``, awaited ``loops`` times in one event-loop run."""
        time_func = _timing.async_timer(func, args, loop_factory)
        self._register(name, time_func, inner_loops, metadata)

    def timeit(
        self,
        name,
        stmt=None,
        setup="pass",
        teardown="pass",
        inner_loops=None,
        duplicate=None,
        metadata=None,
        globals=None,
    ):
        """Register timeit-style statements (``stmt`` defaults to ``name``), as pyperf does."""
        from ._timeit import prepare

        if stmt is None:
            stmt = name
        time_func, inner_loops, meta = prepare(
            stmt, setup, teardown, inner_loops, duplicate, metadata, globals
        )
        self._register(name, time_func, inner_loops, meta)

    def bench_command(self, name, command):
        """Register ``command`` (an argv list): each loop starts it once; whole-process time."""
        if isinstance(command, str) or not command:
            raise ValueError("command must be a non-empty argv list, got %r" % (command,))
        meta = {"command": " ".join(str(part) for part in command)}
        self._register(name, _timing.command_timer(command), None, meta)
