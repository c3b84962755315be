"""``--measure``: instructions beside time, end to end through the real CLI, runner and valgrind.

Counts are deterministic, so these tests assert exact properties of them; times are never
asserted. The benchmark is tiny: counted processes run under callgrind, many times native.
"""

from __future__ import annotations

import json
import statistics
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from jitbench.report import fmt

from .conftest import Cli, assert_one_line_error, write

CONFIG = """\
[runtimes.host]
command = ["python3"]

[benchmarks.work]
path = "bench/work.py"
function = "main"

[variants.base]
runtime = "host"
env = { WORK = "1.00" }

[variants.same]
runtime = "host"
env = { WORK = "1.00" }

[variants.more]
runtime = "host"
env = { WORK = "1.02" }

[variants.bit]
runtime = "host"
env = { WORK = "1.003" }
"""

# The same unit of work repeated: WORK scales the repeats exactly (1.02 → 1020 of 1000), so the
# instructions change by exactly that much, apart from the constant cost around each value.
WORK_PY = """\
import itertools
import os

REPEATS = round(1000 * float(os.environ.get("WORK", "1.0")))


def unit():
    total = 0
    for i in range(20):
        total += i % 7
    return total


def main():
    # repeat(), not range(): every repeat costs the same (range's small ints are cached).
    for _ in itertools.repeat(None, REPEATS):
        unit()
"""

SMALL = ["-p", "3", "-n", "3", "-w", "1", "--loops", "2", "--db", "off", "--json"]


@pytest.fixture
def counted(tmp_path: Path) -> Cli:
    write(tmp_path / "jitbench.toml", CONFIG)
    write(tmp_path / "bench" / "work.py", WORK_PY)
    return Cli(tmp_path)


def _by(doc: dict, candidate: str, measure: str) -> dict:
    (c,) = [
        c for c in doc["comparisons"] if c["candidate"] == candidate and c["measure"] == measure
    ]
    return c


def _count_change_pct(art: dict, baseline: str, candidate: str) -> float:
    """The change of instructions per iteration straight from the counted processes' records:
    the mean over processes of each one's mean net count, candidate against baseline, in %."""

    def per_iteration(variant: str) -> float:
        return statistics.fmean(
            statistics.fmean(
                (n - p["counting"]["overhead"]["instructions"]) / (p["loops"] * p["inner_loops"])
                for n in p["counting"]["counts"]["instructions"]
            )
            for p in art["processes"]
            if p["variant"] == variant and p.get("instrument") == "valgrind"
        )

    return 100.0 * (per_iteration(candidate) / per_iteration(baseline) - 1.0)


#: A whole seeded run kept small: two rounds (a CI needs two processes a side), two values.
TINY = ["-p", "2", "-n", "2", "-w", "1", "--loops", "2", "--db", "off", "--counter", "valgrind"]


@pytest.mark.slow
def test_a_third_of_a_percent_more_work_is_slower_in_ten_seeded_runs(counted):
    # Ten real runs, each its own interleaving (its seed) and its own processes: counts do not
    # depend on either, so every run resolves +0.3 % work. Two runs at a time (one results
    # folder takes concurrent runs): the cost is valgrind's start-up, not the work.
    def ab(seed: int) -> dict:
        return counted.json(
            "ab", "base", "bit", "--measure", "instructions", "--seed", str(seed), *TINY
        )

    with ThreadPoolExecutor(max_workers=2) as pool:
        docs = dict(zip(range(1, 11), pool.map(ab, range(1, 11)), strict=True))
    ids = set()
    for seed, doc in docs.items():
        art = json.loads((counted.cwd / doc["result"]).read_text())
        assert art["seed"] == seed
        ids.add(art["id"])
        c = _by(doc, "bit", "instructions")
        assert c["verdict"] == "slower", (seed, c)
        assert 0.29 <= c["ci_low_pct"] <= c["ci_high_pct"] <= 0.31, (seed, c)
    assert len(ids) == 10
    # Negative control: an A/A pair (the same work under two names) is equivalent, never slower.
    proc = counted("ab", "base", "same", "--measure", "instructions", "--seed", "1", *TINY, check=0)
    # The estimate before the run counts the counted processes (two variants x two rounds).
    assert "estimate: 4 processes + 4 under valgrind" in " ".join(proc.stderr.split())
    result = proc.stdout.split("result: ")[-1].split()[0]
    c = _by(counted.json("compare", result), "same", "instructions")
    assert c["verdict"] == "equivalent", c
    assert c["ci_low_pct"] <= 0.0 <= c["ci_high_pct"], c


