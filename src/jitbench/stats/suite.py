"""Suite level: geometric mean of the benchmarks' ratios, and Holm-adjusted verdicts.

Geometric mean CI: a *parametric* bootstrap over the benchmarks' own results. Each benchmark's
log ratio is drawn as ``centre + se · T_df`` (its point estimate, the standard error backed out of
its CI half-width, and its CI's degrees of freedom); the suite statistic of a draw is the mean of
the log ratios; the CI is the percentile interval of those means. The suite is a fixed set of
benchmarks, so the uncertainty is the measurement's, not "which benchmarks" (resampling the
benchmarks would answer a different question). It needs nothing but stored Comparison results.

Holm: with m benchmarks each tested at α, some "faster"/"slower" verdicts will be false by
chance. Holm's step-down adjustment controls the probability of *any* false difference claim
(family-wise error) at α: sort the p-values p(1) <= ... <= p(m); the adjusted value is
``max over j <= i of min(1, (m - j + 1) p(j))``. A faster/slower verdict survives when its
adjusted p-value is below α = 1 - confidence; otherwise it becomes "equivalent" if its CI lies
inside ±margin, else "inconclusive". Equivalent and inconclusive verdicts are not adjusted.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from scipy import special

from .comparison import Comparison, _clean
from .intervals import pct
from .verdict import VERDICTS, decide


def holm(pvalues: Sequence[float]) -> list[float]:
    """Holm step-down adjusted p-values, in the input order (NaN counts as 1)."""
    p = np.array([1.0 if not math.isfinite(v) else float(v) for v in pvalues], dtype=np.float64)
    m = p.size
    if m == 0:
        return []
    order = np.argsort(p, kind="stable")
    scaled = np.minimum(1.0, (m - np.arange(m)) * p[order])
    adjusted_sorted = np.maximum.accumulate(scaled)
    out = np.empty(m)
    out[order] = adjusted_sorted
    return [float(v) for v in out]


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

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able types (non-finite numbers become None)."""
        return dict(_clean(asdict(self)))


def _geomean_ci(
    comparisons: Sequence[Comparison], confidence: float, seed: int, n_resamples: int
) -> tuple[float, float, float, int]:
    """(geometric mean change %, CI low, CI high, benchmarks without a CI): see the module doc."""
    centres = np.array([math.log1p(c.change_pct / 100.0) for c in comparisons])
    draws = np.tile(centres, (n_resamples, 1))
    rng = np.random.default_rng(seed)
    missing = 0
    for i, c in enumerate(comparisons):
        df = c.df if math.isfinite(c.df) and c.df >= 1 else math.inf
        if not (math.isfinite(c.ci_low_pct) and math.isfinite(c.ci_high_pct)):
            missing += 1
            continue
        half = (math.log1p(c.ci_high_pct / 100.0) - math.log1p(c.ci_low_pct / 100.0)) / 2.0
        se = half / float(special.stdtrit(df, 0.5 + c.confidence / 2.0))
        noise = (
            rng.standard_t(df, n_resamples)
            if math.isfinite(df)
            else rng.standard_normal(n_resamples)
        )
        draws[:, i] += se * noise
    alpha = 1.0 - confidence
    lo, hi = np.quantile(draws.mean(axis=1), [alpha / 2.0, 1.0 - alpha / 2.0])
    if missing == len(comparisons):
        return pct(float(centres.mean())), math.nan, math.nan, missing
    return pct(float(centres.mean())), pct(float(lo)), pct(float(hi)), missing


def suite_summary(
    comparisons: Sequence[Comparison], *, seed: int = 0, n_resamples: int = 2000
) -> SuiteSummary:
    """Geometric mean of the ratios with a bootstrap CI, and Holm-adjusted verdicts."""
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

    geo, ci_lo, ci_hi, missing = _geomean_ci(comparisons, confidence, seed, n_resamples)
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
    )
