"""compare(): verdict rules, metrics, pairing, warnings, robustness and serialisation."""

from __future__ import annotations

import json
import math
import re
from typing import Any

import numpy as np
import pytest

from jitbench.analysis.comparison import Comparison, ci_halfwidth_pct, compare
from jitbench.stats import decide, processes_needed

from .sim import Design, simulate


def _procs(
    rng: np.random.Generator,
    p: int,
    n: int,
    level: float = 1e-3,
    between: float = 0.01,
    within: float = 0.01,
) -> list[np.ndarray]:
    return [
        level * np.exp(between * rng.standard_normal() + within * rng.standard_normal(n))
        for _ in range(p)
    ]


def test_decide_follows_the_verdict_rules() -> None:
    kw = {"margin_pct": 1.0, "min_effect_pct": 0.0}
    assert decide(3.0, 1.0, 5.0, **kw) == "slower"
    assert decide(-3.0, -5.0, -1.0, **kw) == "faster"
    assert decide(0.1, -0.5, 0.7, **kw) == "equivalent"
    assert decide(0.5, -0.5, 1.5, **kw) == "inconclusive"
    assert decide(0.5, 0.2, 0.8, **kw) == "slower"  # CI excludes 0 and no minimum effect
    # A significant change below the minimum effect is not a difference ...
    assert decide(0.5, 0.2, 0.8, margin_pct=1.0, min_effect_pct=1.0) == "equivalent"
    assert decide(0.9, 0.2, 1.6, margin_pct=1.0, min_effect_pct=1.0) == "inconclusive"
    # ... and a zero margin never declares equivalence.
    assert decide(0.0, -0.1, 0.1, margin_pct=0.0, min_effect_pct=0.0) == "inconclusive"
    assert decide(1.0, math.nan, math.nan, **kw) == "inconclusive"


def test_processes_needed_matches_hand_computed_t_sizes() -> None:
    # Unpaired: t_{2P-2} * 1 % * sqrt(2 / P) <= 1 % first holds at P = 9 (2.120 * 0.471).
    assert processes_needed(1.0, 1.0) == 9
    # Paired: t_{P-1} * 1 % / sqrt(P) <= 1 % first holds at P = 7 (2.447 / 2.646).
    assert processes_needed(1.0, 1.0, paired=True) == 7
    assert processes_needed(1.0, 0.0) is None
    assert processes_needed(0.0, 1.0) == 2
    big = processes_needed(1.0, 0.01)
    assert big is not None and 70_000 < big < 80_000  # ≈ 2 (1.96 / 0.01)^2
    assert processes_needed(1.0, 0.001) is None  # beyond the cap


def test_clear_slowdown_is_slower_with_ci_around_the_truth() -> None:
    rng = np.random.default_rng(1)
    base = _procs(rng, 10, 50)
    cand = _procs(rng, 10, 50, level=1.1e-3)
    c = compare(base, cand)
    assert c.verdict == "slower" and c.robust_verdict == "slower"
    assert c.ci_low_pct < 10.0 < c.ci_high_pct
    assert c.change_pct == pytest.approx(10.0, abs=2.0)
    assert c.method == "welch-t-ratio-of-means" and c.paired is None
    assert c.more_processes is None and c.resolution_hint == ""
    assert c.n_baseline == c.n_candidate == 10
    assert c.bootstrap["verdict"] == "slower"
    assert 0.0 <= c.p_value < 0.05
    assert c.steady_state["baseline"]["flat"] + c.steady_state["baseline"]["warmup"] >= 9


def test_quiet_identical_variants_are_equivalent() -> None:
    rng = np.random.default_rng(2)
    c = compare(_procs(rng, 10, 50, between=0.002), _procs(rng, 10, 50, between=0.002))
    assert c.verdict == "equivalent"
    assert -1.0 <= c.ci_low_pct <= c.ci_high_pct <= 1.0


