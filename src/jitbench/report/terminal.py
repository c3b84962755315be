"""The tables printed after a run or by ``jitbench compare``."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from ..analysis import Analysis
from . import fmt

VERDICT_STYLE = {"faster": "bold green", "slower": "bold red", "equivalent": "cyan",
                 "inconclusive": "yellow"}


def summary_table(analysis: Analysis) -> Table:
    """Per benchmark and variant: processes, values, mean, median, stdev."""
    t = Table(title="Per variant", title_justify="left")
    for col in ("benchmark", "variant", "processes", "values", "mean", "median", "stdev"):
        t.add_column(col, justify="right" if col not in ("benchmark", "variant") else "left",
                     no_wrap=True)
    for (bench, variant), s in analysis.summaries.items():
        t.add_row(bench, variant, str(s.n_processes), str(s.n_values), fmt.seconds(s.mean),
                  fmt.seconds(s.median), fmt.seconds(s.stdev))
    return t


def comparison_table(analysis: Analysis) -> Table:
    """Per benchmark: baseline → candidate, change, 95 % CI and verdict."""
    t = Table(title=f"Change vs {analysis.baseline} (95 % CI; > 0 means slower)",
              title_justify="left")
    for col in ("benchmark", "candidate", "mean", "median", "change", "95 % CI", "verdict", "P"):
        t.add_column(col, justify="left" if col in ("benchmark", "candidate", "verdict") else "right",
                     no_wrap=True)
    for c in analysis.comparisons:
        r = c.result
        verdict = f"[{VERDICT_STYLE[r.verdict]}]{r.verdict}[/]"
        if r.outlier_sensitive:
            verdict += " [dim](outlier-sensitive)[/]"
        t.add_row(c.benchmark, c.candidate,
                  fmt.from_to(r.baseline.mean, r.candidate.mean),
                  fmt.from_to(r.baseline.median, r.candidate.median),
                  fmt.pct(r.change_pct), fmt.ci(r.ci_low_pct, r.ci_high_pct), verdict,
                  f"{r.n_baseline}/{r.n_candidate}")
    return t


def print_analysis(analysis: Analysis, console: Console, *, verbose: bool = False) -> None:
    """Everything a user wants to see in the terminal after a run."""
    console.print(summary_table(analysis))
    if analysis.comparisons:
        console.print(comparison_table(analysis))
    # The same note (e.g. a drifting baseline) often holds for every candidate: say it once.
    grouped: dict[tuple[str, str], list[str]] = {}
    for c in analysis.comparisons:
        r = c.result
        notes = list(r.warnings)
        if r.verdict == "inconclusive" and r.resolution_hint:
            notes.append(r.resolution_hint)
        if verbose:
            notes.append(f"method: {r.method}; t-interval cross-check: "
                         f"{fmt.ci(r.t_interval['low_pct'], r.t_interval['high_pct'])}"
                         if r.t_interval else f"method: {r.method}")
        for n in notes:
            grouped.setdefault((c.benchmark, n), []).append(c.candidate)
    for (bench, note), candidates in grouped.items():
        console.print(f"  [dim]{bench} / {', '.join(candidates)}:[/] {note}", soft_wrap=True)
    for name, s in analysis.suite.items():
        console.print(f"  suite, {name} vs {analysis.baseline}: geometric mean "
                      f"{fmt.pct(s.geomean_change_pct)} {fmt.ci(s.ci_low_pct, s.ci_high_pct)}")
    for note in analysis.skipped:
        console.print(f"  [yellow]note:[/] {note}")
    if analysis.failures:
        console.print(f"[bold red]{len(analysis.failures)} process(es) failed:[/]")
        for p in analysis.failures[:10]:
            console.print(f"  slot {p['slot']} {p['benchmark']}/{p['variant']}: {p.get('error')}")
