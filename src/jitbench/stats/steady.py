"""Steady state per process: changepoint segmentation and Barrett-style classification.

Barrett et al. ("Virtual Machine Warmup Blows Hot and Cold", OOPSLA 2017) segment each process's
series with PELT and classify it from the segment means. We do the same, with choices made for
speed and for the autocorrelated, spiky series JIT benchmarks produce:

1. *Outliers first.* A rolling median (5 values) follows level shifts but not single spikes (GC,
   interrupts); residuals from it are clipped at 4 robust standard deviations. Without this, a
   single spike is "a segment" to a least-squares cost.
2. *Long series are block-averaged* to at most :data:`MAX_POINTS` points before segmentation and
   each changepoint is then refined to the exact iteration inside its neighbouring blocks (and
   dropped if, refined, it no longer pays the penalty). PELT is quadratic in the worst case; this
   keeps 2000 series x 500 values well under a second.
3. *Penalty relative to the noise.* The series is scaled by its long-run standard deviation
   (AR(1) model) and the penalty is ``3 log(m)`` in those units. Ignoring autocorrelation
   (phi ~ 0.5 is common) would make runs of slow iterations look like level shifts. The noise is
   estimated in two passes: pass 1 scales by a cautious guess (marginal variance from lag-1
   differences, which level shifts barely touch, and lag-1 correlation 0.5) so that it cuts
   mainly real shifts; the residuals around pass 1's segment means then give the variance and
   lag-1 correlation for pass 2, whose segmentation is the result. Residuals are used because
   robust difference-based estimates of the correlation are too noisy on 20-50 values.
4. PELT itself is ruptures' C implementation (``KernelCPD`` with the linear kernel = the l2 cost).

Classification (segment means compared with the last segment's; two means are "equivalent" when
they differ by at most ``max(0.5 % of the last mean, the per-iteration noise sd)``):

- ``flat``: every segment is equivalent to the last one (includes "no changepoint").
- ``no-steady-state``: otherwise, when the last segment is shorter than 25 % of the series: the
  process was still changing when it stopped.
- ``slowdown``: some earlier segment is faster than the last one.
- ``warmup``: every earlier non-equivalent segment is slower than the last one.

The steady part is the last segment; ``steady_value`` is the mean of its raw (unclipped) values:
spikes in the steady state are a real cost of the runtime, and comparing means includes them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from scipy.ndimage import median_filter

from .descriptive import as_series

CLASSES: tuple[str, ...] = ("flat", "warmup", "slowdown", "no-steady-state")

#: Segmentation runs on at most this many points (block means beyond it).
MAX_POINTS = 128
#: Minimum segment length, in points (raw values, or blocks for long series).
MIN_SIZE = 2
#: Shorter series are not segmented: with a handful of values a "changepoint" is mostly noise,
#: and a steady value from the last 2 of 4 values would throw away half the data.
MIN_SERIES = 8
#: PELT penalty = PENALTY_FACTOR * log(points), in units of the long-run variance.
PENALTY_FACTOR = 3.0
#: Rolling-median window and clip width (robust sds) of the outlier step.
MEDIAN_WINDOW = 5
CLIP_SDS = 4.0
#: Segment means closer than max(REL_TOLERANCE * last mean, noise sd) count as one level.
REL_TOLERANCE = 0.005
#: A last segment shorter than this fraction of the series means "no steady state".
MIN_STEADY_FRACTION = 0.25
#: Upper bound of the lag-1 correlation estimate (beyond it the AR(1) estimate is unstable).
MAX_RHO = 0.8

#: Lag-1 correlation pass 1 assumes (see the module docstring). Tuned by simulation: 0.5 keeps
#: false changepoints in flat AR(1) series (phi <= 0.5) at <= 5 % for 20 values and ~0 from 50,
#: while still finding a 10 % warmup over a fifth of the series (88 % at 20 values, 99 % at 50).
PASS1_RHO = 0.5

_MAD_TO_SD = 1.4826


@dataclass(frozen=True)
class SteadyState:
    """Steady-state analysis of one process's series."""

    #: One of :data:`CLASSES`.
    classification: str
    #: Index of the first value of the steady part (the last segment).
    steady_start: int
    #: Mean of the raw values from ``steady_start`` on.
    steady_value: float
    #: Indexes where a new segment starts (0 excluded), in order.
    changepoints: list[int]
    #: Mean of the raw values of each segment.
    segment_means: list[float]
    #: Robust per-iteration noise standard deviation (seconds).
    noise_sd: float
    n_values: int

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able types."""
        return asdict(self)


def steady_state(series: np.ndarray) -> SteadyState:
    """Segment one process's series (seconds per iteration, time order) and classify it."""
    return steady_states([series])[0]