def test_noisy_few_processes_is_inconclusive_with_a_precision_plan() -> None:
    rng = np.random.default_rng(3)
    c = compare(_procs(rng, 4, 30, between=0.03), _procs(rng, 4, 30, between=0.03))
    assert c.verdict == "inconclusive"
    assert c.more_processes is not None and c.more_processes > 0
    assert re.fullmatch(
        r"≈ (\d+) more processes per side for a ±1\.0 % CI; ≈ \d+ more to show equivalence"
        r" within ±1\.0 % if there is no change \(80 % power\)",
        c.resolution_hint,
    )
    assert f"≈ {c.more_processes} more" in c.resolution_hint
    assert "from 0" not in c.resolution_hint
    assert any("intervals from fewer than 5 processes are wide" in w for w in c.warnings)


def test_steady_metric_ignores_warmup_that_the_mean_metric_counts() -> None:
    rng = np.random.default_rng(4)
    base = _procs(rng, 8, 200, between=0.003)
    cand = _procs(rng, 8, 200, between=0.003)
    for a in cand:
        a[:60] *= 1.5  # the candidate warms up slowly, then runs at the same speed
    steady = compare(base, cand, metric="steady")
    mean = compare(base, cand, metric="mean")
    assert steady.verdict == "equivalent"
    assert mean.verdict == "slower"
    assert steady.steady_state["candidate"]["warmup"] == 8
    assert steady.steady_state["baseline"]["flat"] == 8
    assert any("class mix differs" in w for w in steady.warnings)
    assert mean.steady_state == {"baseline": {}, "candidate": {}}
    assert steady.candidate.steady_state == steady.steady_state["candidate"]


def test_first_and_cold_metrics_use_the_per_process_times() -> None:
    rng = np.random.default_rng(5)
    base, cand = _procs(rng, 10, 20), _procs(rng, 10, 20)
    first_b = list(0.050 * np.exp(0.01 * rng.standard_normal(10)))
    first_c = list(0.040 * np.exp(0.01 * rng.standard_normal(10)))
    cold_b = list(0.30 * np.exp(0.01 * rng.standard_normal(10)))
    cold_c = list(0.36 * np.exp(0.01 * rng.standard_normal(10)))
    kw: dict[str, Any] = {
        "baseline_first": first_b,
        "candidate_first": first_c,
        "baseline_cold": cold_b,
        "candidate_cold": cold_c,
    }
    first = compare(base, cand, metric="first", **kw)
    cold = compare(base, cand, metric="cold", **kw)
    assert first.verdict == "faster" and first.change_pct == pytest.approx(-20, abs=2)
    assert cold.verdict == "slower" and cold.change_pct == pytest.approx(20, abs=2)
    assert first.baseline.first_iteration_mean == pytest.approx(np.mean(first_b))
    assert cold.candidate.cold_start_mean == pytest.approx(np.mean(cold_c))
    with pytest.raises(ValueError, match="baseline_first"):
        compare(base, cand, metric="first")


def test_pairs_drive_the_verdict_and_cancel_drift() -> None:
    rng = np.random.default_rng(6)
    drift = np.exp(np.linspace(0.0, 0.15, 10))  # 15 % slow-down over the run, both sides
    base = [d * a for d, a in zip(drift, _procs(rng, 10, 30, between=0.003), strict=True)]
    cand = [d * a for d, a in zip(drift, _procs(rng, 10, 30, between=0.003), strict=True)]
    pairs = [(i, i) for i in range(10)]
    paired = compare(base, cand, pairs=pairs)
    unpaired = compare(base, cand)
    assert paired.method == "paired-t-ratio-of-means"
    assert paired.paired is not None and paired.paired["drives_verdict"]
    assert paired.paired["n_pairs"] == 10
    assert paired.paired["drift"]["material"]
    assert paired.paired["drift"]["over_run_pct"] == pytest.approx(16.2, abs=2.0)
    assert any("drifted" in w for w in paired.warnings)
    assert ci_halfwidth_pct(paired) < ci_halfwidth_pct(unpaired) / 3
    assert paired.verdict == "equivalent"


def test_incomplete_or_invalid_pairs() -> None:
    rng = np.random.default_rng(7)
    base, cand = _procs(rng, 6, 20), _procs(rng, 5, 20)
    c = compare(base, cand, pairs=[(i, i) for i in range(5)])
    assert c.method == "welch-t-ratio-of-means"
    assert c.paired is not None and not c.paired["drives_verdict"]
    assert any("do not cover" in w for w in c.warnings)
    with pytest.raises(ValueError, match="more than one pair"):
        compare(base, cand, pairs=[(0, 0), (0, 1)])
    with pytest.raises(ValueError, match="out of range"):
        compare(base, cand, pairs=[(0, 5)])


