"""The tables printed after a run or by ``jitbench compare``."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from ..analysis.experiment import Analysis, host_noise_line
from . import fmt, rows

VERDICT_STYLE = {
    "faster": "bold green",
    "slower": "bold red",
    "equivalent": "cyan",
    "inconclusive": "yellow",
}


def summary_table(analysis: Analysis) -> Table:
    """Per benchmark and variant: processes, values, mean, median, stdev."""
    table = rows.per_variant_table(analysis).without("trimmed_mean")
    keys = table.keys()
    # A process measured while the host was busy is counted in yellow.
    marked = tuple(
        tuple(
            f"[yellow]{c}[/]" if k == "contaminated" and c != "0" else c
            for k, c in zip(keys, row, strict=True)
        )
        for row in table.rows
    )
    return _rich(rows.Table(table.columns, marked), "Per variant")


TERMINAL_COLUMNS = (*rows.COMPARISON_COLUMNS, "processes")


def _rich(table: rows.Table, title: str) -> Table:
    """A rich table of ``table``: verdicts styled, text columns left, numbers right."""
    t = Table(title=title, title_justify="left")
    for col in table.columns:
        t.add_column(col.terse, justify="right" if col.numeric else "left", no_wrap=True)
    for row in table.rows:
        t.add_row(*[_styled(cell) if isinstance(cell, rows.Verdict) else cell for cell in row])
    return t


def _styled(v: rows.Verdict) -> str:
    text = f"[{VERDICT_STYLE[v.word]}]{v.word}[/]" if v.word in VERDICT_STYLE else v.word
    return text + (" [dim](outlier-sensitive)[/]" if v.outlier_sensitive else "")


def comparison_table(analysis: Analysis) -> Table:
    """Per benchmark: baseline → candidate, change, CI, verdict and Holm-adjusted verdict."""
    # On several hosts each candidate is compared with the baseline of its own host: say which.
    per_host = rows.per_host_baselines(analysis)
    metric = fmt.metric_of(analysis)
    title = (
        f"Change vs {analysis.baseline}{' (or the variant in column vs)' if per_host else ''}"
        f" ({rows.ci_header(analysis)}; > 0 means slower; mean and median of the per-process"
        f" {metric} values the verdict uses; Holm: verdict adjusted over the candidate's"
        " benchmarks)"
    )
    table = rows.comparison_table(analysis).select(TERMINAL_COLUMNS)
    # The Holm-adjusted verdict stays plain: the verdict column carries the colour.
    holm = table.keys().index("holm")
    plain = tuple(tuple(str(c) if i == holm else c for i, c in enumerate(r)) for r in table.rows)
    t = _rich(rows.Table(table.columns, plain), title)
    # Where time and instructions were both measured: the change split into its two factors.
    mechanisms = rows.mechanism_lines(analysis)
    if mechanisms:
        t.caption = "\n".join(mechanisms)
        t.caption_justify = "left"
    return t


def cross_host_table(analysis: Analysis) -> Table:
    """The same variant on each host against its first host: ``arm faster by 51.8 %``."""
    return _rich(
        rows.cross_host_table(analysis),
        f"Across hosts (same variant, same loops; {rows.ci_header(analysis)}; > 0 means slower)",
    )


def print_analysis(analysis: Analysis, console: Console, *, verbose: bool = False) -> None:
    """Everything a user wants to see in the terminal after a run."""
    console.print(summary_table(analysis))
    if analysis.comparisons:
        console.print(comparison_table(analysis))
    if analysis.cross_host:
        console.print(cross_host_table(analysis))
    # The same note (e.g. a drifting baseline) often holds for every candidate: say it once.
    grouped: dict[tuple[str, str], list[str]] = {}
    for c in analysis.comparisons:
        r = c.result
        notes = list(r.warnings)
        if r.verdict == "inconclusive" and r.resolution_hint:
            notes.append(r.resolution_hint)
        if verbose:
            boot = r.bootstrap
            notes.append(
                f"method: {r.method}; bootstrap cross-check: "
                f"{fmt.ci(boot['low_pct'], boot['high_pct'])}"
                if boot.get("low_pct") is not None
                else f"method: {r.method}"
            )
        for n in notes:
            grouped.setdefault((c.benchmark, n), []).append(c.candidate)
    for (bench, note), candidates in grouped.items():
        console.print(f"  [dim]{bench} / {', '.join(candidates)}:[/] {note}", soft_wrap=True)
    for (candidate, measure), s in analysis.suite.items():
        console.print(
            f"  suite, {rows.suite_name(candidate, measure)} vs "
            f"{rows.suite_reference(analysis, candidate, measure)}: geometric mean "
            f"{fmt.pct(s.geomean_change_pct)} {fmt.ci(s.ci_low_pct, s.ci_high_pct)}"
        )
    for note in analysis.skipped:
        console.print(f"  [yellow]note:[/] {note}")
    noise = host_noise_line(analysis)
    if noise:
        console.print(f"  [yellow]host:[/] {noise}", soft_wrap=True)
    if analysis.contaminated:
        hot = sum(analysis.contaminated.values())
        names = sorted(analysis.busy_with.items(), key=lambda item: -item[1])[:3]
        who = ", ".join(f"{n} {c:.1f} cores" for n, c in names)
        console.print(
            f"  [yellow]note:[/] {hot} process(es) ran while other work kept the host's "
            f"CPUs busy{f' ({who})' if who else ''}; rerun them with "
            "--exclude-contaminated, or use --wait-idle"
        )
    if analysis.failures:
        console.print(f"[bold red]{len(analysis.failures)} process(es) failed:[/]")
        for p in analysis.failures[:10]:
            console.print(f"  slot {p.slot} {p.benchmark}/{p.variant}: {p.error}")
