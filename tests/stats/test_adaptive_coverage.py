"""The adaptive procedure itself keeps its coverage: rounds are added until the log-scale CI
half-width meets the target, never before ADAPTIVE_MIN_ROUNDS rounds (seeded simulation of the
stopping rule of ``jitbench.plan.adaptive`` on the default design)."""

from __future__ import annotations

import numpy as np

from jitbench.analysis.comparison import ADAPTIVE_MIN_ROUNDS
from jitbench.stats.intervals import ratio_of_means_t

from .sim import Design, simulate_values

START, STEP, MAX_ROUNDS = 5, 2, 61


def _adaptive(target_pct: float, n: int, seed: int, min_rounds: int) -> tuple[float, float]:
    """(coverage, median rounds at the stop) of n adaptive experiments at ratio 1."""
    b, c = simulate_values(np.random.default_rng(seed), n, Design(n_processes=MAX_ROUNDS))
    covered = np.zeros(n, dtype=bool)
    stopped = np.zeros(n, dtype=bool)
    rounds_at_stop = np.full(n, MAX_ROUNDS)
    for r in range(START, MAX_ROUNDS + 1, STEP):
        ci = ratio_of_means_t(b[:, :r], c[:, :r], paired=True, confidence=0.95)
        half = 50.0 * (ci.high - ci.low)  # the log-scale half-width, in %
        stop = ~stopped & (((half <= target_pct) & (r >= min_rounds)) | (r == MAX_ROUNDS))
        covered[stop] = (ci.low[stop] <= 0.0) & (ci.high[stop] >= 0.0)
        rounds_at_stop[stop] = r
        stopped |= stop
    return float(covered.mean()), float(np.median(rounds_at_stop))


def test_adaptive_rounds_keep_coverage_at_every_target() -> None:
    for k, target in enumerate((1.2, 0.9, 0.7)):
        coverage, rounds = _adaptive(target, 4000, seed=700 + k, min_rounds=ADAPTIVE_MIN_ROUNDS)
        assert coverage >= 0.93, (target, coverage, rounds)
        assert rounds >= ADAPTIVE_MIN_ROUNDS


def test_stopping_at_the_first_look_would_not() -> None:
    """Negative control: with no minimum, runs that stop early on a small spread undercover."""
    coverage, _ = _adaptive(1.2, 4000, seed=710, min_rounds=START)
    assert coverage < 0.93
