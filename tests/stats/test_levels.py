"""Levels: processes settling at separate speeds are found, reported and carried into the CI."""

from __future__ import annotations

import numpy as np
import pytest

from jitbench.analysis.comparison import compare
from jitbench.stats.levels import level_labels, mix_variance
from jitbench.stats.parts import describe_levels


def _at(rng: np.random.Generator, ms: list[float], n: int = 20) -> list[np.ndarray]:
    return [m * 1e-3 * np.exp(0.002 * rng.standard_normal(n)) for m in ms]


def test_cinderx_like_levels_are_reported_and_give_no_tight_verdict() -> None:
    rng = np.random.default_rng(1)
    base = _at(rng, [50, 50, 50, 50, 50])
    cand = _at(rng, [19, 19, 19, 50, 50])
    c = compare(base, cand, pairs=[(i, i) for i in range(5)], metric="mean")
    assert [len(lv.processes) for lv in c.levels["baseline"]] == [5]
    assert [len(lv.processes) for lv in c.levels["candidate"]] == [3, 2]
    assert c.levels["candidate"][0].center == pytest.approx(19e-3, rel=0.01)
    assert c.verdict == "inconclusive"
    assert c.ci_low_pct < -50.0 and c.ci_high_pct > 0.0  # wide, not a tight decisive CI
    assert any("3 of 5 processes at 19 ms, 2 at 50 ms" in w for w in c.warnings)
    # The 50 ms candidate processes are a level, not outliers.
    assert c.robust["excluded_candidate"] == []
    d = c.to_dict()["levels"]
    assert [lv["processes"] for lv in d["candidate"]] == [[0, 1, 2], [3, 4]]


def test_any_disagreement_of_the_bootstrap_cross_check_is_a_warning() -> None:
    rng = np.random.default_rng(1)
    # Three processes per side: the bootstrap cannot reach past the most extreme resample and
    # calls it slower; the t-interval (4 df) does not.
    c = compare(_at(rng, [1.0, 1.1, 1.2]), _at(rng, [1.2, 1.3, 1.4]), metric="mean")
    assert c.verdict == "inconclusive" and c.bootstrap["verdict"] == "slower"
    assert any("bootstrap cross-check says slower" in w for w in c.warnings)
    same = compare(_at(rng, [1.0, 1.1, 1.2]), _at(rng, [2.0, 2.1, 2.2]), metric="mean")
    assert same.verdict == same.bootstrap["verdict"] == "slower"
    assert not any("cross-check" in w for w in same.warnings)


def test_same_level_mix_on_both_sides_still_finds_a_real_change() -> None:
    rng = np.random.default_rng(2)
    base = _at(rng, [20] * 5 + [50] * 5)
    cand = _at(rng, [10] * 5 + [25] * 5)
    c = compare(base, cand, metric="mean")
    assert c.verdict == "faster"


def test_unimodal_noise_has_one_level_and_no_mix_variance() -> None:
    rng = np.random.default_rng(3)
    for _ in range(200):
        values = np.exp(0.03 * rng.standard_normal(20))
        labels = level_labels(values)
        assert labels.max() == 0
        assert mix_variance(labels, np.array([1.0])) == 0.0


def test_levels_need_two_processes_and_a_clear_gap() -> None:
    one_far = np.array([1.0, 1.01, 0.99, 1.02, 2.0])
    assert level_labels(one_far).tolist() == [0, 0, 0, 0, 0]  # a single process is no level
    close = np.array([1.0, 1.01, 1.03, 1.04])  # a 2 % step is noise-sized, not a level
    assert level_labels(close).max() == 0
    three = np.array([1.0, 1.01, 1.5, 1.52, 3.0, 3.05])
    assert level_labels(three).tolist() == [0, 0, 1, 1, 2, 2]


def test_mix_variance_keeps_the_other_level_possible() -> None:
    centers = np.array([19.0, 50.0])
    # Five processes all at 50: shares (0 + 1) / 7 and (5 + 1) / 7.
    v = mix_variance(np.array([1, 1, 1, 1, 1]), centers)
    share = np.array([1, 6]) / 7
    mean = share @ centers
    assert v == pytest.approx(share @ (centers - mean) ** 2 / 5)
    assert mix_variance(np.array([0, 0, 0]), np.array([19.0])) == 0.0


def test_level_phrase() -> None:
    from jitbench.stats.levels import Level

    levels = [Level(0.019, [0, 1, 2]), Level(0.05, [3, 4, 5, 6, 7])]
    assert describe_levels(levels, 8) == "3 of 8 processes at 19 ms, 5 at 50 ms"
