"""A sweep result as curves: each parameter against the change from the default variant.

A sweep artifact carries ``Result.sweep = {"parameters": [...], "default": VARIANT,
"points": {VARIANT: {PARAM: value}}}``. For each parameter, the variants that agree on every other
parameter form one curve; its points are the comparisons the analysis made against its baseline.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from ..analysis.experiment import Analysis
from ..results.model import Result


@dataclass(frozen=True)
class SweepPoint:
    """One variant on one curve: its parameter value and its change from the baseline."""

    variant: str
    value: object
    change_pct: float
    ci_low_pct: float
    ci_high_pct: float
    #: The comparison's verdict, or "baseline" for the variant everything is compared with.
    verdict: str
    #: The level of the comparison's CI; None for the baseline.
    confidence: float | None = None


@dataclass(frozen=True)
class SweepSeries:
    """One curve: a parameter varied while the others hold the values in ``fixed``."""

    benchmark: str
    parameter: str
    fixed: dict = field(default_factory=dict)
    points: list[SweepPoint] = field(default_factory=list)

    @property
    def numeric(self) -> bool:
        """Whether every value is a number (else the axis is categorical)."""
        return all(
            isinstance(p.value, int | float) and not isinstance(p.value, bool) for p in self.points
        )

    @property
    def label(self) -> str:
        """'other=1, third=x' or 'all points'."""
        return ", ".join(f"{k}={show(v)}" for k, v in self.fixed.items()) or "all points"


def show(value: object) -> str:
    """A parameter value as people write it: true/false, (unset) for None."""
    if value is None:
        return "(unset)"
    return str(value).lower() if isinstance(value, bool) else str(value)


def is_sweep(result: Result) -> bool:
    """Whether the artifact describes a sweep with at least one parameter."""
    sweep = result.sweep
    return isinstance(sweep, dict) and bool(sweep.get("parameters")) and bool(sweep.get("points"))


def sweep_series(result: Result, analysis: Analysis, measure: str = "time") -> list[SweepSeries]:
    """The curves of a sweep on one measure: per benchmark and parameter, one per combination
    of the others."""
    if not is_sweep(result) or result.sweep is None:
        return []
    params = list(result.sweep["parameters"])
    points: dict[str, dict] = result.sweep["points"]
    by_key = {(c.benchmark, c.candidate): c for c in analysis.comparisons if c.measure == measure}
    out = []
    for bench in result.benchmarks:
        for param in params:
            groups: dict[tuple, list[SweepPoint]] = {}
            for variant, values in points.items():
                if param not in values or variant not in result.variants:
                    continue
                key = tuple((q, values.get(q)) for q in params if q != param)
                if variant == analysis.baseline:
                    pt = SweepPoint(variant, values[param], 0.0, 0.0, 0.0, "baseline")
                elif (bench, variant) in by_key:
                    r = by_key[(bench, variant)].result
                    pt = SweepPoint(
                        variant,
                        values[param],
                        r.change_pct,
                        r.ci_low_pct,
                        r.ci_high_pct,
                        r.verdict,
                        r.confidence,
                    )
                else:
                    continue
                groups.setdefault(key, []).append(pt)
            for key, pts in groups.items():
                series = SweepSeries(bench, param, dict(key), pts)
                if series.numeric:
                    pts.sort(key=lambda p: float(p.value))  # type: ignore[arg-type]
                out.append(series)
    return out


def finite(x: float) -> bool:
    """Whether a number can be drawn."""
    return x is not None and math.isfinite(x)
