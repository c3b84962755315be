"""What a runtime kind does: turn a variant's mode and JIT options into how a process starts,
and check afterwards that the requested mode really ran."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from ..model import Variant


@dataclass(frozen=True)
class Launch:
    """How to start one process of a variant: env at exec time, interpreter args, pre-imports."""

    env: dict[str, str] = field(default_factory=dict)
    args: tuple[str, ...] = ()
    pre_import: tuple[str, ...] = ()


@dataclass(frozen=True)
class SummaryColumn:
    """A column of ``jitbench jit``'s summary: ``label`` shows ``key`` of the kind's summary."""

    label: str
    key: str
    digits: int = 0  # decimals: per-process means of counts show one


@dataclass(frozen=True)
class PerfNames:
    """How a kind's code is named in perf's samples: regular expressions per sample category.

    ``jit``, ``jit_function``, ``python_function`` match at a frame's start, ``interpreter`` and
    ``unsymbolised`` the whole frame; ``gc``, ``compiler`` and ``runtime`` search it (anchor with
    ``^`` where needed).
    """

    jit: tuple[str, ...] = ()  # JIT code: functions and the JIT's own infrastructure
    jit_function: tuple[str, ...] = ()  # a JIT-compiled function itself
    python_function: tuple[str, ...] = ()  # a Python function, compiled or interpreted
    interpreter: tuple[str, ...] = ()
    gc: tuple[str, ...] = ()
    compiler: tuple[str, ...] = ()  # the JIT compiler at work
    runtime: tuple[str, ...] = ()  # named C code of the interpreter and its extensions
    # The kind's own binaries where perf found no symbols ("[python3.14]"): interpreter loop and
    # runtime C alike, so neither of those categories.
    unsymbolised: tuple[str, ...] = ()


class RuntimeKind(Protocol):
    """One module per kind implements this (``runtimes.KINDS`` maps kind names to them).

    A kind may also define ``preflight(variant, record)`` (a one-line problem from its preflight
    process, e.g. cinderx missing) and ``prepare(variant, benchmarks, run, min_time)`` (work
    before calibration). A kind whose processes report JIT facts reads its own record with
    ``enabled(jit)``, ``compiled(jit)``, ``code_bytes(jit)`` (None when its record does not say),
    ``jit_summary(result, variant, benchmark, top)`` (its ``jitbench jit`` entry, shown in the
    columns its ``SUMMARY_COLUMNS`` declare) and, when it
    reports compiled functions by size, ``code_view(result, variant, benchmark)``. For profiling, a
    kind names its JIT code in perf's map with ``PERF_MAP_ENV`` and may dump each function's code
    into its JIT log with ``code_dump_env(code)``; its ``PERF_NAMES`` say how its code is named in
    the samples. Callers look these up with ``getattr``.
    """

    name: str
    START_S: float  # rough seconds a process takes beyond its measured values
    PROBES: tuple[str, ...]  # what the runner inspects in its processes (``protocol.Probe``)

    def check(self, variant: Variant) -> tuple[str, str] | None:
        """Return (key, problem) when the variant's mode/jit_options are invalid for this kind."""

    def launch(self, variant: Variant) -> Launch:
        """Env, args and pre-imports that put a process in the variant's mode."""

    def verify(self, variant: Variant, jit: dict) -> str | None:
        """Why the mode did not activate, judged from the process's JIT facts; None when it did."""


def merge(variant: Variant, mode_launch: Launch) -> Launch:
    """The variant's own env/args/pre-imports applied on top of what its mode sets."""
    env = dict(mode_launch.env)
    env.update(variant.env_dict)
    return Launch(
        env=env,
        args=tuple(mode_launch.args) + tuple(variant.args),
        pre_import=tuple(mode_launch.pre_import)
        + tuple(m for m in variant.pre_import if m not in mode_launch.pre_import),
    )
