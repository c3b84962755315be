"""Verdict rules and process-count planning.

Verdicts (``change`` and CI bounds in %, > 0 = candidate takes longer):

- ``slower`` / ``faster``: the CI excludes 0 (lies above / below it) and |change| >= min_effect.
- ``equivalent``: not slower/faster, and the CI lies inside [-margin, +margin].
- ``inconclusive``: anything else; then say how many more processes would likely resolve it.
"""

from __future__ import annotations

import math

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


def resolution(
    *,
    change_pct: float,
    ci_low_pct: float,
    ci_high_pct: float,
    df: float,
    n_units: int,
    paired: bool,
    margin_pct: float,
    min_effect_pct: float,
    confidence: float,
) -> tuple[int | None, str]:
    """(more processes per side, hint) for an inconclusive result, assuming the estimate holds.

    The spread is backed out of the current CI (so it carries whatever the CI method added),
    then :func:`processes_needed` sizes, at :data:`PLANNING_POWER`, the cheaper of the two ways
    to resolve: a CI inside ±margin (equivalence) or a CI that excludes 0 (a difference at least
    min_effect).
    """
    if not (math.isfinite(ci_low_pct) and math.isfinite(ci_high_pct)) or n_units < 2 or df < 1:
        return None, "need at least 2 processes per side for a confidence interval"
    lo, hi = math.log1p(ci_low_pct / 100.0), math.log1p(ci_high_pct / 100.0)
    half, centre = (hi - lo) / 2.0, (hi + lo) / 2.0
    if half <= 0.0:
        return None, ""
    k = 1.0 if paired else 2.0
    t = float(special.stdtrit(df, 0.5 + confidence / 2.0))
    spread = half / (t * math.sqrt(k / n_units))
    options: list[tuple[int, str]] = []
    margin_log = math.log1p(margin_pct / 100.0) if margin_pct > 0.0 else 0.0
    if margin_log > abs(centre):
        need = processes_needed(
            100 * spread,
            100 * (margin_log - abs(centre)),
            confidence=confidence,
            power=PLANNING_POWER,
            paired=paired,
        )
        if need is not None:
            options.append((need, f"resolve ±{margin_pct:.1f} %"))
    if abs(change_pct) >= min_effect_pct and centre != 0.0:
        need = processes_needed(
            100 * spread,
            100 * abs(centre),
            confidence=confidence,
            power=PLANNING_POWER,
            paired=paired,
        )
        if need is not None:
            options.append((need, f"resolve the {change_pct:+.1f} % change from 0"))
    if not options:
        return None, (
            f"more processes alone are unlikely to resolve ±{margin_pct:.1f} %: "
            "the estimate sits at the margin"
        )
    need, what = min(options)
    more = max(1, need - n_units)
    return more, f"≈ {more} more processes per side would {what}"
