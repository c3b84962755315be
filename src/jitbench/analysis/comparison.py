"""Compare two variants of one benchmark: ratio of means, its CI, a verdict, and what to trust.

This composes the pure maths of :mod:`jitbench.stats` into one comparison: the verdict interval,
the bootstrap cross-check, the robust re-analysis without outlier processes, the drift of the
baseline, the warnings and the planning hint.

The verdict interval is a t-interval of log(ratio of means) over one value per process (the
process is the unit): paired over rounds when pairs are given and complete (drift common to a
round cancels; R - 1 degrees of freedom), else Welch's over independent sides. When the
processes settle at separate *levels* (see :mod:`jitbench.stats.levels`), the uncertainty of each side's level
mix is a lower bound of its variance, so a few processes that happen to sit at one level cannot
give a tight interval. The p-value comes from the same t statistic, so it agrees with the CI
exactly and has no Monte Carlo floor (Holm keeps large effects). The hierarchical bootstrap
(:mod:`jitbench.stats.bootstrap`) is reported as a cross-check; any disagreement of verdicts is a warning.

``compare`` runs small steps, each returning a typed part (see :mod:`jitbench.stats.parts`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np

from ..stats.descriptive import Summary, as_series, outlier_indexes, summarize
from ..stats.levels import Level
from ..stats.parts import (
    METRICS,
    CrossCheck,
    Interval,
    LevelsPart,
    MetricValues,
    bootstrap_check,
    drift_check,
    find_levels,
    metric_values,
    t_interval,
)
from ..stats.verdict import decide, resolution

__all__ = [
    "ADAPTIVE_MIN_ROUNDS",
    "METRICS",
    "Comparison",
    "ci_halfwidth_pct",
    "compare",
]

#: Fewer processes per side than this earns a warning (intervals from 2-4 units are fragile).
MIN_PROCESSES = 5


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


def _levels_from(d: dict[str, Any]) -> dict[str, list[Level]]:
    return {
        side: [Level(float(lv["center"]), [int(i) for i in lv["processes"]]) for lv in levels]
        for side, levels in d.items()
    }


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
    #: Two-sided p-value of "no change" from the CI's own t statistic (used by Holm).
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
    #: ≈ more processes per side for the planned precision (None otherwise / unknown).
    more_processes: int | None
    resolution_hint: str
    #: With pairs: n_pairs, whether they drive the verdict, drift of the baseline; else None.
    paired: dict[str, Any] | None
    #: The robust re-analysis: excluded processes, its CI.
    robust: dict[str, Any] = field(default_factory=dict)
    #: Cross-check: the hierarchical bootstrap's interval and verdict, and its details.
    bootstrap: dict[str, Any] = field(default_factory=dict)
    #: Degrees of freedom of the verdict interval.
    df: float = math.nan
    #: Per side, the levels its processes settled at: {"baseline": [Level, ...], ...}.
    levels: dict[str, list[Level]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able types (no numpy, no NaN: non-finite numbers become None)."""
        d = asdict(self)
        d["baseline"] = self.baseline.to_dict()
        d["candidate"] = self.candidate.to_dict()
        d["levels"] = {k: [lv.to_dict() for lv in v] for k, v in self.levels.items()}
        return dict(_clean(d))

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Comparison:
        """Inverse of :meth:`to_dict` (so a suite can be summarised from stored results)."""
        more = d.get("more_processes")
        boot = dict(d.get("bootstrap") or {})
        old_t = d.get("t_interval") or {}
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
            paired=None if d.get("paired") is None else dict(d["paired"]),
            robust=dict(d.get("robust", {})),
            bootstrap=boot,
            # Results written before the t-interval drove the verdict stored df elsewhere.
            df=_nan(d.get("df", boot.get("df", old_t.get("df")))),
            levels=_levels_from(d.get("levels") or {}),
        )


def ci_halfwidth_pct(c: Comparison) -> float:
    """Half-width of the verdict CI on the log scale, in % (100 · t · se); inf when there is none.

    On the log scale a slowdown and the equal speed-up need the same precision. For adaptive
    runs: add processes until this is small enough (precision), never until the verdict turns
    significant: stopping on significance makes false positives likely.
    """
    if not (math.isfinite(c.ci_low_pct) and math.isfinite(c.ci_high_pct)):
        return math.inf
    return 50.0 * (math.log1p(c.ci_high_pct / 100.0) - math.log1p(c.ci_low_pct / 100.0))


