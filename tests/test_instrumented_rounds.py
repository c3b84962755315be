"""Fewer instrumented processes than timed ones: counts are deterministic, so the first N rounds
(``--instrumented-rounds``) with a few values each (``--instrumented-values``) carry the
instruction verdict while every round is timed."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from jitbench.plan.schedule import interleaved


def test_only_the_first_rounds_hold_instrumented_slots():
    slots = interleaved(
        ["a", "b"], ["w"], 4, seed=3, instruments=("valgrind",), instrumented_rounds=2
    )
    counted = Counter(s.round for s in slots if s.instrument == "valgrind")
    assert counted == {0: 2, 1: 2}
    assert Counter(s.round for s in slots if s.instrument is None) == {r: 2 for r in range(4)}
    # Control: without a limit every round has them.
    every = interleaved(["a", "b"], ["w"], 4, seed=3, instruments=("valgrind",))
    assert Counter(s.round for s in every if s.instrument) == {r: 2 for r in range(4)}


@pytest.mark.slow
def test_two_counted_processes_of_two_values_give_the_instruction_verdict(cli, project):
    proc = cli(
        "ab",
        "base",
        "slower",
        "--bench",
        "work",
        "-p",
        "3",
        "-n",
        "4",
        "-w",
        "1",
        "--measure",
        "time,instructions",
        "--counter",
        "valgrind",
        "--instrumented-rounds",
        "2",
        "--instrumented-values",
        "2",
        "--json",
        "--db",
        "off",
        check=0,
    )
    doc = json.loads(proc.stdout)
    art = json.loads(Path(project, doc["result"]).read_text())
    counted = [p for p in art["processes"] if p.get("instrument") == "valgrind"]
    timed = [p for p in art["processes"] if p.get("instrument") is None]
    assert Counter(p["variant"] for p in counted) == {"base": 2, "slower": 2}
    assert {p["round"] for p in counted} == {0, 1}
    assert all(len(p["counting"]["counts"]["instructions"]) == 2 for p in counted)
    assert all(len(p["values_ns"]) == 4 for p in timed) and len(timed) == 6
    assert art["design"]["instrumented_rounds"] == 2 and art["design"]["instrumented_values"] == 2
    by_measure = {c["measure"]: c for c in doc["comparisons"]}
    # WORK=1.30 does 30 % more loop iterations: the counts say so exactly, whatever the host.
    ins = by_measure["instructions"]
    assert ins["verdict"] == "slower" and 25 < ins["change_pct"] < 35, ins
    assert by_measure["time"]["n_baseline"] == 3


def test_only_the_chosen_benchmarks_get_instrumented_slots():
    slots = interleaved(
        ["a", "b"],
        ["r", "n"],
        3,
        seed=1,
        instruments=("valgrind",),
        instrumented_rounds=2,
        instrumented_benchmarks=("r",),
    )
    counted = Counter((s.benchmark, s.round) for s in slots if s.instrument)
    assert counted == {("r", 0): 2, ("r", 1): 2}
    assert Counter(s.benchmark for s in slots if s.instrument is None) == {"r": 6, "n": 6}
