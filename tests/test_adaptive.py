"""Adaptive runs add interleaved rounds until the CI is narrow enough, or the budget is spent."""

from __future__ import annotations

import json
import sys

from jitbench.analysis import experiment as an
from jitbench.analysis.comparison import ADAPTIVE_MIN_ROUNDS
from jitbench.execute.experiment import Runner
from jitbench.model import Benchmark, Design, Experiment, Runtime, Variant
from jitbench.plan.adaptive import Target, extender

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
    doc = runner.run(extend=extender(target, an.Options(seed=3), clock=lambda: next(ticks)))
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
    again = Runner(exp, tmp_path / "r2.json", argv=["test"]).run(
        extend=extender(Target(1e-6, budget_s=15.0), an.Options(seed=3), clock=lambda: next(ticks))
    )
    assert (again["adaptive"]["stopped"], again["adaptive"]["rounds"]) == ("budget spent", 2)
