"""Compare two variants of one benchmark: ratio of means, its CI, and a verdict.

Which interval drives the verdict:

- pairs given and complete (every process of both sides in exactly one round pair): the *paired
  hierarchical bootstrap* (rounds resampled jointly; method ``paired-hierarchical-bootstrap``).
  The design paired the processes, so the analysis does too: drift common to a round cancels, and
  the interval stays valid without drift (it costs degrees of freedom, R - 1 instead of ~2P - 2).
  Choosing per experiment whichever interval is narrower would inflate false positives.
- otherwise: the *hierarchical bootstrap* over independent sides (``hierarchical-bootstrap``).

Both are expanded percentile intervals of log(ratio of means) (see :mod:`.bootstrap`). The
t-interval on log process means (and, with pairs, on per-round log ratios) is reported alongside
as a cross-check; it never drives the verdict.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from .bootstrap import (
    ProcessData,
    bootstrap_p_value,
    expanded_percentile_interval,
    expanded_tail,
    log_ratio_replicates,
    paired_expansion,
    resolve_inner,
    two_sample_expansion,
)
from .descriptive import Summary, as_series, summarize
from .intervals import drift, paired_t_interval, pct, t_interval_log
from .steady import CLASSES, class_counts, steady_states
from .verdict import decide, resolution

METRICS: tuple[str, ...] = ("steady", "mean", "first", "cold")

#: Fewer processes per side than this earns a warning (intervals from 2-4 units are fragile).
MIN_PROCESSES = 5
#: Warn about the class mix when some class's share differs by at least this between sides.
CLASS_MIX_SHARE = 0.3
#: Drift is material when its effect over the run exceeds this fraction of the CI half-width
#: (and the trend is itself significant at DRIFT_ALPHA: a noisy slope is not a drift).
DRIFT_MATERIAL_FRACTION = 0.5
DRIFT_ALPHA = 0.05


def _clean(obj: Any) -> Any:
    """Recursively turn numpy scalars into Python ones and non-finite floats into None."""
    if isinstance(obj, dict):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_clean(v) for v in obj]
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


def _nan(x: Any) -> float:
    return math.nan if x is None else float(x)


@dataclass(frozen=True)
class Comparison:
    """Result of :func:`compare`; percentages are candidate vs baseline, > 0 = candidate slower."""

    #: 100 (mean of candidate per-process values / mean of baseline per-process values - 1).
    change_pct: float
    #: CI of change_pct at ``confidence`` from ``method``; NaN when it cannot be computed.
    ci_low_pct: float
    ci_high_pct: float
    verdict: str
    method: str
    #: Two-sided p-value of "no change" consistent with the CI (used by Holm in the suite).
    p_value: float
    confidence: float
    margin_pct: float
    min_effect_pct: float
    metric: str
    baseline: Summary
    candidate: Summary
    n_baseline: int
    n_candidate: int
    #: {"baseline": {"flat": 8, ...}, "candidate": {...}}; empty dicts unless metric="steady".
    steady_state: dict[str, dict[str, int]]
    warnings: list[str]
    #: Verdict recomputed without MAD-outlier processes (whole rounds when paired).
    robust_verdict: str
    outlier_sensitive: bool
    #: ≈ more processes per side to resolve an inconclusive result (None otherwise / unknown).
    more_processes: int | None
    resolution_hint: str
    #: Cross-check: t-interval on log process means ({"change_pct", "low_pct", "high_pct", ...}).
    t_interval: dict[str, Any]
    #: With pairs: paired t-interval on per-round log ratios, drift of the baseline; else None.
    paired: dict[str, Any] | None
    #: The robust re-analysis: excluded processes, its CI.
    robust: dict[str, Any] = field(default_factory=dict)
    #: Bootstrap details: n_resamples, seed, inner method, df, expansion, tail level.
    bootstrap: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able types (no numpy, no NaN: non-finite numbers become None)."""
        d = asdict(self)
        d["baseline"] = self.baseline.to_dict()
        d["candidate"] = self.candidate.to_dict()
        return dict(_clean(d))

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Comparison:
        """Inverse of :meth:`to_dict` (so a suite can be summarised from stored results)."""
        more = d.get("more_processes")
        return cls(
            change_pct=_nan(d["change_pct"]),
            ci_low_pct=_nan(d["ci_low_pct"]),
            ci_high_pct=_nan(d["ci_high_pct"]),
            verdict=str(d["verdict"]),
            method=str(d["method"]),
            p_value=_nan(d.get("p_value")),
            confidence=float(d["confidence"]),
            margin_pct=float(d["margin_pct"]),
            min_effect_pct=float(d["min_effect_pct"]),
            metric=str(d["metric"]),
            baseline=Summary.from_dict(d["baseline"]),
            candidate=Summary.from_dict(d["candidate"]),
            n_baseline=int(d["n_baseline"]),
            n_candidate=int(d["n_candidate"]),
            steady_state={k: dict(v) for k, v in d["steady_state"].items()},
            warnings=list(d["warnings"]),
            robust_verdict=str(d["robust_verdict"]),
            outlier_sensitive=bool(d["outlier_sensitive"]),
            more_processes=None if more is None else int(more),
            resolution_hint=str(d["resolution_hint"]),
            t_interval=dict(d["t_interval"]),
            paired=None if d.get("paired") is None else dict(d["paired"]),
            robust=dict(d.get("robust", {})),
            bootstrap=dict(d.get("bootstrap", {})),
        )


