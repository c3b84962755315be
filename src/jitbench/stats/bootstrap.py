"""Vectorised hierarchical bootstrap of a ratio of means, and its interval and p-value.

One replicate: draw processes with replacement (the outer level: the process is the unit), then
for each drawn process draw its values with replacement and take their mean (the inner level); the
replicate's grand mean is the mean of those process means, and the replicate statistic is
``log(candidate grand mean / baseline grand mean)``. All replicates are drawn at once as arrays.

Paired designs resample *rounds* instead: one index draws the round's baseline and candidate
process together, so machine drift common to a round cancels inside every replicate.

Inner level, two implementations (``inner=``):

- ``"exact"``: draws n value indexes per drawn process; B x P x n integers (4e5 for 2000 x 10 x 20),
  generated process by process for all the slots that drew it (a loop over processes, never over
  resamples).
- ``"normal"``: the mean of n values drawn with replacement from a process has mean ``x̄`` and
  variance ``s²/n`` (s² the plug-in variance of the process's values); for n >= 50 the CLT makes
  it normal to well within the bootstrap's own Monte Carlo error, and it costs B x P normals instead
  of B x P x n indexes. ``"auto"`` uses it when every process has at least
  :data:`INNER_EXACT_MAX_VALUES` values. A test compares both on the same data.

Both levels are resampled as Kalibera & Jones do. This counts the within-process noise twice
(the spread of the process means already contains it, and the inner level adds it again), so the
interval is conservative by an amount that grows with the within/between noise ratio: measured
coverage 95.5-97.7 % at nominal 95 % (docs/statistics.md). ``within_correction=True`` shrinks
the process means towards their grand mean to cancel the double count (the two-stage adjustment
of Davison & Hinkley, Bootstrap Methods, 1997, section 3.8); it measured slightly *liberal*
(~94 %) with 10 rounds, so it is not the default: an honest tool errs towards "inconclusive".

Interval: the *expanded percentile* interval (Hesterberg, "What Teachers Should Know About the
Bootstrap", The American Statistician 69(4), 2015). Plain percentile intervals are too narrow
with few units: the bootstrap variance is the plug-in (divide by P) variance and its quantiles are
normal-like, not Student-t-like. The expanded interval takes the percentiles at
``Φ(± k · t_{df, 1-α/2})`` instead of ``α/2``, with ``k² = unbiased variance / plug-in variance``
(``P/(P-1)`` for one sample) and ``df`` the t-interval's degrees of freedom (Welch's for two
independent samples, R - 1 for R paired rounds).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import special

#: "auto" resamples the inner level exactly when some process has fewer values than this.
INNER_EXACT_MAX_VALUES = 50

INNER_METHODS = ("auto", "exact", "normal")

#: Default of ``within_correction`` (see the module docstring for why it is off).
WITHIN_CORRECTION = False


@dataclass(frozen=True)
class ProcessData:
    """Per-process values of one variant, flattened for vectorised resampling."""

    means: np.ndarray  # (P,) mean of each process's values
    sds: np.ndarray  # (P,) plug-in (ddof=0) sd of each process's values
    counts: np.ndarray  # (P,) number of values of each process
    flat: np.ndarray  # all values, process after process
    offsets: np.ndarray  # (P,) index of each process's first value in ``flat``

    @classmethod
    def from_arrays(cls, arrays: Sequence[np.ndarray]) -> ProcessData:
        """Build from one 1-D array per process (each non-empty)."""
        counts = np.array([a.size for a in arrays], dtype=np.int64)
        offsets = np.concatenate(([0], np.cumsum(counts)[:-1])).astype(np.int64)
        return cls(
            means=np.array([a.mean() for a in arrays]),
            sds=np.array([a.std() for a in arrays]),
            counts=counts,
            flat=np.concatenate(arrays).astype(np.float64),
            offsets=offsets,
        )

    def subset(self, keep: Sequence[int]) -> ProcessData:
        """The same data restricted to processes ``keep`` (in that order)."""
        k = np.asarray(keep, dtype=np.int64)
        arrays = [
            self.flat[o : o + c] for o, c in zip(self.offsets[k], self.counts[k], strict=True)
        ]
        return ProcessData.from_arrays(arrays)

    @property
    def n_processes(self) -> int:
        """Number of processes."""
        return int(self.means.size)


def resolve_inner(inner: str, *sides: ProcessData) -> str:
    """Turn ``"auto"`` into ``"exact"`` or ``"normal"`` (see the module docstring)."""
    if inner not in INNER_METHODS:
        raise ValueError(f"inner must be one of {INNER_METHODS}, got {inner!r}")
    if inner != "auto":
        return inner
    smallest = min(int(s.counts.min()) for s in sides)
    return "normal" if smallest >= INNER_EXACT_MAX_VALUES else "exact"


def resample_grand_means(
    data: ProcessData,
    sel: np.ndarray,
    rng: np.random.Generator,
    inner: str,
    shift: np.ndarray | None = None,
) -> np.ndarray:
    """Grand mean of each replicate; ``sel`` (B, K) holds the drawn process indexes per replicate.

    ``shift`` (P,) is added to each drawn process's resampled mean (see ``within_correction``).
    """
    if inner == "normal":
        noise = rng.standard_normal(sel.shape)
        proc_means = data.means[sel] + data.sds[sel] / np.sqrt(data.counts[sel]) * noise
        if shift is not None:
            proc_means += shift[sel]
        return np.asarray(proc_means.mean(axis=1))
    if inner != "exact":
        raise ValueError(f"unknown inner method {inner!r}")
    # Group the B x K slots by the process they drew: process j's slots get
    # (count_j, n_j) value indexes at once. No padding to the longest process, no mask, and the
    # Python loop runs over processes (tens), never over resamples.
    inner_means = np.empty(sel.shape)
    for j in range(data.n_processes):
        slots = sel == j
        c = int(np.count_nonzero(slots))
        if not c:
            continue
        n, o = int(data.counts[j]), int(data.offsets[j])
        idx = rng.integers(0, n, size=(c, n), dtype=np.int32)
        inner_means[slots] = np.take(data.flat[o : o + n], idx) @ np.full(n, 1.0 / n)
    if shift is not None:
        inner_means += shift[sel]
    return np.asarray(inner_means.mean(axis=1))


def log_ratio_replicates(
    baseline: ProcessData,
    candidate: ProcessData,
    *,
    pairs: np.ndarray | None,
    n_resamples: int,
    rng: np.random.Generator,
    inner: str = "auto",
    within_correction: bool = WITHIN_CORRECTION,
) -> np.ndarray:
    """Bootstrap replicates of log(candidate grand mean / baseline grand mean), shape (B,).

    ``pairs`` (R, 2) of (baseline index, candidate index): resample rounds jointly; ``None``:
    resample each side's processes independently. ``within_correction``: cancel the inner
    level's double count of within-process variance (see the module docstring).
    """
    method = resolve_inner(inner, baseline, candidate)
    shift_b = shift_c = None
    if pairs is None:
        sel_b = rng.integers(0, baseline.n_processes, size=(n_resamples, baseline.n_processes))
        sel_c = rng.integers(0, candidate.n_processes, size=(n_resamples, candidate.n_processes))
        if within_correction:
            shift_b = _shrink_shift(baseline, _shrink_factor_side(baseline))
            shift_c = _shrink_shift(candidate, _shrink_factor_side(candidate))
    else:
        rounds = rng.integers(0, pairs.shape[0], size=(n_resamples, pairs.shape[0]))
        sel_b = pairs[:, 0][rounds]
        sel_c = pairs[:, 1][rounds]
        if within_correction:
            c = _shrink_factor_paired(baseline, candidate, pairs)
            shift_b, shift_c = _shrink_shift(baseline, c), _shrink_shift(candidate, c)
    gm_b = resample_grand_means(baseline, sel_b, rng, method, shift_b)
    gm_c = resample_grand_means(candidate, sel_c, rng, method, shift_c)
    return np.asarray(np.log(gm_c) - np.log(gm_b))


def _within_var(data: ProcessData) -> float:
    """Mean relative variance the inner level adds to a process mean: s²/(n x̄²)."""
    return float(np.mean(data.sds**2 / data.counts / data.means**2))


def _shrink(s2: float, w: float, p: int) -> float:
    """c with c² (P-1)/P S² + w = (P-1)/P S²: outer + inner variance = the outer-only variance."""
    if p < 2 or s2 <= 0.0:
        return 0.0
    return float(np.sqrt(max(0.0, 1.0 - p * w / ((p - 1) * s2))))


def _shrink_factor_side(data: ProcessData) -> float:
    rel = data.means / data.means.mean()
    return _shrink(float(np.var(rel, ddof=1)), _within_var(data), data.n_processes)


def _shrink_factor_paired(base: ProcessData, cand: ProcessData, pairs: np.ndarray) -> float:
    d = cand.means[pairs[:, 1]] / cand.means.mean() - base.means[pairs[:, 0]] / base.means.mean()
    w = _within_var(base) + _within_var(cand)
    return _shrink(float(np.var(d, ddof=1)), w, pairs.shape[0])


def _shrink_shift(data: ProcessData, c: float) -> np.ndarray:
    """Per-process shift moving each process mean to grand mean + c (mean - grand mean)."""
    gm = data.means.mean()
    return np.asarray((c - 1.0) * (data.means - gm))


def two_sample_expansion(log_b: np.ndarray, log_c: np.ndarray) -> tuple[float, float]:
    """(k, Welch df) for two independent samples of log process values (see module docstring)."""
    pb, pc = log_b.size, log_c.size
    vb = float(np.var(log_b, ddof=1)) / pb
    vc = float(np.var(log_c, ddof=1)) / pc
    unbiased = vb + vc
    plugin = vb * (pb - 1) / pb + vc * (pc - 1) / pc
    if unbiased <= 0.0 or plugin <= 0.0:
        return 1.0, float(pb + pc - 2)
    df = unbiased**2 / (vb**2 / (pb - 1) + vc**2 / (pc - 1))
    return float(np.sqrt(unbiased / plugin)), float(df)


def paired_expansion(n_pairs: int) -> tuple[float, float]:
    """(k, df) for a one-sample (paired) bootstrap over ``n_pairs`` rounds."""
    return float(np.sqrt(n_pairs / (n_pairs - 1))), float(n_pairs - 1)


def expanded_tail(confidence: float, df: float, expansion: float) -> float:
    """Lower percentile level of the expanded percentile interval."""
    # scipy.special ufuncs: the scipy.stats wrappers cost ~0.1 ms per call, x10 per compare.
    t = float(special.stdtrit(df, 0.5 + confidence / 2.0))
    return float(special.ndtr(-expansion * t))


def expanded_percentile_interval(
    replicates: np.ndarray, *, confidence: float, df: float, expansion: float
) -> tuple[float, float]:
    """Expanded percentile interval of ``replicates`` (same scale as the replicates)."""
    tail = expanded_tail(confidence, df, expansion)
    lo, hi = np.quantile(replicates, [tail, 1.0 - tail])
    return float(lo), float(hi)