def steady_states(series: Sequence[np.ndarray]) -> list[SteadyState]:
    """:func:`steady_state` for many series; series of equal length are preprocessed together."""
    arrays = [as_series(s, f"series {i}") for i, s in enumerate(series)]
    out: list[SteadyState | None] = [None] * len(arrays)
    by_length: dict[int, list[int]] = {}
    for i, a in enumerate(arrays):
        by_length.setdefault(a.size, []).append(i)
    for idxs in by_length.values():
        block = np.stack([arrays[i] for i in idxs])
        for i, result in zip(idxs, _detect_group(block), strict=True):
            out[i] = result
    return [r for r in out if r is not None]


def _row_mad_sd(x: np.ndarray) -> np.ndarray:
    """Robust sd of each row (normal-consistent MAD)."""
    med = np.median(x, axis=1, keepdims=True)
    return np.asarray(_MAD_TO_SD * np.median(np.abs(x - med), axis=1))


def _half_var_of_diffs(d: np.ndarray, floor: np.ndarray) -> np.ndarray:
    """Var(d)/2 per row, robustly (MAD of the differences).

    A zero MAD happens with coarse timers (over half the consecutive values equal) or exact
    synthetic steps; then the 90th percentile of |d| (1.645 sd under normality) stands in, which a
    few level shifts still cannot inflate the way a plain variance would.
    """
    v = _row_mad_sd(d) ** 2 / 2.0
    p90 = (np.quantile(np.abs(d), 0.9, axis=1) / 1.645) ** 2 / 2.0
    v = np.where(v > floor**2, v, p90)
    return np.asarray(np.maximum(v, floor**2))


def _detect_group(x: np.ndarray) -> list[SteadyState]:
    """Steady-state analysis of the rows of ``x`` (k series of equal length n)."""
    n = x.shape[1]
    if n < MIN_SERIES:
        return [_classify(row, row, [], 0.0) for row in x]
    floor = _level_floor(x)
    xc = _clip_outliers(x, floor)
    y, starts, b = _blocks(xc)
    penalty = PENALTY_FACTOR * math.log(max(y.shape[1], 2))
    centred = y - np.median(y, axis=1, keepdims=True)
    worst_sd = _pass1_scale(y, floor)
    results = []
    for i in range(x.shape[0]):
        cps, noise = _row_changepoints(centred[i], xc[i], starts, b, penalty, worst_sd[i], floor[i])
        results.append(_classify(x[i], xc[i], cps, noise * math.sqrt(b)))
    return results


def _level_floor(x: np.ndarray) -> np.ndarray:
    """The smallest scale each row's analysis may use, relative to its level."""
    # Identical values (synthetic data) must not divide by zero, and a far smaller scale would
    # turn float rounding in PELT's cost sums into "changepoints". 1e-6 is below any timer's
    # resolution of a whole iteration.
    return 1e-6 * np.abs(np.median(x, axis=1)) + 1e-300


def _clip_outliers(x: np.ndarray, floor: np.ndarray) -> np.ndarray:
    """Each row with values far from its running median clipped to ``CLIP_SDS`` robust sds."""
    if x.shape[1] < MEDIAN_WINDOW:
        return x
    med = median_filter(x, size=(1, MEDIAN_WINDOW), mode="reflect")
    resid = x - med
    s = np.maximum(_row_mad_sd(resid), floor)[:, None]
    return med + np.clip(resid, -CLIP_SDS * s, CLIP_SDS * s)


