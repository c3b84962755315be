"""Calibration: false-positive rate, CI coverage and power on simulated interleaved experiments.

These compute rates over seeded simulations (tests/stats/sim.py) and assert bounds, so they fail
when the statistics drift. The design is the realistic default: 10 processes per side, 20 values
each, interleaved pairs, process means lognormal with 1.25 % sd, AR(1) within-process noise
(phi 0.5, 2 % sd), rare GC-like spikes, 2 % drift over the run. Two worker processes keep the
wall time down; results do not depend on the number of workers.
"""

from __future__ import annotations

from .sim import Design, rates

WORKERS = 2


def test_aa_false_difference_rate_and_coverage() -> None:
    r = rates(2000, ratio=1.0, seed=20240601, workers=WORKERS)
    assert r.false_difference <= 0.05, r
    assert 0.93 <= r.coverage <= 0.97, r


def test_power_and_coverage_for_a_3_percent_slowdown() -> None:
    r = rates(1000, ratio=1.03, seed=20240602, workers=WORKERS)
    assert r.slower >= 0.90, r
    assert r.faster == 0.0, r
    assert 0.93 <= r.coverage <= 0.97, r


def test_unpaired_analysis_false_difference_rate() -> None:
    r = rates(600, ratio=1.0, seed=20240603, paired=False, workers=WORKERS)
    assert r.false_difference <= 0.05, r
    assert r.coverage >= 0.93, r


def test_simulated_experiment_shape() -> None:
    import numpy as np

    from .sim import simulate

    e = simulate(np.random.default_rng(0), Design(n_processes=4, n_values=7), ratio=1.1)
    assert len(e.baseline) == len(e.candidate) == 4
    assert all(a.shape == (7,) for a in e.baseline + e.candidate)
    assert e.pairs == [(0, 0), (1, 1), (2, 2), (3, 3)]
