"""perf samples only the measured values: the runner opens and closes its window."""

from __future__ import annotations

from pathlib import Path

import pytest

import jitbench.benchmarks
from jitbench.execute.process import run_process
from jitbench.execute.transport import LocalTransport
from jitbench.model import Benchmark, Runtime, Variant
from jitbench.profile import shares
from jitbench.profile.folded import decode
from jitbench.profile.process import run_profiled
from jitbench.results.model import ProcessRecord
from jitbench.runner.jitbench_protocol import Probe
from jitbench.runtimes import launch_for

# Its import burns a second in a function of its own; the measured function is another one.
IMPORT_BURNS = """\
import time


def burn_at_import(seconds):
    end = time.perf_counter() + seconds
    n = 0
    while time.perf_counter() < end:
        n += 1
    return n


burn_at_import(1.0)


def work():
    total = 0
    for i in range(300_000):
        total += i % 7
    return total


def main():
    return work()
"""

TASK = {"action": "run", "loops": 2, "warmups": 1, "values": 4}


@pytest.fixture
def burner(tmp_path: Path, py314_cmd: list[str]) -> tuple[Variant, Benchmark]:
    (tmp_path / "burner.py").write_text(IMPORT_BURNS)
    # The chroot's stock CPython 3.14 names every Python function in its perf map (py::…).
    runtime = Runtime("py314", tuple(py314_cmd), "cpython")
    return (
        Variant("stock", runtime),
        Benchmark("burner", tmp_path / "burner.py", "plain", function="main"),
    )


def _functions(record: ProcessRecord) -> set[str]:
    assert record.profile is not None, record
    stacks = decode(record.profile.folded)
    return {
        frame.split(":")[2] for s in stacks for frame in s.split(";") if frame.startswith("py::")
    }


@pytest.mark.slow
def test_import_and_warmup_are_outside_the_profile(burner):
    variant, bench = burner
    rec = run_profiled(LocalTransport(), variant, bench, TASK, 120)
    assert rec.ok, rec
    assert rec.instrument == "perf" and rec.profile is not None
    functions = _functions(rec)
    assert "work" in functions, functions
    assert "burn_at_import" not in functions
    # Samples fall only while values run: at most the rate times the measured time, with slack.
    window_s = rec.profile.window_ns / 1e9
    assert 0 < rec.profile.samples < 5000 * window_s + 50
    # Negative control: the same process sampled from its start shows the import.
    whole = run_profiled(LocalTransport(), variant, bench, TASK, 120, windowed=False)
    assert "burn_at_import" in _functions(whole)


@pytest.mark.slow
def test_events_show_compiles_landing_during_warmup(tmp_path, cinderx_cmd):
    runtime = Runtime("cx", tuple(cinderx_cmd), "cinderx")
    richards = Path(jitbench.benchmarks.__file__).parent / "richards.py"
    bench = Benchmark("richards", richards, "plain", function="run")
    task = {"action": "run", "loops": 1, "warmups": 3, "values": 4}
    rec = run_process(
        LocalTransport(), Variant("auto50", runtime, mode="autojit=50"), bench, task, 120
    )
    events = rec["events"]
    assert len(events["warmups"]) == 3 and len(events["values"]) == 4
    compiled = [
        e["compiled"]
        for e in [events["start"], events["first"], *events["warmups"], *events["values"]]
    ]
    assert compiled[0] < compiled[-1], compiled
    assert compiled == sorted(compiled)
    # Negative control: without the JIT nothing is compiled, so no count is reported.
    rec = run_process(LocalTransport(), Variant("nojit", runtime, mode="nojit"), bench, task, 120)
    assert all("compiled" not in e for e in rec["events"]["values"])


@pytest.mark.slow
def test_events_follow_the_probes_the_runtime_kind_declares(cinderx_cmd):
    # One CinderX interpreter, cinderx loaded and compiling after 50 calls in both processes:
    # only the runtime's kind, and so the probes it declares, differs.
    richards = Path(jitbench.benchmarks.__file__).parent / "richards.py"
    bench = Benchmark("richards", richards, "plain", function="run")
    task = {"action": "run", "loops": 1, "warmups": 1, "values": 2}
    declared = Variant("cx", Runtime("cx", tuple(cinderx_cmd), "cinderx"), mode="autojit=50")
    launch = launch_for(declared)
    plain = Variant(
        "plain",
        Runtime("plain", tuple(cinderx_cmd), "python"),  # declares CPython's and PyPy's probes
        env=tuple(launch.env.items()),
        pre_import=tuple(launch.pre_import),
    )
    recs = {v.name: run_process(LocalTransport(), v, bench, task, 120) for v in (declared, plain)}
    assert all(r["status"] == "ok" for r in recs.values()), recs
    # The JIT compiled richards in both (the end state reports cinderx wherever it is loaded)...
    for rec in recs.values():
        assert rec["jit"][Probe.CINDERX]["compiled_count"] > 0, rec["jit"]
    timelines = {
        name: [r["events"]["start"], r["events"]["first"], *r["events"]["values"]]
        for name, r in recs.items()
    }
    # ...but only the kind that declares the cinderx probe reads its events between values.
    assert timelines["cx"][-1]["compiled"] > 0, timelines["cx"]
    assert all("compiled" not in e and "deopts" not in e for e in timelines["plain"])
    # Events are still read there: CPython's collections, which no JIT probe owns.
    assert all("gc" in e for e in timelines["plain"])


@pytest.mark.slow
def test_pypy_jit_code_is_counted_as_jit_though_unnamed(pypy_cmd):
    # PyPy writes no perf map: its JIT code is anonymous executable memory, labelled [JIT].
    richards = Path(jitbench.benchmarks.__file__).parent / "richards.py"
    bench = Benchmark("richards", richards, "plain", function="run")
    task = {"action": "run", "loops": 5, "warmups": 2, "values": 3}
    shares_of = {}
    for mode in ("jit", "nojit"):
        runtime = Runtime("pypy", tuple(pypy_cmd), "pypy")
        rec = run_profiled(LocalTransport(), Variant(mode, runtime, mode=mode), bench, task, 300)
        assert rec.ok and rec.profile is not None, rec
        shares_of[mode] = shares.shares([decode(rec.profile.folded)])["jit"]["share_pct"]
    assert shares_of["jit"] > 50 and shares_of["nojit"] < 5, shares_of


@pytest.mark.slow
def test_events_count_cpython_jit_executors(py314_cmd):
    richards = Path(jitbench.benchmarks.__file__).parent / "richards.py"
    bench = Benchmark("richards", richards, "plain", function="run")
    task = {"action": "run", "loops": 1, "warmups": 2, "values": 2}
    runtime = Runtime("py314", tuple(py314_cmd), "cpython")
    rec = run_process(LocalTransport(), Variant("jit", runtime, mode="jit"), bench, task, 120)
    assert rec["status"] == "ok", rec
    events = rec["events"]
    timeline = [events["start"], events["first"], *events["warmups"], *events["values"]]
    executors = [e["executors"] for e in timeline]
    # Executors alive, not a running total: CPython drops cold ones, so the count goes up and
    # down between values (2, 6, 2, 3, 6, 2 here); the last value may well be back at start.
    assert max(executors) > executors[0], executors
    # Negative control: without PYTHON_JIT there is nothing to count.
    rec = run_process(LocalTransport(), Variant("nojit", runtime, mode="nojit"), bench, task, 120)
    assert all("executors" not in e for e in rec["events"]["values"])