def _has_hardware_counters() -> bool:
    probe = subprocess.run(
        ["perf", "stat", "-x,", "-e", "instructions:u", "true"], capture_output=True, text=True
    )
    return probe.returncode == 0 and "not supported" not in probe.stderr


@pytest.mark.slow
def test_instructions_resolve_two_percent_and_call_a_copy_equivalent(counted):
    doc = counted.json(
        "run",
        "base",
        "same",
        "more",
        "bit",
        "--measure",
        "time,instructions",
        "--counter",
        "valgrind",
        *SMALL[:-1],
    )
    same = _by(doc, "same", "instructions")
    assert same["verdict"] == "equivalent"
    assert same["ci_high_pct"] - same["ci_low_pct"] <= 0.1  # half-width ≤ 0.05 %
    more = _by(doc, "more", "instructions")
    assert more["verdict"] == "slower"
    result = doc["result"]
    art = json.loads((counted.cwd / result).read_text())
    # +2 % work: the CI contains +2.0 % at the precision it is shown with ("[+2.00 %, +2.00 %]"),
    # and it contains the exact change of the counts (main()'s own call and loop set-up are
    # constant, so that is 2 % to within ~0.001 %).
    assert fmt.ci(more["ci_low_pct"], more["ci_high_pct"]) == "[+2.00 %, +2.00 %]", more
    exact = _count_change_pct(art, "base", "more")
    # Equal counts give a zero-width interval: "contains" up to float rounding of the two sums.
    eps = 1e-9
    assert more["ci_low_pct"] - eps <= exact <= more["ci_high_pct"] + eps, (exact, more)
    assert round(exact, 2) == 2.00, exact
    # Controls: the copy's CI holds its own exact change (0 %) and not +2 %; +0.3 % work's not
    # +2 % either.
    same_exact = _count_change_pct(art, "base", "same")
    assert same["ci_low_pct"] - eps <= same_exact <= same["ci_high_pct"] + eps
    bit = _by(doc, "bit", "instructions")
    for control in (same, bit):
        assert not control["ci_low_pct"] <= 2.0 <= control["ci_high_pct"], control
        assert not round(control["ci_low_pct"], 2) <= 2.0 <= round(control["ci_high_pct"], 2)
    # Time comparisons come from the native processes only, beside the counted ones.
    assert {c["measure"] for c in doc["comparisons"]} == {"time", "instructions"}
    assert art["counting"]["backend"] == "valgrind"
    assert art["counting"]["env"]["base"]["PYTHONHASHSEED"] == "0"
    native = [p for p in art["processes"] if not p.get("instrument")]
    under = [p for p in art["processes"] if p.get("instrument") == "valgrind"]
    assert len(native) == len(under) == 12
    # The deterministic settings apply to the counted processes only (negative control: the
    # native processes carry no counts and were started without them).
    assert all("counting" not in p for p in native)
    assert "PYTHONHASHSEED" not in art["variants"]["base"]["env"]
    # --max-regression on the same result: the +2 % candidate fails a 1 % gate (exit 1), passes
    # a 3 % one; the copy passes a 0.1 % gate.
    gated = counted("compare", result, "--candidate", "more", "--max-regression", "1%")
    assert gated.returncode == 1, gated.stderr
    assert "more instructions +2.0" in gated.stderr
    counted("compare", result, "--candidate", "more", "--max-regression", "3%", check=0)
    counted("compare", result, "--candidate", "same", "--max-regression", "0.1%", check=0)
    gate = counted("compare", result, "--candidate", "more", "--max-regression", "1", "--json")
    assert gate.returncode == 1
    assert json.loads(gate.stdout)["max_regression"]["passed"] is False


def test_perf_backend_counts_task_clock_in_the_timed_processes(counted):
    doc = counted.json(
        "ab", "base", "more", "--measure", "task-clock", "--counter", "perf", *SMALL[:-1]
    )
    art = json.loads((counted.cwd / doc["result"]).read_text())
    assert art["counting"]["backend"] == "perf"
    assert all(not p.get("instrument") for p in art["processes"])
    assert all(len(p["counting"]["counts"]["task-clock"]) == 3 for p in art["processes"])
    assert {c["measure"] for c in doc["comparisons"]} == {"time", "task-clock"}


@pytest.mark.slow
def test_without_hardware_counters_instructions_fall_back_to_valgrind_and_say_so(counted):
    if _has_hardware_counters():
        pytest.skip("this machine has hardware counters: no fallback happens")
    proc = counted(
        "ab",
        "base",
        "same",
        "--measure",
        "instructions",
        "-p",
        "2",
        "-n",
        "2",
        "-w",
        "0",
        "--loops",
        "1",
        "--db",
        "off",
        "--values",
        "2",
    )
    assert proc.returncode == 0, proc.stderr
    assert "no hardware counters here" in proc.stderr
    assert "perf_event_open(instructions)" in proc.stderr
    assert "counted under valgrind" in proc.stderr


