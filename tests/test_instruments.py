"""Processes run under an instrument are extra slots of every round, recorded with their
instrument, and never part of a time verdict."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from jitbench.analysis import experiment as an
from jitbench.errors import JitbenchError
from jitbench.execute import instruments
from jitbench.execute.experiment import Runner
from jitbench.model import Benchmark, Design, Experiment, Runtime, Variant
from jitbench.profile import folded
from jitbench.results.artifact import load
from jitbench.results.model import ProcessRecord, ProfileRecord, Result

# The work grows with SLOW, which only the instrument's argv prefix sets; the marks on stderr say
# what the process saw.
BENCH = """\
import os, sys
SLOW = int(os.environ.get("SLOW", "1"))
sys.stderr.write("mark=%s hashseed=%s\\n" % (os.environ.get("MARK"), os.environ.get("PYTHONHASHSEED")))

def main():
    total = 0
    for i in range(20_000 * SLOW):
        total += i % 7
    return total
"""


class EnvPrefix:
    """A real instrument for tests: starts the interpreter through ``env``, slowing the candidate."""

    name = "envprefix"
    cost = 1.0  # env adds nothing measurable

    def __init__(self, problem: str | None = None):
        self.problem = problem
        self.collected: list[ProcessRecord] = []
        self.closed = 0

    def check(self, variant, host):
        return self.problem

    def start(self, variant, facts):
        slow = "20" if variant.name == "candidate" else "1"

        def closed() -> None:
            self.closed += 1

        def collect(record: ProcessRecord) -> ProfileRecord | None:
            # What it "observed": one stack per value, named for the process it watched.
            self.collected.append(record)
            if not record.ok:
                return None
            values = record.values_ns or []
            return ProfileRecord(
                event="envprefix",
                samples=len(values),
                window_ns=sum(values),
                encoding=folded.ENCODING,
                folded=folded.encode(Counter({f"{record.variant};work": len(values)})),
            )

        return instruments.InstrumentedProcess(
            wrap=lambda argv: ["env", f"SLOW={slow}", "MARK=instrumented", *argv],
            env={"PYTHONHASHSEED": "0"},
            task={"note": "instrumented"},
            collect=collect,
            close=closed,
        )


@pytest.fixture
def instrument(monkeypatch) -> EnvPrefix:
    inst = EnvPrefix()
    monkeypatch.setitem(instruments._REGISTRY, inst.name, inst)
    return inst


def _experiment(tmp_path: Path, instruments_: tuple[str, ...], processes: int = 3) -> Experiment:
    (tmp_path / "work.py").write_text(BENCH)
    runtime = Runtime("host", (sys.executable,))
    variants = [Variant("base", runtime), Variant("candidate", runtime)]
    bench = Benchmark("work", tmp_path / "work.py", function="main")
    design = Design(
        processes=processes, values=3, warmups=1, seed=5, loops=2, instruments=instruments_
    )
    return Experiment(variants, [bench], design)


def test_instrumented_processes_are_extra_slots_of_every_round(tmp_path, instrument):
    out = tmp_path / "r.json"
    doc = Runner(_experiment(tmp_path, ("envprefix",)), out, argv=["test"]).run().to_json()

    assert load(out)["design"]["instruments"] == ["envprefix"]  # the artifact validates
    procs = doc["processes"]
    per_round = Counter((p["round"], p["variant"], p.get("instrument")) for p in procs)
    assert set(per_round.values()) == {1}
    assert len(per_round) == 3 * 2 * 2  # rounds × variants × (timed, instrumented)
    # Shuffled together, not appended: in some round an instrumented process precedes a timed one.
    rounds = [[p.get("instrument") for p in procs if p["round"] == r] for r in range(3)]
    assert any(order != sorted(order, key=lambda k: k is not None) for order in rounds)
    assert [s.get("instrument") for s in doc["schedule"]] == [p.get("instrument") for p in procs]

    marked = [p for p in procs if p.get("instrument") == "envprefix"]
    timed = [p for p in procs if "instrument" not in p]
    assert len(marked) == len(timed) == 6
    # The instrument's argv prefix and env reached exactly its own processes.
    assert all("mark=instrumented hashseed=0" in p["stderr_tail"] for p in marked)
    assert all("mark=None hashseed=None" in p["stderr_tail"] for p in timed)
    assert sorted(p.started or "" for p in instrument.collected) == sorted(
        p["started"] for p in marked
    )
    assert instrument.closed == 6


def test_what_an_instrument_collects_is_the_typed_record_s_profile(tmp_path, instrument):
    out = tmp_path / "r.json"
    result = Runner(_experiment(tmp_path, ("envprefix",)), out, argv=["t"]).run()

    # The instrument saw each of its processes typed, as the engine records it.
    assert {(p.instrument, p.status) for p in instrument.collected} == {("envprefix", "ok")}
    marked = [p for p in result.processes if p.instrument == "envprefix"]
    assert len(marked) == 6 and all(p.profile is not None for p in marked)
    for p in marked:
        assert p.profile is not None and p.values_ns is not None
        assert (p.profile.samples, p.profile.window_ns) == (3, sum(p.values_ns))
        assert folded.decode(p.profile.folded) == Counter({f"{p.variant};work": 3})
    # On disk: the profile as schema 1 wrote it (the artifact validates on load), its keys in
    # the order they always had, no ``code`` when none was dumped.
    on_disk = [p for p in load(out)["processes"] if p.get("instrument") == "envprefix"]
    assert [list(p["profile"]) for p in on_disk] == [
        ["event", "samples", "window_ns", "encoding", "folded"]
    ] * 6
    # Negative control: a timed process is no instrument's; nothing is attached to it.
    timed = [p for p in result.processes if p.instrument is None]
    assert len(timed) == 6 and all(p.profile is None for p in timed)


def test_instrumented_processes_never_enter_a_time_verdict(tmp_path, instrument):
    doc = (
        Runner(_experiment(tmp_path, ("envprefix",)), tmp_path / "r.json", argv=["t"])
        .run()
        .to_json()
    )
    (c,) = an.analyse(Result.from_json(doc), an.Options()).comparisons
    assert (c.result.n_baseline, c.result.n_candidate) == (3, 3)
    timed = [p for p in doc["processes"] if p["variant"] == "candidate" and "instrument" not in p]
    want = sorted(np.mean(p["values_ns"]) / (p["loops"] * p["inner_loops"]) / 1e9 for p in timed)
    assert sorted(c.result.candidate.process_means) == pytest.approx(want)

    # Negative control: counted as timed, the instrumented records (20× the work on the
    # candidate) enter the comparison: six processes per side.
    for p in doc["processes"]:
        if p.pop("instrument", None):
            p["round"] += 100  # rounds of their own, so that pairs stay pairs
    (mixed,) = an.analyse(Result.from_json(doc), an.Options()).comparisons
    assert (mixed.result.n_baseline, mixed.result.n_candidate) == (6, 6)
    assert max(mixed.result.candidate.process_means) > 5 * max(c.result.candidate.process_means)


def test_an_instrument_that_cannot_run_stops_before_any_work(tmp_path, monkeypatch):
    inst = EnvPrefix(problem="envprefix not found; install it")
    monkeypatch.setitem(instruments._REGISTRY, inst.name, inst)
    out = tmp_path / "r.json"
    with pytest.raises(
        JitbenchError,
        match="instrument 'envprefix', variant 'base': envprefix not found; install it",
    ):
        Runner(_experiment(tmp_path, ("envprefix",)), out, argv=["t"]).run()
    assert inst.collected == []


def test_an_unknown_instrument_is_one_line_naming_the_known_ones(tmp_path, instrument):
    with pytest.raises(JitbenchError, match=r"unknown instrument 'nope' \(available: .*envprefix"):
        Runner(_experiment(tmp_path, ("nope",)), tmp_path / "r.json", argv=["t"])
