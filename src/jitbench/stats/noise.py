"""Host noise: how much the machine's own speed moved during a run, and which processes it hit.

Two views. Across the run: a fixed workload (the *canary*) timed by jitbench between processes,
on the host each process runs on; each host's timings are read against that host's own median, so
two hosts of different speeds are not noise.
Inside a process: a *swing* is a level change that goes up and then down again (or down and up) by
at least :data:`SWING_STEP`, which warmup (monotone) never does; the steady-state segmentation
finds the levels. Each view gives half the central 95 % range of log times: of the canary's
timings, and of every measured value replaced by its segment's level relative to its process's
median (values of processes that do not swing count as 0). ``host noise ±X %`` is the larger.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

#: A process's canary more than this far from the run's median canary marks the process.
AFFECTED = 0.10
#: Neighbouring segments of a swinging process differ by at least this (relative).
SWING_STEP = 0.05


@dataclass(frozen=True)
class HostNoise:
    """The host's noise over one run."""

    #: The larger of ``canary_pct`` and ``within_pct`` (NaN when neither could be measured).
    pct: float
    #: Half the central 95 % range of the canary's log times, as ± % (NaN: no canary).
    canary_pct: float
    #: The same over the levels of swinging processes (0 when none swings).
    within_pct: float
    #: Canary measurements (one per process slot) it is computed from.
    n_canaries: int
    #: Slots whose canary was more than AFFECTED from its host's median over the run (hosts
    #: with three canaries or more: with two, the median splits any gap between them).
    affected_slots: list[int] = field(default_factory=list)
    #: Slots whose values swing between levels inside the process.
    swinging_slots: list[int] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        """Plain JSON types (NaN becomes None)."""

        def num(x: float) -> float | None:
            return x if math.isfinite(x) else None

        return {
            "pct": num(self.pct),
            "canary_pct": num(self.canary_pct),
            "within_pct": num(self.within_pct),
            "n_canaries": self.n_canaries,
            "affected_slots": list(self.affected_slots),
            "swinging_slots": list(self.swinging_slots),
        }


def swings(segment_means: Sequence[float]) -> bool:
    """Whether a process's level goes up then down (or down then up) by SWING_STEP or more."""
    means = np.log(np.asarray(segment_means, dtype=np.float64))
    steps = np.diff(means)
    steps = steps[np.abs(steps) >= math.log1p(SWING_STEP)]
    return bool(np.any(np.sign(steps[1:]) != np.sign(steps[:-1])))


@dataclass(frozen=True)
class ProcessLevels:
    """One process's segmentation: its slot, segment means and lengths (from steady state)."""

    slot: int
    segment_means: list[float]
    segment_lengths: list[int]


def _half_range_pct(logs: np.ndarray, weights: np.ndarray | None = None) -> float:
    """Half the central 95 % range of log times, as ± %."""
    if weights is None:
        lo, hi = np.quantile(logs, [0.025, 0.975])
    else:
        order = np.argsort(logs)
        cum = np.cumsum(weights[order]) / weights.sum()
        lo = logs[order][int(np.searchsorted(cum, 0.025))]
        hi = logs[order][min(int(np.searchsorted(cum, 0.975)), logs.size - 1)]
    return 100.0 * math.expm1((float(hi) - float(lo)) / 2.0)


def _canary_part(
    canaries: Mapping[int, Sequence[int]], hosts: Mapping[int, str]
) -> tuple[float, int, list[int]]:
    by_host: dict[str, list[int]] = {}
    for s in sorted(s for s, v in canaries.items() if len(v)):
        by_host.setdefault(hosts.get(s, ""), []).append(s)
    slots: list[int] = []
    devs: list[float] = []
    affected: list[int] = []
    for members in by_host.values():
        if len(members) < 2:
            continue  # one timing on a host says nothing about its spread
        logs = np.log(np.array([float(np.median(canaries[s])) for s in members]))
        centred = logs - float(np.median(logs))
        slots += members
        devs += centred.tolist()
        if len(members) >= 3:
            off = np.abs(centred) > math.log1p(AFFECTED)
            affected += [s for s, o in zip(members, off.tolist(), strict=True) if o]
    if len(slots) < 2:
        return math.nan, len(slots), []
    return _half_range_pct(np.array(devs)), len(slots), sorted(affected)


def _within_part(processes: Sequence[ProcessLevels]) -> tuple[float, list[int]]:
    devs: list[float] = []
    weights: list[int] = []
    swinging = []
    for p in processes:
        if len(p.segment_means) >= 3 and swings(p.segment_means):
            swinging.append(p.slot)
            logs = np.log(np.asarray(p.segment_means, dtype=np.float64))
            centre = float(np.median(np.repeat(logs, p.segment_lengths)))
            devs += (logs - centre).tolist()
            weights += list(p.segment_lengths)
        else:
            devs.append(0.0)
            weights.append(sum(p.segment_lengths))
    if not devs:
        return math.nan, []
    return _half_range_pct(np.array(devs), np.array(weights, dtype=np.float64)), swinging


def host_noise(
    canaries: Mapping[int, Sequence[int]],
    processes: Sequence[ProcessLevels],
    hosts: Mapping[int, str] | None = None,
) -> HostNoise:
    """Noise of a run from the canary timings of each slot (ns) and each process's levels;
    ``hosts`` names the host of each slot (default: all on one)."""
    canary_pct, n, affected = _canary_part(canaries, hosts or {})
    within_pct, swinging = _within_part(processes)
    both = [x for x in (canary_pct, within_pct) if math.isfinite(x)]
    return HostNoise(
        max(both) if both else math.nan, canary_pct, within_pct, n, affected, sorted(swinging)
    )


def stability_pct(timings_ns: Sequence[int]) -> float:
    """The same ±% figure for back-to-back canary timings (``jitbench doctor``)."""
    return _half_range_pct(np.log(np.asarray(timings_ns, dtype=np.float64)))
