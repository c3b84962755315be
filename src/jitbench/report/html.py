"""The HTML report: one self-contained file (inline SVG plots, inline CSS, no script, no network).

One section per result file: the comparisons with their forest plot, the same variant across
hosts with its own forest plot (variants run on several hosts), sweep curves for a sweep,
then per benchmark the per-process distributions, the warmup curves with the detected steady-state
start and the JIT code-size ranking, then the JIT activity and the environment. A Content Security
Policy forbids every fetch, so the report shows the same offline as online.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass

from .. import __version__, stats
from ..analysis.experiment import Analysis, host_noise_line
from ..results.artifact import ProcessView, processes_of
from ..results.model import Result
from ..runtimes.compiled import CodeView
from . import facts, fmt, jit, markdown, plots, profiles, sweep
from . import rows as tables

CSS = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 0 auto; max-width: 1180px; padding: 1em 2em;
       color: #1d1d1f; }
h1 { font-size: 1.6em; } h2 { border-bottom: 2px solid #ddd; padding-bottom: .2em; margin-top: 2em; }
h3 { margin-top: 1.6em; } h4 { margin: 1.2em 0 .4em; color: #444; }
table { border-collapse: collapse; margin: .6em 0 1em; font-size: 13px; }
th, td { border-bottom: 1px solid #e3e3e3; padding: .25em .7em; text-align: left;
         vertical-align: top; }
th { background: #f5f5f7; } td.num { text-align: right; font-variant-numeric: tabular-nums;
                                      white-space: nowrap; }
figure.plot { margin: .8em 0 1.4em; } figure.plot svg { max-width: 100%; height: auto;
                                                         display: block; }
figcaption { color: #555; font-size: 12px; margin-top: .2em; }
.verdict { font-weight: 600; padding: 0 .4em; border-radius: 3px; color: white; }
.meta { color: #555; } code { font-size: 12px; } ul.notes { color: #6b4f00; }
nav ul { columns: 2; } .warn { color: #b00020; }
"""

# No fetch of any kind; inline styles only (matplotlib's SVG carries a <style> element).
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


