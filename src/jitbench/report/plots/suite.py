"""Across benchmarks: the forest plot of changes with their CIs, and sweep curves."""

from __future__ import annotations

import math

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from ...analysis.experiment import BenchmarkComparison
from ..fmt import ci_label
from ..sweep import SweepSeries, finite, show
from .render import VERDICT_COLOURS, new_figure, styled

BASELINE_COLOUR = "#444444"


def _verdict_legend(ax, verdicts: list[str]) -> None:
    handles = [
        Line2D([], [], marker="o", linestyle="none", color=VERDICT_COLOURS[v], label=v)
        for v in VERDICT_COLOURS
        if v in verdicts
    ]
    if handles:
        ax.legend(handles=handles, loc="best")


@styled
def forest(
    comparisons: list[BenchmarkComparison],
    margin_pct: float,
    title: str,
    *,
    labels: list[str] | None = None,
    reference: str | None = None,
) -> Figure:
    """One row per comparison: change in % with its CI, coloured by verdict; ±margin shaded.

    ``labels`` name the rows (default ``benchmark · candidate``); ``reference`` names what the
    changes are against on the x axis (default the first comparison's baseline).
    """
    n = len(comparisons)
    fig = new_figure(7.5, 1.2 + 0.38 * max(n, 1))
    ax = fig.add_subplot()
    ys = np.arange(n)[::-1]
    for y, c in zip(ys, comparisons, strict=True):
        r = c.result
        colour = VERDICT_COLOURS[r.verdict]
        if finite(r.ci_low_pct) and finite(r.ci_high_pct):
            ax.hlines(y, r.ci_low_pct, r.ci_high_pct, color=colour, linewidth=2.2)
        if finite(r.change_pct):
            ax.plot([r.change_pct], [y], marker="o", color=colour, markersize=6)
    if margin_pct > 0:
        ax.axvspan(
            -margin_pct,
            margin_pct,
            color="#2b83ba",
            alpha=0.08,
            linewidth=0,
            label=f"±{margin_pct:g} % margin",
        )
    ax.axvline(0.0, color="black", linewidth=0.8)
    ax.set_yticks(ys, labels or [f"{c.benchmark} · {c.candidate}" for c in comparisons])
    ax.set_ylim(-0.7, n - 0.3)
    if reference is None:
        reference = comparisons[0].baseline if comparisons else "baseline"
    ax.set_xlabel(
        f"change vs {reference} "
        f"(%, {ci_label(c.result.confidence for c in comparisons)}; > 0 = slower)"
    )
    ax.set_title(title)
    ax.grid(axis="y", visible=False)
    _verdict_legend(ax, [c.result.verdict for c in comparisons])
    return fig


@styled
def sweep_curves(benchmark: str, series: list[SweepSeries]) -> Figure:
    """Per parameter, the change from the baseline against the parameter value, CI as a band."""
    params = list(dict.fromkeys(s.parameter for s in series))
    fig = new_figure(min(4.6 * len(params), 14.0), 3.4)
    axes = fig.subplots(1, len(params), squeeze=False, sharey=True)[0]
    for ax, param in zip(axes, params, strict=True):
        mine = [s for s in series if s.parameter == param]
        categories: list[str] = []
        if not all(s.numeric for s in mine):
            categories = list(dict.fromkeys(show(p.value) for s in mine for p in s.points))
        verdicts = []
        for s in mine:
            xs = np.asarray(
                [
                    float(categories.index(show(p.value))) if categories else float(p.value)  # type: ignore[arg-type]  # numeric: checked
                    for p in s.points
                ]
            )
            ys = np.array([p.change_pct for p in s.points], dtype=float)
            lo = np.array([p.ci_low_pct if finite(p.ci_low_pct) else math.nan for p in s.points])
            hi = np.array([p.ci_high_pct if finite(p.ci_high_pct) else math.nan for p in s.points])
            line = ax.plot(xs, ys, linewidth=1.2, label=s.label)[0]
            ax.fill_between(xs, lo, hi, color=line.get_color(), alpha=0.18, linewidth=0)
            for x, p in zip(xs, s.points, strict=True):
                colour = VERDICT_COLOURS.get(p.verdict, BASELINE_COLOUR)
                ax.plot(
                    [x],
                    [p.change_pct],
                    marker="D" if p.verdict == "baseline" else "o",
                    color=colour,
                    markersize=5,
                    zorder=4,
                )
                verdicts.append(p.verdict)
        if categories:
            ax.set_xticks(range(len(categories)), categories)
        ax.axhline(0.0, color="black", linewidth=0.8)
        ax.set_xlabel(param)
        if len(mine) > 1:
            ax.legend(loc="best")
    levels = [p.confidence for s in series for p in s.points if p.confidence is not None]
    axes[0].set_ylabel(f"change vs baseline (%, {ci_label(levels)} band)")
    fig.suptitle(f"{benchmark}: sweep (◆ baseline; points coloured by verdict)", fontsize=10)
    return fig
