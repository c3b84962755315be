"""From an artifact to comparisons: pick processes per variant and benchmark, pair them by round,
and hand the numbers to ``jitbench.stats``. No statistics are computed here."""

from __future__ import annotations

from dataclasses import dataclass, field

from . import stats
from .errors import JitbenchError
from .results import ProcessView, failed_processes, processes_of


@dataclass(frozen=True)
class Options:
    """What the user asked of the analysis."""

    baseline: str | None = None
    candidates: tuple[str, ...] = ()
    margin_pct: float = 1.0
    min_effect_pct: float = 0.0
    metric: str = "steady"
    seed: int = 0
    n_resamples: int = 2000


@dataclass
class BenchmarkComparison:
    """One candidate against the baseline on one benchmark."""

    benchmark: str
    baseline: str
    candidate: str
    result: stats.Comparison
    failed_baseline: int = 0
    failed_candidate: int = 0


@dataclass
class Analysis:
    """Every comparison of an artifact, plus the suite view and the failures."""

    result_id: str
    baseline: str
    comparisons: list[BenchmarkComparison] = field(default_factory=list)
    summaries: dict[tuple[str, str], stats.Summary] = field(default_factory=dict)
    suite: dict[str, stats.SuiteSummary] = field(default_factory=dict)
    failures: list[dict] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def pairs_by_round(base: list[ProcessView], cand: list[ProcessView]) -> list[tuple[int, int]]:
    """(baseline index, candidate index) for processes that ran in the same interleaved round."""
    by_round = {p.round: i for i, p in enumerate(base)}
    return [(by_round[p.round], j) for j, p in enumerate(cand) if p.round in by_round]


def _metric_kwargs(base: list[ProcessView], cand: list[ProcessView]) -> dict:
    return {
        "baseline_first": [p.first for p in base],
        "candidate_first": [p.first for p in cand],
        "baseline_cold": [p.wall for p in base] if all(p.wall for p in base) else None,
        "candidate_cold": [p.wall for p in cand] if all(p.wall for p in cand) else None,
    }


def analyse(doc: dict, opts: Options) -> Analysis:
    """Compare every candidate variant with the baseline on every benchmark of the artifact."""
    variants = list(doc["variants"])
    baseline = opts.baseline or doc.get("baseline") or variants[0]
    if baseline not in doc["variants"]:
        raise JitbenchError(f"--baseline {baseline!r} is not a variant of result {doc['id']}; "
                            f"it has: {', '.join(variants)}")
    candidates = list(opts.candidates) or [v for v in variants if v != baseline]
    for c in candidates:
        if c not in doc["variants"]:
            raise JitbenchError(f"variant {c!r} is not in result {doc['id']}; "
                                f"it has: {', '.join(variants)}")
    out = Analysis(result_id=doc["id"], baseline=baseline, failures=failed_processes(doc))
    for bench in doc["benchmarks"]:
        views = {v: processes_of(doc, bench, v) for v in [baseline, *candidates]}
        for v, procs in views.items():
            if procs:
                out.summaries[(bench, v)] = stats.summarize([p.values for p in procs])
        base = views[baseline]
        for cand_name in candidates:
            cand = views[cand_name]
            if len(base) < 2 or len(cand) < 2:
                out.skipped.append(f"{bench}: {cand_name} vs {baseline}: fewer than 2 successful "
                                   "processes on a side; no comparison")
                continue
            result = stats.compare(
                [p.values for p in base], [p.values for p in cand],
                pairs=pairs_by_round(base, cand), margin_pct=opts.margin_pct,
                min_effect_pct=opts.min_effect_pct, n_resamples=opts.n_resamples,
                seed=opts.seed, metric=opts.metric, **_metric_kwargs(base, cand))
            out.comparisons.append(BenchmarkComparison(
                benchmark=bench, baseline=baseline, candidate=cand_name, result=result,
                failed_baseline=_failed(doc, bench, baseline),
                failed_candidate=_failed(doc, bench, cand_name)))
    for cand_name in candidates:
        mine = [c.result for c in out.comparisons if c.candidate == cand_name]
        if len(mine) >= 2:
            out.suite[cand_name] = stats.suite_summary(mine, seed=opts.seed,
                                                       n_resamples=opts.n_resamples)
    return out


def _failed(doc: dict, bench: str, variant: str) -> int:
    return sum(1 for p in doc["processes"]
               if p["benchmark"] == bench and p["variant"] == variant and p["status"] != "ok")


def to_json(analysis: Analysis, doc: dict, path: str | None) -> dict:
    """The ``--json`` document: one entry per comparison with the fields the docs promise."""
    comps = []
    for c in analysis.comparisons:
        stats_doc = c.result.to_dict()
        entry = {"benchmark": c.benchmark, "baseline": c.baseline, "candidate": c.candidate}
        # The per-side summaries keep their own keys so the variant names stay at the top level.
        entry["baseline_stats"] = stats_doc.pop("baseline")
        entry["candidate_stats"] = stats_doc.pop("candidate")
        entry.update(stats_doc)
        entry["failed_processes"] = {"baseline": c.failed_baseline, "candidate": c.failed_candidate}
        comps.append(entry)
    return {
        "result": path,
        "id": doc["id"],
        "complete": doc["complete"],
        "baseline": analysis.baseline,
        "comparisons": comps,
        "suite": {k: v.to_dict() for k, v in analysis.suite.items()},
        "failures": [{k: p.get(k) for k in ("slot", "benchmark", "variant", "error")}
                     for p in analysis.failures],
        "notes": analysis.skipped,
    }