def test_counts_that_need_hardware_counters_are_one_clear_error(counted):
    if _has_hardware_counters():
        pytest.skip("this machine has hardware counters")
    assert_one_line_error(
        counted("ab", "base", "same", "--measure", "cycles", "--db", "off"),
        "--measure cycles",
        "valgrind counts only instructions",
    )
    assert_one_line_error(
        counted(
            "ab", "base", "same", "--measure", "instructions", "--counter", "perf", "--db", "off"
        ),
        "--counter perf",
        "perf_event_open(instructions)",
    )
    assert_one_line_error(
        counted("ab", "base", "same", "--measure", "instrs", "--db", "off"),
        "unknown measure 'instrs'",
    )


def test_doctor_lists_the_counting_backends_of_each_runtime(tmp_path):
    import os
    import sys

    python = os.path.realpath(sys.executable)
    write(
        tmp_path / "jitbench.toml",
        f"""\
        [runtimes.here]
        command = ["{python}"]

        [runtimes.novalgrind]
        command = ["env", "PATH=/nonexistent", "{python}"]
        """,
    )
    doc = Cli(tmp_path).json("doctor")
    checks = {c["name"]: c for c in doc["checks"]}
    assert checks["valgrind (here)"]["ok"] is True
    assert checks["valgrind (here)"]["state"].startswith("valgrind-")
    assert "task-clock" in checks["counters, perf_event_open (here)"]["state"]
    # Negative control: where valgrind cannot be found, doctor says so and how to install it.
    assert checks["valgrind (novalgrind)"]["state"] == "not installed"
    assert "apt-get install valgrind" in checks["valgrind (novalgrind)"]["fix"]
    if not _has_hardware_counters():
        assert "perf_event_open(instructions)" in checks["counters, perf_event_open (here)"]["fix"]


@pytest.mark.slow
def test_suite_gate_and_history_per_measure_from_counted_processes(counted):
    # Two benchmarks (the second: the same work in a function of another name), 2 % more work.
    write(
        counted.cwd / "jitbench.toml",
        CONFIG + '\n[benchmarks.again]\npath = "bench/work.py"\nfunction = "unit_loop"\n',
    )
    write(
        counted.cwd / "bench" / "work.py",
        WORK_PY + "\n\ndef unit_loop():\n    main()\n",
    )
    database = f"sqlite:///{counted.cwd / 'r.db'}"
    doc = counted.json(
        "run",
        "base",
        "more",
        "--bench",
        "work",
        "--bench",
        "again",
        "--measure",
        "time,instructions",
        "--counter",
        "valgrind",
        "-p",
        "2",
        "-n",
        "2",
        "-w",
        "1",
        "--loops",
        "2",
        "--db",
        database,
    )
    suites = {(s["candidate"], s["measure"]): s for s in doc["suite"]}
    assert set(suites) == {("more", "time"), ("more", "instructions")}
    counted_suite = suites[("more", "instructions")]
    # Both benchmarks run 2 % more instructions: so does their geometric mean, Holm or not.
    assert counted_suite["verdict"] == "slower" and counted_suite["n_benchmarks"] == 2
    assert 1.99 <= counted_suite["ci_low_pct"] <= counted_suite["ci_high_pct"] <= 2.01
    assert counted_suite["adjusted_verdicts"] == ["slower", "slower"]
    result = doc["result"]
    # The gate per measure: instructions fail a 1 % limit, pass 3 %; a time limit that the
    # instruction change would fail is not judged on instructions (negative control).
    failed = counted("compare", result, "--max-regression", "instructions=1%", check=1)
    assert "more instructions +" in failed.stderr and "(2 regressions)" in failed.stderr
    counted("compare", result, "--max-regression", "instructions=3%", check=0)
    timed = counted("compare", result, "--max-regression", "time=1000%", "--json", check=0)
    assert json.loads(timed.stdout)["max_regression"]["measures"] == ["time"]
    # The database kept the counts: the history of instructions is the analysis's values.
    rows = json.loads(
        counted(
            "history", "again", "--db", database, "--measure", "instructions", "--json", check=0
        ).stdout
    )["rows"]
    means = {r["variant"]: r["summary"]["mean"] for r in rows}
    assert means["more"] / means["base"] == pytest.approx(1.02, abs=1e-4)
    time_rows = json.loads(counted("history", "again", "--db", database, "--json", check=0).stdout)[
        "rows"
    ]
    # Time history: the two timed processes a side, not the counted ones.
    assert [r["summary"]["n_processes"] for r in time_rows] == [2, 2]
