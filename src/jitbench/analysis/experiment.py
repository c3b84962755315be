"""From an artifact to comparisons: pick processes per variant and benchmark, pair them by round,
and hand the numbers to ``jitbench.stats``. No statistics are computed here."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from .. import stats
from ..errors import JitbenchError
from ..execute.emulation import refusal
from ..measures import resolution_pct
from ..results.artifact import ProcessView, failed_processes, measures_of, processes_of
from ..results.model import DesignRecord, ProcessRecord, Result
from .comparison import Comparison, compare
from .suite import SuiteSummary, suite_summary


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
    #: CI half-width (%) an inconclusive result's hint plans for (None: the margin).
    precision_pct: float | None = None
    # Which measures to compare (time, instructions, ...); None = every measure the result holds.
    measures: tuple[str, ...] | None = None


@dataclass
class BenchmarkComparison:
    """One candidate against the baseline on one benchmark."""

    benchmark: str
    baseline: str
    candidate: str
    result: Comparison
    failed_baseline: int = 0
    failed_candidate: int = 0
    #: The verdict after Holm's adjustment over this candidate's benchmarks (the verdict itself
    #: when the candidate has one benchmark).
    adjusted_verdict: str = ""
    measure: str = "time"


@dataclass
class HostComparison:
    """The same variant on two hosts, on one benchmark: ``host`` against ``reference_host``."""

    benchmark: str
    group: str  # the variant's name without its host
    reference_host: str
    host: str
    comparison: BenchmarkComparison


@dataclass
class Analysis:
    """Every comparison of an artifact, plus the suite view and the failures."""

    result_id: str
    baseline: str
    comparisons: list[BenchmarkComparison] = field(default_factory=list)
    summaries: dict[tuple[str, str], stats.Summary] = field(default_factory=dict)
    # (candidate, measure) → its suite: a candidate has one per measure with ≥ 2 benchmarks.
    suite: dict[tuple[str, str], SuiteSummary] = field(default_factory=dict)
    failures: list[ProcessRecord] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    # The same variant across hosts (variants with ``hosts = [...]``); empty on one host.
    cross_host: list[HostComparison] = field(default_factory=list)
    # (benchmark, variant) → successful processes measured while the host was busy.
    contaminated: dict[tuple[str, str], int] = field(default_factory=dict)
    busy_with: dict[str, float] = field(default_factory=dict)  # foreign process → most cores seen
    # The host's own noise over the run: a canary between processes, swings inside processes.
    host_noise: stats.HostNoise | None = None
    # Δinstructions and Δtime per instruction, where both time and instructions were measured.
    mechanisms: list = field(default_factory=list)


def pairs_by_round(base: list[ProcessView], cand: list[ProcessView]) -> list[tuple[int, int]]:
    """(baseline index, candidate index) for processes that ran in the same interleaved round."""
    by_round = {p.round: i for i, p in enumerate(base)}
    return [(by_round[p.round], j) for j, p in enumerate(cand) if p.round in by_round]


def compare_views(
    base: list[ProcessView], cand: list[ProcessView], opts: Options, metric: str, **extra
) -> Comparison:
    """``compare`` of two variants' processes (paired by round) under the analysis options."""
    return compare(
        [p.values for p in base],
        [p.values for p in cand],
        pairs=pairs_by_round(base, cand),
        margin_pct=opts.margin_pct,
        min_effect_pct=opts.min_effect_pct,
        n_resamples=opts.n_resamples,
        seed=opts.seed,
        metric=metric,
        **extra,
    )


def _metric_kwargs(base: list[ProcessView], cand: list[ProcessView]) -> dict:
    return {
        "baseline_first": [p.first for p in base],
        "candidate_first": [p.first for p in cand],
        "baseline_cold": [p.wall for p in base] if all(p.wall for p in base) else None,
        "candidate_cold": [p.wall for p in cand] if all(p.wall for p in cand) else None,
    }


