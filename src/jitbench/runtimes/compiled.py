"""What a JIT compiled, as kinds report it: functions by machine-code size, and reading a
variant's per-process ``jit`` records out of an artifact. Data and pure helpers only."""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field

from ..results.model import Result


@dataclass
class FunctionView:
    """One compiled function across a variant's processes."""

    name: str
    sizes: list[int] = field(default_factory=list)  # one per process that compiled it
    details: dict | None = None  # the probe's full entry, when it was among the largest

    @property
    def code_size(self) -> int:
        return int(statistics.median(self.sizes))


@dataclass
class CodeView:
    """A variant on one benchmark: every compiled function, totals per process."""

    variant: str
    processes: int
    functions: dict[str, FunctionView]
    compiled_count: float
    code_bytes: float
    compile_time_ms: float | None
    deopts: float | None
    deopt_reasons: Counter

    def ranked(self) -> list[FunctionView]:
        """Largest code first; ties by name so the order is stable."""
        return sorted(self.functions.values(), key=lambda f: (-f.code_size, f.name))


def runs(result: Result, variant: str, benchmark: str) -> list[dict]:
    """The ``jit`` records of a variant's successful processes on one benchmark."""
    return [
        p.jit or {}
        for p in result.processes
        if p.variant == variant and p.benchmark == benchmark and p.ok
    ]


def mean(values: list) -> float | None:
    """Mean of the numbers among ``values``; None when there are none."""
    vals = [v for v in values if isinstance(v, int | float)]
    return statistics.fmean(vals) if vals else None


def count(value: object) -> int | None:
    """``value`` when it is a whole number (not a bool), else None."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None
