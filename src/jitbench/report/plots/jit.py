"""JIT summary plot: compiled functions ranked by machine-code size."""

from __future__ import annotations

from matplotlib.figure import Figure

from ..jit import CodeSizeRanking
from .render import new_figure, styled

TOP = 15


def _short(name: str, width: int = 48) -> str:
    return name if len(name) <= width else "…" + name[-(width - 1):]


@styled
def code_size_ranking(ranking: CodeSizeRanking, colour: str, top: int = TOP) -> Figure:
    """Horizontal bars of the largest compiled functions (bytes of machine code)."""
    funcs = [f for f in ranking.functions if f.code_size is not None][:top]
    fig = new_figure(7.5, 1.0 + 0.26 * max(len(funcs), 1))
    ax = fig.add_subplot()
    ys = list(range(len(funcs)))[::-1]
    ax.barh(ys, [f.code_size for f in funcs], color=colour, alpha=0.8)
    ax.set_yticks(ys, [_short(f.name) for f in funcs])
    ax.set_xlabel("machine code (bytes)")
    ax.set_title(f"{ranking.benchmark} · {ranking.variant}: largest of "
                 f"{len(ranking.functions)} compiled functions (process slot {ranking.slot})")
    ax.grid(axis="y", visible=False)
    return fig
