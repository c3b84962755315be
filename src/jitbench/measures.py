"""Measures: what a value records. ``time`` always; counts from counters or valgrind beside it.

A measure is chosen per experiment, never per variant, so both sides are measured alike. Counts
come from one of two backends: ``perf`` (perf_event_open in the measured process itself, where
the CPU exposes counters) or ``valgrind`` (extra processes run under callgrind, which counts
instructions only).
"""

from __future__ import annotations

from .errors import JitbenchError

TIME = "time"
# Counted measures and the unit one value of them is in.
COUNTED = {
    "instructions": "instructions",
    "cycles": "cycles",
    "branch-misses": "misses",
    "cache-misses": "misses",
    "task-clock": "ns",  # a software event: perf_event_open works even without hardware counters
}
MEASURES = (TIME, *COUNTED)
# What valgrind can count in place of a missing hardware counter.
VALGRIND_MEASURES = ("instructions",)


def parse(text: str) -> tuple[str, ...]:
    """``"time,instructions"`` → ("time", "instructions"); time is always measured, first."""
    names = [n.strip() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in MEASURES]
    if unknown:
        raise JitbenchError(
            f"--measure: unknown measure {unknown[0]!r}; choose from {', '.join(MEASURES)}"
        )
    return (TIME, *dict.fromkeys(n for n in names if n != TIME))


def counted(measures: tuple[str, ...] | list[str]) -> list[str]:
    """The measures that are counts, not time."""
    return [m for m in measures if m != TIME]


def unit(measure: str) -> str:
    """What one value of ``measure`` is in ("s" for time)."""
    return "s" if measure == TIME else COUNTED[measure]
