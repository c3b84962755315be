"""Adaptive runs add interleaved rounds until the CI is narrow enough, or the budget is spent."""

from __future__ import annotations

import json
import math
import sys

import pytest

from jitbench.analysis import experiment as an
from jitbench.analysis.comparison import ADAPTIVE_MIN_ROUNDS
from jitbench.execute.experiment import Runner
from jitbench.model import Benchmark, Design, Experiment, Runtime, Variant
from jitbench.plan.adaptive import Target, Width, extender, halfwidths, kinds_for
from jitbench.results.model import Result

from .conftest import WORK_PY, Cli, write

FAST = ["--values", "4", "--warmups", "1", "--min-time", "0.01"]


def test_adaptive_run_stops_when_the_target_is_reached(cli: Cli, project):
    doc = cli.json(
        "ab",
        "base",
        "slower",
        "--bench",
        "work",
        "-p",
        "3",
        *FAST,
        "--target-ci",
        "200%",
        "--budget",
        "10m",
    )
    art = json.loads((project / doc["result"]).read_text())
    assert art["adaptive"]["stopped"] == "target reached"
    # Reached at once, but an adaptive run never stops before the minimum number of rounds.
    assert ADAPTIVE_MIN_ROUNDS <= art["adaptive"]["rounds"] < ADAPTIVE_MIN_ROUNDS + 2
    assert not art["adaptive"]["unreached"]


def test_adaptive_run_adds_rounds_until_the_budget_on_its_clock_is_spent(tmp_path):
    # A clock that advances 10 s per look: the budget of 50 s is spent after 4 extensions, with no
    # real waiting; the processes are real.
    ticks = iter(range(0, 1000, 10))
    write(tmp_path / "work.py", WORK_PY)
    runtime = Runtime("host", (sys.executable,))
    variants = [
        Variant("base", runtime, env=(("WORK", "1.0"),)),
        Variant("slower", runtime, env=(("WORK", "1.3"),)),
    ]
    exp = Experiment(
        variants,
        [Benchmark("work", tmp_path / "work.py", function="main")],
        Design(processes=2, values=2, warmups=0, loops=1, seed=3),
    )
    runner = Runner(exp, tmp_path / "r.json", argv=["test"])
    target = Target(ci_halfwidth_pct=1e-6, budget_s=50.0)
    doc = runner.run(
        extend=extender(target, an.Options(seed=3), clock=lambda: next(ticks))
    ).to_json()
    state = doc["adaptive"]
    assert state["stopped"] == "budget spent"
    assert (state["rounds"], state["elapsed_s"]) == (10, 50.0)
    assert [u["candidate"] for u in state["unreached"]] == ["slower"]
    # Extra rounds keep the interleaved design: each round still runs both variants once.
    for r in range(state["rounds"]):
        assert sorted(s["variant"] for s in doc["schedule"] if s["round"] == r) == [
            "base",
            "slower",
        ]
    assert len(doc["processes"]) == 2 * state["rounds"]
    # Negative control: the same clock with a budget too small for one more step adds none.
    ticks = iter(range(0, 1000, 10))
    again = (
        Runner(exp, tmp_path / "r2.json", argv=["test"])
        .run(
            extend=extender(
                Target(1e-6, budget_s=15.0), an.Options(seed=3), clock=lambda: next(ticks)
            )
        )
        .to_json()
    )
    assert (again["adaptive"]["stopped"], again["adaptive"]["rounds"]) == ("budget spent", 2)


def _counted_doc(instrument: str = "valgrind") -> dict:
    from .report import synth

    doc = synth.result(variants={"base": 1.0, "cand": 1.0}, processes=4, seed=5, noise=0.05)
    doc = synth.with_instructions(doc, {"base": 1.0, "cand": 1.02}, instrument=instrument)
    doc["counting"] = {"backend": "valgrind" if instrument else "perf"}
    return doc


def test_halfwidths_are_per_measure_and_count_the_processes_that_measured():
    doc = _counted_doc()
    widths = halfwidths(Result.from_json(doc), an.Options(), ("instructions",))
    assert set(widths) == {("alpha", "cand", "instructions"), ("beta", "cand", "instructions")}
    w = widths[("alpha", "cand", "instructions")]
    # Exact counts: the instruction CI is far inside 0.05 %, but four processes are too few to
    # stop on; the time CI of the same processes is wide (negative control).
    assert w.halfwidth_pct < 0.01 and w.processes == 4
    assert not w.reached(Target(0.05, 60.0, measures=("instructions",)))
    time_width = halfwidths(Result.from_json(doc), an.Options())[("alpha", "cand", "time")]
    assert time_width.halfwidth_pct > 0.05


