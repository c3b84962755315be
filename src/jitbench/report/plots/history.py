"""A benchmark over time: one line per variant (and host), every stored experiment a point."""

from __future__ import annotations

from collections.abc import Sequence

from matplotlib.figure import Figure

from ...db.history import HistoryRow
from .render import new_figure, styled, time_unit, variant_colours


@styled
def history(benchmark: str, rows: Sequence[HistoryRow]) -> Figure:
    """Mean per experiment in time order, per-process means as faint dots, revisions labelled."""
    fig = new_figure(9.0, 3.8)
    ax = fig.add_subplot()
    unit, scale = time_unit(rows[0].summary.mean if rows else 1.0)
    lines: dict[str, list[HistoryRow]] = {}
    for r in rows:
        lines.setdefault(f"{r.variant} @ {r.hostname}", []).append(r)
    colours = variant_colours(list(lines))
    for label, mine in lines.items():
        xs = [r.created for r in mine]
        ax.plot(xs, [r.summary.mean / scale for r in mine], marker="o", markersize=4,
                color=colours[label], label=label)
        for r in mine:
            means = r.summary.process_means
            ax.scatter([r.created] * len(means), [m / scale for m in means], s=8,
                       color=colours[label], alpha=0.3, linewidths=0)
            if r.revision:
                ax.annotate(r.revision, (r.created, r.summary.mean / scale), fontsize=7,
                            xytext=(3, 4), textcoords="offset points")
    ax.set_ylabel(f"mean time per iteration ({unit})")
    ax.set_title(f"{benchmark}: history ({len(rows)} experiment × variant points; dots: "
                 "process means)")
    ax.legend(loc="best")
    fig.autofmt_xdate()
    return fig
