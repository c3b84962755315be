"""``--max-regression``: the CI gate on a comparison (exit 1 on a regression, like
``codesize --max-growth``). Judged on the counted measures when there are any (instructions are
what a CI host can measure reliably), else on time."""

from __future__ import annotations

from dataclasses import dataclass

from .experiment import Analysis, BenchmarkComparison

EXIT_REGRESSION = 1


@dataclass(frozen=True)
class Gate:
    """The outcome of ``--max-regression``: which comparisons regressed beyond the limit."""

    max_pct: float
    measures: tuple[str, ...]
    regressions: tuple[BenchmarkComparison, ...]

    @property
    def passed(self) -> bool:
        return not self.regressions

    def to_dict(self) -> dict:
        return {
            "max_regression_pct": self.max_pct,
            "measures": list(self.measures),
            "passed": self.passed,
            "regressions": [
                {
                    "benchmark": c.benchmark,
                    "candidate": c.candidate,
                    "measure": c.measure,
                    "change_pct": c.result.change_pct,
                    "ci_low_pct": c.result.ci_low_pct,
                    "ci_high_pct": c.result.ci_high_pct,
                }
                for c in self.regressions
            ],
        }

    def message(self) -> str:
        """One line naming the worst regression."""
        worst = max(self.regressions, key=lambda c: c.result.change_pct)
        r = worst.result
        return (
            f"{worst.benchmark}: {worst.candidate} {worst.measure} {r.change_pct:+.3f} % "
            f"[{r.ci_low_pct:+.3f} %, {r.ci_high_pct:+.3f} %] vs {worst.baseline}, more than "
            f"--max-regression {self.max_pct:g} %"
            + (f" ({len(self.regressions)} regressions)" if len(self.regressions) > 1 else "")
        )


def gate(analysis: Analysis, max_pct: float) -> Gate:
    """A regression: the change exceeds ``max_pct`` and its CI excludes no change."""
    counted = tuple(dict.fromkeys(c.measure for c in analysis.comparisons if c.measure != "time"))
    measures = counted or ("time",)
    bad = tuple(
        c
        for c in analysis.comparisons
        if c.measure in measures and c.result.change_pct > max_pct and c.result.ci_low_pct > 0
    )
    return Gate(max_pct=max_pct, measures=measures, regressions=bad)