def test_a_counted_target_adds_counted_processes_only():
    doc = _counted_doc()
    wide = halfwidths(Result.from_json(doc), an.Options(), ("instructions",))
    assert kinds_for(Result.from_json(doc), wide, Target(0.05, 60, measures=("instructions",))) == {
        "alpha": ("valgrind",),
        "beta": ("valgrind",),
    }
    # Where perf counted, the timed processes carry the counts: the rounds are timed ones.
    perf = _counted_doc(instrument="")
    wide = halfwidths(Result.from_json(perf), an.Options(), ("instructions",))
    assert kinds_for(
        Result.from_json(perf), wide, Target(0.05, 60, measures=("instructions",))
    ) == {
        "alpha": (None,),
        "beta": (None,),
    }
    # Time and instructions both aimed at: timed and counted processes; time alone: the planned
    # shape of a round (None).
    both = Target(0.05, 60, measures=("time", "instructions"))
    wide = halfwidths(Result.from_json(doc), an.Options(), both.measures)
    assert kinds_for(Result.from_json(doc), wide, both) == {
        "alpha": (None, "valgrind"),
        "beta": (None, "valgrind"),
    }
    assert kinds_for(Result.from_json(doc), wide, Target(0.05, 60)) is None


def test_a_counted_measure_without_a_comparison_yet_is_unreached():
    doc = _counted_doc()
    # One counted process a side on alpha: no instruction comparison there yet.
    doc["processes"] = [
        p
        for p in doc["processes"]
        if not (p.get("instrument") and p["benchmark"] == "alpha" and p["round"] > 0)
    ]
    widths = halfwidths(Result.from_json(doc), an.Options(), ("instructions",))
    assert widths[("alpha", "cand", "instructions")] == Width(math.inf, 0)


@pytest.mark.slow
def test_adaptive_rounds_aimed_at_instructions_run_only_counted_processes(tmp_path):
    write(tmp_path / "work.py", WORK_PY)
    runtime = Runtime("host", (sys.executable,))
    variants = [
        Variant("base", runtime, env=(("WORK", "1.0"),)),
        Variant("more", runtime, env=(("WORK", "1.02"),)),
    ]
    bench = [Benchmark("work", tmp_path / "work.py", function="main")]

    def run(name: str, target: Target, **design) -> dict:
        exp = Experiment(
            variants,
            bench,
            Design(
                processes=2,
                values=2,
                warmups=0,
                loops=1,
                seed=3,
                measures=("time", "instructions"),
                counter="valgrind",
                **design,
            ),
        )
        # A clock of 10 s per look and a budget of 25 s: exactly one step of two rounds.
        ticks = iter(range(0, 1000, 10))
        runner = Runner(exp, tmp_path / name, argv=["test"])
        extend = extender(target, an.Options(seed=3), clock=lambda: next(ticks))
        return runner.run(extend=extend).to_json()

    doc = run("counted.json", Target(0.05, budget_s=25.0, measures=("instructions",)))
    state = doc["adaptive"]
    assert (state["stopped"], state["rounds"], state["measures"]) == (
        "budget spent",
        4,
        ["instructions"],
    )
    added = [p for p in doc["processes"] if p["round"] >= 2]
    assert len(added) == 4 and all(p["instrument"] == "valgrind" for p in added)
    assert all(p["status"] == "ok" for p in doc["processes"])
    # Four rounds of counts, still under the minimum: unreached, named with its measure.
    assert {(u["candidate"], u["measure"]) for u in state["unreached"]} == {
        ("more", "instructions")
    }
    (c,) = an.analyse(Result.from_json(doc), an.Options(measures=("instructions",))).comparisons
    assert c.result.n_candidate == 4 and 1.99 < c.result.ci_low_pct <= c.result.ci_high_pct < 2.01
    # Negative control: aimed at time, the added rounds are timed (counted only in round 0).
    timed = run("timed.json", Target(0.05, budget_s=25.0), instrumented_rounds=1)
    added = [p for p in timed["processes"] if p["round"] >= 2]
    assert len(added) == 4 and not any(p.get("instrument") for p in added)
