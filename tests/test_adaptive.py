"""Adaptive runs add interleaved rounds until the CI is narrow enough, or the budget is spent."""

from __future__ import annotations

import json

from jitbench.analysis.comparison import ADAPTIVE_MIN_ROUNDS

from .conftest import Cli

FAST = ["--values", "4", "--warmups", "1", "--min-time", "0.01"]


def test_adaptive_run_stops_when_the_target_is_reached(cli: Cli, project):
    doc = cli.json("ab", "base", "slower", "--bench", "work", "-p", "3", *FAST,
                   "--target-ci", "200%", "--budget", "10m")
    art = json.loads((project / doc["result"]).read_text())
    assert art["adaptive"]["stopped"] == "target reached"
    # Reached at once, but an adaptive run never stops before the minimum number of rounds.
    assert ADAPTIVE_MIN_ROUNDS <= art["adaptive"]["rounds"] < ADAPTIVE_MIN_ROUNDS + 2
    assert not art["adaptive"]["unreached"]


def test_adaptive_run_adds_rounds_then_says_what_it_missed(cli: Cli, project):
    proc = cli("ab", "base", "slower", "--bench", "work", "-p", "2", *FAST,
               "--target-ci", "0.0001%", "--budget", "20s", check=0)
    assert "target ±0.0001 % not reached for work/slower" in proc.stderr
    art_path = next((project / ".jitbench" / "results").glob("*.json"))
    art = json.loads(art_path.read_text())
    state = art["adaptive"]
    assert state["stopped"] == "budget spent" and state["rounds"] > 2
    # Extra rounds keep the interleaved design: each round still runs both variants once.
    for r in range(state["rounds"]):
        assert sorted(s["variant"] for s in art["schedule"] if s["round"] == r) == ["base", "slower"]
    assert len(art["processes"]) == 2 * state["rounds"]
