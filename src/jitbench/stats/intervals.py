"""Closed-form cross-checks: t-intervals on log process values, and drift over rounds.

These work on one number per process (its log mean), so they count processes, like the bootstrap.
They estimate the ratio of *geometric* means, which differs from the ratio of arithmetic means by
a second-order term (half the difference of the log variances: ~0.01 % at 1-2 % process noise).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy import special


def pct(log_ratio: float) -> float:
    """A log ratio as a percentage change (exp(x) - 1, in %)."""
    return 100.0 * math.expm1(log_ratio)


def _t_summary(
    estimate: float, se: float, df: float, confidence: float, method: str
) -> dict[str, Any]:
    if df < 1 or not math.isfinite(se):
        return {
            "method": method,
            "change_pct": pct(estimate),
            "low_pct": math.nan,
            "high_pct": math.nan,
            "df": float(df),
            "p_value": math.nan,
        }
    t = float(special.stdtrit(df, 0.5 + confidence / 2.0))
    if se > 0.0:
        p = float(2.0 * special.stdtr(df, -abs(estimate) / se))
    else:
        p = 1.0 if estimate == 0.0 else 0.0
    return {
        "method": method,
        "change_pct": pct(estimate),
        "low_pct": pct(estimate - t * se),
        "high_pct": pct(estimate + t * se),
        "df": float(df),
        "p_value": p,
    }


def t_interval_log(log_b: np.ndarray, log_c: np.ndarray, *, confidence: float) -> dict[str, Any]:
    """t-interval of mean(log candidate) - mean(log baseline) with min(P_b, P_c) - 1 df.

    Welch's standard error with the conservative df of the smaller side (no Satterthwaite), so the
    cross-check is never the optimistic one.
    """
    pb, pc = log_b.size, log_c.size
    estimate = float(log_c.mean() - log_b.mean())
    if min(pb, pc) < 2:
        return _t_summary(estimate, math.nan, 0, confidence, "t-log-process-means")
    se = math.sqrt(float(np.var(log_b, ddof=1)) / pb + float(np.var(log_c, ddof=1)) / pc)
    return _t_summary(estimate, se, min(pb, pc) - 1, confidence, "t-log-process-means")


def paired_t_interval(log_ratios: np.ndarray, *, confidence: float) -> dict[str, Any]:
    """t-interval of the mean per-round log ratio (candidate / baseline), R - 1 df."""
    r = log_ratios.size
    estimate = float(log_ratios.mean())
    if r < 2:
        return _t_summary(estimate, math.nan, 0, confidence, "paired-log-ratio")
    se = float(np.std(log_ratios, ddof=1)) / math.sqrt(r)
    return _t_summary(estimate, se, r - 1, confidence, "paired-log-ratio")


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
