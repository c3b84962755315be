"""Fewer instrumented processes than timed ones: counts are deterministic, so the first N rounds
(``--instrumented-rounds``) with a few values each (``--instrumented-values``) carry the
instruction verdict while every round is timed."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from jitbench.plan.schedule import interleaved
from jitbench.results.model import Result


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
        # Counts do not need long values: short ones keep the valgrind processes (~40x) brief.
        "--min-time",
        "0.01",
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


def test_only_the_chosen_variants_get_instrumented_slots():
    slots = interleaved(
        ["a", "b", "pypy"],
        ["r"],
        2,
        seed=1,
        instruments=("valgrind",),
        instrumented_variants=("a", "b"),
    )
    assert Counter(s.variant for s in slots if s.instrument) == {"a": 2, "b": 2}
    assert Counter(s.variant for s in slots if s.instrument is None) == {"a": 2, "b": 2, "pypy": 2}


def _counted(doc: dict, bench: str, variant: str, rounds: int) -> None:
    """Add ``rounds`` counted processes of ``variant`` on ``bench`` (identical counts)."""
    for r in range(rounds):
        doc["processes"].append(
            {
                "slot": 1000 + len(doc["processes"]),
                "round": r,
                "benchmark": bench,
                "variant": variant,
                "status": "ok",
                "instrument": "valgrind",
                "loops": 1,
                "inner_loops": 1,
                "first_ns": 1,
                "warmups_ns": [],
                "values_ns": [1, 1],
                "counting": {"counts": {"instructions": [1_000_000, 1_000_000]}},
            }
        )


def test_pairs_left_uncounted_by_design_are_not_reported_missing():
    from jitbench.analysis import experiment as an

    from .report import synth

    doc = synth.result(
        variants={"base": 1.0, "cand": 1.0, "pypy": 1.0},
        benchmarks={"r": 0.002, "n": 0.002},
        processes=3,
    )
    doc["design"].update(
        measures=["time", "instructions"],
        instrumented_benchmarks=["r"],
        instrumented_variants=["base", "cand"],
    )
    for name in ("base", "cand"):
        _counted(doc, "r", name, 2)
    a = an.analyse(Result.from_json(doc), an.Options(seed=1))
    counted = [(c.benchmark, c.candidate) for c in a.comparisons if c.measure == "instructions"]
    assert counted == [("r", "cand")]
    assert not [n for n in a.skipped if "instructions" in n], a.skipped
    # Control: a counted process the design planned and did not get is still reported.
    doc["processes"] = [p for p in doc["processes"] if p["slot"] != doc["processes"][-1]["slot"]]
    a = an.analyse(Result.from_json(doc), an.Options(seed=1))
    assert [n for n in a.skipped if "instructions" in n] == [
        "r: cand vs base (instructions): fewer than 2 successful processes on a side; no comparison"
    ]
