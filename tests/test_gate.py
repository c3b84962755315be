"""``--max-regression [MEASURE=]PCT``: a CI gate per measure, on synthetic results (exact counts)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from jitbench.analysis import experiment as an
from jitbench.analysis.regression import Limit, gate
from jitbench.commands.options import regression_limit
from jitbench.errors import JitbenchError
from jitbench.results.model import Result

from .conftest import Cli, assert_one_line_error
from .report import synth


def _result(time_factor: float, instruction_factor: float) -> dict:
    """cand's time and instructions each scaled, base at 1; two benchmarks."""
    doc = synth.result(variants={"base": 1.0, "cand": time_factor}, processes=6, seed=11)
    return synth.with_instructions(doc, {"base": 1.0, "cand": instruction_factor})


def test_each_measure_is_gated_by_its_own_limit() -> None:
    # Time 50 % slower, instructions unchanged: the time gate fails, the instruction gate passes.
    a = an.analyse(Result.from_json(_result(1.5, 1.0)), an.Options())
    assert not gate(a, [Limit("time", 10.0)]).passed
    assert gate(a, [Limit("instructions", 0.1)]).passed
    # A bare limit judges the counted measures when there are any: this one passes.
    bare = gate(a, [Limit(None, 0.1)])
    assert bare.passed and bare.measures == ("instructions",)
    both = gate(a, [Limit(None, 0.1), Limit("time", 10.0)])
    assert both.limits == {"instructions": 0.1, "time": 10.0}
    assert {c.measure for c in both.regressions} == {"time"}
    assert "cand time +50" in both.message() and "--max-regression 10 %" in both.message()


def test_a_two_percent_instruction_regression_fails_a_one_percent_gate_only() -> None:
    a = an.analyse(Result.from_json(_result(1.0, 1.02)), an.Options())
    failed = gate(a, [Limit("instructions", 1.0)])
    assert {(c.benchmark, c.measure) for c in failed.regressions} == {
        ("alpha", "instructions"),
        ("beta", "instructions"),
    }
    assert gate(a, [Limit("instructions", 3.0)]).passed
    # Time did not change: a tight time gate passes on the same result (negative control).
    assert gate(a, [Limit("time", 20.0)]).passed
    d = failed.to_dict()
    assert d["max_regression_pct"] == 1.0 and d["limits_pct"] == {"instructions": 1.0}
    assert {r["measure"] for r in d["regressions"]} == {"instructions"}


def test_a_measure_the_result_lacks_is_one_line() -> None:
    a = an.analyse(Result.from_json(synth.result(seed=2)), an.Options())
    with pytest.raises(JitbenchError, match="has no instructions comparison.*--measure"):
        gate(a, [Limit("instructions", 0.1)])


def test_limits_parse_with_and_without_a_measure() -> None:
    assert regression_limit("0.1%") == Limit(None, 0.1)
    assert regression_limit("instructions=0.1%") == Limit("instructions", 0.1)
    assert str(regression_limit("time=3")) == "time=3%"
    with pytest.raises(Exception, match="unknown measure 'cycels'"):
        regression_limit("cycels=1%")


def test_compare_exits_by_the_gate_of_each_measure(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    path.write_text(json.dumps(_result(1.5, 1.0)))
    cli = Cli(tmp_path)
    args = ("compare", str(path))
    failed = cli(*args, "--max-regression", "time=10%", check=1)
    assert "cand time +50" in failed.stderr
    cli(*args, "--max-regression", "instructions=0.1%", check=0)
    cli(*args, "--max-regression", "0.1%", check=0)
    both = cli(*args, "--max-regression", "0.1%", "--max-regression", "time=10%", "--json")
    assert both.returncode == 1
    assert json.loads(both.stdout)["max_regression"]["limits_pct"] == {
        "instructions": 0.1,
        "time": 10.0,
    }
    assert_one_line_error(cli(*args, "--max-regression", "cycles=1%"), "cycles", "--measure")
