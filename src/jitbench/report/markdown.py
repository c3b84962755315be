"""Findings as Markdown: from → to, the robust view, JIT-activity proof and the environment.

The output is a findings file as it stands: paste it into a pull request or save it next to the
result. Every number comes from the analysis (``jitbench.stats``); this module only lays it out.
"""

from __future__ import annotations

import math

from ..analysis.experiment import Analysis, BenchmarkComparison, host_noise_line
from ..results.model import Result
from . import facts, fmt, jit
from . import rows as tables


def _cell(text: object) -> str:
    """Table cell text: pipes escaped, newlines flattened."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def _table(header: tuple[str, ...], rows: list[tuple], align: str = "") -> list[str]:
    """A Markdown table; ``align`` holds one of 'l'/'r' per column (default left)."""
    marks = ["---:" if (align[i : i + 1] == "r") else "---" for i in range(len(header))]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(marks) + "|"]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return lines


def _title(analysis: Analysis, doc: Result) -> str:
    candidates = sorted({c.candidate for c in analysis.comparisons})
    if candidates:
        refs = sorted({c.baseline for c in analysis.comparisons})
        return f"### jitbench: {', '.join(candidates)} vs {', '.join(refs)}"
    return f"### jitbench: {', '.join(doc.variants)}"


MARKDOWN_COLUMNS = tables.COMPARISON_COLUMNS


def _render(table: tables.Table) -> list[str]:
    """A Markdown table of ``table``: the verdict in bold, numbers right-aligned."""
    cells = [
        tuple(
            f"**{c}**" if isinstance(c, tables.Verdict) and col.key == "verdict" else str(c)
            for col, c in zip(table.columns, row, strict=True)
        )
        for row in table.rows
    ]
    align = "".join(
        "r" if col.numeric and col.key in ("change", "processes") else "l" for col in table.columns
    )
    return _table(tuple(col.header for col in table.columns), cells, align)


def from_to_section(analysis: Analysis) -> list[str]:
    """Mean and median from → to, change, CI, verdict and Holm-adjusted verdict; where time and
    instructions were both measured, the mechanism of each change."""
    metric = fmt.metric_of(analysis)
    lines = [
        *_render(tables.comparison_table(analysis).select(MARKDOWN_COLUMNS)),
        "",
        f"Means and medians are of the per-process {metric} values the verdict uses. "
        "*Verdict after Holm*: adjusted for testing all of a candidate's benchmarks at once.",
    ]
    mechanisms = tables.mechanism_lines(analysis)
    if mechanisms:
        lines += ["", tables.MECHANISM_INTRO, "", *[f"- {m}" for m in mechanisms]]
    return lines


def cross_host_section(analysis: Analysis) -> list[str]:
    """The same variant on every other host against its first host: ``arm faster by 51.8 %``."""
    return _render(tables.cross_host_table(analysis))


def _consumers(doc: Result, bench: str, variant: str, top: int = 3) -> list[tuple[str, float]]:
    """The foreign processes seen in this variant's contaminated processes, busiest first."""
    most: dict[str, float] = {}
    for p in doc.processes:
        if (p.benchmark, p.variant) != (bench, variant) or not (
            p.ok and p.contaminated and p.timed
        ):
            continue
        for t in (p.host_load or {}).get("top", []):
            most[t["name"]] = max(most.get(t["name"], 0.0), float(t["cores"]))
    return sorted(most.items(), key=lambda item: -item[1])[:top]


def contamination_lines(analysis: Analysis, doc: Result) -> list[str]:
    """Per benchmark and variant with contaminated processes: how many, and who kept the host busy.

    ``alpha/jit@arm: 3 of 6 processes measured while other work kept host arm busy (yes 1.9
    cores, rustc 0.8 cores)``; the busiest foreign processes are the most cores each was seen
    using in one of these processes.
    """
    lines = []
    for (bench, variant), n in analysis.contaminated.items():
        s = analysis.summaries.get((bench, variant))
        total = f" of {s.n_processes}" if s is not None else ""
        rec = doc.variants.get(variant)
        host = rec.host if rec is not None else None
        who = ", ".join(
            f"{name} {cores:.1f} cores" for name, cores in _consumers(doc, bench, variant)
        )
        lines.append(
            f"{bench}/{variant}: {n}{total} process(es) measured while other work kept "
            f"{f'host {host}' if host else 'the host'} busy" + (f" ({who})" if who else "")
        )
    return lines


CONTAMINATION_HINT = (
    "Their values stay in the analysis; to measure again, rerun with "
    "--exclude-contaminated, or use --wait-idle."
)


def hosts_table(doc: Result) -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
    """Facts of every machine of the experiment (``Result.hosts``): one column per host.

    Empty when the experiment ran on this machine only (the host table already says it all).
    """
    hosts = doc.hosts or {}
    if not hosts or set(hosts) == {"local"}:
        return (), []
    texts = {
        name: dict(
            facts.fact_rows({k: v for k, v in h.items() if k not in ("name", "interpreters")})
        )
        for name, h in hosts.items()
    }
    keys = list(dict.fromkeys(k for t in texts.values() for k in t))
    rows = [(k, *(texts[name].get(k, "—") for name in hosts)) for k in keys]
    rows.append(
        (
            "interpreters",
            *(
                "; ".join(
                    f"{rt}: {facts.interpreter(f)}"
                    for rt, f in (h.get("interpreters") or {}).items()
                )
                or "—"
                for h in hosts.values()
            ),
        )
    )
    return ("fact", *hosts), rows


