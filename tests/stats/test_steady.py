"""Steady-state detection on synthetic flat / warmup / slowdown / noisy series."""

from __future__ import annotations

import json
from collections import Counter

import numpy as np
import pytest

from jitbench.stats import CLASSES, steady_state, steady_states


def _ar1(
    rng: np.random.Generator, k: int, n: int, phi: float = 0.5, sd: float = 0.02
) -> np.ndarray:
    innov = rng.standard_normal((k, n)) * sd * np.sqrt(1 - phi**2)
    x = np.empty((k, n))
    x[:, 0] = rng.standard_normal(k) * sd
    for t in range(1, n):
        x[:, t] = phi * x[:, t - 1] + innov[:, t]
    return 1e-3 * np.exp(x)


def _classes(series: np.ndarray) -> Counter[str]:
    return Counter(s.classification for s in steady_states(list(series)))


@pytest.mark.parametrize("n", [200, 500])
def test_flat_autocorrelated_series_are_flat(n: int) -> None:
    counts = _classes(_ar1(np.random.default_rng(n), 200, n))
    assert counts["flat"] >= 0.95 * 200


@pytest.mark.parametrize("n", [60, 200, 500])
def test_warmup_is_found_and_excluded_from_the_steady_value(n: int) -> None:
    x = _ar1(np.random.default_rng(n + 1), 200, n)
    w = n // 5
    x[:, :w] *= 1.3  # 30 % slower for the first fifth
    states = steady_states(list(x))
    kinds = Counter(s.classification for s in states)
    assert kinds["warmup"] >= 0.95 * 200
    starts = np.array([s.steady_start for s in states])
    assert np.mean(np.abs(starts - w) <= 1) >= 0.9
    # The steady value is the mean of the post-warmup part (up to a few boundary values).
    steady = np.array([s.steady_value for s in states])
    truth = np.array([row[w:].mean() for row in x])
    assert np.median(np.abs(steady / truth - 1)) < 0.002


def test_slowdown_is_found() -> None:
    x = _ar1(np.random.default_rng(7), 200, 300)
    x[:, 150:] *= 1.15
    kinds = _classes(x)
    assert kinds["slowdown"] >= 0.95 * 200


def test_late_change_means_no_steady_state() -> None:
    x = _ar1(np.random.default_rng(8), 100, 300)
    x[:, 270:] *= 1.3  # the last 10 %: still changing when the process stopped
    kinds = _classes(x)
    assert kinds["no-steady-state"] >= 0.9 * 100


def test_noisy_iid_series_and_spikes_stay_flat() -> None:
    rng = np.random.default_rng(9)
    x = 1e-3 * np.exp(0.10 * rng.standard_normal((200, 300)))  # 10 % noise, no shift
    spikes = rng.random(x.shape) < 0.02
    x[spikes] *= 3.0  # GC-like spikes must not become segments
    kinds = _classes(x)
    assert kinds["flat"] >= 0.95 * 200


def test_exact_step_series_segment_exactly() -> None:
    x = np.full(300, 1e-3)
    x[:30] = 5e-3
    s = steady_state(x)
    assert (s.classification, s.steady_start, s.changepoints) == ("warmup", 30, [30])
    assert s.steady_value == pytest.approx(1e-3)
    assert s.segment_means == pytest.approx([5e-3, 1e-3])
    const = steady_state(np.full(50, 2e-3))
    assert (const.classification, const.steady_start) == ("flat", 0)


def test_short_series_do_not_crash_and_batch_equals_single() -> None:
    rng = np.random.default_rng(10)
    series = [1e-3 * np.exp(0.02 * rng.standard_normal(n)) for n in (1, 2, 3, 4, 5, 20, 129, 500)]
    batch = steady_states(series)
    assert [s.n_values for s in batch] == [len(s) for s in series]
    for one, many in zip([steady_state(s) for s in series], batch, strict=True):
        assert one == many
        assert one.classification in CLASSES
        json.dumps(one.to_dict())


def test_steady_state_rejects_non_finite() -> None:
    with pytest.raises(ValueError):
        steady_state(np.array([1.0, np.inf, 1.0]))
