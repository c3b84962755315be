"""Verdict rules and process-count planning.

Verdicts (``change`` and CI bounds in %, > 0 = candidate takes longer):

- ``slower`` / ``faster``: the CI excludes 0 (lies above / below it) and |change| >= min_effect.
- ``equivalent``: not slower/faster, and the CI lies inside [-margin, +margin].
- ``inconclusive``: anything else; then say how many more processes would likely resolve it.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy import special

VERDICTS: tuple[str, ...] = ("faster", "slower", "equivalent", "inconclusive")

#: processes_needed gives up beyond this many processes per side.
MAX_PROCESSES = 100_000

#: Planning power of the equivalence hint: identical variants continued with the suggested
#: processes are called equivalent with this probability (a 50 % plan fails half the time).
PLANNING_POWER = 0.8


def decide(
    change_pct: float,
    ci_low_pct: float,
    ci_high_pct: float,
    *,
    margin_pct: float,
    min_effect_pct: float,
) -> str:
    """Verdict from a point estimate and CI (all in %), by the rules in the module docstring."""
    if not (math.isfinite(ci_low_pct) and math.isfinite(ci_high_pct)):
        return "inconclusive"
    if abs(change_pct) >= min_effect_pct:
        if ci_low_pct > 0.0:
            return "slower"
        if ci_high_pct < 0.0:
            return "faster"
    if margin_pct > 0.0 and -margin_pct <= ci_low_pct and ci_high_pct <= margin_pct:
        return "equivalent"
    return "inconclusive"


def processes_needed(
    spread_pct: float,
    target_halfwidth_pct: float,
    *,
    confidence: float = 0.95,
    power: float = 0.5,
    paired: bool = False,
    max_processes: int = MAX_PROCESSES,
) -> int | None:
    """Processes per side for a CI half-width of ``target_halfwidth_pct`` (Kalibera & Jones).

    ``spread_pct`` is the between-process standard deviation of the log per-process value (x100,
    ≈ %; assumed equal on both sides), or with ``paired`` the sd of the per-round log ratios. The
    standard error with P processes per side is ``spread · sqrt(k / P)`` (k = 2, df = 2P - 2 for
    independent sides; k = 1, df = P - 1 for paired rounds). Returns the smallest P (>= 2; to
    within 2 % beyond 100) with ``(t_{df} + z_{power}) · SE <= target``: at ``power`` 0.5 the
    expected half-width meets the target; at 0.8 a CI centred where the estimate is now clears a
    boundary ``target`` away with probability 0.8 (classic sample-size planning). None when the
    target is not positive or needs more than ``max_processes``.

    Kalibera & Jones show that between-process variance is what more processes buy down; more
    iterations per process only shrink the within-process part, already inside ``spread``.
    """
    if not (spread_pct >= 0.0 and target_halfwidth_pct > 0.0):
        return None
    if not 0.0 < power < 1.0:
        raise ValueError("power must be between 0 and 1")
    if spread_pct == 0.0:
        return 2
    k = 1.0 if paired else 2.0
    z_conf = float(special.ndtri(0.5 + confidence / 2.0))
    z_power = float(special.ndtri(power))
    # Normal quantiles give a lower bound (t > z); walk up from it.
    p = max(2, math.ceil(k * ((z_conf + z_power) * spread_pct / target_halfwidth_pct) ** 2))
    while p <= max_processes:
        df = p - 1 if paired else 2 * p - 2
        t = float(special.stdtrit(df, 0.5 + confidence / 2.0))
        if (t + z_power) * spread_pct * math.sqrt(k / p) <= target_halfwidth_pct:
            return p
        # Few steps are needed once df is moderate; grow faster when far off.
        p += max(1, p // 50)
    return None


#: Equally likely values averaged over in :func:`equivalence_power`: the true spread (when it is
#: an estimate), the spread the new run will estimate, and the balance of the two sides' variances
#: (which sets Welch's degrees of freedom). Finer grids move the planned counts by under 1 %.
_SPREAD_NODES, _ESTIMATE_NODES, _BALANCE_NODES = 24, 32, 8


def _mid_quantiles(n: int) -> np.ndarray:
    """The midpoints of n equally likely slices of (0, 1)."""
    return (np.arange(n) + 0.5) / n


def _log_pct(change_pct: float) -> float:
    """A change in % as 100 · log ratio (-inf at -100 % and below)."""
    return 100.0 * math.log1p(change_pct / 100.0) if change_pct > -100.0 else -math.inf


def equivalence_power(
    processes: int,
    spread_pct: float,
    margin_pct: float,
    *,
    confidence: float = 0.95,
    paired: bool = False,
    min_effect_pct: float = 0.0,
    measured: int = 0,
) -> float:
    """Probability that identical variants run with ``processes`` per side are called equivalent.

    Exactly the verdict rule of :func:`decide` on the t-interval of the log ratio: the interval,
    with its t quantile at the run's own degrees of freedom (Welch's for independent sides) and
    its own estimate of the spread, lies inside ±margin and, unless the change is below the
    minimum effect, holds 0 (so the power never exceeds ``confidence`` then).

    With ``measured`` > 0 the run continues that many processes per side, whose spread estimate
    ``spread_pct`` (s, on d degrees of freedom) stays in the run's own: the power is conditional
    on s and averaged over the true spreads s leaves possible (σ² = s² · d / χ²_d). Counts up to
    ``measured`` give 0.
    """
    n = int(processes)
    if n < 2 or margin_pct <= 0.0:
        return 0.0
    if spread_pct <= 0.0:
        return 1.0
    lo, hi = _log_pct(-margin_pct), _log_pct(margin_pct)
    small_lo, small_hi = _log_pct(-min_effect_pct), _log_pct(min_effect_pct)
    level = 0.5 + confidence / 2.0
    if paired:
        k, df_sd = 1.0, n - 1.0
        t = np.atleast_1d(special.stdtrit(df_sd, level))
    else:
        # Equal sides: Welch's standard error is the pooled one (2n - 2 df); its df follows
        # the share u of one side in the summed variances, independent of the sum.
        k, df_sd = 2.0, 2.0 * n - 2.0
        u = special.betaincinv((n - 1) / 2.0, (n - 1) / 2.0, _mid_quantiles(_BALANCE_NODES))
        t = special.stdtrit((n - 1) / (u**2 + (1.0 - u) ** 2), level)
    sigma, known_df = np.array([spread_pct]), 0.0
    if measured > 0:
        if n <= measured:
            return 0.0
        known_df = measured - 1.0 if paired else 2.0 * measured - 2.0
        chi2 = special.chdtri(known_df, 1.0 - _mid_quantiles(_SPREAD_NODES))
        sigma = spread_pct * np.sqrt(known_df / chi2)
    new = special.chdtri(df_sd - known_df, 1.0 - _mid_quantiles(_ESTIMATE_NODES))
    # The run's estimate of the spread: the measured part as it came out, the new part drawn.
    estimate = np.sqrt((known_df * spread_pct**2 + sigma[:, None] ** 2 * new) / df_sd)
    h = t[None, :, None] * math.sqrt(k / n) * estimate[:, None, :]  # the interval's half-width
    # The change is drawn whole, measured part included: identical variants show no change, and
    # fixing the measured part at what it showed over-plans (simulated: 84 % instead of 80 %).
    sd = (sigma * math.sqrt(k / n))[:, None, None]
    # Equivalent: both bounds inside the margin, and not decisive (holds 0 or below min effect).
    a = np.maximum(lo + h, np.minimum(-h, small_lo))
    b = np.minimum(hi - h, np.maximum(h, small_hi))
    p = np.clip(special.ndtr(b / sd) - special.ndtr(a / sd), 0.0, None)
    return float(p.mean())


def processes_for_equivalence(
    spread_pct: float,
    margin_pct: float,
    *,
    confidence: float = 0.95,
    power: float = PLANNING_POWER,
    paired: bool = False,
    min_effect_pct: float = 0.0,
    measured: int = 0,
    max_processes: int = MAX_PROCESSES,
) -> int | None:
    """Fewest processes per side with :func:`equivalence_power` >= ``power`` if there is no change.

    ``measured``: the processes per side the spread was estimated from, which the run keeps.
    None when the margin is not positive or no count up to ``max_processes`` reaches it.
    """
    if not (spread_pct >= 0.0 and margin_pct > 0.0):
        return None
    if not 0.0 < power < 1.0:
        raise ValueError("power must be between 0 and 1")

    def enough(p: int) -> bool:
        return (
            equivalence_power(
                p,
                spread_pct,
                margin_pct,
                confidence=confidence,
                paired=paired,
                min_effect_pct=min_effect_pct,
                measured=measured,
            )
            >= power
        )

    # Start where normal quantiles would put it, the spread inflated by its expected uncertainty
    # (E[d / χ²_d] = d / (d - 2)); gallop from there, then halve the last step.
    k = 1.0 if paired else 2.0
    z = float(special.ndtri(0.5 + confidence / 2.0) + special.ndtri(0.5 + power / 2.0))
    d = (measured - 1.0 if paired else 2.0 * measured - 2.0) if measured else math.inf
    inflation = d / (d - 2.0) if 2.0 < d < math.inf else (2.0 if measured else 1.0)
    low = max(1, measured)  # fails: one process has no interval; measured ones did not show it
    start = math.ceil(inflation * k * (z * spread_pct / margin_pct) ** 2)
    guess = min(max(low + 1, start), max_processes)
    step = 1
    if enough(guess):
        high = guess
        while high - step > low and enough(high - step):
            high, step = high - step, 2 * step
        low = max(low, high - step)
    else:
        low = guess
        while True:
            high = min(low + step, max_processes)
            if enough(high):
                break
            if high == max_processes:
                return None
            low, step = high, 2 * step
    while high - low > 1:
        mid = (low + high) // 2
        low, high = (low, mid) if enough(mid) else (mid, high)
    return max(2, high)


def resolution(
    interval: Any,
    *,
    margin_pct: float,
    confidence: float,
    precision_pct: float | None = None,
    min_effect_pct: float = 0.0,
) -> tuple[int | None, str]:
    """(more processes per side, hint) for an inconclusive result, Kalibera & Jones style.

    The between-process spread is the interval's own standard error scaled back to one process;
    :func:`processes_needed` then sizes the processes for a CI half-width of ``precision_pct``
    (default: the margin). It plans a precision, never "resolving" the observed change: an
    inconclusive change is not supported by the data. With a margin, it adds the processes that
    show equivalence within it with 80 % power *if* there is no change, averaged over the true
    spreads the measured processes leave possible (:func:`processes_for_equivalence`).
    """
    n_units, df, se = interval.n_units, interval.df, interval.se
    if n_units < 2 or df < 1 or not math.isfinite(se):
        return None, "need at least 2 processes per side for a confidence interval"
    k = 1.0 if interval.paired else 2.0
    spread = 100.0 * se / math.sqrt(k / n_units)
    target = precision_pct if precision_pct else margin_pct
    if not target or target <= 0.0:
        return None, ""
    need = processes_needed(spread, target, confidence=confidence, paired=interval.paired)
    if need is None:
        return None, f"more processes alone are unlikely to reach a ±{target:.1f} % CI"
    more = max(1, need - n_units)
    hint = f"≈ {more} more processes per side for a ±{target:.1f} % CI"
    if margin_pct > 0.0:
        eq = processes_for_equivalence(
            spread,
            margin_pct,
            confidence=confidence,
            paired=interval.paired,
            min_effect_pct=min_effect_pct,
            measured=n_units,
        )
        if eq is not None:
            hint += (
                f"; ≈ {max(1, eq - n_units)} more to show equivalence within"
                f" ±{margin_pct:.1f} % if there is no change ({100 * PLANNING_POWER:.0f} % power)"
            )
    return more, hint
