"""The steps of a comparison, each a pure function returning a typed part.

:func:`metric_values` (one number per process), :func:`find_levels` (levels across both sides),
:func:`t_interval` (the verdict interval), :func:`bootstrap_check` (the cross-check) and
:func:`drift_check` (the baseline's trend over the rounds).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .bootstrap import (
    ProcessData,
    expanded_percentile_interval,
    expanded_tail,
    log_ratio_replicates,
    paired_expansion,
    resolve_inner,
    two_sample_expansion,
)
from .descriptive import as_series
from .intervals import drift, pct, ratio_of_means_t
from .levels import Level, level_labels, mix_variance, pooled_centers, side_levels
from .steady import CLASSES, class_counts, steady_states

METRICS: tuple[str, ...] = ("steady", "mean", "first", "cold")

#: Warn about the class mix when some class's share differs by at least this between sides.
CLASS_MIX_SHARE = 0.3
#: Drift is material when its effect over the run exceeds this fraction of the CI half-width
#: (and the trend is itself significant at DRIFT_ALPHA: a noisy slope is not a drift).
DRIFT_MATERIAL_FRACTION = 0.5
DRIFT_ALPHA = 0.05


@dataclass(frozen=True)
class MetricValues:
    """One number per process and side (the metric), and what steady-state detection found."""

    baseline: np.ndarray
    candidate: np.ndarray
    #: The values each process's number is the mean of (its steady part, all, or one time).
    used_baseline: list[np.ndarray]
    used_candidate: list[np.ndarray]
    steady_state: dict[str, dict[str, int]]
    warnings: list[str]


def _per_process(values: Sequence[float] | None, n: int, what: str) -> np.ndarray:
    if values is None:
        raise ValueError(f"{what} is required for this metric")
    arr = as_series(values, what)
    if arr.size != n:
        raise ValueError(f"{what}: {arr.size} values for {n} processes")
    if np.any(arr <= 0.0):
        raise ValueError(f"{what}: times must be positive")
    return arr


def _class_mix_warning(counts_b: dict[str, int], counts_c: dict[str, int]) -> list[str]:
    nb, nc = sum(counts_b.values()), sum(counts_c.values())
    if not nb or not nc:
        return []
    if all(abs(counts_b[k] / nb - counts_c[k] / nc) < CLASS_MIX_SHARE for k in CLASSES):
        return []

    def fmt(c: dict[str, int]) -> str:
        return ", ".join(f"{v} {k}" for k, v in c.items() if v)

    return [
        f"steady-state class mix differs (baseline: {fmt(counts_b)}; candidate: {fmt(counts_c)});"
        " the variants may not be warming up alike"
    ]


def _steady(base: list[np.ndarray], cand: list[np.ndarray]) -> MetricValues:
    states = steady_states(base + cand)
    st_b, st_c = states[: len(base)], states[len(base) :]
    used_b = [a[s.steady_start :] for a, s in zip(base, st_b, strict=True)]
    used_c = [a[s.steady_start :] for a, s in zip(cand, st_c, strict=True)]
    counts = {"baseline": class_counts(st_b), "candidate": class_counts(st_c)}
    warnings = _class_mix_warning(counts["baseline"], counts["candidate"])
    n_none = counts["baseline"]["no-steady-state"] + counts["candidate"]["no-steady-state"]
    if n_none:
        warnings.append(f"{n_none} process(es) reached no steady state; their last segment is used")
    return MetricValues(
        np.array([a.mean() for a in used_b]),
        np.array([a.mean() for a in used_c]),
        used_b,
        used_c,
        counts,
        warnings,
    )


def metric_values(
    base: list[np.ndarray], cand: list[np.ndarray], metric: str, extra: dict[str, Any]
) -> MetricValues:
    """Each process's number for ``metric``; ``extra`` holds ``{side}_first``/``{side}_cold``."""
    if metric == "steady":
        return _steady(base, cand)
    empty: dict[str, dict[str, int]] = {"baseline": {}, "candidate": {}}
    if metric == "mean":
        vb, vc = np.array([a.mean() for a in base]), np.array([a.mean() for a in cand])
        return MetricValues(vb, vc, base, cand, empty, [])
    vb = _per_process(extra[f"baseline_{metric}"], len(base), f"baseline_{metric}")
    vc = _per_process(extra[f"candidate_{metric}"], len(cand), f"candidate_{metric}")
    return MetricValues(vb, vc, [np.array([v]) for v in vb], [np.array([v]) for v in vc], empty, [])


