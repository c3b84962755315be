"""Summary numbers: pyperf-compatible centre/spread, and the robust view against scipy."""

from __future__ import annotations

import json
import math
import statistics

import numpy as np
import pytest
from scipy import stats as sst

from jitbench.stats import Summary, mad, outlier_indexes, summarize, trimmed_mean


def _processes(seed: int = 0, p: int = 6, n: int = 25) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [
        1e-3 * np.exp(0.02 * rng.standard_normal(n) + 0.01 * rng.standard_normal())
        for _ in range(p)
    ]


def test_mean_median_stdev_match_statistics_module_over_all_values() -> None:
    procs = _processes()
    procs[2] = procs[2][:7]  # unequal lengths: pyperf pools values, it does not average means
    allv = [float(v) for p in procs for v in p]
    s = summarize(procs)
    assert s.n_values == len(allv)
    assert s.mean == pytest.approx(statistics.mean(allv), rel=1e-12)
    assert s.median == pytest.approx(statistics.median(allv), rel=1e-12)
    assert s.stdev == pytest.approx(statistics.stdev(allv), rel=1e-12)
    assert s.process_means == pytest.approx([statistics.mean(p.tolist()) for p in procs])


def test_trimmed_mean_and_mad_match_scipy() -> None:
    rng = np.random.default_rng(3)
    for n in (1, 5, 9, 10, 11, 37, 200):
        x = rng.lognormal(size=n)
        assert trimmed_mean(x) == pytest.approx(sst.trim_mean(x, 0.1), rel=1e-12)
        assert mad(x) == pytest.approx(sst.median_abs_deviation(x), rel=1e-12)
    s = summarize(_processes())
    allv = np.concatenate(_processes())
    assert s.trimmed_mean == pytest.approx(sst.trim_mean(allv, 0.1))
    assert s.mad == pytest.approx(sst.median_abs_deviation(allv))


def test_outlier_process_is_found_by_mad_rule() -> None:
    values = np.array([1.00, 1.01, 0.99, 1.02, 0.98, 1.00, 1.15, 1.01])
    assert outlier_indexes(values) == [6]
    # Tiny spreads are not "outliers" below 0.1 % of the level (the scale floor).
    assert outlier_indexes(np.array([1.0, 1.0, 1.0, 1.0, 1.0005])) == []
    assert outlier_indexes(np.array([1.0, 2.0])) == []


def test_summary_outliers_use_process_values_and_extras_are_kept() -> None:
    procs = _processes(p=8)
    pv = [float(p.mean()) for p in procs]
    pv[3] *= 1.5
    s = summarize(
        procs,
        process_values=pv,
        first_iteration=[0.01] * 8,
        cold_start=[0.5] * 7 + [0.7],
        steady_state={"flat": 8},
    )
    assert s.outlier_processes == [3]
    assert s.first_iteration_mean == pytest.approx(0.01)
    assert s.cold_start_mean == pytest.approx(0.525)
    assert s.steady_state == {"flat": 8}


def test_summary_to_dict_is_json_and_round_trips() -> None:
    s = summarize([np.array([1e-3])])  # one value: stdev undefined
    assert math.isnan(s.stdev)
    d = s.to_dict()
    json.dumps(d, allow_nan=False)
    assert d["stdev"] is None
    back = Summary.from_dict(d)
    assert back.mean == s.mean and math.isnan(back.stdev)


def test_summarize_rejects_bad_input() -> None:
    with pytest.raises(ValueError):
        summarize([])
    with pytest.raises(ValueError):
        summarize([np.array([1.0, np.nan])])
    with pytest.raises(ValueError):
        summarize([np.array([1.0])], first_iteration=[1.0, 2.0])
