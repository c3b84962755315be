"""The vectorised hierarchical bootstrap against a naive loop, and its two inner levels."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from scipy import stats as sst

from jitbench.stats.bootstrap import (
    ProcessData,
    expanded_tail,
    log_ratio_replicates,
    paired_expansion,
    resolve_inner,
    two_sample_expansion,
)


def _side(rng: np.random.Generator, p: int, n: int | list[int], level: float = 1.0) -> ProcessData:
    lengths = [n] * p if isinstance(n, int) else n
    arrays = [
        level * np.exp(0.02 * rng.standard_normal() + 0.05 * rng.standard_normal(k))
        for k in lengths
    ]
    return ProcessData.from_arrays(arrays)


def _naive_replicates(
    base: ProcessData, cand: ProcessData, b: int, rng: np.random.Generator
) -> np.ndarray:
    """The textbook two-level bootstrap, one replicate at a time."""

    def grand_mean(d: ProcessData) -> float:
        procs = rng.integers(0, d.n_processes, d.n_processes)
        means = []
        for j in procs:
            vals = d.flat[d.offsets[j] : d.offsets[j] + d.counts[j]]
            means.append(rng.choice(vals, size=vals.size, replace=True).mean())
        return float(np.mean(means))

    return np.array([math.log(grand_mean(cand) / grand_mean(base)) for _ in range(b)])


@pytest.mark.parametrize("lengths", [6, [3, 7, 5, 9]])
def test_vectorised_exact_bootstrap_matches_naive_loop(lengths: int | list[int]) -> None:
    rng = np.random.default_rng(1)
    base, cand = _side(rng, 4, lengths), _side(rng, 4, lengths, level=1.02)
    fast = log_ratio_replicates(
        base, cand, pairs=None, n_resamples=20000, rng=np.random.default_rng(2), inner="exact"
    )
    slow = _naive_replicates(base, cand, 4000, np.random.default_rng(3))
    # Same distribution: a two-sample KS test must not reject, and the spreads agree.
    assert sst.ks_2samp(fast, slow).pvalue > 0.01
    assert np.std(fast) == pytest.approx(np.std(slow), rel=0.05)


def test_normal_inner_level_matches_exact_resampling() -> None:
    """The normal approximation of the inner level, validated on small and larger n."""
    for n in (20, 60):
        rng = np.random.default_rng(n)
        base, cand = _side(rng, 10, n), _side(rng, 10, n, level=1.01)
        pairs = np.column_stack([np.arange(10), np.arange(10)])
        for pr in (None, pairs):
            reps = {
                inner: log_ratio_replicates(
                    base,
                    cand,
                    pairs=pr,
                    n_resamples=20000,
                    rng=np.random.default_rng(7),
                    inner=inner,
                )
                for inner in ("exact", "normal")
            }
            assert np.std(reps["normal"]) == pytest.approx(np.std(reps["exact"]), rel=0.03)
            for q in (0.01, 0.025, 0.5, 0.975, 0.99):
                a, b = np.quantile(reps["exact"], q), np.quantile(reps["normal"], q)
                # within 0.1 percentage point on the ratio
                assert abs(a - b) < 1e-3


def test_auto_inner_switches_on_the_shortest_process() -> None:
    rng = np.random.default_rng(0)
    assert resolve_inner("auto", _side(rng, 3, 49), _side(rng, 3, 500)) == "exact"
    assert resolve_inner("auto", _side(rng, 3, 50), _side(rng, 3, 500)) == "normal"
    with pytest.raises(ValueError):
        resolve_inner("bogus", _side(rng, 3, 5))


def test_replicates_are_seeded() -> None:
    rng = np.random.default_rng(0)
    base, cand = _side(rng, 5, 10), _side(rng, 5, 10)
    a = log_ratio_replicates(base, cand, pairs=None, n_resamples=500, rng=np.random.default_rng(4))
    b = log_ratio_replicates(base, cand, pairs=None, n_resamples=500, rng=np.random.default_rng(4))
    assert np.array_equal(a, b)


def test_paired_resampling_cancels_a_common_round_effect() -> None:
    rng = np.random.default_rng(5)
    rounds = np.exp(np.linspace(0.0, 0.2, 10))  # 20 % drift over the run, on both sides
    base = ProcessData.from_arrays([r * np.exp(0.01 * rng.standard_normal(20)) for r in rounds])
    cand = ProcessData.from_arrays([r * np.exp(0.01 * rng.standard_normal(20)) for r in rounds])
    pairs = np.column_stack([np.arange(10), np.arange(10)])
    kw: dict[str, Any] = {"n_resamples": 4000, "inner": "exact"}
    unpaired = log_ratio_replicates(base, cand, pairs=None, rng=np.random.default_rng(1), **kw)
    paired = log_ratio_replicates(base, cand, pairs=pairs, rng=np.random.default_rng(1), **kw)
    assert np.std(paired) < np.std(unpaired) / 5


def test_expanded_tail_reduces_to_the_plain_percentile_and_grows_for_few_units() -> None:
    assert expanded_tail(0.95, math.inf, 1.0) == pytest.approx(0.025)
    k, df = paired_expansion(10)
    assert (k, df) == (pytest.approx(math.sqrt(10 / 9)), 9.0)
    assert expanded_tail(0.95, df, k) == pytest.approx(sst.norm.cdf(-k * sst.t.ppf(0.975, 9)))
    # Equal sides: k = sqrt(P / (P - 1)), df = Welch's (2P - 2 for equal variances).
    lb = np.log(np.array([1.0, 1.1, 0.9, 1.05, 0.95]))
    k2, df2 = two_sample_expansion(lb, lb + 0.3)
    assert k2 == pytest.approx(math.sqrt(5 / 4)) and df2 == pytest.approx(8.0)


def test_within_correction_removes_the_double_counted_inner_variance() -> None:
    rng = np.random.default_rng(12)

    def side() -> ProcessData:
        # Between-process sd about equal to the within-process sd of a process mean.
        return ProcessData.from_arrays(
            [
                np.exp(0.011 * rng.standard_normal() + 0.05 * rng.standard_normal(20))
                for _ in range(30)
            ]
        )

    base, cand = side(), side()
    kw: dict[str, Any] = {"pairs": None, "n_resamples": 20000, "inner": "exact"}
    plain = log_ratio_replicates(base, cand, rng=np.random.default_rng(1), **kw)
    corrected = log_ratio_replicates(
        base, cand, rng=np.random.default_rng(1), within_correction=True, **kw
    )
    # Outer-level-only plug-in variance: what the process means alone say.
    outer_only = (np.var(np.log(base.means)) + np.var(np.log(cand.means))) / 30
    assert np.var(plain) > 1.3 * outer_only  # K&J's two-level scheme counts the within part twice
    assert np.var(corrected) == pytest.approx(outer_only, rel=0.1)
