"""Closed-form intervals: the t-interval of a ratio of means, and drift over rounds.

Both work on one number per process, so they count processes, never individual values.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import special


def pct(log_ratio: float) -> float:
    """A log ratio as a percentage change (exp(x) - 1, in %)."""
    return 100.0 * math.expm1(log_ratio)


def drift(log_baseline_by_round: np.ndarray) -> dict[str, Any]:
    """Linear trend of the baseline's log process values over the round index.

    Returns the slope as % per round, its effect over the whole run (first to last round, in %)
    and the slope's two-sided p-value (NaN with fewer than 3 rounds).
    """
    y = np.asarray(log_baseline_by_round, dtype=np.float64)
    r = y.size
    if r < 2:
        return {"pct_per_round": math.nan, "over_run_pct": math.nan, "p_value": math.nan}
    x = np.arange(r, dtype=np.float64)
    xc = x - x.mean()
    slope = float(xc @ (y - y.mean()) / (xc @ xc))
    if r == 2:
        p = math.nan
    else:
        resid = y - y.mean() - slope * xc
        se = math.sqrt(float(resid @ resid) / (r - 2) / float(xc @ xc))
        if se > 0.0:
            p = float(2.0 * special.stdtr(r - 2, -abs(slope) / se))
        else:
            p = 1.0 if slope == 0.0 else 0.0
    return {
        "pct_per_round": pct(slope),
        "over_run_pct": pct(slope * (r - 1)),
        "p_value": p,
    }


@dataclass(frozen=True)
class RatioIntervals:
    """t-intervals of log(ratio of means) for N experiments at once (arrays of shape (N,))."""

    estimate: np.ndarray  # log(mean candidate / mean baseline)
    se: np.ndarray  # its standard error (delta method)
    df: np.ndarray
    low: np.ndarray  # CI bounds on the log scale
    high: np.ndarray
    p_value: np.ndarray  # two-sided, from the same t statistic: p < α exactly when 0 is outside


def ratio_of_means_t(
    baseline: np.ndarray,
    candidate: np.ndarray,
    *,
    paired: bool,
    confidence: float,
    floor_baseline: np.ndarray | None = None,
    floor_candidate: np.ndarray | None = None,
) -> RatioIntervals:
    """t-interval of log(mean candidate / mean baseline); rows are experiments, columns processes.

    One value per process (the process is the unit). The standard error comes from the delta
    method: var(log x̄) ≈ var(x̄) / x̄². Unpaired: Welch's standard error and Welch-Satterthwaite
    degrees of freedom. ``paired`` (columns are rounds, same count on both sides): the per-round
    differences of the values relative to their side's mean, with R - 1 degrees of freedom.
    ``floor_*`` (per row, in squared time units) is a lower bound of var(x̄) per side: the
    uncertainty of the level mix (:func:`jitbench.stats.levels.mix_variance`).
    """
    b = np.atleast_2d(np.asarray(baseline, dtype=np.float64))
    c = np.atleast_2d(np.asarray(candidate, dtype=np.float64))
    pb, pc = b.shape[1], c.shape[1]
    mb, mc = b.mean(axis=1), c.mean(axis=1)
    fb = np.zeros(mb.shape) if floor_baseline is None else np.asarray(floor_baseline) / mb**2
    fc = np.zeros(mc.shape) if floor_candidate is None else np.asarray(floor_candidate) / mc**2
    with np.errstate(divide="ignore", invalid="ignore"):
        if paired:
            d = c / mc[:, None] - b / mb[:, None]
            var = np.maximum(np.var(d, axis=1, ddof=1) / pc, fb + fc)
            df = np.full(mb.shape, float(pc - 1))
        else:
            vb = np.maximum(np.var(b, axis=1, ddof=1) / pb / mb**2, fb)
            vc = np.maximum(np.var(c, axis=1, ddof=1) / pc / mc**2, fc)
            var = vb + vc
            df = var**2 / (vb**2 / (pb - 1) + vc**2 / (pc - 1))
            df = np.where(var > 0.0, df, float(pb + pc - 2))
        estimate = np.log(mc) - np.log(mb)
        se = np.sqrt(var)
        t = special.stdtrit(df, 0.5 + confidence / 2.0)
        stat = np.abs(estimate) / se
        p = np.where(se > 0.0, 2.0 * special.stdtr(df, -stat), np.where(estimate == 0, 1.0, 0.0))
    return RatioIntervals(estimate, se, df, estimate - t * se, estimate + t * se, p)
