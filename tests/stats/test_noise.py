"""Host noise: the canary's spread across a run, level swings inside processes."""

from __future__ import annotations

import math

import numpy as np
import pytest

from jitbench.stats import ProcessLevels, host_noise, steady_states
from jitbench.stats.noise import stability_pct, swings


def test_swings_need_a_level_change_back() -> None:
    assert swings([13.0, 24.0, 13.0])
    assert swings([24.0, 13.0, 24.0, 13.0])
    assert not swings([20.0, 15.0, 13.0])  # warmup: monotone
    assert not swings([13.0, 13.2, 13.1, 24.0])  # small wiggles are not levels
    assert not swings([13.0])


def test_throttled_series_swing_and_give_the_noise_figure() -> None:
    rng = np.random.default_rng(1)
    # 30 values per process; the host halves its speed for stretches of 6 values, like a cgroup
    # throttled to 50 % every few hundred milliseconds.
    slow = np.where((np.arange(30) // 6) % 2 == 1, 2.0, 1.0)
    swinging = [0.013 * slow * np.exp(0.01 * rng.standard_normal(30)) for _ in range(5)]
    quiet = [0.013 * np.exp(0.01 * rng.standard_normal(30)) for _ in range(5)]
    states = steady_states(swinging + quiet)
    levels = []
    for slot, st in enumerate(states):
        bounds = [0, *st.changepoints, st.n_values]
        lengths = [b - a for a, b in zip(bounds, bounds[1:], strict=False)]
        levels.append(ProcessLevels(slot, st.segment_means, lengths))
    n = host_noise({}, levels)
    assert n.swinging_slots == [0, 1, 2, 3, 4]  # and none of the quiet ones
    assert 30.0 < n.within_pct < 60.0  # the levels sit ±~40 % around each process's median
    assert math.isnan(n.canary_pct) and n.pct == n.within_pct
    quiet_only = host_noise({}, levels[5:])
    assert quiet_only.pct == 0.0 and quiet_only.swinging_slots == []


def test_canary_spread_and_affected_slots() -> None:
    canaries = {s: [3_000_000, 3_010_000, 2_990_000] for s in range(20)}
    canaries[7] = [6_000_000, 6_100_000, 5_900_000]  # the host ran at half speed here
    n = host_noise(canaries, [])
    assert n.affected_slots == [7] and n.n_canaries == 20
    assert n.canary_pct > 10.0
    steady = host_noise({s: [3_000_000] * 3 for s in range(20)}, [])
    assert steady.pct == pytest.approx(0.0) and steady.affected_slots == []
    assert stability_pct([3_000_000, 3_000_000, 6_000_000] * 10) > 20.0
    d = n.to_dict()
    assert d["affected_slots"] == [7] and d["pct"] == pytest.approx(n.pct)


def test_each_hosts_canary_is_read_against_its_own_median() -> None:
    # Two steady hosts, one twice as fast as the other: no noise (pooled, it would read ±33 %).
    canaries = {s: [3_000_000 if s % 2 else 6_000_000] for s in range(20)}
    hosts = {s: "arm" if s % 2 else "x86" for s in range(20)}
    pooled = host_noise(canaries, [])
    assert pooled.canary_pct > 30.0  # negative control: the same timings as one host
    both = host_noise(canaries, [], hosts)
    assert both.pct == pytest.approx(0.0) and both.affected_slots == [] and both.n_canaries == 20
    # A slowdown on one host stands out against that host only.
    canaries[8] = [12_000_000]
    n = host_noise(canaries, [], hosts)
    assert n.affected_slots == [8] and n.canary_pct > 10.0
    # Two timings on a host: their median splits any gap, so neither is flagged (the spread
    # still counts).
    two = host_noise({0: [1_000_000], 1: [2_000_000], 2: [5_000_000], 3: [5_000_000]}, [],
                     {0: "a", 1: "a", 2: "b", 3: "b"})  # fmt: skip
    assert two.affected_slots == [] and two.canary_pct > 10.0
    # One timing on a host gives no spread: it is left out, not compared with another host.
    lone = host_noise(
        {0: [1_000_000], 1: [5_000_000], 2: [5_000_000]}, [], {0: "a", 1: "b", 2: "b"}
    )
    assert lone.n_canaries == 2 and lone.pct == pytest.approx(0.0)
