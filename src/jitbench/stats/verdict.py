"""Verdict rules and process-count planning.

Verdicts (``change`` and CI bounds in %, > 0 = candidate takes longer):

- ``slower`` / ``faster``: the CI excludes 0 (lies above / below it) and |change| >= min_effect.
- ``equivalent``: not slower/faster, and the CI lies inside [-margin, +margin].
- ``inconclusive``: anything else; then say how many more processes would likely resolve it.
"""

from __future__ import annotations

import math
from typing import Any

from scipy import special

VERDICTS: tuple[str, ...] = ("faster", "slower", "equivalent", "inconclusive")

#: processes_needed gives up beyond this many processes per side.
MAX_PROCESSES = 100_000

#: Planning power of the resolution hint: the suggested processes resolve the question with this
#: probability if the current estimate and spread are right (a 50 % plan fails half the time).
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


def processes_for_equivalence(
    spread_pct: float,
    margin_pct: float,
    *,
    confidence: float = 0.95,
    power: float = PLANNING_POWER,
    paired: bool = False,
) -> int | None:
    """Processes per side to show equivalence within ±margin with ``power`` if there is no change.

    Both CI bounds must land inside the margin, so the power term is z for 1 - β/2 (two
    one-sided misses), not z for 1 - β.
    """
    return processes_needed(
        spread_pct,
        margin_pct,
        confidence=confidence,
        power=0.5 + power / 2.0,
        paired=paired,
    )


def resolution(
    interval: Any,
    *,
    margin_pct: float,
    confidence: float,
    precision_pct: float | None = None,
) -> tuple[int | None, str]:
    """(more processes per side, hint) for an inconclusive result, Kalibera & Jones style.

    The between-process spread is the interval's own standard error scaled back to one process;
    :func:`processes_needed` then sizes the processes for a CI half-width of ``precision_pct``
    (default: the margin). It plans a precision, never "resolving" the observed change: an
    inconclusive change is not supported by the data. With a margin, it adds the processes that
    show equivalence within it with 80 % power *if* there is no change.
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
            spread, margin_pct, confidence=confidence, paired=interval.paired
        )
        if eq is not None:
            hint += (
                f"; ≈ {max(1, eq - n_units)} more to show equivalence within"
                f" ±{margin_pct:.1f} % if there is no change (80 % power)"
            )
    return more, hint
