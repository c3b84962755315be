"""Instruction verdicts have a floor: a change below the counts' own resolution is never called
faster or slower, however consistently a few processes show it."""

from __future__ import annotations

from jitbench.analysis import experiment as an
from jitbench.measures import resolution_pct
from jitbench.results.model import Result

from . import synth


def _analysis(factors: dict[str, float], **opts) -> an.Analysis:
    doc = synth.result(variants=dict.fromkeys(factors, 1.0), benchmarks={"alpha": 0.002})
    doc = Result.from_json(synth.with_instructions(doc, factors, per_iteration=2e7))
    return an.analyse(doc, an.Options(baseline="base", **opts))


def _instructions(a: an.Analysis, candidate: str):
    (c,) = [c for c in a.comparisons if c.candidate == candidate and c.measure == "instructions"]
    return c.result


def test_a_one_in_a_million_count_difference_is_equivalent_not_faster() -> None:
    # What two copies of one variant can show under valgrind: 20 instructions in 2 * 10^7, in
    # every process of one side.
    a = _analysis({"base": 1.0, "copy": 1.0 - 1e-6, "bit": 1.003})
    copy = _instructions(a, "copy")
    assert copy.ci_high_pct < 0.0  # the interval excludes 0: without a floor this reads "faster"
    assert copy.verdict == "equivalent", copy
    assert copy.min_effect_pct == resolution_pct("instructions") == 0.01
    # Negative control: +0.3 % more instructions, far above the floor, stays slower.
    bit = _instructions(a, "bit")
    assert bit.verdict == "slower", bit
    assert 0.29 < bit.change_pct < 0.31
    # Time has no floor (its comparisons keep the user's min_effect, 0 by default).
    assert all(c.result.min_effect_pct == 0.0 for c in a.comparisons if c.measure == "time")


def test_a_larger_min_effect_of_the_user_wins_over_the_floor() -> None:
    a = _analysis({"base": 1.0, "bit": 1.003}, min_effect_pct=0.5)
    bit = _instructions(a, "bit")
    assert bit.min_effect_pct == 0.5
    assert bit.verdict != "slower", bit
