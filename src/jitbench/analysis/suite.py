"""A suite of comparisons: the geometric mean of the ratios and Holm-adjusted verdicts.

The maths is in :mod:`jitbench.stats.suite`. A faster/slower verdict survives Holm's adjustment
when its adjusted p-value is below α = 1 - confidence; otherwise it becomes "equivalent" if its CI
lies inside ±margin, else "inconclusive". Equivalent and inconclusive verdicts are not adjusted.

A suite is one candidate on one measure: its time ratios and its instruction ratios are separate
families (separate geometric means, separate Holm adjustments), never mixed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from ..stats.suite import BenchmarkChange, geomean_ci, holm
from ..stats.verdict import VERDICTS, decide
from .comparison import Comparison, _clean


@dataclass(frozen=True)
class SuiteSummary:
    """Suite-level summary; per-benchmark lists follow the order of the comparisons."""

    n_benchmarks: int
    #: 100 (geometric mean of the candidate/baseline ratios - 1); > 0 = candidate slower.
    geomean_change_pct: float
    ci_low_pct: float
    ci_high_pct: float
    confidence: float
    #: Verdict of the geometric mean by the per-benchmark rules (margin of the comparisons).
    verdict: str
    p_values: list[float]
    holm_p_values: list[float]
    verdicts: list[str]
    #: Per-benchmark verdicts after the Holm adjustment of faster/slower claims.
    adjusted_verdicts: list[str]
    #: Count of each adjusted verdict.
    counts: dict[str, int]
    n_resamples: int
    seed: int
    method: str
    warnings: list[str]
    #: What the ratios are of: ``time`` or a counted measure such as ``instructions``.
    measure: str = "time"

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able types (non-finite numbers become None)."""
        return dict(_clean(asdict(self)))


def suite_summary(
    comparisons: Sequence[Comparison],
    *,
    seed: int = 0,
    n_resamples: int = 2000,
    measure: str = "time",
) -> SuiteSummary:
    """Geometric mean of the ratios with a bootstrap CI, and Holm-adjusted verdicts, of one
    candidate's comparisons on one ``measure``."""
    if not comparisons:
        raise ValueError("no comparisons")
    confidence = comparisons[0].confidence
    margin = min(c.margin_pct for c in comparisons)
    min_effect = min(c.min_effect_pct for c in comparisons)
    warnings: list[str] = []
    if len({c.confidence for c in comparisons}) > 1:
        warnings.append(f"comparisons use different confidence levels; using {confidence}")
    if len({c.margin_pct for c in comparisons}) > 1:
        warnings.append(f"comparisons use different margins; the suite verdict uses ±{margin} %")

    changes = [
        BenchmarkChange(c.change_pct, c.ci_low_pct, c.ci_high_pct, c.df, c.confidence)
        for c in comparisons
    ]
    geo, ci_lo, ci_hi, missing = geomean_ci(changes, confidence, seed, n_resamples)
    if missing:
        warnings.append(
            f"{missing} benchmark(s) have no CI; they enter the geometric mean without uncertainty"
        )

    pvals = [c.p_value for c in comparisons]
    adjusted = holm(pvals)
    verdicts = [c.verdict for c in comparisons]
    adjusted_verdicts = []
    for c, v, p in zip(comparisons, verdicts, adjusted, strict=True):
        if v in ("faster", "slower") and not p < 1.0 - c.confidence:
            inside = -c.margin_pct <= c.ci_low_pct and c.ci_high_pct <= c.margin_pct
            v = "equivalent" if c.margin_pct > 0.0 and inside else "inconclusive"
        adjusted_verdicts.append(v)
    counts = {v: adjusted_verdicts.count(v) for v in VERDICTS}
    return SuiteSummary(
        n_benchmarks=len(comparisons),
        geomean_change_pct=geo,
        ci_low_pct=ci_lo,
        ci_high_pct=ci_hi,
        confidence=confidence,
        verdict=decide(geo, ci_lo, ci_hi, margin_pct=margin, min_effect_pct=min_effect),
        p_values=[float(p) for p in pvals],
        holm_p_values=adjusted,
        verdicts=verdicts,
        adjusted_verdicts=adjusted_verdicts,
        counts=counts,
        n_resamples=n_resamples,
        seed=seed,
        method="parametric-bootstrap-geomean+holm",
        warnings=warnings,
        measure=measure,
    )
