"""Per-variant descriptive statistics: pyperf-compatible centre and spread, robust view.

pyperf defines a benchmark's mean, median and standard deviation over *all* values of all
processes, so ``Summary.mean``/``median``/``stdev`` do the same; a jitbench number placed next to a
pyperf number then means the same thing. The process-level numbers (``process_means``,
``outlier_processes``) are what the comparison actually uses, because the process is the unit.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

#: Proportion cut from *each* end by :func:`trimmed_mean` (scipy's ``trim_mean(x, 0.1)``).
TRIM_PROPORTION = 0.1

#: Modified z-score above which a process is an outlier (Iglewicz & Hoaglin, 1993).
OUTLIER_Z = 3.5

#: Floor of the outlier scale, relative to the median: with ten near-identical processes the MAD
#: can be tiny, and a process 0.2 % off would otherwise count as an "outlier" of no consequence.
OUTLIER_MIN_REL_SCALE = 1e-3


def as_series(values: Any, what: str = "values") -> np.ndarray:
    """Return ``values`` as a 1-D float64 array, rejecting empty or non-finite input."""
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim != 1:
        raise ValueError(f"{what}: expected a 1-D array, got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{what}: empty array")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{what}: contains NaN or infinite values")
    return arr


def trimmed_mean(values: np.ndarray, proportion: float = TRIM_PROPORTION) -> float:
    """Mean after cutting ``int(proportion * n)`` values from each end (as scipy.stats.trim_mean)."""
    x = np.sort(np.asarray(values, dtype=np.float64))
    cut = int(proportion * x.size)
    if 2 * cut >= x.size:
        raise ValueError("proportion too large for the number of values")
    return float(x[cut : x.size - cut].mean())


def mad(values: np.ndarray) -> float:
    """Median absolute deviation, unscaled (scipy.stats.median_abs_deviation's default).

    Multiply by 1.4826 for a standard-deviation equivalent under normality.
    """
    x = np.asarray(values, dtype=np.float64)
    return float(np.median(np.abs(x - np.median(x))))


def outlier_indexes(process_values: np.ndarray) -> list[int]:
    """Indexes of processes whose value has a modified z-score above :data:`OUTLIER_Z`.

    Modified z = 0.6745 (x - median) / MAD, a robust rule that one wild process cannot mask (a
    mean/stdev rule can: the outlier inflates the stdev it is judged by).
    """
    x = np.asarray(process_values, dtype=np.float64)
    if x.size < 3:
        # With two processes, "which one is the outlier" has no answer.
        return []
    centre = float(np.median(x))
    scale = max(mad(x) / 0.6745, OUTLIER_MIN_REL_SCALE * abs(centre))
    if scale == 0.0:
        return []
    z = np.abs(x - centre) / scale
    return [int(i) for i in np.flatnonzero(z > OUTLIER_Z)]


def _finite_or_none(x: float | None) -> float | None:
    if x is None or not math.isfinite(x):
        return None
    return float(x)


@dataclass(frozen=True)
class Summary:
    """Descriptive statistics of one variant of one benchmark (all times in seconds)."""

    n_processes: int
    n_values: int
    #: Mean, median and sample standard deviation of all values of all processes (pyperf's).
    mean: float
    median: float
    stdev: float
    #: Mean of each process's values, in process order.
    process_means: list[float]
    #: The per-process number the comparison used (steady value, mean, first or cold time).
    process_values: list[float]
    #: 10 % trimmed mean and unscaled MAD of all values: the robust view of the centre/spread.
    trimmed_mean: float
    mad: float
    #: Processes whose ``process_values`` entry is a MAD outlier (modified z > 3.5).
    outlier_processes: list[int]
    first_iteration_mean: float | None = None
    cold_start_mean: float | None = None
    #: Steady-state class counts, e.g. {"flat": 8, "warmup": 2, ...}; empty when not detected.
    steady_state: dict[str, int] = field(default_factory=dict)

    @property
    def value_mean(self) -> float:
        """Mean of ``process_values``: what the comparison's change is the ratio of."""
        return float(np.mean(self.process_values)) if self.process_values else math.nan

    @property
    def value_median(self) -> float:
        """Median of ``process_values`` (the middle process, on the verdict's values)."""
        return float(np.median(self.process_values)) if self.process_values else math.nan

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able types; non-finite floats become ``None``."""
        d = asdict(self)
        for key in ("mean", "median", "stdev", "trimmed_mean", "mad"):
            d[key] = _finite_or_none(d[key])
        d["process_means"] = [_finite_or_none(v) for v in self.process_means]
        d["process_values"] = [_finite_or_none(v) for v in self.process_values]
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Summary:
        """Inverse of :meth:`to_dict` (``None`` floats come back as NaN)."""

        def f(x: Any) -> float:
            return math.nan if x is None else float(x)

        return cls(
            n_processes=int(d["n_processes"]),
            n_values=int(d["n_values"]),
            mean=f(d["mean"]),
            median=f(d["median"]),
            stdev=f(d["stdev"]),
            process_means=[f(v) for v in d["process_means"]],
            process_values=[f(v) for v in d.get("process_values", d["process_means"])],
            trimmed_mean=f(d["trimmed_mean"]),
            mad=f(d["mad"]),
            outlier_processes=[int(i) for i in d["outlier_processes"]],
            first_iteration_mean=d.get("first_iteration_mean"),
            cold_start_mean=d.get("cold_start_mean"),
            steady_state={str(k): int(v) for k, v in d.get("steady_state", {}).items()},
        )


def _optional_mean(values: Sequence[float] | None, n_processes: int, what: str) -> float | None:
    if values is None:
        return None
    arr = as_series(values, what)
    if arr.size != n_processes:
        raise ValueError(f"{what}: {arr.size} values for {n_processes} processes")
    return float(arr.mean())


def summarize(
    processes: Sequence[np.ndarray],
    *,
    first_iteration: Sequence[float] | None = None,
    cold_start: Sequence[float] | None = None,
    process_values: Sequence[float] | None = None,
    steady_state: dict[str, int] | None = None,
) -> Summary:
    """Summarise one variant: ``processes`` holds one array of seconds-per-iteration per process.

    ``process_values`` is the per-process number a comparison uses (default: process means); the
    MAD outlier rule runs on it. ``steady_state`` is a class-count dict to carry along.
    """
    if len(processes) == 0:
        raise ValueError("no processes")
    arrays = [as_series(p, f"process {i}") for i, p in enumerate(processes)]
    allv = np.concatenate(arrays)
    means = [float(a.mean()) for a in arrays]
    if process_values is None:
        pvals = list(means)
    else:
        pvals = [float(v) for v in as_series(process_values, "process_values")]
        if len(pvals) != len(arrays):
            raise ValueError(f"process_values: {len(pvals)} values for {len(arrays)} processes")
    n = allv.size
    return Summary(
        n_processes=len(arrays),
        n_values=int(n),
        mean=float(allv.mean()),
        median=float(np.median(allv)),
        # statistics.stdev is the sample (n - 1) standard deviation; undefined for one value.
        stdev=float(allv.std(ddof=1)) if n > 1 else math.nan,
        process_means=means,
        process_values=pvals,
        trimmed_mean=trimmed_mean(allv),
        mad=mad(allv),
        outlier_processes=outlier_indexes(np.asarray(pvals)),
        first_iteration_mean=_optional_mean(first_iteration, len(arrays), "first_iteration"),
        cold_start_mean=_optional_mean(cold_start, len(arrays), "cold_start"),
        steady_state=dict(steady_state or {}),
    )
