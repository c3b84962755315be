"""Levels: processes of a benchmark that settle at clearly different speeds.

JITs do this (one process compiles a hot function early, another late or never), so the
per-process values of one variant can sit in two or three tight groups far apart. The groups are
found on the pooled per-process values of both variants, on the log scale: for k = 1..3 levels,
the exact least-squares partition of the sorted values into k contiguous segments (ruptures'
``Dynp`` with the l2 cost, i.e. optimal 1-D k-means), and the most levels are kept whose
neighbours are *separated*: every level holds at least two processes, and the gap between
neighbouring levels (largest value of the lower to smallest of the upper) is at least
:data:`MIN_GAP` and at least :data:`GAP_SDS` within-level standard deviations. A penalised
likelihood (BIC) alone would split unimodal samples, since hard assignment always pays; the gap
rule only accepts what a reader would call separate levels.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

#: Most levels looked for.
MAX_LEVELS = 3
#: Neighbouring levels are at least this far apart (relative gap, 5 %).
MIN_GAP = 0.05
#: ... and at least this many pooled within-level standard deviations apart.
GAP_SDS = 4.0
#: A level holds at least this many processes (pooled over both variants).
MIN_PROCESSES_PER_LEVEL = 2


@dataclass(frozen=True)
class Level:
    """Processes of one variant at one level: their mean value and their indexes."""

    center: float
    processes: list[int]

    def to_dict(self) -> dict[str, object]:
        """Plain JSON types."""
        return {"center": float(self.center), "processes": [int(i) for i in self.processes]}


def _separated(log_sorted: np.ndarray, bounds: list[int]) -> bool:
    """Whether the segments ending at ``bounds`` are separated levels (see the module doc)."""
    starts = [0, *bounds[:-1]]
    segments = [log_sorted[a:b] for a, b in zip(starts, bounds, strict=True)]
    if min(s.size for s in segments) < MIN_PROCESSES_PER_LEVEL:
        return False
    ss = sum(float(np.sum((s - s.mean()) ** 2)) for s in segments)
    sd = math.sqrt(ss / max(log_sorted.size - len(segments), 1))
    gaps = [float(hi[0] - lo[-1]) for lo, hi in zip(segments, segments[1:], strict=False)]
    return min(gaps) >= max(math.log1p(MIN_GAP), GAP_SDS * sd)


def level_labels(values: np.ndarray) -> np.ndarray:
    """Level (0 = fastest) of each per-process value; all zeros when there is one level."""
    x = np.log(np.asarray(values, dtype=np.float64))
    labels = np.zeros(x.size, dtype=np.int64)
    order = np.argsort(x, kind="stable")
    xs = x[order]
    # Exact shortcut: separated levels need a gap of MIN_GAP somewhere.
    if x.size < 2 * MIN_PROCESSES_PER_LEVEL or np.max(np.diff(xs)) < math.log1p(MIN_GAP):
        return labels
    import ruptures  # deferred: only samples with a large gap pay for it

    algo = ruptures.Dynp(model="l2", min_size=MIN_PROCESSES_PER_LEVEL, jump=1).fit(xs[:, None])
    best: list[int] = [x.size]
    for k in range(2, min(MAX_LEVELS, x.size // MIN_PROCESSES_PER_LEVEL) + 1):
        bounds = [int(b) for b in algo.predict(n_bkps=k - 1)]
        if _separated(xs, bounds):
            best = bounds
    for level, (a, b) in enumerate(zip([0, *best[:-1]], best, strict=True)):
        labels[order[a:b]] = level
    return labels


def side_levels(values: np.ndarray, labels: np.ndarray) -> list[Level]:
    """One side's processes grouped by level (levels it has no process at are left out)."""
    out = []
    for level in range(int(labels.max()) + 1 if labels.size else 0):
        idx = np.flatnonzero(labels == level)
        if idx.size:
            out.append(Level(float(values[idx].mean()), idx.tolist()))
    return out


def mix_variance(labels: np.ndarray, centers: np.ndarray) -> float:
    """Variance of one side's mean that comes from its mix of levels (0 with one level).

    The share of processes at each of the L pooled levels is uncertain with few processes; the
    shares are estimated with one pseudo-process per level ((k + 1) / (n + L), Laplace), so a
    side seen at one level only still carries the chance of the other levels, and the variance of
    the mean of n processes is that of the level centres under those shares, divided by n.
    """
    n_levels = centers.size
    n = labels.size
    if n_levels < 2 or n == 0:
        return 0.0
    counts = np.bincount(labels, minlength=n_levels).astype(np.float64)
    share = (counts + 1.0) / (n + n_levels)
    mean = float(share @ centers)
    return float(share @ (centers - mean) ** 2) / n


def pooled_centers(values: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Mean value of each pooled level."""
    return np.array([values[labels == k].mean() for k in range(int(labels.max()) + 1)])