def per_variant_section(analysis: Analysis) -> list[str]:
    """Processes, values, mean, median, stdev and trimmed mean per benchmark and variant."""
    t = tables.per_variant_table(analysis)
    t = t.select(("benchmark", "variant", *(k for k, _ in tables.PER_VARIANT_STATS)))
    return _table(tuple(c.header for c in t.columns), list(t.rows), "llrrrrrr")


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
    rows: list[tuple[str, ...]] = []
    for c in analysis.comparisons:
        r = c.result
        rob = r.robust
        if rob.get("excluded_baseline") or rob.get("excluded_candidate"):
            ci = fmt.ci(_num(rob.get("low_pct")), _num(rob.get("high_pct")))
        else:
            ci = "(no outliers: as above)"
        rows.append(
            (
                c.benchmark,
                c.candidate,
                r.verdict,
                f"**{r.robust_verdict}**",
                "yes" if r.outlier_sensitive else "no",
                _excluded(c),
                ci,
                fmt.from_to(r.baseline.trimmed_mean, r.candidate.trimmed_mean, c.measure),
                fmt.from_to(r.baseline.median, r.candidate.median, c.measure),
            )
        )
    measures = tables.several_measures(analysis)
    if measures:
        rows = [
            (*row[:2], c.measure, *row[2:])
            for row, c in zip(rows, analysis.comparisons, strict=True)
        ]
    return _table(
        (
            "benchmark",
            "candidate",
            *(("measure",) if measures else ()),
            "verdict",
            "robust verdict",
            "outlier-sensitive",
            "outlier processes excluded",
            f"robust {tables.ci_header(analysis)}",
            "trimmed mean, all values (from → to)",
            "median, all values (from → to)",
        ),
        rows,
    )


def jit_section(doc: Result) -> list[str]:
    """Per variant: what its processes' JIT records say (on/off, functions compiled, code bytes)."""
    return _table(jit.ACTIVITY_COLUMNS, jit.activity_rows(doc))


def profiles_section(doc: Result) -> list[str]:
    """Where the profiled processes' time went and what explains A → B ([] without profiles)."""
    if not any((p.instrument or "").startswith("perf") for p in doc.processes):
        return []
    from ..profile.analysis import summarise
    from .profile_markdown import section

    found = section(summarise(doc), heading=5)
    return ["", "#### Profiles of the measured values", "", *found] if found else []


def environment_section(doc: Result) -> list[str]:
    """Host facts, then each variant's interpreter, revision, env and args."""
    lines = _table(("host", "value"), facts.host_rows(doc))
    header, rows = hosts_table(doc)
    if rows:
        lines += ["", "Hosts the variants ran on:", "", *_table(header, rows)]
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
    noise = host_noise_line(analysis)
    if noise:
        notes.append(noise)
    return notes


def _method_line(analysis: Analysis, doc: Result) -> str:
    d = doc.design
    h = doc.host
    method = analysis.comparisons[0].result.method if analysis.comparisons else "n/a"
    return (
        f"Interleaved design, {d.processes} processes per variant × {d.values} values "
        f"({d.warmups} warmups), seed {doc.seed}; CIs count processes, not values "
        f"(method: {method}). Host {h.get('hostname')} ({h.get('machine')}, "
        f"{h.get('cpu_model')}). Result {doc.id}, jitbench {doc.tool_version}."
    )


def findings(analysis: Analysis, doc: Result) -> str:
    """The whole findings file: from → to, across hosts, host load, robust view, JIT activity,
    environment, method."""
    lines = [_title(analysis, doc), ""]
    if analysis.comparisons:
        lines += from_to_section(analysis)
    else:
        lines += per_variant_section(analysis)
    lines.append("")
    for (candidate, measure), s in analysis.suite.items():
        lines.append(
            f"Suite geometric mean, {tables.suite_name(candidate, measure)}: {fmt.pct(s.geomean_change_pct)} "
            f"{fmt.ci(s.ci_low_pct, s.ci_high_pct)} ({s.verdict})."
        )
    notes = _notes(analysis)
    if notes:
        lines += ["", *[f"- {n}" for n in notes]]
    if analysis.cross_host:
        lines += [
            "",
            "#### Across hosts",
            "",
            "Each variant on every other host against the same variant on the first host "
            f"(same loops; {tables.ci_header(analysis)}; > 0 means slower).",
            "",
            *cross_host_section(analysis),
        ]
    if analysis.contaminated:
        lines += [
            "",
            "#### Host load",
            "",
            *[f"- {line}" for line in contamination_lines(analysis, doc)],
            "",
            CONTAMINATION_HINT,
        ]
    if analysis.comparisons:
        lines += [
            "",
            "#### Robust view",
            "",
            "Verdicts recomputed without processes that are MAD outliers "
            "(modified z > 3.5); a verdict that changes is outlier-sensitive.",
            "",
            *robust_section(analysis),
        ]
    lines += ["", "#### JIT activity", "", *jit_section(doc)]
    lines += profiles_section(doc)
    lines += ["", "#### Environment", "", *environment_section(doc)]
    lines += ["", _method_line(analysis, doc)]
    if analysis.failures:
        lines.append(f"{len(analysis.failures)} process(es) failed and are excluded.")
    if not doc.complete:
        lines.append("The experiment is incomplete (interrupted); only finished processes count.")
    return "\n".join(lines) + "\n"
