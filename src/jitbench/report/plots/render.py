"""Turning matplotlib figures into inline SVG or PNG bytes, with one house style.

Figures are made without pyplot (no global figure state, no display, no backend switch); saving
picks matplotlib's SVG or Agg renderer by format. Each SVG gets its own id prefix so that several
figures inlined in one HTML page never share element ids.
"""

from __future__ import annotations

import functools
import io
import itertools
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ParamSpec

import matplotlib
from matplotlib.figure import Figure

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

#: Colours of the four verdicts, shared by every plot and the HTML badges.
VERDICT_COLOURS = {
    "faster": "#1a9641",
    "slower": "#d7191c",
    "equivalent": "#2b83ba",
    "inconclusive": "#e6a000",
}

STYLE: dict[RcKeyType, Any] = {
    "figure.dpi": 100,
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "legend.fontsize": 8,
    "legend.frameon": False,
    # Text stays text in the SVG: smaller files, selectable labels, browser fonts.
    "svg.fonttype": "none",
}

_salts = itertools.count()
P = ParamSpec("P")


def styled(draw: Callable[P, Figure]) -> Callable[P, Figure]:
    """Decorator: the figure is built (axes, artists) under the house style."""

    @functools.wraps(draw)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> Figure:
        with matplotlib.rc_context(STYLE):
            return draw(*args, **kwargs)

    return wrapper


def new_figure(width: float, height: float) -> Figure:
    """A figure with constrained layout; sizes in inches. Call it inside a @styled function."""
    return Figure(figsize=(width, height), layout="constrained")


def variant_colours(variants: list[str]) -> dict[str, str]:
    """A stable colour per variant, in the order the artifact lists them."""
    cmap = matplotlib.colormaps["tab10"]
    return {v: matplotlib.colors.to_hex(cmap(i % cmap.N)) for i, v in enumerate(variants)}


def to_svg(fig: Figure, title: str = "") -> str:
    """The figure as an ``<svg>`` element ready to inline in HTML (no XML prologue or DOCTYPE).

    matplotlib numbers element ids per figure (``patch_1``...), so every id and every reference
    to one gets a prefix unique to this call: many figures can share one HTML page.
    """
    buf = io.StringIO()
    prefix = f"jb{next(_salts)}-"
    with matplotlib.rc_context(STYLE):
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None, "Title": title})
    text = buf.getvalue()
    text = text[text.index("<svg") :]
    # The Dublin Core block names external namespaces only; drop it, nothing reads it here.
    text = re.sub(r"<metadata>.*?</metadata>", "", text, flags=re.S)
    text = re.sub(r'\bid="([^"]+)"', rf'id="{prefix}\1"', text)
    text = re.sub(r"url\(#([^)]+)\)", rf"url(#{prefix}\1)", text)
    text = re.sub(r'href="#([^"]+)"', rf'href="#{prefix}\1"', text)
    return text.replace("<svg ", '<svg role="img" ', 1)


def to_png(fig: Figure) -> bytes:
    """The figure as PNG bytes."""
    buf = io.BytesIO()
    with matplotlib.rc_context(STYLE):
        fig.savefig(buf, format="png", dpi=120)
    return buf.getvalue()


_UNITS = (("s", 1.0), ("ms", 1e-3), ("us", 1e-6), ("ns", 1e-9))


def time_unit(typical_seconds: float) -> tuple[str, float]:
    """(unit, seconds per unit) that makes a typical value read as 1–999."""
    for unit, scale in _UNITS:
        if abs(typical_seconds) >= scale:
            return unit, scale
    return "ns", 1e-9
