"""Findings as Markdown: the from → to table, ready to paste into a pull request."""

from __future__ import annotations

from ..analysis import Analysis
from . import fmt


def findings(analysis: Analysis, doc: dict) -> str:
    """A from → to table with mean, median, change, CI and verdict, plus how it was measured."""
    d = doc["design"]
    lines = [
        f"### jitbench: {', '.join(sorted({c.candidate for c in analysis.comparisons}))} "
        f"vs {analysis.baseline}",
        "",
        "| benchmark | candidate | mean (from → to) | median (from → to) | change | 95 % CI | verdict |",
        "|---|---|---|---|---:|---|---|",
    ]
    for c in analysis.comparisons:
        r = c.result
        verdict = f"**{r.verdict}**" + (" (outlier-sensitive)" if r.outlier_sensitive else "")
        lines.append(
            f"| {c.benchmark} | {c.candidate} | {fmt.from_to(r.baseline.mean, r.candidate.mean)} "
            f"| {fmt.from_to(r.baseline.median, r.candidate.median)} | {fmt.pct(r.change_pct)} "
            f"| {fmt.ci(r.ci_low_pct, r.ci_high_pct)} | {verdict} |")
    lines.append("")
    for name, s in analysis.suite.items():
        lines.append(f"Suite geometric mean, {name}: {fmt.pct(s.change_pct)} "
                     f"{fmt.ci(s.ci_low_pct, s.ci_high_pct)}.")
    notes = []
    for c in analysis.comparisons:
        r = c.result
        if r.verdict == "inconclusive" and r.resolution_hint:
            notes.append(f"{c.benchmark}/{c.candidate}: {r.resolution_hint}")
        notes.extend(f"{c.benchmark}/{c.candidate}: {w}" for w in r.warnings)
    if notes:
        lines += ["", *[f"- {n}" for n in notes]]
    h = doc["host"]
    lines += [
        "",
        f"Interleaved design, {d['processes']} processes per variant × {d['values']} values "
        f"({d['warmups']} warmups), seed {doc['seed']}; CIs count processes, not values "
        f"(method: {analysis.comparisons[0].result.method if analysis.comparisons else 'n/a'}). "
        f"Host {h.get('hostname')} ({h.get('machine')}, {h.get('cpu_model')}). "
        f"Result {doc['id']}, jitbench {doc['tool_version']}.",
    ]
    if analysis.failures:
        lines.append(f"{len(analysis.failures)} process(es) failed and are excluded.")
    return "\n".join(lines) + "\n"
