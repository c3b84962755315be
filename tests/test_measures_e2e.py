"""``--measure``: instructions beside time, end to end through the real CLI, runner and valgrind.

Counts are deterministic, so these tests assert exact properties of them; times are never
asserted. The benchmark is tiny: counted processes run under callgrind, many times native.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from jitbench.analysis.experiment import Options, analyse

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
    # The work differs by exactly 2 % in its repeated part; main()'s own call and loop set-up are
    # constant, so the true instruction change is 2 % to within ~0.001 %, and the CI (a few
    # thousandths of a per cent wide) holds it to that precision.
    assert 1.99 <= more["ci_low_pct"] <= more["ci_high_pct"] <= 2.01, more
    result = doc["result"]
    # Time comparisons come from the native processes only, beside the counted ones.
    assert {c["measure"] for c in doc["comparisons"]} == {"time", "instructions"}
    art = json.loads((counted.cwd / doc["result"]).read_text())
    assert art["counting"]["backend"] == "valgrind"
    assert art["counting"]["env"]["base"]["PYTHONHASHSEED"] == "0"
    native = [p for p in art["processes"] if not p.get("instrument")]
    under = [p for p in art["processes"] if p.get("instrument") == "valgrind"]
    assert len(native) == len(under) == 12
    # The deterministic settings apply to the counted processes only (negative control: the
    # native processes carry no counts and were started without them).
    assert all("counting" not in p for p in native)
    assert "PYTHONHASHSEED" not in art["variants"]["base"]["env"]
    # +0.3 % work: slower, whatever the seed of the analysis (in-process: ten analyses).
    for seed in range(10):
        opts = Options(candidates=("bit",), seed=seed, measures=("instructions",))
        (bit,) = analyse(art, opts).comparisons
        r = bit.result
        assert r.verdict == "slower", (seed, r.verdict, r.ci_low_pct, r.ci_high_pct)
        assert 0.29 <= r.ci_low_pct <= r.ci_high_pct <= 0.31, (seed, r.ci_low_pct, r.ci_high_pct)
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