def analyse(doc: Result, opts: Options) -> Analysis:
    """Compare every candidate variant with the baseline on every benchmark of the artifact."""
    baseline, candidates = _chosen(doc, opts)
    if doc.jit_only:
        # Run for what the JIT compiled (e.g. code emulated for another architecture): no times.
        return Analysis(
            result_id=doc.id,
            baseline=baseline,
            failures=failed_processes(doc),
            skipped=[
                "JIT only (run with --jit-only): no time verdict; what the "
                "JIT compiled: jitbench jit RESULT"
            ],
        )
    for name in dict.fromkeys([baseline, *candidates]):
        emulated = (doc.variants[name].facts or {}).get("emulation")
        if emulated:
            raise JitbenchError(refusal(name, emulated))
    out = Analysis(result_id=doc.id, baseline=baseline, failures=failed_processes(doc))
    measures = _measures(doc, opts)
    for bench in doc.benchmarks:
        references = [reference_of(doc, baseline, c, opts) for c in candidates]
        views = {
            v: processes_of(doc, bench, v)
            for v in dict.fromkeys(
                [baseline, *references, *candidates, *_host_peers(doc, baseline)]
            )
        }
        _summarise_views(out, bench, views)
        _compare_benchmark(out, doc, bench, baseline, candidates, measures, views, opts)
        out.cross_host.extend(_cross_host(doc, bench, opts, out.skipped))
    out.host_noise = _host_noise(doc)
    if "time" in measures and "instructions" in measures:
        from .mechanism import decompose

        out.mechanisms = decompose(doc, out.comparisons, opts)
    _summarise_suite(out, candidates, measures, opts)
    _adjust(out)
    return out


def _chosen(doc: Result, opts: Options) -> tuple[str, list[str]]:
    """(baseline, candidates) the options ask for, each checked to be a variant of ``doc``."""
    variants = list(doc.variants)
    baseline = opts.baseline or doc.baseline or variants[0]
    if baseline not in doc.variants:
        raise JitbenchError(
            f"--baseline {baseline!r} is not a variant of result {doc.id}; "
            f"it has: {', '.join(variants)}"
        )
    candidates = list(opts.candidates) or default_candidates(doc, baseline, opts)
    for c in candidates:
        if c not in doc.variants:
            raise JitbenchError(
                f"variant {c!r} is not in result {doc.id}; it has: {', '.join(variants)}"
            )
    return baseline, candidates


def _summarise_views(out: Analysis, bench: str, views: dict) -> None:
    """Each variant's summary on ``bench``, its contaminated processes and what kept the host busy."""
    for v, procs in views.items():
        if procs:
            out.summaries[(bench, v)] = stats.summarize([p.values for p in procs])
        hot = [p.record for p in procs if p.record.contaminated]
        if hot:
            out.contaminated[(bench, v)] = len(hot)
        for rec in hot:
            for top in (rec.host_load or {}).get("top", []):
                out.busy_with[top["name"]] = max(out.busy_with.get(top["name"], 0.0), top["cores"])


def _compare_benchmark(
    out: Analysis,
    doc: Result,
    bench: str,
    baseline: str,
    candidates: list[str],
    measures: list[str],
    views: dict,
    opts: Options,
) -> None:
    """Every candidate against its reference on ``bench``, on every measure."""
    for cand_name in candidates:
        base_name = reference_of(doc, baseline, cand_name, opts)
        for measure in measures:
            compared = _compare(
                doc,
                bench,
                base_name,
                cand_name,
                views if measure == "time" else {},
                opts,
                out.skipped,
                measure=measure,
            )
            if compared is not None:
                out.comparisons.append(compared)


def _summarise_suite(
    out: Analysis, candidates: list[str], measures: list[str], opts: Options
) -> None:
    """A suite summary per candidate and measure compared on two benchmarks or more."""
    for cand_name in candidates:
        for measure in measures:
            mine = [
                c.result
                for c in out.comparisons
                if c.candidate == cand_name and c.measure == measure
            ]
            if len(mine) >= 2:
                out.suite[(cand_name, measure)] = suite_summary(
                    mine, seed=opts.seed, n_resamples=opts.n_resamples, measure=measure
                )


def default_candidates(doc: Result, baseline: str, opts: Options) -> list[str]:
    """Every variant but the baseline, except references: a variant that others name in
    ``against`` is compared only when it names a reference of its own (or ``--baseline``)."""
    recs = doc.variants
    references = set() if opts.baseline else {r.against for r in recs.values()} - {None}
    return [v for v in recs if v != baseline and (v not in references or recs[v].against)]


def reference_of(doc: Result, baseline: str, candidate: str, opts: Options) -> str:
    """What ``candidate`` is compared with: ``--baseline`` when given, else its ``against``,
    else the baseline (on several hosts: the baseline on the candidate's own host)."""
    against = doc.variants[candidate].against
    if against and not opts.baseline and against in doc.variants:
        return against
    return same_host_baseline(doc, baseline, candidate)


