"""What a run will cost, told before it starts: processes to run and, once loops are calibrated,
roughly how long they take.

Instrumented processes (counted under valgrind, profiled under perf) run slower than native ones
by their instrument's cost factor (``Instrument.cost``), and only in the first
``instrumented_rounds`` rounds, of ``instrumented_benchmarks`` and ``instrumented_variants``,
with ``instrumented_values``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping

from ..model import Design
from ..results.model import BenchmarkRecord


def process_count(benchmarks: int, variants: int, design: Design) -> int:
    """Timed processes the planned rounds start (calibration not counted)."""
    return benchmarks * variants * design.processes


def instrumented_benchmarks(benchmarks: Iterable[str], design: Design) -> list[str]:
    """The benchmarks that get instrumented processes."""
    chosen = design.instrumented_benchmarks
    return [b for b in benchmarks if chosen is None or b in chosen]


def instrumented_variants(variants: Iterable[str], design: Design) -> list[str]:
    """The variants that get instrumented processes."""
    chosen = design.instrumented_variants
    return [v for v in variants if chosen is None or v in chosen]


def instrumented_rounds(design: Design) -> int:
    """Rounds that hold instrumented processes."""
    return min(design.processes, design.instrumented_rounds or design.processes)


def instrumented_count(benchmarks: Iterable[str], variants: int, design: Design) -> int:
    """Processes the planned rounds start under each instrument that runs: one per chosen
    benchmark and variant in each instrumented round."""
    return len(instrumented_benchmarks(benchmarks, design)) * variants * instrumented_rounds(design)


def process_seconds(calibration: dict, loops: int, design: Design) -> float | None:
    """Seconds one measuring process of a benchmark should take, from its calibration process.

    Start-up is the calibration process's wall time less the values it timed; each timed value
    then costs what the calibration's last step (at the chosen loops) did. None when unknown
    (fixed loops: nothing was timed before the run).
    """
    steps = calibration.get("steps") or []
    wall_ns = calibration.get("wall_ns")
    if not steps or wall_ns is None:
        return None
    timed_ns = sum(dt for _, dt in steps)
    last_loops, last_ns = steps[-1]
    value_ns = last_ns * loops / max(last_loops, 1)
    startup_ns = max(wall_ns - timed_ns, 0)
    first_ns = value_ns / max(loops, 1)
    return (startup_ns + first_ns + (design.warmups + design.values) * value_ns) / 1e9


def run_seconds(
    benchmarks: Mapping[str, BenchmarkRecord],
    variants: int,
    design: Design,
    costs: Mapping[str, float] | None = None,
    counted_variants: int | None = None,
) -> float | None:
    """Seconds the planned rounds should take; ``costs`` names the instruments that run (each →
    its process's wall time as a multiple of native), for ``counted_variants`` of the variants
    (None: all). None when a benchmark's cost is unknown."""
    factor = sum((costs or {}).values())
    chosen = set(instrumented_benchmarks(benchmarks, design))
    # An instrumented process measures its own number of values (counts need few).
    instrumented = dataclasses.replace(design, values=design.instrumented_values or design.values)
    total = 0.0
    for bench, entry in benchmarks.items():
        if entry.error:
            continue
        calibration, loops = entry.calibration or {}, entry.loops or 1
        one = process_seconds(calibration, loops, design)
        if one is None:
            return None
        total += one * variants * design.processes
        if bench in chosen and factor:
            slow = process_seconds(calibration, loops, instrumented) or 0.0
            counted = variants if counted_variants is None else counted_variants
            total += slow * factor * counted * instrumented_rounds(design)
    return total


def describe(
    seconds: float | None, processes: int, instrumented: Mapping[str, int] | None = None
) -> str:
    """One line for the user, e.g. ``estimate: 970 processes, about 1 h 12 min``, or
    ``estimate: 24 processes + 12 under valgrind, about 9 min``."""
    more = "".join(f" + {n} under {name}" for name, n in (instrumented or {}).items() if n)
    if seconds is None:
        return (
            f"estimate: {processes} processes{more} (no time estimate: loops were not calibrated)"
        )
    minutes = seconds / 60
    if minutes < 1:
        span = f"{seconds:.0f} s"
    elif minutes < 60:
        span = f"{minutes:.0f} min"
    else:
        span = f"{int(minutes // 60)} h {int(minutes % 60)} min"
    return (
        f"estimate: {processes} processes{more}, about {span} "
        "(from calibration; JIT variants differ)"
    )
