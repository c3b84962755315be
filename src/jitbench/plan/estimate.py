"""What a run will cost, told before it starts: processes to run and, once loops are calibrated,
roughly how long they take."""

from __future__ import annotations

from ..model import Design


def process_count(benchmarks: int, variants: int, design: Design) -> int:
    """Processes the planned rounds start (calibration not counted)."""
    return benchmarks * variants * design.processes


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


def run_seconds(benchmarks: dict[str, dict], variants: int, design: Design) -> float | None:
    """Seconds the planned rounds should take; None when a benchmark's cost is unknown."""
    total = 0.0
    for entry in benchmarks.values():
        if entry.get("error"):
            continue
        one = process_seconds(entry.get("calibration") or {}, entry.get("loops") or 1, design)
        if one is None:
            return None
        total += one * variants * design.processes
    return total


def describe(seconds: float | None, processes: int) -> str:
    """One line for the user, e.g. ``estimate: 970 processes, about 1 h 12 min``."""
    if seconds is None:
        return f"estimate: {processes} processes (no time estimate: loops were not calibrated)"
    minutes = seconds / 60
    if minutes < 1:
        span = f"{seconds:.0f} s"
    elif minutes < 60:
        span = f"{minutes:.0f} min"
    else:
        span = f"{int(minutes // 60)} h {int(minutes % 60)} min"
    return f"estimate: {processes} processes, about {span} (from calibration; JIT variants differ)"
