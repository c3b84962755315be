"""Shared number formatting for every report."""

from __future__ import annotations

import math


def seconds(x: float | None) -> str:
    """A duration with a unit that keeps three or four significant digits."""
    if x is None or not math.isfinite(x):
        return "n/a"
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("us", 1e-6), ("ns", 1e-9)):
        if abs(x) >= scale:
            return f"{x / scale:.4g} {unit}"
    return f"{x * 1e9:.3g} ns"


def pct(x: float | None, digits: int = 2) -> str:
    """A signed percentage."""
    if x is None or not math.isfinite(x):
        return "n/a"
    return f"{x:+.{digits}f} %"


def ci(low: float, high: float, digits: int = 2) -> str:
    """A confidence interval of a percentage change."""
    return f"[{pct(low, digits)}, {pct(high, digits)}]"


def from_to(a: float, b: float) -> str:
    """'a → b' with units."""
    return f"{seconds(a)} → {seconds(b)}"


def metric_of(analysis: object) -> str:
    """The metric the analysis's verdicts use (``steady`` when there is no comparison)."""
    comparisons = getattr(analysis, "comparisons", [])
    return comparisons[0].result.metric if comparisons else "steady"
