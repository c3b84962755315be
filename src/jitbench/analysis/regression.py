"""``--max-regression``: the CI gate on a comparison (exit 1 on a regression, like
``codesize --max-growth``).

A limit names its measure (``instructions=0.1``, ``time=3``), each measure with its own limit.
A limit without a measure judges the counted measures when there are any (instructions are what
a CI host can measure reliably), else time."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import JitbenchError
from .experiment import Analysis, BenchmarkComparison

EXIT_REGRESSION = 1


@dataclass(frozen=True)
class Limit:
    """One ``--max-regression`` value: a measure (None: the default rule) and its limit in %."""

    measure: str | None
    max_pct: float

    def __str__(self) -> str:
        return f"{self.measure}={self.max_pct:g}%" if self.measure else f"{self.max_pct:g}%"


@dataclass(frozen=True)
class Gate:
    """The outcome of ``--max-regression``: which comparisons regressed beyond their limit."""

    #: measure → its limit in %, as applied.
    limits: dict[str, float]
    regressions: tuple[BenchmarkComparison, ...]

    @property
    def passed(self) -> bool:
        return not self.regressions

    @property
    def measures(self) -> tuple[str, ...]:
        return tuple(self.limits)

    def to_dict(self) -> dict:
        # max_regression_pct: the one limit of a gate on one measure (the key earlier gates had).
        one = set(self.limits.values())
        return {
            "max_regression_pct": one.pop() if len(one) == 1 else None,
            "limits_pct": dict(self.limits),
            "measures": list(self.measures),
            "passed": self.passed,
            "regressions": [
                {
                    "benchmark": c.benchmark,
                    "candidate": c.candidate,
                    "measure": c.measure,
                    "max_regression_pct": self.limits[c.measure],
                    "change_pct": c.result.change_pct,
                    "ci_low_pct": c.result.ci_low_pct,
                    "ci_high_pct": c.result.ci_high_pct,
                }
                for c in self.regressions
            ],
        }

    def message(self) -> str:
        """One line naming the worst regression (the largest excess over its limit)."""
        worst = max(self.regressions, key=lambda c: c.result.change_pct - self.limits[c.measure])
        r = worst.result
        return (
            f"{worst.benchmark}: {worst.candidate} {worst.measure} {r.change_pct:+.3f} % "
            f"[{r.ci_low_pct:+.3f} %, {r.ci_high_pct:+.3f} %] vs {worst.baseline}, more than "
            f"--max-regression {self.limits[worst.measure]:g} %"
            + (f" ({len(self.regressions)} regressions)" if len(self.regressions) > 1 else "")
        )


def limits_of(analysis: Analysis, limits: list[Limit] | float) -> dict[str, float]:
    """measure → limit: named measures as given; an unnamed limit applies to the counted
    measures of the analysis when there are any, else to time (a named one wins over it)."""
    if isinstance(limits, int | float):
        limits = [Limit(None, float(limits))]
    held = list(dict.fromkeys(c.measure for c in analysis.comparisons))
    out: dict[str, float] = {}
    for lim in limits:
        if lim.measure is None:
            counted = [m for m in held if m != "time"] or ["time"]
            for m in counted:
                out.setdefault(m, lim.max_pct)
    for lim in limits:
        if lim.measure is not None:
            if analysis.comparisons and lim.measure not in held:
                raise JitbenchError(
                    f"--max-regression {lim}: result {analysis.result_id} has no "
                    f"{lim.measure} comparison (it has: {', '.join(held)}); run with "
                    f"--measure time,{lim.measure}"
                )
            out[lim.measure] = lim.max_pct
    return out


def gate(analysis: Analysis, limits: list[Limit] | float) -> Gate:
    """A regression: the change exceeds its measure's limit and its CI excludes no change."""
    chosen = limits_of(analysis, limits)
    bad = tuple(
        c
        for c in analysis.comparisons
        if c.measure in chosen
        and c.result.change_pct > chosen[c.measure]
        and c.result.ci_low_pct > 0
    )
    return Gate(limits=chosen, regressions=bad)