#: Adaptive runs never stop before this many rounds: a spread estimated from fewer rounds is too
#: often small by chance, and stopping on it selects optimistic intervals (coverage measured in
#: tests/stats/test_adaptive_coverage.py).
ADAPTIVE_MIN_ROUNDS = 10


def _pairs_array(pairs: Sequence[tuple[int, int]] | None, pb: int, pc: int) -> np.ndarray | None:
    if pairs is None:
        return None
    arr = np.asarray(list(pairs), dtype=np.int64).reshape(-1, 2)
    if arr.size and (arr.min() < 0 or arr[:, 0].max() >= pb or arr[:, 1].max() >= pc):
        raise ValueError("pairs: process index out of range")
    if len(set(arr[:, 0].tolist())) < len(arr) or len(set(arr[:, 1].tolist())) < len(arr):
        raise ValueError("pairs: a process appears in more than one pair")
    return arr


def _check_arguments(
    metric: str, confidence: float, n_resamples: int, margin_pct: float, min_effect_pct: float
) -> None:
    if metric not in METRICS:
        raise ValueError(f"metric must be one of {METRICS}, got {metric!r}")
    if not 0.0 < confidence < 1.0:
        raise ValueError("confidence must be between 0 and 1")
    if n_resamples < 100:
        raise ValueError("n_resamples must be at least 100")
    if margin_pct < 0.0 or min_effect_pct < 0.0:
        raise ValueError("margin_pct and min_effect_pct must be >= 0")


def _processes(values: Sequence[np.ndarray], side: str) -> list[np.ndarray]:
    out = [as_series(p, f"{side} process {i}") for i, p in enumerate(values)]
    for i, a in enumerate(out):
        if np.any(a <= 0.0):
            raise ValueError(f"{side} process {i}: times must be positive")
    return out


def _within_level_outliers(values: np.ndarray, labels: np.ndarray) -> list[int]:
    """MAD outliers judged inside each level, so the rule never removes a whole level."""
    out: list[int] = []
    for level in np.unique(labels):
        idx = np.flatnonzero(labels == level)
        out += [int(idx[i]) for i in outlier_indexes(values[idx])]
    return sorted(out)


def _summaries(
    base: list[np.ndarray],
    cand: list[np.ndarray],
    mv: MetricValues,
    lv: LevelsPart,
    extra: dict[str, Any],
) -> tuple[Summary, Summary]:
    """Each side's Summary, with outliers judged within levels."""
    out = []
    for side, arrays, vals, labels in (
        ("baseline", base, mv.baseline, lv.labels_baseline),
        ("candidate", cand, mv.candidate, lv.labels_candidate),
    ):
        s = summarize(
            arrays,
            first_iteration=extra[f"{side}_first"],
            cold_start=extra[f"{side}_cold"],
            process_values=vals.tolist(),
            steady_state=mv.steady_state[side],
        )
        out.append(replace(s, outlier_processes=_within_level_outliers(vals, labels)))
    return out[0], out[1]


def _verdict(i: Interval, margin_pct: float, min_effect_pct: float) -> str:
    return decide(
        i.change_pct, i.low_pct, i.high_pct, margin_pct=margin_pct, min_effect_pct=min_effect_pct
    )


def _robust(
    mv: MetricValues,
    pairs: np.ndarray | None,
    out_b: list[int],
    out_c: list[int],
    confidence: float,
) -> tuple[Interval | None, dict[str, Any]]:
    """The verdict interval without outlier processes; paired designs drop whole rounds."""
    if not out_b and not out_c:
        return None, {"excluded_baseline": [], "excluded_candidate": []}
    if pairs is not None:
        kept = np.array([(b, c) for b, c in pairs if b not in out_b and c not in out_c])
        kept = kept.reshape(-1, 2)
        drop_b = sorted(set(range(mv.baseline.size)) - set(kept[:, 0].tolist()))
        drop_c = sorted(set(range(mv.candidate.size)) - set(kept[:, 1].tolist()))
        vb, vc = mv.baseline[kept[:, 0]], mv.candidate[kept[:, 1]]
        new_pairs: np.ndarray | None = np.column_stack([np.arange(len(kept))] * 2)
    else:
        drop_b, drop_c = list(out_b), list(out_c)
        vb = np.delete(mv.baseline, out_b)
        vc = np.delete(mv.candidate, out_c)
        new_pairs = None
    excluded: dict[str, Any] = {"excluded_baseline": drop_b, "excluded_candidate": drop_c}
    if min(vb.size, vc.size) < 2:
        return None, excluded
    return t_interval(vb, vc, new_pairs, find_levels(vb, vc), confidence), excluded