@dataclass(frozen=True)
class LevelsPart:
    """Levels found on the pooled per-process values, per side, and each side's mix variance."""

    labels_baseline: np.ndarray
    labels_candidate: np.ndarray
    centers: np.ndarray
    baseline: list[Level]
    candidate: list[Level]
    #: Variance of each side's mean from its level mix (squared seconds; 0 with one level).
    floor_baseline: float = 0.0
    floor_candidate: float = 0.0

    @property
    def n_levels(self) -> int:
        """Number of pooled levels."""
        return int(self.centers.size)

    @property
    def mix_differs(self) -> bool:
        """Levels shared by the sides, held in different shares."""
        if self.n_levels < 2 or not (self.floor_baseline or self.floor_candidate):
            return False
        nb, nc = self.labels_baseline.size, self.labels_candidate.size
        share_b = np.bincount(self.labels_baseline, minlength=self.n_levels) / nb
        share_c = np.bincount(self.labels_candidate, minlength=self.n_levels) / nc
        return bool(np.any(share_b != share_c))

    def describe(self, side: str) -> str:
        """``3 of 8 processes at 19.0 ms, 5 at 50.0 ms``."""
        levels = self.baseline if side == "baseline" else self.candidate
        n = self.labels_baseline.size if side == "baseline" else self.labels_candidate.size
        return describe_levels(levels, n)


def describe_levels(levels: Sequence[Level], n_processes: int) -> str:
    """``3 of 8 processes at 19 ms, 5 at 50 ms`` (centres in seconds, shown in ms)."""
    parts = []
    for i, lv in enumerate(levels):
        count = len(lv.processes)
        head = f"{count} of {n_processes} processes" if i == 0 else f"{count}"
        parts.append(f"{head} at {lv.center * 1e3:.3g} ms")
    return ", ".join(parts)


def find_levels(vb: np.ndarray, vc: np.ndarray) -> LevelsPart:
    """Levels of the pooled per-process values (see :mod:`.levels`) and the mix variances.

    The mix is uncertain only when some level holds processes of both sides. Levels that split
    the sides apart (every baseline process at one level, every candidate process at another)
    are the change itself, not a mix.
    """
    pooled = np.concatenate([vb, vc])
    labels = level_labels(pooled)
    lb, lc = labels[: vb.size], labels[vb.size :]
    centers = pooled_centers(pooled, labels)
    shared = bool(set(lb.tolist()) & set(lc.tolist()))
    return LevelsPart(
        lb,
        lc,
        centers,
        side_levels(vb, lb),
        side_levels(vc, lc),
        mix_variance(lb, centers) if shared else 0.0,
        mix_variance(lc, centers) if shared else 0.0,
    )


@dataclass(frozen=True)
class Interval:
    """One interval of the change (in %), its p-value and degrees of freedom."""

    change_pct: float
    low_pct: float
    high_pct: float
    p_value: float
    df: float
    method: str
    n_units: int
    paired: bool
    #: Standard error of the log ratio (NaN for the bootstrap).
    se: float = math.nan