def _blocks(xc: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """(block means, each block's first index, block size): at most ``MAX_POINTS`` per row."""
    k, n = xc.shape
    b = max(1, math.ceil(n / MAX_POINTS))
    if b == 1:
        return xc, np.arange(n), 1
    m = n // b
    lead = n - m * b
    # Blocks are aligned to the end of the series, where the steady state lives; leftover
    # values at the start join the first block.
    y = xc[:, lead:].reshape(k, m, b).mean(axis=2)
    if lead:
        y[:, 0] = xc[:, : lead + b].mean(axis=1)
    starts = np.arange(m) * b + lead
    starts[0] = 0
    return y, starts, b


def _pass1_scale(y: np.ndarray, floor: np.ndarray) -> np.ndarray:
    """Each row's first-pass scale: the long-run sd of the worst autocorrelation assumed."""
    if y.shape[1] < 3:
        return np.maximum(y.std(axis=1), floor)
    # Marginal variance from lag-1 differences (robust: a level shift spoils one of them),
    # long-run variance as if the lag-1 correlation were PASS1_RHO.
    v1 = _half_var_of_diffs(np.diff(y, axis=1), floor)
    return np.sqrt(v1 * (1.0 + PASS1_RHO) / (1.0 - PASS1_RHO) ** 2)


def _row_changepoints(
    row: np.ndarray,
    xc_row: np.ndarray,
    starts: np.ndarray,
    b: int,
    penalty: float,
    worst_sd: float,
    floor: float,
) -> tuple[list[int], float]:
    """(changepoints as indices of the series, marginal noise sd of the blocks) of one row."""
    ends = _pelt(row / worst_sd, penalty)
    long_run_sd, noise = _noise_from_residuals(row, ends, float(floor))
    # No changepoint at a scale at least as sensitive as pass 2's means none in pass 2
    # either (a larger scale only raises the relative penalty): skip it, the common case.
    if len(ends) > 1 or long_run_sd < worst_sd:
        ends = _pelt(row / long_run_sd, penalty)
    cps = [int(starts[e]) for e in ends[:-1]]
    if b > 1 and cps:
        cps = _refine(xc_row, cps, b)
        # A shift inside a block leaves an in-between block that PELT may give a segment of
        # its own; once refined, such a changepoint no longer pays its penalty. The same
        # penalty in raw units: a split's l2 gain on raw values is ~b times its block gain.
        cps = _prune(xc_row, cps, penalty * b * long_run_sd**2)
    return cps, noise


def _noise_from_residuals(y: np.ndarray, ends: list[int], floor: float) -> tuple[float, float]:
    """(long-run sd, marginal sd) of ``y`` around the means of the segments ending at ``ends``.

    AR(1) moment estimates: residual variance (segments' means removed) and lag-1
    autocorrelation, bias-corrected by (1 + 3 rho) / m (Kendall's first-order bias).
    """
    m = y.size
    edges = np.array([0, *ends])
    lengths = np.diff(edges)
    csum = np.concatenate(([0.0], np.cumsum(y)))
    resid = y - np.repeat((csum[edges[1:]] - csum[edges[:-1]]) / lengths, lengths)
    dof = max(m - len(ends), 1)
    var = float(resid @ resid) / dof
    if var <= floor**2 or m < 3:
        return floor, floor
    rho = float(resid[1:] @ resid[:-1]) / float(resid @ resid)
    rho = min(max(rho + (1.0 + 3.0 * rho) / m, 0.0), MAX_RHO)
    return math.sqrt(var * (1.0 + rho) / (1.0 - rho)), math.sqrt(var)


def _pelt(z: np.ndarray, penalty: float) -> list[int]:
    """Segment ends (exclusive, last = len) by ruptures' C PELT with the l2 cost."""
    m = z.size
    if m < 2 * MIN_SIZE:
        return [m]
    # Deferred: ruptures imports scipy.stats (~1 s), which a command that fails on its input or
    # only lists things should not pay.
    import ruptures as rpt  # type: ignore[import-untyped]  # ships no type information

    algo = rpt.KernelCPD(kernel="linear", min_size=MIN_SIZE).fit(z)
    return [int(e) for e in algo.predict(pen=penalty)]


def _refine(x: np.ndarray, cps: list[int], b: int) -> list[int]:
    """Move each block-resolution changepoint to the best split within one block either side.

    The best split of x[lo:hi] maximises n1 n2 / (n1 + n2) (mean1 - mean2)^2, the l2 cost gain.
    """
    n = x.size
    csum = np.concatenate(([0.0], np.cumsum(x)))
    refined: list[int] = []
    for j, cp in enumerate(cps):
        lo = refined[-1] if refined else 0
        hi = cps[j + 1] if j + 1 < len(cps) else n
        tau = np.arange(max(cp - b, lo + MIN_SIZE), min(cp + b, hi - MIN_SIZE) + 1)
        if tau.size == 0:
            refined.append(cp)
            continue
        n1 = tau - lo
        n2 = hi - tau
        m1 = (csum[tau] - csum[lo]) / n1
        m2 = (csum[hi] - csum[tau]) / n2
        gain = n1 * n2 / (n1 + n2) * (m1 - m2) ** 2
        refined.append(int(tau[int(np.argmax(gain))]))
    return refined


def _split_gain(csum: np.ndarray, lo: int, cp: int, hi: int) -> float:
    """l2 cost reduction from splitting [lo, hi) at cp: n1 n2 / (n1 + n2) (mean1 - mean2)^2."""
    n1, n2 = cp - lo, hi - cp
    m1 = (csum[cp] - csum[lo]) / n1
    m2 = (csum[hi] - csum[cp]) / n2
    return float(n1 * n2 / (n1 + n2) * (m1 - m2) ** 2)


def _prune(x: np.ndarray, cps: list[int], threshold: float) -> list[int]:
    """Drop, weakest first, changepoints whose split gain is below ``threshold``."""
    csum = np.concatenate(([0.0], np.cumsum(x)))
    cps = list(cps)
    while cps:
        edges = [0, *cps, x.size]
        gains = [_split_gain(csum, edges[j], edges[j + 1], edges[j + 2]) for j in range(len(cps))]
        weakest = int(np.argmin(gains))
        if gains[weakest] >= threshold:
            break
        del cps[weakest]
    return cps


def _classify(raw: np.ndarray, clipped: np.ndarray, cps: list[int], noise_sd: float) -> SteadyState:
    n = raw.size
    edges = [0, *cps, n]
    spans = list(zip(edges[:-1], edges[1:], strict=True))
    # Classification uses the clipped series (robust); reported means are the raw ones.
    csum = np.concatenate(([0.0], np.cumsum(clipped)))
    cmeans = [float((csum[e] - csum[a]) / (e - a)) for a, e in spans]
    rsum = np.concatenate(([0.0], np.cumsum(raw)))
    rmeans = [float((rsum[e] - rsum[a]) / (e - a)) for a, e in spans]
    last = cmeans[-1]
    tol = max(REL_TOLERANCE * abs(last), noise_sd)
    if all(abs(mu - last) <= tol for mu in cmeans):
        kind = "flat"
    elif n - edges[-2] < max(MIN_SIZE, MIN_STEADY_FRACTION * n):
        kind = "no-steady-state"
    elif any(mu < last - tol for mu in cmeans[:-1]):
        kind = "slowdown"
    else:
        kind = "warmup"
    start = edges[-2]
    return SteadyState(
        classification=kind,
        steady_start=int(start),
        steady_value=rmeans[-1],
        changepoints=[int(c) for c in cps],
        segment_means=rmeans,
        noise_sd=noise_sd,
        n_values=int(n),
    )


def class_counts(states: Sequence[SteadyState]) -> dict[str, int]:
    """Count processes per class; every class is present (zero counts included)."""
    counts = dict.fromkeys(CLASSES, 0)
    for s in states:
        counts[s.classification] += 1
    return counts
