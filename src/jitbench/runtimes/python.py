"""A plain Python interpreter of unknown kind: no modes, the variant's env and args as given."""

from __future__ import annotations

from ..model import Variant
from ..runner.jitbench_protocol import Probe
from .base import Launch

name = "python"
# Rough seconds a process takes beyond its measured values (start-up, facts), for
# run-time estimates: measured on an idle 2-core VM, the demo's modes averaged.
START_S = 0.05
# A plain interpreter: whichever JIT it turns out to have, CPython's or PyPy's.
PROBES: tuple[str, ...] = (Probe.CPYTHON, Probe.PYPY)
# Profiling: a CPython 3.12+ names its Python functions in /tmp/perf-PID.map; others ignore it.
PERF_MAP_ENV = {"PYTHONPERFSUPPORT": "1"}


def check(variant: Variant) -> tuple[str, str] | None:
    if variant.mode is not None:
        return (
            "mode",
            f"runtime {variant.runtime.name!r} has no kind, so it has no modes; set "
            'kind = "cpython", "cinderx" or "pypy" on the runtime',
        )
    if variant.jit_options:
        return (
            "jit_options",
            f"runtime {variant.runtime.name!r} has no kind, so it has no JIT "
            'options; set kind = "cinderx" on the runtime',
        )
    return None


def launch(variant: Variant) -> Launch:
    return Launch()


def verify(variant: Variant, jit: dict) -> str | None:
    return None
