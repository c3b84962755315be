"""Host load around each process: parsed from /proc, compared before/after, flagged when other
work kept the CPUs busy; the rules tested on made-up samples, the flag on a real busy host."""

from __future__ import annotations

import json
import os
import subprocess

from jitbench.execute import load
from jitbench.execute.experiment import Runner
from jitbench.model import Design, Experiment, Runtime, Variant
from jitbench.results.model import (
    SCHEMA_NAME,
    SCHEMA_VERSION,
    BenchmarkRecord,
    DesignRecord,
    ProcessRecord,
    Result,
    SlotRecord,
)

from .conftest import FAST


def _stat(pid: int, name: str, ticks: int, start: int) -> str:
    # pid (comm) state ppid ... utime(14th field) stime(15th) ... starttime(22nd)
    rest = ["S", "1"] + ["0"] * 9 + [str(ticks), "0"] + ["0"] * 6 + [str(start)] + ["0"] * 10
    return f"{pid} ({name}) {' '.join(rest)}"


def _sample(uptime: float, busy: int, idle: int, procs: list[str]) -> str:
    return "\n".join(
        [
            "@hz",
            "100",
            "@uptime",
            f"{uptime} 0",
            "@loadavg",
            "2.00 1.00 0.50 3/99 1",
            "@stat",
            f"cpu  {busy} 0 0 {idle} 0 0 0 0 0 0",
            "cpu0 0",
            "cpu1 0",
            "@meminfo",
            "MemTotal: 4000000 kB",
            "MemAvailable: 3000000 kB",
            "@procs",
            *procs,
        ]
    )


def test_a_burner_alive_across_the_process_is_named_and_flags_it():
    before = load.parse_sample(
        _sample(100.0, 1000, 1000, [_stat(7, "yes", 500, 10), _stat(8, "my proc) x", 1, 20)])
    )
    # 2 s later: both CPUs busy all the time; "yes" used 2 s of CPU (one core), our process one.
    after = load.parse_sample(
        _sample(102.0, 1400, 1000, [_stat(7, "yes", 700, 10), _stat(8, "my proc) x", 1, 20)])
    )
    m = load.measure(before, after, own_seconds=2.0, threshold=0.5)
    assert m["available"] and m["cpus"] == 2 and m["busy_cores"] == 2.0
    assert m["foreign_cores"] == 1.0 and m["contaminated"]
    assert m["top"] == [{"name": "yes", "cores": 1.0}]
    assert m["mem_available_mb"] == 2929 and m["loadavg_before"] == [2.0, 1.0, 0.5]


def test_short_lived_foreign_work_counts_through_the_cpu_counters():
    before = load.parse_sample(_sample(100.0, 1000, 1000, []))
    # Busy 1.5 cores for 2 s, our process one core: half a core of processes no sample saw.
    after = load.parse_sample(_sample(102.0, 1300, 1100, []))
    m = load.measure(before, after, own_seconds=2.0, threshold=0.25)
    assert m["foreign_cores"] == 0.5 and m["contaminated"] and m["top"] == []
    quiet = load.measure(before, after, own_seconds=2.0, threshold=0.6)
    assert not quiet["contaminated"]


def test_no_proc_means_unknown_never_contaminated():
    assert load.parse_sample("@hz\n100\n@uptime\n@loadavg\n@stat\n@procs\n") is None
    m = load.measure(None, None, own_seconds=1.0, threshold=0.5)
    assert m == {**m, "available": False, "contaminated": False}


def test_wait_idle_returns_once_the_host_is_quiet():
    busy = [load.parse_sample(_sample(100.0 + i, 1000 + 200 * i, 1000, [])) for i in range(3)]
    quiet = load.parse_sample(_sample(103.0, 1400, 1200, []))
    samples = iter([*busy, quiet])
    clock = iter(range(100))
    got = load.wait_idle(
        lambda: next(samples),
        threshold=0.5,
        limit=60,
        sleep=lambda s: None,
        clock=lambda: next(clock),
    )
    assert got["quiet"] is True and got["waited_s"] == 3
    samples = iter(busy * 5)
    clock = iter(range(100))
    got = load.wait_idle(
        lambda: next(samples),
        threshold=0.5,
        limit=1,
        sleep=lambda s: None,
        clock=lambda: next(clock),
    )
    assert got["quiet"] is False


def test_exclude_contaminated_makes_contaminated_slots_missing(tmp_path):
    v = Variant(name="a", runtime=Runtime(name="r", command=("python3",)))
    exp = Experiment(variants=[v], benchmarks=[], design=Design())
    partial = Result(
        schema=SCHEMA_NAME,
        schema_version=SCHEMA_VERSION,
        tool_version="0",
        id="x",
        created="2026-11-30T00:00:00+00:00",
        complete=False,
        seed=0,
        design=DesignRecord(kind="interleaved", processes=3, values=1, warmups=0, timeout=None),
        host={},
        variants={},
        benchmarks={"b": BenchmarkRecord(kind="plain", source="b.py", loops=1)},
        schedule=[SlotRecord(slot=i, round=i, benchmark="b", variant="a") for i in range(3)],
        processes=[
            ProcessRecord(
                slot=0, round=0, benchmark="b", variant="a", status="ok", contaminated=True
            ),
            ProcessRecord(
                slot=1, round=1, benchmark="b", variant="a", status="ok", contaminated=False
            ),
        ],
    )
    runner = Runner(exp, tmp_path / "r.json", argv=[], result=partial)
    runner.benchmarks = {"b": None}
    assert [s.index for s in runner.missing_slots()] == [2]
    runner.quiet = load.Quiet(exclude_contaminated=True)
    assert [s.index for s in runner.missing_slots()] == [0, 2]


def test_a_process_measured_while_the_host_burns_cpu_is_flagged_and_rerun_boundedly(
    rcli, remote_project
):
    # Host "lo" is this machine: one `yes` per CPU keeps every CPU busy.
    burners = [
        subprocess.Popen(["yes"], stdout=subprocess.DEVNULL) for _ in range(os.cpu_count() or 2)
    ]
    try:
        doc = rcli.json(
            "run",
            "base",
            "--bench",
            "work",
            "-p",
            "2",
            *FAST,
            "--load-threshold",
            "0.5",
            "--exclude-contaminated",
        )
    finally:
        for b in burners:
            b.kill()
            b.wait()
    art = json.loads((remote_project / doc["result"]).read_text())
    procs = art["processes"]
    assert len(procs) == 2 and all(p["contaminated"] for p in procs), [
        p["host_load"] for p in procs
    ]
    assert all("yes" in {t["name"] for t in p["host_load"]["top"]} for p in procs)
    # Still busy on every try: each slot ran again twice, then the run stopped trying.
    assert sorted(p["slot"] for p in art["replaced"]) == [0, 0, 1, 1]
    assert doc["contaminated"] == [{"benchmark": "work", "variant": "base", "processes": 2}]
    text = rcli("compare", doc["result"], check=0).stdout
    assert "contaminated" in text and "yes" in text


def test_wait_idle_is_recorded_with_each_process(rcli, remote_project):
    doc = rcli.json("run", "base", "--bench", "work", "-p", "2", *FAST, "--wait-idle", "1")
    art = json.loads((remote_project / doc["result"]).read_text())
    for p in art["processes"]:
        waited = p["host_load"]["wait_idle"]
        assert waited["waited_s"] >= 1 and waited["quiet"] in (True, False)
