"""Suite summary: Holm against a hand computation, geometric mean and its CI."""

from __future__ import annotations

import dataclasses
import json
import math

import numpy as np
import pytest

from jitbench.analysis.comparison import Comparison, compare
from jitbench.analysis.suite import suite_summary
from jitbench.results.model import Result
from jitbench.stats import holm

from .sim import Design, simulate


def test_holm_matches_hand_computation() -> None:
    # m = 4. Sorted: 0.005, 0.01, 0.03, 0.04 -> x4, x3, x2, x1 = 0.02, 0.03, 0.06, 0.04;
    # running maximum: 0.02, 0.03, 0.06, 0.06; back in input order:
    assert holm([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert holm([0.5, 0.6]) == pytest.approx([1.0, 1.0])  # capped at 1
    assert holm([math.nan, 0.01]) == pytest.approx([1.0, 0.02])  # no p-value counts as 1
    assert holm([]) == []


def _comparison(ratio: float, seed: int) -> Comparison:
    e = simulate(np.random.default_rng(seed), Design(n_values=30), ratio)
    return compare(e.baseline, e.candidate, pairs=e.pairs, seed=seed)


def test_geometric_mean_and_its_ci() -> None:
    comps = [_comparison(r, i) for i, r in enumerate((1.00, 1.05, 0.97, 1.02))]
    s = suite_summary(comps, seed=1)
    logs = [math.log1p(c.change_pct / 100) for c in comps]
    assert s.geomean_change_pct == pytest.approx(100 * math.expm1(np.mean(logs)))
    assert s.ci_low_pct < s.geomean_change_pct < s.ci_high_pct
    # Averaging four benchmarks narrows the interval below the average benchmark's.
    mean_half = np.mean([(c.ci_high_pct - c.ci_low_pct) / 2 for c in comps])
    assert (s.ci_high_pct - s.ci_low_pct) / 2 < mean_half
    assert s.n_benchmarks == 4 and len(s.holm_p_values) == 4
    assert suite_summary(comps, seed=1) == s
    json.dumps(s.to_dict(), allow_nan=False)


def test_holm_downgrades_marginal_claims() -> None:
    base = _comparison(1.03, 0)
    marginal = dataclasses.replace(
        base, verdict="slower", p_value=0.03, ci_low_pct=0.1, ci_high_pct=2.0, change_pct=1.0
    )
    strong = dataclasses.replace(base, verdict="slower", p_value=0.0001)
    inside = dataclasses.replace(
        base, verdict="slower", p_value=0.02, ci_low_pct=0.1, ci_high_pct=0.9, change_pct=0.5
    )
    s = suite_summary([marginal, strong, inside, marginal])
    # p: 0.03, 0.0001, 0.02, 0.03 -> Holm: 0.06, 0.0004, 0.06, 0.06
    assert s.holm_p_values == pytest.approx([0.06, 0.0004, 0.06, 0.06])
    assert s.verdicts == ["slower"] * 4
    assert s.adjusted_verdicts == ["inconclusive", "slower", "equivalent", "inconclusive"]
    assert s.counts == {"faster": 0, "slower": 1, "equivalent": 1, "inconclusive": 2}


def test_suite_of_one_without_ci_and_empty_suite() -> None:
    c = compare([np.full(5, 1e-3)], [np.full(5, 1.1e-3)])
    s = suite_summary([c])
    assert s.geomean_change_pct == pytest.approx(10.0)
    assert math.isnan(s.ci_low_pct) and s.verdict == "inconclusive"
    assert any("no CI" in w for w in s.warnings)
    with pytest.raises(ValueError):
        suite_summary([])


def test_holm_keeps_large_effects_at_five_processes() -> None:
    """p-values come from the t statistic: no Monte Carlo floor erases clear changes."""
    import numpy as np

    rng = np.random.default_rng(5)

    def procs(level: float) -> list[np.ndarray]:
        return [
            level * np.exp(0.02 * rng.standard_normal() + 0.01 * rng.standard_normal(20))
            for _ in range(5)
        ]

    comps = [compare(procs(1e-3), procs(1e-3 * r), metric="mean") for r in (1.49, 0.71, 1.19)]
    s = suite_summary(comps)
    assert s.verdicts == ["slower", "faster", "slower"]
    assert s.adjusted_verdicts == ["slower", "faster", "slower"]
    assert max(s.holm_p_values) < 1e-3


def _time_and_instructions() -> dict:
    from ..report import synth

    # Time: no change (noisy); instructions: +2 % on both benchmarks, exactly.
    doc = synth.result(variants={"base": 1.0, "cand": 1.0}, processes=6, seed=7, noise=0.05)
    return synth.with_instructions(doc, {"base": 1.0, "cand": 1.02})


def test_each_measure_has_its_own_suite_and_holm_family() -> None:
    from jitbench.analysis import experiment as an

    a = an.analyse(Result.from_json(_time_and_instructions()), an.Options())
    assert set(a.suite) == {("cand", "time"), ("cand", "instructions")}
    counted = a.suite[("cand", "instructions")]
    assert counted.measure == "instructions" and counted.n_benchmarks == 2
    assert 1.99 < counted.ci_low_pct <= counted.geomean_change_pct <= counted.ci_high_pct < 2.01
    assert counted.verdict == "slower"
    # The instruction family is adjusted on its own p-values only (two tests, not four) ...
    mine = [c for c in a.comparisons if c.measure == "instructions"]
    assert counted.holm_p_values == pytest.approx(holm([c.result.p_value for c in mine]))
    assert [c.adjusted_verdict for c in mine] == counted.adjusted_verdicts == ["slower"] * 2
    # ... and the time family on its own: no +2 % there (negative control).
    timed = a.suite[("cand", "time")]
    assert timed.measure == "time" and timed.ci_low_pct < 0 < timed.ci_high_pct
    assert [c.adjusted_verdict for c in a.comparisons if c.measure == "time"] == (
        timed.adjusted_verdicts
    )
    assert all(v != "slower" for v in timed.adjusted_verdicts)


def test_json_suite_entries_name_candidate_and_measure() -> None:
    from jitbench.analysis import experiment as an

    doc = _time_and_instructions()
    a = an.analyse(Result.from_json(doc), an.Options())
    out = json.loads(json.dumps(an.to_json(a, Result.from_json(doc), None)))
    entries = {(s["candidate"], s["measure"]): s for s in out["suite"]}
    assert set(entries) == {("cand", "time"), ("cand", "instructions")}
    assert entries[("cand", "instructions")]["verdict"] == "slower"
    from jitbench.report.markdown import findings

    text = findings(a, Result.from_json(doc))
    assert "Suite geometric mean, cand (instructions): +2.0" in text
    assert "Suite geometric mean, cand: " in text
    # --measure time: the counted suite is gone (the analysis compares what was asked).
    only_time = an.analyse(Result.from_json(doc), an.Options(measures=("time",)))
    assert set(only_time.suite) == {("cand", "time")}
