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
#: The smallest change (%) a count verdict calls faster or slower. Instruction counts of
#: identical processes agree to about 1 in 10^6, not exactly (under valgrind, values of 1.8 x 10^7
#: instructions now and then differ by ~20), so two copies of one variant can differ by 0.0001 %,
#: consistently enough over a few processes for an interval to exclude 0.
#: 0.01 % is a hundred times that and twenty times below the 0.2 % a code-generation change
#: makes. Counts that swing like time (cycles, misses, task-clock) have no floor.
RESOLUTION_PCT = {"instructions": 0.01}


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


def resolution_pct(measure: str) -> float:
    """The smallest change (%) of ``measure`` a verdict calls faster or slower (0: no floor)."""
    return RESOLUTION_PCT.get(measure, 0.0)
