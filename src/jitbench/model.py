"""The things a user talks about: runtimes, benchmarks, variants, experiments, processes.

Plain dataclasses; no I/O. Config loading builds them, the planner orders them, the executor
runs them, the artifact stores them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

LOCAL = "local"
"""The host name of this machine: runtimes without ``host`` run here."""


@dataclass(frozen=True)
class Host:
    """A machine reached over SSH (``[hosts.NAME]``): where its runtimes run, build and write."""

    name: str  # as the user named it in the config
    ssh: str  # the destination ``ssh`` accepts: an alias of ~/.ssh/config, user@host, host
    workdir: str = "/var/tmp/jitbench"  # where jitbench may write on that host (builds)
    ssh_config: Path | None = None  # passed as ``ssh -F``; None = the user's own configuration
    ssh_options: tuple[str, ...] = ()  # extra ``ssh`` arguments, e.g. ("-p", "2222")
    load_threshold: float | None = None  # cores other processes may use before "contaminated"


@dataclass(frozen=True)
class BuildSpec:
    """How to turn a revision of a repository into a runtime; built by config from ``[runtimes.X]``."""

    runtime: str  # runtime name, for messages and the cache folder
    repo: Path  # absolute path of a git repository
    base: tuple[str, ...]  # argv of the interpreter the environment is made from
    build: str | None  # command template run in the revision's checkout
    test: str | None  # the gate: command template run in the built environment
    install: str | None = None  # overrides the default "pip install the wheels in {out}"
    host: Host | None = None  # build, gate and cache on this host over SSH; None = here


@dataclass(frozen=True)
class Runtime:
    """An interpreter somewhere: an argv prefix that starts it, and what kind it is."""

    name: str
    command: tuple[str, ...]
    kind: str = "python"  # python | cpython | cinderx | pypy
    # Set when the interpreter is built from a revision of a repository (command comes later).
    build: BuildSpec | None = None
    host: Host | None = None  # None: this machine

    @property
    def host_name(self) -> str:
        """The host as the user named it; ``local`` for this machine."""
        return self.host.name if self.host is not None else LOCAL


@dataclass(frozen=True)
class Benchmark:
    """A workload the runner can time.

    ``kind`` is ``plain`` (a file with a function to call once per iteration) or ``pyperf``
    (a script that calls ``pyperf.Runner().bench_*``; run through the in-target shim).
    """

    name: str
    path: Path
    kind: str = "plain"  # plain | pyperf
    function: str | None = None
    bench_name: str | None = None  # which pyperf benchmark of the script, if it registers several
    data_files: tuple[Path, ...] = ()
    description: str = ""
    args: tuple[str, ...] = ()  # the script's command-line arguments (pyperformance extra_opts)
    requirements: tuple[str, ...] = ()  # packages it imports, as requirement lines
    # A suite's benchmark runs as the suite defines it, hot or not: a JIT that compiled nothing
    # because no code reached its threshold is then noted on the process, not a failure.
    jit_idle_ok: bool = False


@dataclass(frozen=True)
class Variant:
    """One side of a comparison: a runtime plus what is applied to each of its processes."""

    name: str
    runtime: Runtime
    env: tuple[tuple[str, str], ...] = ()
    args: tuple[str, ...] = ()
    pre_import: tuple[str, ...] = ()
    mode: str | None = None
    jit_options: tuple[tuple[str, object], ...] = ()
    rev: str | None = None  # revision of a built runtime
    build: dict | None = None  # what building ``rev`` produced: sha, build hash, gate, logs
    # The variant's name before it was spread over several hosts (``cx`` for ``cx@arm``): variants
    # of one group are the same variant on different hosts, compared across hosts.
    group: str | None = None
    # The variant this one is compared with (``against = "nojit"``); None: the experiment's
    # baseline. Lets one experiment hold several from → to pairs (CinderX, PyPy, CPython JITs).
    against: str | None = None

    @property
    def env_dict(self) -> dict[str, str]:
        return dict(self.env)


@dataclass(frozen=True)
class Design:
    """How many processes, values and warmups; how long to wait; which seed orders the slots."""

    processes: int = 5
    values: int = 10
    warmups: int = 2
    timeout: float = 300.0
    seed: int = 0
    min_time: float = 0.05  # seconds a single timed value should take after calibration
    loops: int | None = None  # fixed inner-loop count; None = calibrate once per benchmark
    # Each round also runs every variant once under each of these (``execute.instruments``).
    instruments: tuple[str, ...] = ()
    # Rounds that hold instrumented processes (the first N); None: every round. Counts are
    # deterministic, so a few counted processes carry an instruction verdict beside many timed.
    instrumented_rounds: int | None = None
    # Values of an instrumented process (None: ``values``); counts need few, valgrind is slow.
    instrumented_values: int | None = None
    # Benchmarks that get instrumented processes (None: all), e.g. counts on the one that matters.
    instrumented_benchmarks: tuple[str, ...] | None = None
    # Variants that get instrumented processes (None: all): counts where time cannot tell.
    instrumented_variants: tuple[str, ...] | None = None
    # What each value records: time always, counts (instructions, ...) beside it; same on all sides.
    measures: tuple[str, ...] = ("time",)
    counter: str = "auto"  # where counts come from: auto | perf | valgrind


@dataclass(frozen=True)
class Slot:
    """One process to start: which benchmark, which variant, in which round."""

    index: int
    round: int
    benchmark: str
    variant: str
    instrument: str | None = None  # None: a timed process


@dataclass
class Experiment:
    """Everything needed to run: variants × benchmarks under a design."""

    variants: list[Variant]
    benchmarks: list[Benchmark]
    design: Design
    config_path: Path | None = None
    extra: dict = field(default_factory=dict)
