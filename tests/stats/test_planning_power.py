"""The planning hints keep their promises: seeded simulations of identical variants whose
inconclusive pilot runs are continued with the processes the hint suggests.

Run ``python -m tests.stats.test_planning_power`` from the repository root to print the figures
quoted in docs/statistics.md ("How many more processes?").
"""

from __future__ import annotations

import functools
import math
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from jitbench.stats.intervals import RatioIntervals, pct, ratio_of_means_t
from jitbench.stats.parts import Interval
from jitbench.stats.verdict import (
    decide,
    equivalence_power,
    processes_for_equivalence,
    processes_needed,
    resolution,
)

MARGIN, CONFIDENCE = 1.0, 0.95
EQUIVALENCE = re.compile(r"≈ (\d+) more to show equivalence")
PRECISION = re.compile(r"≈ (\d+) more processes per side for a ±")

#: A plan: the processes per side in total that an inconclusive pilot is continued to.
Plan = Callable[[Interval], int | None]


@dataclass(frozen=True)
class Followed:
    """What became of the pilots whose plan was followed."""

    trials: int  # inconclusive pilots with a plan
    equivalent: float  # share called equivalent once continued
    reached: float  # share whose CI half-width met the margin (the precision target)
    median_halfwidth: float  # median CI half-width (log scale, %) once continued


def _values(rng: np.random.Generator, trials: int, processes: int, spread: float) -> np.ndarray:
    """Per-process values of identical variants: lognormal process levels, sd ``spread``."""
    return np.exp(spread * rng.standard_normal((trials, processes)))


def _verdicts(r: RatioIntervals) -> list[str]:
    return [
        decide(pct(e), pct(lo), pct(hi), margin_pct=MARGIN, min_effect_pct=0.0)
        for e, lo, hi in zip(r.estimate, r.low, r.high, strict=True)
    ]


def _interval(r: RatioIntervals, i: int, n_units: int, paired: bool) -> Interval:
    """Row i of vectorised intervals as the verdict interval compare() builds."""
    method = "paired-t-ratio-of-means" if paired else "welch-t-ratio-of-means"
    return Interval(
        pct(float(r.estimate[i])),
        pct(float(r.low[i])),
        pct(float(r.high[i])),
        float(r.p_value[i]),
        float(r.df[i]),
        method,
        n_units,
        paired,
        float(r.se[i]),
    )


def follow(
    plan: Plan, *, trials: int, pilot: int, spread: float, paired: bool, seed: int
) -> Followed:
    """Run ``trials`` A/A pilots; continue each inconclusive one to the processes ``plan`` asks."""
    rng = np.random.default_rng(seed)
    b, c = _values(rng, trials, pilot, spread), _values(rng, trials, pilot, spread)
    first = ratio_of_means_t(b, c, paired=paired, confidence=CONFIDENCE)
    totals: dict[int, list[int]] = {}
    for i, verdict in enumerate(_verdicts(first)):
        total = plan(_interval(first, i, pilot, paired)) if verdict == "inconclusive" else None
        if total is not None:
            totals.setdefault(total, []).append(i)
    verdicts: list[str] = []
    halves: list[float] = []
    for total, rows in sorted(totals.items()):
        more = max(0, total - pilot)
        bb = np.hstack([b[rows], _values(rng, len(rows), more, spread)])
        cc = np.hstack([c[rows], _values(rng, len(rows), more, spread)])
        again = ratio_of_means_t(bb, cc, paired=paired, confidence=CONFIDENCE)
        verdicts += _verdicts(again)
        halves += list(50.0 * (again.high - again.low))
    n = len(verdicts)
    return Followed(
        n,
        sum(v == "equivalent" for v in verdicts) / max(n, 1),
        float(np.mean(np.asarray(halves) <= MARGIN)) if n else math.nan,
        float(np.median(halves)) if n else math.nan,
    )


@functools.cache
def _hint(interval: Interval) -> str:
    """The printed hint (cached: the precision test follows the same pilots)."""
    return resolution(interval, margin_pct=MARGIN, confidence=CONFIDENCE)[1]


def _hinted(pattern: re.Pattern[str]) -> Plan:
    """The plan the printed hint gives: the pilot's processes plus the ≈ N more it names."""

    def plan(interval: Interval) -> int | None:
        m = pattern.search(_hint(interval))
        return None if m is None else interval.n_units + int(m.group(1))

    return plan


def _normal_plan(power_term: float) -> Plan:
    """Earlier plans: the estimated spread taken as the truth, z for ``power_term`` on top of t."""

    def plan(interval: Interval) -> int | None:
        k = 1.0 if interval.paired else 2.0
        spread = 100.0 * interval.se / math.sqrt(k / interval.n_units)
        return processes_needed(
            spread, MARGIN, confidence=CONFIDENCE, power=power_term, paired=interval.paired
        )

    return plan