@dataclass(frozen=True)
class ReportInput:
    """One result to report: where it came from, the artifact, and its analysis."""

    path: str
    doc: Result
    analysis: Analysis


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _table(
    header: Iterable[str],
    rows: Iterable[Iterable[object]],
    numeric: set[int] | None = None,
    raw: set[int] | None = None,
) -> str:
    """An HTML table; columns in ``numeric`` align right, those in ``raw`` are not escaped."""
    numeric, raw = numeric or set(), raw or set()
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = []
    for row in rows:
        cells = []
        for i, c in enumerate(row):
            cls = ' class="num"' if i in numeric else ""
            cells.append(f"<td{cls}>{c if i in raw else _e(c)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _figure(kind: str, svg: str, caption: str) -> str:
    return (
        f'<figure class="plot" data-plot="{_e(kind)}">{svg}'
        f"<figcaption>{_e(caption)}</figcaption></figure>"
    )


def _render(table: tables.Table) -> str:
    """An HTML table of ``table``: verdicts as coloured badges, numbers right-aligned."""
    cells = []
    for row in table.rows:
        out = []
        for col, c in zip(table.columns, row, strict=True):
            if isinstance(c, tables.Verdict) and col.key in ("verdict", "holm"):
                out.append(
                    _verdict(c.word) + (" (outlier-sensitive)" if c.outlier_sensitive else "")
                )
            else:
                out.append(_e(c))
        cells.append(out)
    numeric = {i for i, col in enumerate(table.columns) if col.numeric}
    return _table(
        [col.header for col in table.columns],
        cells,
        numeric=numeric,
        raw=set(range(len(table.columns))),
    )


def _verdict(v: str) -> str:
    colour = plots.VERDICT_COLOURS.get(v, "#666")
    return f'<span class="verdict" style="background:{colour}">{_e(v)}</span>'


def _comparisons(a: Analysis, doc: Result) -> str:
    if not a.comparisons:
        return (
            "<p class='meta'>One variant only (or too few processes): no comparison. "
            "The per-benchmark sections show its values.</p>"
        )
    metric = fmt.metric_of(a)
    out = [
        _render(tables.comparison_table(a)),
        f"<p class='meta'>Means and medians are of the per-process {_e(metric)} values the "
        "verdict uses. Verdict after Holm: adjusted for testing all of a candidate's "
        "benchmarks at once.</p>",
    ]
    mechanisms = tables.mechanism_lines(a)
    if mechanisms:
        out.append(
            f"<div class='mechanism'><p class='meta'>{_e(tables.MECHANISM_INTRO)}</p><ul>"
            + "".join(f"<li>{_e(m)}</li>" for m in mechanisms)
            + "</ul></div>"
        )
    for (candidate, measure), s in a.suite.items():
        out.append(
            f"<p>Suite geometric mean, {_e(tables.suite_name(candidate, measure))} vs {_e(tables.suite_reference(a, candidate, measure))}: "
            f"{_e(fmt.pct(s.geomean_change_pct))} "
            f"{_e(fmt.ci(s.ci_low_pct, s.ci_high_pct))} {_verdict(s.verdict)}</p>"
        )
    margin = a.comparisons[0].result.margin_pct
    # Time and counts side by side: each row of the plot says which measure it is.
    labels = (
        [f"{c.benchmark} · {c.candidate} · {c.measure}" for c in a.comparisons]
        if tables.several_measures(a)
        else None
    )
    svg = plots.to_svg(
        plots.forest(a.comparisons, margin, f"Change vs {a.baseline}", labels=labels), "forest"
    )
    out.append(
        _figure(
            "forest",
            svg,
            f"Change of each candidate on each benchmark with its {tables.ci_header(a)} "
            "(processes are the unit), coloured by verdict; the band is ±margin.",
        )
    )
    notes = [f"{c.benchmark}/{c.candidate}: {w}" for c in a.comparisons for w in c.result.warnings]
    notes += [
        f"{c.benchmark}/{c.candidate}: {c.result.resolution_hint}"
        for c in a.comparisons
        if c.result.verdict == "inconclusive" and c.result.resolution_hint
    ]
    notes += a.skipped
    noise = host_noise_line(a)
    if noise:
        notes.append(noise)
    if a.contaminated:
        notes += [*markdown.contamination_lines(a, doc), markdown.CONTAMINATION_HINT]
    if notes:
        out.append("<ul class='notes'>" + "".join(f"<li>{_e(n)}</li>" for n in notes) + "</ul>")
    return "".join(out)


def _cross_host(a: Analysis) -> str:
    """The same variant on every other host against its first host, with a forest plot."""
    if not a.cross_host:
        return ""
    out = [
        "<section class='cross-host'><h3>Across hosts</h3>",
        "<p class='meta'>Each variant on every other host against the same variant on the "
        f"first host (same loops; {_e(tables.ci_header(a))}; &gt; 0 means slower).</p>",
        _render(tables.cross_host_table(a)),
    ]
    comparisons = [h.comparison for h in a.cross_host]
    labels = [f"{h.benchmark} · {h.group}: {h.reference_host} → {h.host}" for h in a.cross_host]
    svg = plots.to_svg(
        plots.forest(
            comparisons,
            comparisons[0].result.margin_pct,
            "Across hosts",
            labels=labels,
            reference="the first host",
        ),
        "forest across hosts",
    )
    out.append(
        _figure(
            "forest-hosts",
            svg,
            "Change of each variant on each host against the same "
            f"variant on the first host, with its {tables.ci_header(a)}, coloured by verdict.",
        )
    )
    out.append("</section>")
    return "".join(out)


def _sweep(a: Analysis, doc: Result) -> str:
    # One set of curves per measure: time, and each count measured beside it.
    measures = list(dict.fromkeys(c.measure for c in a.comparisons)) or ["time"]
    series = {m: sweep.sweep_series(doc, a, m) for m in measures}
    if not any(series.values()) or doc.sweep is None:
        return ""
    out = [
        "<section class='sweep'><h3>Sweep</h3>",
        f"<p class='meta'>Parameters: {_e(', '.join(doc.sweep['parameters']))}; "
        f"default {_e(doc.sweep.get('default'))}.</p>",
    ]
    for measure, curves in series.items():
        what = "" if measure == "time" else f" {measure}"
        for bench in dict.fromkeys(s.benchmark for s in curves):
            mine = [s for s in curves if s.benchmark == bench]
            svg = plots.to_svg(plots.sweep_curves(bench, mine), f"sweep {bench}{what}")
            out.append(
                _figure(
                    "sweep",
                    svg,
                    f"{bench}:{what} change from {a.baseline} against each "
                    f"parameter; the band is the {tables.ci_header(a)} of each point.",
                )
            )
    out.append("</section>")
    return "".join(out)


def _summary_table(a: Analysis, bench: str, views: dict[str, list[ProcessView]]) -> str:
    t = tables.per_variant_table(a, bench, tuple(views))
    t = t.without("benchmark")
    numeric = {i for i, c in enumerate(t.columns) if c.numeric}
    return _table([c.header for c in t.columns], t.rows, numeric=numeric)


def _benchmark(
    a: Analysis,
    doc: Result,
    bench: str,
    colours: dict[str, str],
    rankings: list[tuple[str, str, CodeView]],
) -> str:
    views = {v: processes_of(doc, bench, v) for v in doc.variants}
    out = [f"<section class='benchmark' data-benchmark='{_e(bench)}'><h3>{_e(bench)}</h3>"]
    spec = doc.benchmarks[bench]
    out.append(
        f"<p class='meta'>{_e(spec.kind)} benchmark, loops {_e(spec.loops)} × "
        f"inner loops {_e(spec.inner_loops)}.</p>"
    )
    if spec.error:
        out.append(f"<p class='warn'>Calibration failed: {_e(spec.error)}</p>")
    if not any(views.values()):
        out.append("<p class='warn'>No successful process.</p></section>")
        return "".join(out)
    out.append(_summary_table(a, bench, views))
    shown = {v: p for v, p in views.items() if p}
    svg = plots.to_svg(plots.distributions(bench, shown, colours), f"distributions {bench}")
    out.append(
        _figure(
            "distributions",
            svg,
            "Each box is one process (quartiles of its measured "
            "values, whiskers 1.5 IQR); dots are the values in time order.",
        )
    )
    states = {v: stats.steady_states([p.values for p in procs]) for v, procs in shown.items()}
    svg = plots.to_svg(plots.warmup_curves(bench, shown, states, colours), f"warmup {bench}")
    out.append(
        _figure(
            "warmup",
            svg,
            "Each line is one process; the dot marks where its steady "
            "state starts (changepoint detection), the dashed line its steady level.",
        )
    )
    for _, variant, view in (r for r in rankings if r[0] == bench):
        svg = plots.to_svg(plots.code_size_ranking(bench, view, colours[variant]), "code size")
        out.append(
            _figure(
                "jit-code-size",
                svg,
                f"{variant}: the largest compiled functions by "
                "machine-code size (median over the processes that compiled each).",
            )
        )
    out.append("</section>")
    return "".join(out)


def _jit(doc: Result) -> str:
    return (
        "<section class='jit'><h3>JIT activity</h3>"
        + _table(jit.ACTIVITY_COLUMNS, jit.activity_rows(doc))
        + "</section>"
    )


def _environment(doc: Result) -> str:
    header, rows = markdown.hosts_table(doc)
    hosts = f"<h4>Hosts</h4>{_table(header, rows)}" if rows else ""
    return (
        "<section class='host'><h3>Environment</h3><h4>Host</h4>"
        + _table(("fact", "value"), facts.host_rows(doc))
        + hosts
        + "<h4>Variants</h4>"
        + _table(facts.VARIANT_COLUMNS, facts.variant_rows(doc))
        + "</section>"
    )


def _failures(a: Analysis) -> str:
    if not a.failures:
        return ""
    rows = [(p.slot, p.benchmark, p.variant, p.error or "") for p in a.failures]
    return (
        "<section class='failures'><h3 class='warn'>Failed processes</h3>"
        + _table(("slot", "benchmark", "variant", "error"), rows)
        + "</section>"
    )


def result_section(index: int, item: ReportInput) -> str:
    """The section of one result file."""
    doc, a = item.doc, item.analysis
    d = doc.design
    colours = plots.variant_colours(list(doc.variants))
    rankings = jit.code_size_views(doc)
    out = [
        f"<section class='result' id='result-{index}' data-result='{_e(doc.id)}'>",
        f"<h2>Result {_e(doc.id)}</h2>",
        f"<p class='meta'>{_e(item.path)} · created {_e(doc.created)} · "
        f"{'complete' if doc.complete else 'INCOMPLETE'} · {d.processes} processes per "
        f"variant × {d.values} values ({d.warmups} warmups), seed {_e(doc.seed)} · "
        f"baseline {_e(a.baseline)}</p>",
    ]
    if doc.command:
        out.append(f"<p class='meta'><code>{_e(' '.join(doc.command))}</code></p>")
    out.append(
        "<section class='comparisons'><h3>Comparisons</h3>" + _comparisons(a, doc) + "</section>"
    )
    out.append(_cross_host(a))
    out.append(_sweep(a, doc))
    out.extend(_benchmark(a, doc, b, colours, rankings) for b in doc.benchmarks)
    profiled = profiles.section(doc)
    out += [_jit(doc), profiled, _environment(doc), _failures(a), "</section>"]
    return "".join(out)


def _names(names: list[str], shown: int = 3) -> str:
    more = len(names) - shown
    return ", ".join(names[:shown]) + (f" and {more} more" if more > 0 else "")


def render(items: list[ReportInput], title: str = "jitbench report") -> str:
    """The whole HTML document."""
    toc = "".join(
        f"<li><a href='#result-{i}'>{_e(it.doc.id)}</a> ({_e(_names(list(it.doc.variants)))})</li>"
        for i, it in enumerate(items)
    )
    body = "".join(result_section(i, it) for i, it in enumerate(items))
    return (
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<meta http-equiv='Content-Security-Policy' content=\"{CSP}\">"
        f"<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{_e(title)}</title><style>{CSS}{profiles.CSS}</style></head><body>"
        f"<header><h1>{_e(title)}</h1><p class='meta'>jitbench {_e(__version__)}; "
        f"{len(items)} result(s). Times are per iteration; CIs count processes, not values."
        f"</p><nav><ul>{toc}</ul></nav></header>{body}</body></html>\n"
    )