def _robust_part(
    mv: MetricValues,
    pairs: np.ndarray | None,
    summaries: tuple[Summary, Summary],
    verdict: str,
    rules: tuple[float, float, float],
) -> tuple[str, dict[str, Any]]:
    """(robust verdict, robust dict) for the Comparison."""
    margin, min_effect, confidence = rules
    out_b, out_c = summaries[0].outlier_processes, summaries[1].outlier_processes
    rob, robust = _robust(mv, pairs, out_b, out_c, confidence)
    if not robust["excluded_baseline"] and not robust["excluded_candidate"]:
        robust["verdict"] = verdict
        return verdict, robust
    if rob is None:
        robust.update(change_pct=math.nan, low_pct=math.nan, high_pct=math.nan)
        robust["verdict"] = "inconclusive"
    else:
        robust.update(change_pct=rob.change_pct, low_pct=rob.low_pct, high_pct=rob.high_pct)
        robust["verdict"] = _verdict(rob, margin, min_effect)
    return str(robust["verdict"]), robust


def _paired_part(
    mv: MetricValues, pairs: np.ndarray | None, complete: bool, half: float
) -> tuple[dict[str, Any] | None, list[str]]:
    """Pairing facts and the drift of the baseline over the rounds, with warnings."""
    if pairs is None:
        return None, []
    if pairs.shape[0] < 2:
        return None, ["fewer than 2 pairs: no paired analysis"]
    d = drift_check(np.log(mv.baseline[pairs[:, 0]]), half)
    warnings = []
    if d["material"]:
        note = "the paired analysis cancels it" if complete else "pairs are incomplete"
        warnings.append(
            f"baseline drifted {d['over_run_pct']:+.2f} % over the run"
            f" ({d['pct_per_round']:+.3f} % per round); {note}"
        )
    return {"n_pairs": int(pairs.shape[0]), "drives_verdict": complete, "drift": d}, warnings


def _design_warnings(
    pair_arr: np.ndarray | None, pb: int, pc: int, lv: LevelsPart, n: int
) -> list[str]:
    warnings = []
    if pair_arr is not None and not (pair_arr.shape[0] == pb == pc and pb >= 2):
        warnings.append(
            f"{pair_arr.shape[0]} pairs do not cover all {pb} + {pc} processes;"
            " the unpaired interval drives the verdict"
        )
    if n < MIN_PROCESSES:
        warnings.append(
            f"only {n} process(es) on one side; intervals from fewer than"
            f" {MIN_PROCESSES} processes are wide"
        )
    if len(lv.baseline) > 1 or len(lv.candidate) > 1:
        mix = (
            "; the change depends on how often each level occurs, and the CI carries that"
            " uncertainty"
            if lv.mix_differs
            else ""
        )
        warnings.append(
            f"processes settle at different levels (baseline: {lv.describe('baseline')};"
            f" candidate: {lv.describe('candidate')}){mix}"
        )
    return warnings


def _cross_check_warning(check: CrossCheck, verdict: str) -> list[str]:
    if check.verdict == verdict:
        return []
    return [
        f"the bootstrap cross-check says {check.verdict} [{check.low_pct:+.1f} %,"
        f" {check.high_pct:+.1f} %], the t-interval {verdict}"
    ]