def test_equivalence_power_is_the_verdict_rule_exactly() -> None:
    """At a known spread the computed power is the share of A/A runs decide() calls equivalent."""
    rng = np.random.default_rng(42)
    for processes, spread, paired, min_effect in (
        (30, 1.5, False, 0.0),
        (8, 0.6, False, 0.0),
        (20, 1.5, True, 0.0),
        (12, 1.0, False, 1.0),
    ):
        sd = spread / 100.0 / (math.sqrt(2.0) if paired else 1.0)  # paired: sd of a round's diff
        b, c = _values(rng, 20_000, processes, sd), _values(rng, 20_000, processes, sd)
        r = ratio_of_means_t(b, c, paired=paired, confidence=CONFIDENCE)
        shown = np.mean(
            [
                decide(pct(e), pct(lo), pct(hi), margin_pct=MARGIN, min_effect_pct=min_effect)
                == "equivalent"
                for e, lo, hi in zip(r.estimate, r.low, r.high, strict=True)
            ]
        )
        computed = equivalence_power(
            processes, spread, MARGIN, paired=paired, min_effect_pct=min_effect
        )
        assert abs(computed - shown) < 0.015, (processes, spread, paired, computed, shown)


def test_equivalence_plan_is_the_fewest_processes_with_the_power() -> None:
    for spread, measured in ((0.5, 0), (1.5, 0), (1.5, 6), (1.5, 3)):
        n = processes_for_equivalence(spread, MARGIN, measured=measured)
        assert n is not None and n > measured
        power = functools.partial(
            equivalence_power, spread_pct=spread, margin_pct=MARGIN, measured=measured
        )
        assert power(n) >= 0.8 > power(n - 1)
    # Fewer measured processes leave the spread less certain: the plan grows.
    few = processes_for_equivalence(1.5, MARGIN, measured=3)
    many = processes_for_equivalence(1.5, MARGIN, measured=20)
    assert few is not None and many is not None and few > many
    # Without a minimum effect the interval must also hold 0: never above the confidence.
    assert equivalence_power(10_000, 1.0, MARGIN) <= CONFIDENCE + 1e-3
    assert processes_for_equivalence(1.0, MARGIN, power=0.97) is None
    assert equivalence_power(10_000, 1.0, MARGIN, min_effect_pct=MARGIN) > 0.99
    # A change below the minimum effect is equivalent even when its interval misses 0.
    below = processes_for_equivalence(1.5, MARGIN, min_effect_pct=MARGIN)
    assert below is not None and few is not None and below < few
    assert processes_for_equivalence(0.0, MARGIN) == 2
    assert processes_for_equivalence(1.0, 0.0) is None


#: (pilot processes per side, between-process sd, paired): few processes, noisy, both designs.
SCENARIOS = ((6, 0.015, False), (6, 0.015, True), (4, 0.01, False))
#: Pilots per scenario, and the least share called equivalent that still keeps an 80 % promise
#: (80 % less 2.5 simulation sd at 1000+ followed pilots).
TRIALS, KEPT = 1200, 0.77


def test_equivalence_plan_has_its_promised_power() -> None:
    """Pilots continued to the hinted count are called equivalent at least ~80 % of the time."""
    for k, (pilot, spread, paired) in enumerate(SCENARIOS):
        f = follow(
            _hinted(EQUIVALENCE), trials=TRIALS, pilot=pilot, spread=spread, paired=paired, seed=k
        )
        assert f.trials >= 1000, f
        # Kept, and not by planning wastefully many processes.
        assert KEPT <= f.equivalent <= 0.9, (pilot, spread, paired, f)


def test_the_previous_equivalence_plan_falls_short() -> None:
    """Negative control: the estimated spread taken as the truth promised 80 % and gave less."""
    for k, (pilot, spread, paired) in enumerate(SCENARIOS):
        f = follow(
            _normal_plan(0.9), trials=TRIALS, pilot=pilot, spread=spread, paired=paired, seed=k
        )
        assert f.trials >= 1000, f
        assert f.equivalent < KEPT, (pilot, spread, paired, f)


def test_precision_plan_gives_its_halfwidth_typically() -> None:
    """The '≈ N more for a ±x % CI' hint plans the typical half-width; it promises no power."""
    f = follow(_hinted(PRECISION), trials=TRIALS, pilot=6, spread=0.015, paired=False, seed=0)
    assert f.trials >= 1000, f
    assert 0.9 * MARGIN <= f.median_halfwidth <= 1.1 * MARGIN, f
    assert 0.4 <= f.reached <= 0.7, f


def main(argv: list[str]) -> None:
    """Print the table of docs/statistics.md: each plan followed in each scenario."""
    trials = 400 if "--quick" in argv else 4000
    plans = (_hinted(EQUIVALENCE), _normal_plan(0.9), _normal_plan(0.8), _hinted(PRECISION))
    print(
        "| pilot (process sd) | equivalence hint | before: z for 1 − β/2 | before that: z for"
        " 1 − β | precision hint: CI ≤ ±1 % (median) |"
    )
    print("|---|---|---|---|---|")
    for k, (pilot, spread, paired) in enumerate(SCENARIOS):
        cells = [f"{pilot} {'rounds' if paired else 'per side'} ({100 * spread:.1f} %)"]
        for n, plan in enumerate(plans):
            f = follow(plan, trials=trials, pilot=pilot, spread=spread, paired=paired, seed=k)
            if n < 3:
                cells.append(f"{100 * f.equivalent:.1f} %")
            else:
                cells.append(f"{100 * f.reached:.0f} % (±{f.median_halfwidth:.2f} %)")
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main(sys.argv[1:])
