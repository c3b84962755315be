"""Per-benchmark plots: the per-process distributions of every variant, and the warmup curves."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from ...results.artifact import ProcessView
from ...stats import SteadyState
from .render import new_figure, styled, time_unit

#: Grey of the warmup values (discarded before measuring) in the warmup curves.
WARMUP_GREY = "#9a9a9a"


def _typical(views: dict[str, list[ProcessView]]) -> float:
    """A value in the middle of the data, used only to choose the axis unit."""
    firsts = [float(p.values[0]) for procs in views.values() for p in procs]
    return sorted(firsts)[len(firsts) // 2] if firsts else 1.0


@styled
def distributions(
    benchmark: str, views: dict[str, list[ProcessView]], colours: dict[str, str]
) -> Figure:
    """One box per process (its measured values), grouped by variant, values drawn on top."""
    n = sum(len(p) for p in views.values())
    fig = new_figure(min(2.5 + 0.32 * n, 14.0), 3.4)
    ax = fig.add_subplot()
    unit, scale = time_unit(_typical(views))
    pos = 0.0
    centres, names = [], []
    for variant, procs in views.items():
        if not procs:
            continue
        xs = pos + np.arange(len(procs))
        data = [p.values / scale for p in procs]
        box = ax.boxplot(
            data, positions=xs, widths=0.6, patch_artist=True, showfliers=False, manage_ticks=False
        )
        for patch in box["boxes"]:
            patch.set(facecolor=colours[variant], alpha=0.35, edgecolor=colours[variant])
        for med in box["medians"]:
            med.set(color=colours[variant], linewidth=1.5)
        for x, vals in zip(xs, data, strict=True):
            # Values spread sideways by their order in the process, so the time order stays legible.
            offsets = np.linspace(-0.22, 0.22, len(vals)) if len(vals) > 1 else np.zeros(1)
            ax.scatter(
                x + offsets, vals, s=6, color=colours[variant], alpha=0.8, linewidths=0, zorder=3
            )
        centres.append(float(xs.mean()))
        names.append(f"{variant}\n({len(procs)} processes)")
        pos += len(procs) + 1.0
    ax.set_xticks(centres, names)
    ax.set_ylabel(f"time per iteration ({unit})")
    ax.set_title(f"{benchmark}: values of each process, by variant")
    ax.grid(axis="x", visible=False)
    return fig


@styled
def warmup_curves(
    benchmark: str,
    views: dict[str, list[ProcessView]],
    states: dict[str, list[SteadyState]],
    colours: dict[str, str],
) -> Figure:
    """Each process's series in time order (warmups grey), its steady part from the marked start."""
    shown = [v for v, procs in views.items() if procs]
    fig = new_figure(min(max(4.0 * len(shown), 6.5), 14.0), 3.2)
    axes = fig.subplots(1, max(len(shown), 1), sharey=True, squeeze=False)[0]
    unit, scale = time_unit(_typical(views))
    for ax, variant in zip(axes, shown, strict=False):
        classes: dict[str, int] = {}
        for p, st in zip(views[variant], states[variant], strict=True):
            w = len(p.warmups)
            if w:
                # Joined to the first measured value, so even one warmup shows as a segment.
                ax.plot(
                    np.arange(-w, 1),
                    np.append(p.warmups, p.values[0]) / scale,
                    color=WARMUP_GREY,
                    linewidth=0.8,
                    linestyle=":",
                    marker=".",
                    markersize=3,
                )
            xs = np.arange(len(p.values))
            ax.plot(xs, p.values / scale, color=colours[variant], linewidth=0.9, alpha=0.75)
            s = st.steady_start
            ax.plot(
                [s],
                [p.values[s] / scale],
                marker="o",
                markersize=4,
                color="black",
                zorder=4,
                linestyle="none",
            )
            ax.hlines(
                st.steady_value / scale,
                s,
                len(p.values) - 1,
                colors="black",
                linewidth=0.8,
                linestyles="--",
                zorder=3,
            )
            classes[st.classification] = classes.get(st.classification, 0) + 1
        summary = ", ".join(f"{k} {v}" for k, v in sorted(classes.items()))
        ax.set_title(f"{variant} ({summary})")
        ax.set_xlabel("value index (warmups < 0)")
    axes[0].set_ylabel(f"time per iteration ({unit})")
    fig.suptitle(f"{benchmark}: warmup curves; ● steady-state start, -- steady level", fontsize=10)
    return fig