def ci_halfwidth_pct(c: Comparison) -> float:
    """Half-width of the verdict CI in %; inf when there is none.

    For adaptive runs: add processes until this is small enough (precision), never until the
    verdict turns significant: stopping on significance makes false positives likely.
    """
    if not (math.isfinite(c.ci_low_pct) and math.isfinite(c.ci_high_pct)):
        return math.inf
    return (c.ci_high_pct - c.ci_low_pct) / 2.0


@dataclass(frozen=True)
class _Interval:
    """One bootstrap analysis of the ratio of means."""

    change_pct: float
    low_pct: float
    high_pct: float
    p_value: float
    method: str
    df: float
    expansion: float
    inner: str
    paired: bool
    n_units: int


def _analyse(
    base: ProcessData,
    cand: ProcessData,
    pairs: np.ndarray | None,
    *,
    confidence: float,
    n_resamples: int,
    seed: int,
) -> _Interval:
    """Point estimate, bootstrap CI and p-value; ``pairs`` not None means a complete pairing."""
    change = pct(math.log(cand.means.mean()) - math.log(base.means.mean()))
    paired = pairs is not None
    method = "paired-hierarchical-bootstrap" if paired else "hierarchical-bootstrap"
    n_units = int(pairs.shape[0]) if pairs is not None else min(base.n_processes, cand.n_processes)
    inner = resolve_inner("auto", base, cand)
    if n_units < 2:
        return _Interval(
            change, math.nan, math.nan, math.nan, method, 0.0, 1.0, inner, paired, n_units
        )
    if pairs is not None:
        expansion, df = paired_expansion(n_units)
    else:
        expansion, df = two_sample_expansion(np.log(base.means), np.log(cand.means))
    rng = np.random.default_rng(seed)
    reps = log_ratio_replicates(
        base, cand, pairs=pairs, n_resamples=n_resamples, rng=rng, inner=inner
    )
    lo, hi = expanded_percentile_interval(reps, confidence=confidence, df=df, expansion=expansion)
    p = bootstrap_p_value(reps, df=df, expansion=expansion)
    return _Interval(change, pct(lo), pct(hi), p, method, df, expansion, inner, paired, n_units)


def _check_positive(arrays: list[np.ndarray], side: str) -> None:
    for i, a in enumerate(arrays):
        if np.any(a <= 0.0):
            raise ValueError(f"{side} process {i}: times must be positive")