def _host_noise(doc: Result) -> stats.HostNoise | None:
    """The run's host noise from its canary timings and its processes' levels."""
    ok = [p for p in doc.processes if p.ok and p.values_ns]
    if not ok:
        return None
    states = stats.steady_states([np.asarray(p.values_ns, dtype=np.float64) for p in ok])
    levels = []
    for p, st in zip(ok, states, strict=True):
        bounds = [0, *st.changepoints, st.n_values]
        lengths = [b - a for a, b in zip(bounds, bounds[1:], strict=False)]
        levels.append(stats.ProcessLevels(p.slot, list(st.segment_means), lengths))
    canaries = {p.slot: p.canary_ns for p in ok if p.canary_ns}
    return stats.host_noise(canaries, levels, {p.slot: p.host or "" for p in ok})


def host_noise_line(analysis: Analysis) -> str | None:
    """``host noise ±X % during this run ...`` with the advice that fits, or None."""
    n = analysis.host_noise
    if n is None or not math.isfinite(n.pct):
        return None
    hit = sorted(set(n.affected_slots) | set(n.swinging_slots))
    where = (
        f"; {len(hit)} process(es) ran while the host's speed moved (slots "
        f"{', '.join(map(str, hit[:8]))}{', …' if len(hit) > 8 else ''})"
        if hit
        else ""
    )
    if n.pct < 2.0:
        advice = "a quiet host"
    elif n.pct < 10.0:
        advice = "interleaving cancels most of it; more processes narrow the CI"
    else:
        advice = (
            "more processes, a quieter host (see jitbench doctor), or a deterministic "
            "metric (instruction counts)"
        )
    parts = [
        f"{what} ±{x:.1f} %"
        for what, x in (
            ("canary between processes", n.canary_pct),
            ("level swings inside processes", n.within_pct),
        )
        if math.isfinite(x)
    ]
    return f"host noise ±{n.pct:.1f} % during this run ({'; '.join(parts)}){where}: {advice}"


def _adjust(out: Analysis) -> None:
    """Each comparison's Holm-adjusted verdict, from its candidate's suite on its measure."""
    position: dict[tuple[str, str], int] = {}
    for c in out.comparisons:
        key = (c.candidate, c.measure)
        suite = out.suite.get(key)
        k = position.get(key, 0)
        position[key] = k + 1
        c.adjusted_verdict = suite.adjusted_verdicts[k] if suite else c.result.verdict


def _measures(doc: Result, opts: Options) -> list[str]:
    """Time first (when asked for), then the counted measures."""
    held = measures_of(doc)
    if opts.measures is None:
        return held
    missing = [m for m in opts.measures if m not in held]
    if missing:
        raise JitbenchError(
            f"--measure {missing[0]}: result {doc.id} holds no "
            f"{missing[0]} counts (it has: {', '.join(held)}); run with "
            f"--measure {','.join(opts.measures)}"
        )
    return [m for m in held if m in opts.measures]


def _counted_here(design: DesignRecord, bench: str, variants: tuple[str, ...]) -> bool:
    """Whether the design planned counted processes of this benchmark for these variants."""
    benches, chosen = design.instrumented_benchmarks, design.instrumented_variants
    return (benches is None or bench in benches) and (
        chosen is None or all(v in chosen for v in variants)
    )


def _compare(
    doc: Result,
    bench: str,
    base_name: str,
    cand_name: str,
    views: dict[str, list[ProcessView]],
    opts: Options,
    skipped: list[str],
    measure: str = "time",
) -> BenchmarkComparison | None:
    """One candidate against one baseline on one benchmark, or a note why not."""
    for name in (base_name, cand_name):
        if name not in views:
            views[name] = processes_of(doc, bench, name, measure=measure)
    base, cand = views[base_name], views[cand_name]
    what = "" if measure == "time" else f" ({measure})"
    planned = _counted_here(doc.design, bench, (base_name, cand_name))
    if measure != "time" and not planned and not (base and cand):
        return None  # the design counts elsewhere (e.g. one benchmark): nothing went missing
    if len(base) < 2 or len(cand) < 2:
        skipped.append(
            f"{bench}: {cand_name} vs {base_name}{what}: fewer than 2 successful "
            "processes on a side; no comparison"
        )
        return None
    if measure != "time" and opts.metric in ("first", "cold"):
        raise JitbenchError(
            f"--metric {opts.metric} compares times of single iterations or "
            f"whole processes; {measure} are counted per measured value only: "
            "use --metric steady or mean"
        )
    floor = resolution_pct(measure)
    if floor > opts.min_effect_pct:
        opts = replace(opts, min_effect_pct=floor)
    result = compare_views(
        base,
        cand,
        opts,
        opts.metric,
        precision_pct=opts.precision_pct,
        **(_metric_kwargs(base, cand) if measure == "time" else {}),
    )
    return BenchmarkComparison(
        benchmark=bench,
        baseline=base_name,
        candidate=cand_name,
        result=result,
        failed_baseline=_failed(doc, bench, base_name),
        failed_candidate=_failed(doc, bench, cand_name),
        measure=measure,
    )