@dataclass(frozen=True)
class Rules:
    """What the user asked of a comparison: verdict rules and the precision to plan for."""

    margin_pct: float
    min_effect_pct: float
    confidence: float
    precision_pct: float | None = None

    def verdict(self, i: Interval) -> str:
        """The verdict of an interval under these rules."""
        return _verdict(i, self.margin_pct, self.min_effect_pct)


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
    precision_pct: float | None = None,
    baseline_first: Sequence[float] | None = None,
    candidate_first: Sequence[float] | None = None,
    baseline_cold: Sequence[float] | None = None,
    candidate_cold: Sequence[float] | None = None,
) -> Comparison:
    """Compare candidate with baseline; one array of seconds per iteration per process.

    ``pairs`` lists (baseline index, candidate index) of processes run in the same round, in
    round order. ``metric``: "steady", "mean", "first" / "cold" (one time per process, passed
    separately). ``precision_pct`` (default: the margin) is the CI half-width the hint plans for.
    """
    _check_arguments(metric, confidence, n_resamples, margin_pct, min_effect_pct)
    base, cand = _processes(baseline, "baseline"), _processes(candidate, "candidate")
    if not base or not cand:
        raise ValueError("each variant needs at least one process")
    extra = {
        "baseline_first": baseline_first,
        "candidate_first": candidate_first,
        "baseline_cold": baseline_cold,
        "candidate_cold": candidate_cold,
    }
    parts = _Parts(
        base,
        cand,
        _pairs_array(pairs, len(base), len(cand)),
        metric_values(base, cand, metric, extra),
    )
    rules = Rules(margin_pct, min_effect_pct, confidence, precision_pct)
    return _analyse(parts, extra, rules, n_resamples, seed, metric)


@dataclass(frozen=True)
class _Parts:
    """The validated inputs of one comparison."""

    base: list[np.ndarray]
    cand: list[np.ndarray]
    pairs: np.ndarray | None
    mv: MetricValues

    @property
    def complete(self) -> bool:
        """Pairs cover every process of both sides (then they drive the verdict)."""
        pb, pc = len(self.base), len(self.cand)
        return self.pairs is not None and self.pairs.shape[0] == pb == pc and pb >= 2


def _analyse(
    parts: _Parts, extra: dict[str, Any], rules: Rules, n_resamples: int, seed: int, metric: str
) -> Comparison:
    """The steps of a comparison, each a typed part, assembled into a Comparison."""
    mv, pair_arr = parts.mv, parts.pairs
    driving = pair_arr if parts.complete else None
    lv = find_levels(mv.baseline, mv.candidate)
    main = t_interval(mv.baseline, mv.candidate, driving, lv, rules.confidence)
    verdict = rules.verdict(main)
    check = bootstrap_check(mv, driving, rules.confidence, n_resamples, seed)
    check = replace(check, verdict=rules.verdict(check.interval))
    half = (main.high_pct - main.low_pct) / 2.0
    paired, drift_warnings = _paired_part(mv, pair_arr, parts.complete, half)
    sums = _summaries(parts.base, parts.cand, mv, lv, extra)
    robust_verdict, robust = _robust_part(
        mv, driving, sums, verdict, (rules.margin_pct, rules.min_effect_pct, rules.confidence)
    )
    pb, pc = len(parts.base), len(parts.cand)
    warnings = [*mv.warnings, *_design_warnings(pair_arr, pb, pc, lv, min(pb, pc))]
    warnings += drift_warnings + _cross_check_warning(check, verdict)
    if robust_verdict != verdict:
        warnings.append(
            f"outlier-sensitive: without MAD-outlier processes the verdict is {robust_verdict}"
        )
    more, hint = (None, "")
    if verdict == "inconclusive":
        more, hint = resolution(
            main,
            margin_pct=rules.margin_pct,
            confidence=rules.confidence,
            precision_pct=rules.precision_pct,
            min_effect_pct=rules.min_effect_pct,
        )
    return Comparison(
        change_pct=main.change_pct,
        ci_low_pct=main.low_pct,
        ci_high_pct=main.high_pct,
        verdict=verdict,
        method=main.method,
        p_value=main.p_value,
        confidence=rules.confidence,
        margin_pct=rules.margin_pct,
        min_effect_pct=rules.min_effect_pct,
        metric=metric,
        baseline=sums[0],
        candidate=sums[1],
        n_baseline=pb,
        n_candidate=pc,
        steady_state=mv.steady_state,
        warnings=warnings,
        robust_verdict=robust_verdict,
        outlier_sensitive=robust_verdict != verdict,
        more_processes=more,
        resolution_hint=hint,
        paired=paired,
        robust=robust,
        bootstrap=check.to_dict(),
        df=main.df,
        levels={"baseline": lv.baseline, "candidate": lv.candidate},
    )
