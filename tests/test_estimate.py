"""The estimate a run prints before its rounds: processes, and seconds from calibration."""

from __future__ import annotations

import pytest

from jitbench.model import Design
from jitbench.plan import estimate

DESIGN = Design(processes=5, values=10, warmups=2)
# A calibration process: 1 s of wall time, of which 0.35 s timed values; 64 loops take 0.2 s.
CALIBRATED = {"steps": [[1, 10**7], [16, 4 * 10**7], [64, 2 * 10**8]], "wall_ns": 10**9}


def test_process_seconds_is_startup_plus_first_warmups_and_values():
    startup = 1.0 - 0.25
    one = estimate.process_seconds(CALIBRATED, 64, DESIGN)
    assert one == pytest.approx(startup + 0.2 / 64 + 12 * 0.2)


def test_run_seconds_counts_every_variant_and_process_but_not_failed_benchmarks():
    benches = {
        "a": {"loops": 64, "calibration": CALIBRATED, "error": None},
        "b": {"loops": 64, "calibration": CALIBRATED, "error": None},
        "broken": {"loops": None, "calibration": None, "error": "calibration failed"},
    }
    one = estimate.process_seconds(CALIBRATED, 64, DESIGN)
    assert estimate.run_seconds(benches, 2, DESIGN) == pytest.approx(2 * 2 * 5 * one)


def test_fixed_loops_give_a_count_without_time():
    benches = {"a": {"loops": 8, "calibration": {"fixed": True}, "error": None}}
    assert estimate.run_seconds(benches, 2, DESIGN) is None
    assert estimate.describe(None, 10) == (
        "estimate: 10 processes (no time estimate: loops were not calibrated)"
    )
    assert estimate.describe(4380, 970).startswith("estimate: 970 processes, about 1 h 13 min")
    assert "about 45 s" in estimate.describe(45, 4)
