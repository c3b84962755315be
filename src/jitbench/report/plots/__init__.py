"""Plots of results, drawn with matplotlib and handed out as inline SVG (or PNG).

Plot functions take analysed data and return a matplotlib ``Figure``; :func:`to_svg` /
:func:`to_png` turn it into something to embed or save. Nothing here computes statistics.
"""

from __future__ import annotations

from .benchmark import distributions, warmup_curves
from .jit import code_size_ranking
from .render import VERDICT_COLOURS, time_unit, to_png, to_svg, variant_colours
from .suite import forest, sweep_curves

__all__ = [
    "VERDICT_COLOURS",
    "code_size_ranking",
    "distributions",
    "forest",
    "sweep_curves",
    "time_unit",
    "to_png",
    "to_svg",
    "variant_colours",
    "warmup_curves",
]
