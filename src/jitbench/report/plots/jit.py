"""JIT summary plot: compiled functions ranked by machine-code size."""

from __future__ import annotations

from matplotlib.figure import Figure

from ...runtimes.compiled import CodeView
from .render import new_figure, styled

TOP = 15


def _short(name: str, width: int = 48) -> str:
    return name if len(name) <= width else "…" + name[-(width - 1) :]


@styled
def code_size_ranking(benchmark: str, view: CodeView, colour: str, top: int = TOP) -> Figure:
    """Horizontal bars of the largest compiled functions (bytes of machine code, median over
    the processes that compiled each)."""
    funcs = view.ranked()[:top]
    fig = new_figure(7.5, 1.0 + 0.26 * max(len(funcs), 1))
    ax = fig.add_subplot()
    ys = list(range(len(funcs)))[::-1]
    ax.barh(ys, [f.code_size for f in funcs], color=colour, alpha=0.8)
    ax.set_yticks(ys, [_short(f.name) for f in funcs])
    ax.set_xlabel("machine code (bytes)")
    ax.set_title(
        f"{benchmark} · {view.variant}: largest of {len(view.functions)} compiled "
        f"functions ({view.processes} processes)"
    )
    ax.grid(axis="y", visible=False)
    return fig