def test_one_wild_process_makes_the_verdict_outlier_sensitive() -> None:
    rng = np.random.default_rng(8)
    base = _procs(rng, 10, 30, between=0.002, within=0.005)
    cand = _procs(rng, 10, 30, between=0.002, within=0.005)
    cand[4] = cand[4] * 1.40  # one candidate process landed on a terrible layout
    c = compare(base, cand)
    assert c.candidate.outlier_processes == [4]
    assert c.robust["excluded_candidate"] == [4]
    assert c.verdict == "inconclusive" and c.robust_verdict == "equivalent"
    assert c.outlier_sensitive
    assert any("outlier-sensitive" in w for w in c.warnings)


def test_single_process_has_no_interval() -> None:
    c = compare([np.full(10, 1e-3)], [np.full(10, 1.1e-3)])
    assert math.isnan(c.ci_low_pct) and c.verdict == "inconclusive"
    assert c.more_processes is None and "at least 2" in c.resolution_hint
    assert ci_halfwidth_pct(c) == math.inf
    json.dumps(c.to_dict(), allow_nan=False)


def test_seeded_and_json_round_trip() -> None:
    e = simulate(np.random.default_rng(9), Design(), ratio=1.02)
    a = compare(e.baseline, e.candidate, pairs=e.pairs, seed=3)
    b = compare(e.baseline, e.candidate, pairs=e.pairs, seed=3)
    assert a == b
    d = a.to_dict()
    text = json.dumps(d, allow_nan=False)
    back = Comparison.from_dict(json.loads(text))
    assert back.to_dict() == d
    for key in (
        "change_pct",
        "ci_low_pct",
        "ci_high_pct",
        "verdict",
        "method",
        "baseline",
        "candidate",
        "n_baseline",
        "n_candidate",
        "steady_state",
        "warnings",
        "robust_verdict",
        "outlier_sensitive",
        "more_processes",
        "resolution_hint",
        "bootstrap",
        "levels",
        "df",
        "paired",
    ):
        assert key in d


def test_input_validation() -> None:
    ok = [np.full(5, 1e-3)] * 3
    with pytest.raises(ValueError, match="metric"):
        compare(ok, ok, metric="median")
    with pytest.raises(ValueError, match="positive"):
        compare(ok, [np.array([1e-3, -1e-3])] * 3)
    with pytest.raises(ValueError, match="NaN"):
        compare(ok, [np.array([1e-3, np.nan])] * 3)
    with pytest.raises(ValueError, match="at least one process"):
        compare([], ok)
    with pytest.raises(ValueError, match="confidence"):
        compare(ok, ok, confidence=1.5)


def test_the_hint_plans_the_precision_asked() -> None:
    rng = np.random.default_rng(3)
    base, cand = _procs(rng, 4, 30, between=0.03), _procs(rng, 4, 30, between=0.03)
    wide = compare(base, cand, precision_pct=5.0)
    narrow = compare(base, cand, precision_pct=0.5)
    assert "for a ±5.0 % CI" in wide.resolution_hint
    assert "for a ±0.5 % CI" in narrow.resolution_hint
    assert narrow.more_processes is not None and wide.more_processes is not None
    # Kalibera & Jones: a ten times finer precision costs about a hundred times the processes.
    assert narrow.more_processes > 50 * wide.more_processes


def test_p_value_agrees_with_the_interval_exactly() -> None:
    rng = np.random.default_rng(21)
    for shift in np.linspace(0.0, 0.03, 25):
        base = _procs(rng, 5, 10, between=0.01)
        cand = _procs(rng, 5, 10, level=1e-3 * (1 + shift), between=0.01)
        for pairs in (None, [(i, i) for i in range(5)]):
            c = compare(base, cand, pairs=pairs, metric="mean")
            excludes = c.ci_low_pct > 0.0 or c.ci_high_pct < 0.0
            assert (c.p_value < 0.05) == excludes, (c.p_value, c.ci_low_pct, c.ci_high_pct)
