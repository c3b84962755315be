"""Runs made apart: the drift between runs widens the CI, or the verdict is declined."""

from __future__ import annotations

import math

import numpy as np

from jitbench.stats.runs import MIN_EARLIER_RUNS, run_to_run


def _within(rng: np.random.Generator, a: float, b: float, p: int = 10, sd: float = 0.01):
    """(change %, within-run CI, df) of run b against run a from p processes each (paired t)."""
    la = a + sd * rng.standard_normal(p)
    lb = b + sd * rng.standard_normal(p)
    d = lb - la
    est, se = float(d.mean()), float(d.std(ddof=1)) / math.sqrt(p)
    t = 2.262  # t(9, 0.975)
    pct = lambda x: 100.0 * math.expm1(x)  # noqa: E731
    return pct(est), pct(est - t * se), pct(est + t * se), float(p - 1), lb


def test_identical_configurations_on_a_drifting_host_give_few_false_verdicts() -> None:
    rng = np.random.default_rng(13)
    false = within_false = trials = 0
    for _ in range(2000):
        runs = 0.08 * rng.standard_normal(6)  # the host moves every run by ~8 %
        logs = [float(np.mean(runs[0] + 0.01 * rng.standard_normal(10)))]
        for i in range(1, 6):
            change, lo, hi, df, cur = _within(rng, runs[i - 1], runs[i])
            r = run_to_run(change, lo, hi, df, [math.exp(x) for x in logs])
            if len(logs) >= MIN_EARLIER_RUNS:
                trials += 1
                false += r.verdict in ("faster", "slower")
                within_false += lo > 0 or hi < 0
            else:
                assert r.verdict == "inconclusive" and "3 needed" in r.reason
            logs.append(float(np.mean(cur)))
    assert false / trials <= 0.06  # nominal 5 % (the runs are iid here)
    assert within_false / trials > 0.5  # negative control: the within-run CI alone is fooled


def test_a_real_change_between_runs_is_still_found() -> None:
    rng = np.random.default_rng(14)
    earlier = [math.exp(0.005 * rng.standard_normal()) for _ in range(4)]
    r = run_to_run(30.0, 27.0, 33.0, 9.0, earlier)
    assert r.verdict == "slower" and r.reason == ""
    assert r.low_pct > 20.0 and r.run_sd_pct < 1.0
    d = r.to_dict()
    assert d["verdict"] == "slower" and d["n_earlier_runs"] == 4
