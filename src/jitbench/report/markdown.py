"""Findings as Markdown: from → to, the robust view, JIT-activity proof and the environment.

The output is a findings file as it stands: paste it into a pull request or save it next to the
result. Every number comes from the analysis (``jitbench.stats``); this module only lays it out.
"""

from __future__ import annotations

import math

from ..analysis import Analysis, BenchmarkComparison
from . import facts, fmt, jit


def _cell(text: object) -> str:
    """Table cell text: pipes escaped, newlines flattened."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def _table(header: tuple[str, ...], rows: list[tuple], align: str = "") -> list[str]:
    """A Markdown table; ``align`` holds one of 'l'/'r' per column (default left)."""
    marks = ["---:" if (align[i:i + 1] == "r") else "---" for i in range(len(header))]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(marks) + "|"]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return lines


def _title(analysis: Analysis, doc: dict) -> str:
    candidates = sorted({c.candidate for c in analysis.comparisons})
    if candidates:
        return f"### jitbench: {', '.join(candidates)} vs {analysis.baseline}"
    return f"### jitbench: {', '.join(doc['variants'])}"


def from_to_section(analysis: Analysis) -> list[str]:
    """Mean and median from → to, change, 95 % CI and verdict per comparison."""
    rows = []
    for c in analysis.comparisons:
        r = c.result
        verdict = f"**{r.verdict}**" + (" (outlier-sensitive)" if r.outlier_sensitive else "")
        rows.append((c.benchmark, c.candidate, fmt.from_to(r.baseline.mean, r.candidate.mean),
                     fmt.from_to(r.baseline.median, r.candidate.median), fmt.pct(r.change_pct),
                     fmt.ci(r.ci_low_pct, r.ci_high_pct), verdict))
    return _table(("benchmark", "candidate", "mean (from → to)", "median (from → to)", "change",
                   "95 % CI", "verdict"), rows, "llllrll")


def per_variant_section(analysis: Analysis) -> list[str]:
    """Processes, values, mean, median, stdev and trimmed mean per benchmark and variant."""
    rows = [(bench, variant, s.n_processes, s.n_values, fmt.seconds(s.mean), fmt.seconds(s.median),
             fmt.seconds(s.stdev), fmt.seconds(s.trimmed_mean))
            for (bench, variant), s in analysis.summaries.items()]
    return _table(("benchmark", "variant", "processes", "values", "mean", "median", "stdev",
                   "trimmed mean"), rows, "llrrrrrr")


def _num(x: object) -> float:
    return float(x) if isinstance(x, int | float) else math.nan


def _excluded(c: BenchmarkComparison) -> str:
    rob = c.result.robust
    b, k = rob.get("excluded_baseline") or [], rob.get("excluded_candidate") or []
    if not b and not k:
        return "none"
    return f"{len(b)} {c.baseline} / {len(k)} {c.candidate}"


def robust_section(analysis: Analysis) -> list[str]:
    """Robust verdict (without MAD-outlier processes), its CI, trimmed mean and median."""
    rows = []
    for c in analysis.comparisons:
        r = c.result
        rob = r.robust
        if rob.get("excluded_baseline") or rob.get("excluded_candidate"):
            ci = fmt.ci(_num(rob.get("low_pct")), _num(rob.get("high_pct")))
        else:
            ci = "(no outliers: as above)"
        rows.append((c.benchmark, c.candidate, r.verdict, f"**{r.robust_verdict}**",
                     "yes" if r.outlier_sensitive else "no", _excluded(c), ci,
                     fmt.from_to(r.baseline.trimmed_mean, r.candidate.trimmed_mean),
                     fmt.from_to(r.baseline.median, r.candidate.median)))
    return _table(("benchmark", "candidate", "verdict", "robust verdict", "outlier-sensitive",
                   "outlier processes excluded", "robust 95 % CI", "trimmed mean (from → to)",
                   "median (from → to)"), rows)


def jit_section(doc: dict) -> list[str]:
    """Per variant: what its processes' JIT records say (on/off, functions compiled, code bytes)."""
    rows = []
    for a in jit.activity(doc):
        rows.append((a.variant, a.kind or "—", a.mode or "—", jit.enabled_text(a),
                     jit.fmt_range(a.compiled_range),
                     jit.fmt_range(a.code_bytes_range, " B"), "; ".join(a.problems) or "none"))
    return _table(("variant", "kind", "mode", "JIT (processes)", "functions compiled per process",
                   "code bytes per process", "activity problems"), rows)


def environment_section(doc: dict) -> list[str]:
    """Host facts, then each variant's interpreter, revision, env and args."""
    lines = _table(("host", "value"), facts.host_rows(doc))
    lines += ["", *_table(facts.VARIANT_COLUMNS, facts.variant_rows(doc))]
    return lines


def _notes(analysis: Analysis) -> list[str]:
    notes = []
    for c in analysis.comparisons:
        r = c.result
        if r.verdict == "inconclusive" and r.resolution_hint:
            notes.append(f"{c.benchmark}/{c.candidate}: {r.resolution_hint}")
        notes.extend(f"{c.benchmark}/{c.candidate}: {w}" for w in r.warnings)
    notes.extend(analysis.skipped)
    return notes


def _method_line(analysis: Analysis, doc: dict) -> str:
    d = doc["design"]
    h = doc["host"]
    method = analysis.comparisons[0].result.method if analysis.comparisons else "n/a"
    return (f"Interleaved design, {d['processes']} processes per variant × {d['values']} values "
            f"({d['warmups']} warmups), seed {doc['seed']}; CIs count processes, not values "
            f"(method: {method}). Host {h.get('hostname')} ({h.get('machine')}, "
            f"{h.get('cpu_model')}). Result {doc['id']}, jitbench {doc['tool_version']}.")


def findings(analysis: Analysis, doc: dict) -> str:
    """The whole findings file: from → to, robust view, JIT activity, environment, method."""
    lines = [_title(analysis, doc), ""]
    if analysis.comparisons:
        lines += from_to_section(analysis)
    else:
        lines += per_variant_section(analysis)
    lines.append("")
    for name, s in analysis.suite.items():
        lines.append(f"Suite geometric mean, {name}: {fmt.pct(s.geomean_change_pct)} "
                     f"{fmt.ci(s.ci_low_pct, s.ci_high_pct)} ({s.verdict}).")
    notes = _notes(analysis)
    if notes:
        lines += ["", *[f"- {n}" for n in notes]]
    if analysis.comparisons:
        lines += ["", "#### Robust view", "",
                  "Verdicts recomputed without processes that are MAD outliers "
                  "(modified z > 3.5); a verdict that changes is outlier-sensitive.", "",
                  *robust_section(analysis)]
    lines += ["", "#### JIT activity", "", *jit_section(doc)]
    lines += ["", "#### Environment", "", *environment_section(doc)]
    lines += ["", _method_line(analysis, doc)]
    if analysis.failures:
        lines.append(f"{len(analysis.failures)} process(es) failed and are excluded.")
    if not doc.get("complete", True):
        lines.append("The experiment is incomplete (interrupted); only finished processes count.")
    return "\n".join(lines) + "\n"