def _pairs_array(pairs: Sequence[tuple[int, int]] | None, pb: int, pc: int) -> np.ndarray | None:
    if pairs is None:
        return None
    arr = np.asarray(list(pairs), dtype=np.int64).reshape(-1, 2)
    if arr.size and (arr.min() < 0 or arr[:, 0].max() >= pb or arr[:, 1].max() >= pc):
        raise ValueError("pairs: process index out of range")
    if len(set(arr[:, 0].tolist())) < len(arr) or len(set(arr[:, 1].tolist())) < len(arr):
        raise ValueError("pairs: a process appears in more than one pair")
    return arr


def _per_process(values: Sequence[float] | None, n: int, what: str) -> np.ndarray:
    if values is None:
        raise ValueError(f"{what} is required for this metric")
    arr = as_series(values, what)
    if arr.size != n:
        raise ValueError(f"{what}: {arr.size} values for {n} processes")
    if np.any(arr <= 0.0):
        raise ValueError(f"{what}: times must be positive")
    return arr


def _class_mix_warning(counts_b: dict[str, int], counts_c: dict[str, int]) -> str | None:
    nb, nc = sum(counts_b.values()), sum(counts_c.values())
    if not nb or not nc:
        return None
    if all(abs(counts_b[k] / nb - counts_c[k] / nc) < CLASS_MIX_SHARE for k in CLASSES):
        return None

    def fmt(c: dict[str, int]) -> str:
        return ", ".join(f"{v} {k}" for k, v in c.items() if v)

    return (
        f"steady-state class mix differs (baseline: {fmt(counts_b)}; candidate: {fmt(counts_c)});"
        " the variants may not be warming up alike"
    )


def _robust_analysis(
    base: ProcessData,
    cand: ProcessData,
    pairs: np.ndarray | None,
    out_b: list[int],
    out_c: list[int],
    **kw: Any,
) -> tuple[_Interval | None, list[int], list[int]]:
    """Re-analyse without outlier processes; paired designs drop the outliers' whole rounds."""
    if pairs is not None:
        keep = [r for r, (b, c) in enumerate(pairs) if b not in out_b and c not in out_c]
        kept = pairs[keep]
        drop_b = sorted(set(range(base.n_processes)) - set(kept[:, 0].tolist()))
        drop_c = sorted(set(range(cand.n_processes)) - set(kept[:, 1].tolist()))
        sub_b, sub_c = base.subset(kept[:, 0].tolist()), cand.subset(kept[:, 1].tolist())
        new_pairs = np.column_stack([np.arange(len(keep)), np.arange(len(keep))])
        if len(keep) < 2:
            return None, drop_b, drop_c
        return _analyse(sub_b, sub_c, new_pairs, **kw), drop_b, drop_c
    keep_b = [i for i in range(base.n_processes) if i not in out_b]
    keep_c = [i for i in range(cand.n_processes) if i not in out_c]
    if len(keep_b) < 2 or len(keep_c) < 2:
        return None, list(out_b), list(out_c)
    return _analyse(base.subset(keep_b), cand.subset(keep_c), None, **kw), list(out_b), list(out_c)


