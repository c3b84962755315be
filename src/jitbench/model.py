"""The things a user talks about: runtimes, benchmarks, variants, experiments, processes.

Plain dataclasses; no I/O. Config loading builds them, the planner orders them, the executor
runs them, the artifact stores them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .builds.model import BuildSpec


@dataclass(frozen=True)
class Runtime:
    """An interpreter somewhere: an argv prefix that starts it, and what kind it is."""

    name: str
    command: tuple[str, ...]
    kind: str = "python"  # python | cpython | cinderx | pypy
    # Set when the interpreter is built from a revision of a repository (command comes later).
    build: BuildSpec | None = None


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


@dataclass(frozen=True)
class Slot:
    """One process to start: which benchmark, which variant, in which round."""

    index: int
    round: int
    benchmark: str
    variant: str


@dataclass
class Experiment:
    """Everything needed to run: variants × benchmarks under a design."""

    variants: list[Variant]
    benchmarks: list[Benchmark]
    design: Design
    config_path: Path | None = None
    extra: dict = field(default_factory=dict)