def host_groups(doc: Result) -> dict[str, list[tuple[str, str]]]:
    """Variants spread over hosts: group → [(host, variant)], hosts in the order configured."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for name, rec in doc.variants.items():
        if rec.group:
            groups.setdefault(rec.group, []).append((rec.host or "local", name))
    return {g: members for g, members in groups.items() if len(members) >= 2}


def _host_peers(doc: Result, variant: str) -> list[str]:
    group = doc.variants[variant].group
    return [name for _, name in host_groups(doc).get(group or "", [])]


def same_host_baseline(doc: Result, baseline: str, candidate: str) -> str:
    """The baseline's variant on the candidate's host when there is one, else the baseline."""
    host = doc.variants[candidate].host
    for peer in _host_peers(doc, baseline):
        if peer != candidate and doc.variants[peer].host == host:
            return peer
    return baseline


def _cross_host(doc: Result, bench: str, opts: Options, skipped: list[str]) -> list[HostComparison]:
    """Each group's variant on every host against the same variant on the first host."""
    out = []
    views: dict[str, list[ProcessView]] = {}
    for group, members in host_groups(doc).items():
        (ref_host, ref), *others = members
        for host, name in others:
            compared = _compare(doc, bench, ref, name, views, opts, skipped)
            if compared is not None:
                out.append(
                    HostComparison(
                        benchmark=bench,
                        group=group,
                        reference_host=ref_host,
                        host=host,
                        comparison=compared,
                    )
                )
    return out


def _failed(doc: Result, bench: str, variant: str) -> int:
    return sum(
        1
        for p in doc.processes
        if p.benchmark == bench and p.variant == variant and not p.ok and p.timed
    )


def to_json(analysis: Analysis, doc: Result, path: str | None) -> dict:
    """The ``--json`` document: one entry per comparison with the fields the docs promise."""
    comps = []
    for c in analysis.comparisons:
        stats_doc = c.result.to_dict()
        entry: dict[str, Any] = {
            "benchmark": c.benchmark,
            "baseline": c.baseline,
            "candidate": c.candidate,
            "measure": c.measure,
        }
        # The per-side summaries keep their own keys so the variant names stay at the top level.
        entry["baseline_stats"] = stats_doc.pop("baseline")
        entry["candidate_stats"] = stats_doc.pop("candidate")
        entry.update(stats_doc)
        entry["failed_processes"] = {"baseline": c.failed_baseline, "candidate": c.failed_candidate}
        comps.append(entry)
    cross = []
    for h in analysis.cross_host:
        r = h.comparison.result
        cross.append(
            {
                "benchmark": h.benchmark,
                "variant": h.group,
                "reference_host": h.reference_host,
                "host": h.host,
                "baseline": h.comparison.baseline,
                "candidate": h.comparison.candidate,
                "change_pct": r.change_pct,
                "ci_low_pct": r.ci_low_pct,
                "ci_high_pct": r.ci_high_pct,
                "verdict": r.verdict,
                "summary": host_phrase(h),
            }
        )
    return {
        "result": path,
        "id": doc.id,
        "complete": doc.complete,
        "baseline": analysis.baseline,
        "comparisons": comps,
        "cross_host": cross,
        "host_noise": analysis.host_noise.to_dict() if analysis.host_noise else None,
        "contaminated": [
            {"benchmark": b, "variant": v, "processes": n}
            for (b, v), n in analysis.contaminated.items()
        ],
        "suite": [
            {"candidate": cand, **s.to_dict()} for (cand, _measure), s in analysis.suite.items()
        ],
        "mechanism": [m.to_dict() for m in analysis.mechanisms],
        "failures": [
            {"slot": p.slot, "benchmark": p.benchmark, "variant": p.variant, "error": p.error}
            for p in analysis.failures
        ],
        "notes": analysis.skipped,
    }


def host_phrase(h: HostComparison) -> str:
    """``arm faster by 51.8 %``: the candidate host against the reference host, in words."""
    r = h.comparison.result
    if r.verdict in ("faster", "slower"):
        return f"{h.host} {r.verdict} by {abs(r.change_pct):.1f} %"
    if r.verdict == "equivalent":
        return f"{h.host} and {h.reference_host} equivalent"
    return f"{h.host} vs {h.reference_host}: no clear difference yet"
