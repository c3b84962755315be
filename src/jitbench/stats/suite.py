"""Suite level maths: Holm's adjusted p-values and the CI of the geometric mean of ratios.

Geometric mean CI: a *parametric* bootstrap over the benchmarks' own results. Each benchmark's
log ratio is drawn as ``centre + se · T_df`` (its point estimate, the standard error backed out of
its CI half-width, and its CI's degrees of freedom); the suite statistic of a draw is the mean of
the log ratios; the CI is the percentile interval of those means. The suite is a fixed set of
benchmarks, so the uncertainty is the measurement's, not "which benchmarks" (resampling the
benchmarks would answer a different question). It needs nothing but stored results.

Holm: with m benchmarks each tested at α, some "faster"/"slower" verdicts will be false by
chance. Holm's step-down adjustment controls the probability of *any* false difference claim
(family-wise error) at α: sort the p-values p(1) <= ... <= p(m); the adjusted value is
``max over j <= i of min(1, (m - j + 1) p(j))``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import special

from .intervals import pct


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
class BenchmarkChange:
    """What the suite needs of one benchmark's comparison: change and CI (%), df, confidence."""

    change_pct: float
    low_pct: float
    high_pct: float
    df: float
    confidence: float


def geomean_ci(
    changes: Sequence[BenchmarkChange], confidence: float, seed: int, n_resamples: int
) -> tuple[float, float, float, int]:
    """(geometric mean change %, CI low, CI high, benchmarks without a CI): see the module doc."""
    centres = np.array([math.log1p(c.change_pct / 100.0) for c in changes])
    draws = np.tile(centres, (n_resamples, 1))
    rng = np.random.default_rng(seed)
    missing = 0
    for i, c in enumerate(changes):
        df = c.df if math.isfinite(c.df) and c.df >= 1 else math.inf
        if not (math.isfinite(c.low_pct) and math.isfinite(c.high_pct)):
            missing += 1
            continue
        half = (math.log1p(c.high_pct / 100.0) - math.log1p(c.low_pct / 100.0)) / 2.0
        se = half / float(special.stdtrit(df, 0.5 + c.confidence / 2.0))
        noise = (
            rng.standard_t(df, n_resamples)
            if math.isfinite(df)
            else rng.standard_normal(n_resamples)
        )
        draws[:, i] += se * noise
    alpha = 1.0 - confidence
    lo, hi = np.quantile(draws.mean(axis=1), [alpha / 2.0, 1.0 - alpha / 2.0])
    if missing == len(changes):
        return pct(float(centres.mean())), math.nan, math.nan, missing
    return pct(float(centres.mean())), pct(float(lo)), pct(float(hi)), missing
