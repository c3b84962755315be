"""A benchmark over time: one line per variant and host, every stored experiment a point.

The x axis is the order of the experiments (dates and revisions label it), so runs minutes apart
and runs months apart are equally readable.
"""

from __future__ import annotations

from collections.abc import Sequence

from matplotlib.figure import Figure

from ...db.history import HistoryRow
from .render import new_figure, styled, time_unit, variant_colours

MAX_TICKS = 24


def _tick(row: HistoryRow) -> str:
    label = row.created.strftime("%Y-%m-%d %H:%M")
    return f"{label}\n{row.revision}" if row.revision else label


@styled
def history(benchmark: str, rows: Sequence[HistoryRow]) -> Figure:
    """Mean per experiment, per-process means as faint dots; one line per variant @ host."""
    order = list(dict.fromkeys(r.result_id for r in rows))
    position = {rid: i for i, rid in enumerate(order)}
    fig = new_figure(min(max(6.0, 0.55 * len(order) + 3.0), 16.0), 4.0)
    ax = fig.add_subplot()
    measure = rows[0].measure if rows else "time"
    if measure == "time":
        unit, scale = time_unit(rows[0].summary.mean if rows else 1.0)
        ylabel = f"mean time per iteration ({unit})"
    else:
        # Counts are read as millions: the changes that matter are a fraction of a per cent.
        scale = 1e6
        ylabel = f"mean {measure} per iteration (millions)"
    lines: dict[str, list[HistoryRow]] = {}
    for r in rows:
        lines.setdefault(f"{r.variant} @ {r.hostname}", []).append(r)
    colours = variant_colours(list(lines))
    for label, mine in lines.items():
        xs = [position[r.result_id] for r in mine]
        ax.plot(
            xs,
            [r.summary.mean / scale for r in mine],
            marker="o",
            markersize=4,
            color=colours[label],
            label=label,
        )
        for x, r in zip(xs, mine, strict=True):
            means = r.summary.process_means
            ax.scatter(
                [x] * len(means),
                [m / scale for m in means],
                s=8,
                color=colours[label],
                alpha=0.3,
                linewidths=0,
            )
    firsts = {r.result_id: r for r in reversed(rows)}
    step = max(1, len(order) // MAX_TICKS + (len(order) % MAX_TICKS > 0))
    ticks = list(range(0, len(order), step))
    ax.set_xticks(
        ticks, [_tick(firsts[order[i]]) for i in ticks], rotation=30, ha="right", fontsize=7
    )
    ax.set_xlim(-0.5, len(order) - 0.5)
    ax.set_xlabel("experiment (date UTC, revision)")
    ax.set_ylabel(ylabel)
    ax.set_title(f"{benchmark}: {len(order)} stored experiment(s); dots are process means")
    ax.legend(loc="best")
    return fig