def t_interval(
    vb: np.ndarray,
    vc: np.ndarray,
    pairs: np.ndarray | None,
    levels: LevelsPart,
    confidence: float,
) -> Interval:
    """The verdict interval: t-interval of the log ratio of means (paired over complete rounds)."""
    paired = pairs is not None
    method = "paired-t-ratio-of-means" if paired else "welch-t-ratio-of-means"
    change = pct(math.log(vc.mean()) - math.log(vb.mean()))
    n_units = int(pairs.shape[0]) if pairs is not None else min(vb.size, vc.size)
    if n_units < 2:
        return Interval(change, math.nan, math.nan, math.nan, 0.0, method, n_units, paired)
    b, c = (vb[pairs[:, 0]], vc[pairs[:, 1]]) if pairs is not None else (vb, vc)
    r = ratio_of_means_t(
        b[None, :],
        c[None, :],
        paired=paired,
        confidence=confidence,
        floor_baseline=np.array([levels.floor_baseline]),
        floor_candidate=np.array([levels.floor_candidate]),
    )
    # The change is the interval's own centre, so the interval always holds it: the means of the
    # paired subset, not a re-summed mean that can differ in the last bit (zero-width intervals of
    # deterministic counts) or, with incomplete rounds, by the unpaired processes.
    return Interval(
        pct(float(r.estimate[0])),
        pct(float(r.low[0])),
        pct(float(r.high[0])),
        float(r.p_value[0]),
        float(r.df[0]),
        method,
        n_units,
        paired,
        float(r.se[0]),
    )


@dataclass(frozen=True)
class CrossCheck:
    """The hierarchical bootstrap's interval (expanded percentile) and its verdict."""

    interval: Interval
    verdict: str
    n_resamples: int
    seed: int
    inner: str
    expansion: float
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def low_pct(self) -> float:
        """Lower CI bound in %."""
        return self.interval.low_pct

    @property
    def high_pct(self) -> float:
        """Upper CI bound in %."""
        return self.interval.high_pct

    def to_dict(self) -> dict[str, Any]:
        """The ``bootstrap`` entry of a comparison."""
        i = self.interval
        return {
            "method": i.method,
            "change_pct": i.change_pct,
            "low_pct": i.low_pct,
            "high_pct": i.high_pct,
            "verdict": self.verdict,
            "n_resamples": self.n_resamples,
            "seed": self.seed,
            "inner": self.inner,
            "df": i.df,
            "expansion": self.expansion,
            **self.details,
        }


def bootstrap_check(
    mv: MetricValues,
    pairs: np.ndarray | None,
    confidence: float,
    n_resamples: int,
    seed: int,
) -> CrossCheck:
    """Hierarchical bootstrap of the same ratio of means (expanded percentile interval)."""
    base = ProcessData.from_arrays(mv.used_baseline)
    cand = ProcessData.from_arrays(mv.used_candidate)
    change = pct(math.log(cand.means.mean()) - math.log(base.means.mean()))
    paired = pairs is not None
    method = "paired-hierarchical-bootstrap" if paired else "hierarchical-bootstrap"
    n_units = int(pairs.shape[0]) if pairs is not None else min(base.n_processes, cand.n_processes)
    inner = resolve_inner("auto", base, cand)
    nan_interval = Interval(change, math.nan, math.nan, math.nan, 0.0, method, n_units, paired)
    if n_units < 2:
        return CrossCheck(nan_interval, "inconclusive", n_resamples, seed, inner, 1.0)
    if pairs is not None:
        expansion, df = paired_expansion(n_units)
    else:
        expansion, df = two_sample_expansion(np.log(base.means), np.log(cand.means))
    rng = np.random.default_rng(seed)
    reps = log_ratio_replicates(
        base, cand, pairs=pairs, n_resamples=n_resamples, rng=rng, inner=inner
    )
    lo, hi = expanded_percentile_interval(reps, confidence=confidence, df=df, expansion=expansion)
    interval = Interval(change, pct(lo), pct(hi), math.nan, df, method, n_units, paired)
    tail = {"tail": expanded_tail(confidence, df, expansion)}
    return CrossCheck(interval, "", n_resamples, seed, inner, expansion, tail)


def drift_check(log_baseline_by_round: np.ndarray, halfwidth_pct: float) -> dict[str, Any]:
    """:func:`.intervals.drift` plus ``material``: significant and large against the CI."""
    d = drift(log_baseline_by_round)
    material = bool(
        math.isfinite(d["p_value"])
        and d["p_value"] < DRIFT_ALPHA
        and math.isfinite(halfwidth_pct)
        and abs(d["over_run_pct"]) > DRIFT_MATERIAL_FRACTION * halfwidth_pct
    )
    return {**d, "material": material}
