"""The estimate a run prints before its rounds: processes, and seconds from calibration."""

from __future__ import annotations

import dataclasses

import pytest

from jitbench.model import Design
from jitbench.plan import estimate
from jitbench.results.model import BenchmarkRecord


def _bench(loops: int | None, calibration: dict | None, error: str | None) -> BenchmarkRecord:
    return BenchmarkRecord(
        kind="plain", source="b.py", loops=loops, calibration=calibration, error=error
    )


DESIGN = Design(processes=5, values=10, warmups=2)
# A calibration process: 1 s of wall time, of which 0.35 s timed values; 64 loops take 0.2 s.
CALIBRATED = {"steps": [[1, 10**7], [16, 4 * 10**7], [64, 2 * 10**8]], "wall_ns": 10**9}


def test_process_seconds_is_startup_plus_first_warmups_and_values():
    startup = 1.0 - 0.25
    one = estimate.process_seconds(CALIBRATED, 64, DESIGN)
    assert one == pytest.approx(startup + 0.2 / 64 + 12 * 0.2)


def test_run_seconds_counts_every_variant_and_process_but_not_failed_benchmarks():
    benches = {
        "a": _bench(64, CALIBRATED, None),
        "b": _bench(64, CALIBRATED, None),
        "broken": _bench(None, None, "calibration failed"),
    }
    one = estimate.process_seconds(CALIBRATED, 64, DESIGN)
    assert estimate.run_seconds(benches, 2, DESIGN) == pytest.approx(2 * 2 * 5 * one)


def test_fixed_loops_give_a_count_without_time():
    benches = {"a": _bench(8, {"fixed": True}, None)}
    assert estimate.run_seconds(benches, 2, DESIGN) is None
    assert estimate.describe(None, 10) == (
        "estimate: 10 processes (no time estimate: loops were not calibrated)"
    )
    assert estimate.describe(4380, 970).startswith("estimate: 970 processes, about 1 h 13 min")
    assert "about 45 s" in estimate.describe(45, 4)


COUNTED = Design(
    processes=5,
    values=10,
    warmups=2,
    instrumented_rounds=2,
    instrumented_values=3,
    instrumented_benchmarks=("a",),
)
BENCHES = {
    "a": _bench(64, CALIBRATED, None),
    "b": _bench(64, CALIBRATED, None),
}


def test_counted_processes_cost_their_instruments_factor_with_their_own_values():
    timed = estimate.run_seconds(BENCHES, 2, COUNTED)
    counted = estimate.run_seconds(BENCHES, 2, COUNTED, {"valgrind": 40.0})
    # One counted process: start-up, first iteration, 2 warmups and 3 values (not 10), at 40x;
    # two variants in each of the first two rounds, on benchmark "a" only.
    one = 0.75 + 0.2 / 64 + 5 * 0.2
    assert counted - timed == pytest.approx(40.0 * one * 2 * 2)
    # Profiled processes add their own factor beside the counted ones.
    both = estimate.run_seconds(BENCHES, 2, COUNTED, {"valgrind": 40.0, "perf": 2.5})
    assert both - counted == pytest.approx(2.5 * one * 2 * 2)
    # Control: no instrument runs, no extra time (the design's instrumented_* alone add none).
    assert timed == estimate.run_seconds(BENCHES, 2, DESIGN)


def test_counted_processes_of_the_chosen_variants_alone():
    chosen = dataclasses.replace(COUNTED, instrumented_variants=("x",))
    assert estimate.instrumented_variants(["x", "y", "z"], chosen) == ["x"]
    assert estimate.instrumented_variants(["x", "y"], COUNTED) == ["x", "y"]  # control: all
    timed = estimate.run_seconds(BENCHES, 3, chosen)
    one_counted = estimate.run_seconds(BENCHES, 3, chosen, {"valgrind": 40.0}, 1)
    every = estimate.run_seconds(BENCHES, 3, chosen, {"valgrind": 40.0})
    assert every - timed == pytest.approx(3 * (one_counted - timed))


def test_instrumented_processes_are_counted_per_chosen_benchmark_variant_and_round():
    assert estimate.instrumented_count(["a", "b"], 3, COUNTED) == 1 * 3 * 2
    every = Design(processes=4)
    assert estimate.instrumented_count(["a", "b"], 3, every) == 2 * 3 * 4
    # More instrumented rounds than rounds: every round, no more.
    assert estimate.instrumented_count(["a"], 2, Design(processes=3, instrumented_rounds=9)) == 6


def test_the_estimate_line_names_the_instrumented_processes():
    line = estimate.describe(540, 20, {"valgrind": 4})
    assert line.startswith("estimate: 20 processes + 4 under valgrind, about 9 min")
    assert "+ 4 under valgrind" in estimate.describe(None, 20, {"valgrind": 4})
    # Control: without instruments the line is the plain one.
    assert estimate.describe(540, 20, {}) == estimate.describe(540, 20)
    assert "under" not in estimate.describe(540, 20)