def compare(
    baseline: Sequence[np.ndarray],
    candidate: Sequence[np.ndarray],
    *,
    pairs: Sequence[tuple[int, int]] | None = None,
    margin_pct: float = 1.0,
    min_effect_pct: float = 0.0,
    confidence: float = 0.95,
    n_resamples: int = 2000,
    seed: int = 0,
    metric: str = "steady",
    baseline_first: Sequence[float] | None = None,
    candidate_first: Sequence[float] | None = None,
    baseline_cold: Sequence[float] | None = None,
    candidate_cold: Sequence[float] | None = None,
) -> Comparison:
    """Compare candidate with baseline; one array of seconds per iteration per process.

    ``pairs`` lists (baseline index, candidate index) of processes run in the same round, in
    round order. ``metric``: "steady" (mean of each process's steady part), "mean" (all values),
    "first" / "cold" (one first-iteration / cold-start time per process, passed separately).
    """
    if metric not in METRICS:
        raise ValueError(f"metric must be one of {METRICS}, got {metric!r}")
    if not 0.0 < confidence < 1.0:
        raise ValueError("confidence must be between 0 and 1")
    if n_resamples < 100:
        raise ValueError("n_resamples must be at least 100")
    if margin_pct < 0.0 or min_effect_pct < 0.0:
        raise ValueError("margin_pct and min_effect_pct must be >= 0")
    base = [as_series(p, f"baseline process {i}") for i, p in enumerate(baseline)]
    cand = [as_series(p, f"candidate process {i}") for i, p in enumerate(candidate)]
    if not base or not cand:
        raise ValueError("each variant needs at least one process")
    _check_positive(base, "baseline")
    _check_positive(cand, "candidate")
    pb, pc = len(base), len(cand)
    pair_arr = _pairs_array(pairs, pb, pc)
    warnings: list[str] = []

    counts: dict[str, dict[str, int]] = {"baseline": {}, "candidate": {}}
    if metric == "steady":
        states = steady_states(base + cand)
        st_b, st_c = states[:pb], states[pb:]
        used_b = [a[s.steady_start :] for a, s in zip(base, st_b, strict=True)]
        used_c = [a[s.steady_start :] for a, s in zip(cand, st_c, strict=True)]
        counts = {"baseline": class_counts(st_b), "candidate": class_counts(st_c)}
        mix = _class_mix_warning(counts["baseline"], counts["candidate"])
        if mix:
            warnings.append(mix)
        n_none = counts["baseline"]["no-steady-state"] + counts["candidate"]["no-steady-state"]
        if n_none:
            warnings.append(
                f"{n_none} process(es) reached no steady state; their last segment is used"
            )
    elif metric == "mean":
        used_b, used_c = base, cand
    else:
        kind = "first" if metric == "first" else "cold"
        vb = _per_process(
            baseline_first if kind == "first" else baseline_cold, pb, f"baseline_{kind}"
        )
        vc = _per_process(
            candidate_first if kind == "first" else candidate_cold, pc, f"candidate_{kind}"
        )
        used_b = [np.array([v]) for v in vb]
        used_c = [np.array([v]) for v in vc]

    data_b, data_c = ProcessData.from_arrays(used_b), ProcessData.from_arrays(used_c)
    sum_b = summarize(
        base,
        first_iteration=baseline_first,
        cold_start=baseline_cold,
        process_values=data_b.means.tolist(),
        steady_state=counts["baseline"],
    )
    sum_c = summarize(
        cand,
        first_iteration=candidate_first,
        cold_start=candidate_cold,
        process_values=data_c.means.tolist(),
        steady_state=counts["candidate"],
    )

    complete = pair_arr is not None and pair_arr.shape[0] == pb == pc and pair_arr.shape[0] >= 2
    if pair_arr is not None and not complete:
        warnings.append(
            f"{pair_arr.shape[0]} pairs do not cover all {pb} + {pc} processes;"
            " the unpaired bootstrap drives the verdict"
        )
    driving_pairs = pair_arr if complete else None
    kw: dict[str, Any] = {"confidence": confidence, "n_resamples": n_resamples, "seed": seed}
    main = _analyse(data_b, data_c, driving_pairs, **kw)
    verdict = decide(
        main.change_pct,
        main.low_pct,
        main.high_pct,
        margin_pct=margin_pct,
        min_effect_pct=min_effect_pct,
    )
    half = (main.high_pct - main.low_pct) / 2.0

    log_b, log_c = np.log(data_b.means), np.log(data_c.means)
    t_int = t_interval_log(log_b, log_c, confidence=confidence)
    t_int["verdict"] = decide(
        t_int["change_pct"],
        t_int["low_pct"],
        t_int["high_pct"],
        margin_pct=margin_pct,
        min_effect_pct=min_effect_pct,
    )
    decisive = {"faster", "slower", "equivalent"}
    if verdict in decisive and t_int["verdict"] in decisive and t_int["verdict"] != verdict:
        warnings.append(
            f"the t-interval cross-check says {t_int['verdict']}, the bootstrap {verdict}"
        )

    paired: dict[str, Any] | None = None
    if pair_arr is not None and pair_arr.shape[0] >= 2:
        ratios = log_c[pair_arr[:, 1]] - log_b[pair_arr[:, 0]]
        paired = paired_t_interval(ratios, confidence=confidence)
        paired["n_pairs"] = int(pair_arr.shape[0])
        paired["drives_verdict"] = complete
        d = drift(log_b[pair_arr[:, 0]])
        material = bool(
            math.isfinite(d["p_value"])
            and d["p_value"] < DRIFT_ALPHA
            and math.isfinite(half)
            and abs(d["over_run_pct"]) > DRIFT_MATERIAL_FRACTION * half
        )
        paired["drift"] = {**d, "material": material}
        if material:
            note = "the paired analysis cancels it" if complete else "pairs are incomplete"
            warnings.append(
                f"baseline drifted {d['over_run_pct']:+.2f} % over the run"
                f" ({d['pct_per_round']:+.3f} % per round); {note}"
            )
    elif pair_arr is not None:
        warnings.append("fewer than 2 pairs: no paired analysis")

    if min(pb, pc) < MIN_PROCESSES:
        warnings.append(
            f"only {min(pb, pc)} process(es) on one side; intervals from fewer than"
            f" {MIN_PROCESSES} processes are fragile"
        )

    out_b, out_c = sum_b.outlier_processes, sum_c.outlier_processes
    robust: dict[str, Any] = {"excluded_baseline": [], "excluded_candidate": []}
    robust_verdict = verdict
    if out_b or out_c:
        rob, drop_b, drop_c = _robust_analysis(data_b, data_c, driving_pairs, out_b, out_c, **kw)
        robust = {"excluded_baseline": drop_b, "excluded_candidate": drop_c}
        if rob is None:
            robust_verdict = "inconclusive"
            robust.update(change_pct=math.nan, low_pct=math.nan, high_pct=math.nan)
        else:
            robust_verdict = decide(
                rob.change_pct,
                rob.low_pct,
                rob.high_pct,
                margin_pct=margin_pct,
                min_effect_pct=min_effect_pct,
            )
            robust.update(change_pct=rob.change_pct, low_pct=rob.low_pct, high_pct=rob.high_pct)
    robust["verdict"] = robust_verdict
    outlier_sensitive = robust_verdict != verdict
    if outlier_sensitive:
        warnings.append(
            f"outlier-sensitive: without MAD-outlier processes the verdict is {robust_verdict}"
        )

    more: int | None = None
    hint = ""
    if verdict == "inconclusive":
        more, hint = resolution(
            change_pct=main.change_pct,
            ci_low_pct=main.low_pct,
            ci_high_pct=main.high_pct,
            df=main.df,
            n_units=main.n_units,
            paired=main.paired,
            margin_pct=margin_pct,
            min_effect_pct=min_effect_pct,
            confidence=confidence,
        )

    return Comparison(
        change_pct=main.change_pct,
        ci_low_pct=main.low_pct,
        ci_high_pct=main.high_pct,
        verdict=verdict,
        method=main.method,
        p_value=main.p_value,
        confidence=confidence,
        margin_pct=margin_pct,
        min_effect_pct=min_effect_pct,
        metric=metric,
        baseline=sum_b,
        candidate=sum_c,
        n_baseline=pb,
        n_candidate=pc,
        steady_state=counts,
        warnings=warnings,
        robust_verdict=robust_verdict,
        outlier_sensitive=outlier_sensitive,
        more_processes=more,
        resolution_hint=hint,
        t_interval=t_int,
        paired=paired,
        robust=robust,
        bootstrap={
            "n_resamples": n_resamples,
            "seed": seed,
            "inner": main.inner,
            "df": main.df,
            "expansion": main.expansion,
            "tail": expanded_tail(confidence, main.df, main.expansion)
            if main.df >= 1
            else math.nan,
        },
    )
