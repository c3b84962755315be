"""Flame graphs as self-contained SVG: one per variant, and a differential one for A → B.

Each box is a frame; its width is its share of the samples (inclusive). In the differential graph
the widths are B's and the colour says how the frame's inclusive share changed from A: red grew,
blue shrank, the stronger the larger. Hover shows the numbers (SVG ``<title>``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from html import escape
from typing import NamedTuple

from ..profile.folded import SEP
from ..profile.shares import category

ROW = 17
WIDTH = 1200
MIN_WIDTH_PX = 0.5
FONT_PX = 11
CHAR_PX = 6.6  # average width of a FONT_PX monospace character

COLOURS = {
    "jit": "#e8a33d",
    "interpreter": "#6fa8dc",
    "runtime": "#f4cc70",
    "unsymbolised": "#d9b38c",
    "gc": "#8fce00",
    "compiler": "#c27ba0",
    "kernel": "#b4a7d6",
    "other": "#cccccc",
}


@dataclass
class _Node:
    name: str
    total: int = 0
    children: dict[str, _Node] = field(default_factory=dict)


class _Box(NamedTuple):
    """One frame drawn: its row, left edge and width in px, label, colour and hover text."""

    depth: int
    x: float
    w: float
    name: str
    fill: str
    tip: str


def _tree(folded: Counter) -> _Node:
    root = _Node("all")
    for stack, n in folded.items():
        root.total += n
        node = root
        for frame in stack.split(SEP):
            node = node.children.setdefault(frame, _Node(frame))
            node.total += n
    return root


def _inclusive(folded: Counter) -> dict[tuple[str, ...], float]:
    """Share of samples (0..1) under each stack prefix."""
    total = max(1, sum(folded.values()))
    out: dict[tuple[str, ...], float] = {}
    for stack, n in folded.items():
        frames = tuple(stack.split(SEP))
        for i in range(1, len(frames) + 1):
            out[frames[:i]] = out.get(frames[:i], 0.0) + n / total
    return out


def _delta_colour(delta: float) -> str:
    """Red for a frame that grew (in share points), blue for one that shrank."""
    strength = min(1.0, abs(delta) / 0.05)
    fade = int(235 - 175 * strength)
    return f"rgb(235,{fade},{fade})" if delta > 0 else f"rgb({fade},{fade},235)"


def flame_svg(folded: Counter, title: str, before: Counter | None = None) -> str:
    """The SVG of a flame graph of ``folded``; with ``before``, a differential one against it."""
    root = _tree(folded)
    total = max(1, root.total)
    base = _inclusive(before) if before is not None else None
    now = _inclusive(folded) if before is not None else None
    boxes: list[_Box] = []
    depth_max = 0

    def draw(node: _Node, path: tuple[str, ...], x: float, depth: int) -> None:
        nonlocal depth_max
        for child in sorted(node.children.values(), key=lambda c: c.name):
            w = WIDTH * child.total / total
            if w >= MIN_WIDTH_PX:
                key = (*path, child.name)
                share = 100.0 * child.total / total
                if base is not None and now is not None:
                    delta = now.get(key, 0.0) - base.get(key, 0.0)
                    fill = _delta_colour(delta)
                    tip = f"{child.name}: {share:.2f} % of samples ({100 * delta:+.2f} points)"
                else:
                    fill = COLOURS[category(child.name)]
                    tip = f"{child.name}: {share:.2f} % of samples ({child.total})"
                boxes.append(_Box(depth, x, w, child.name, fill, tip))
                depth_max = max(depth_max, depth)
                draw(child, key, x, depth + 1)
            x += w

    draw(root, (), 0.0, 0)
    height = (depth_max + 1) * ROW + 40
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="flame" width="{WIDTH}" '
        f'height="{height}" viewBox="0 0 {WIDTH} {height}" font-family="monospace" '
        f'font-size="{FONT_PX}">',
        f'<text x="4" y="16" font-size="13">{escape(title)} — {root.total} samples</text>',
    ]
    for depth, x, w, name, fill, tip in boxes:
        y = height - (depth + 1) * ROW - 4
        label = ""
        fits = int((w - 4) / CHAR_PX)
        if fits >= 3:
            label = name if len(name) <= fits else name[: fits - 1] + "…"
        parts.append(
            f'<g><title>{escape(tip)}</title><rect x="{x:.1f}" y="{y}" '
            f'width="{max(w - 0.5, 0.1):.1f}" height="{ROW - 1}" fill="{fill}"/>'
            + (f'<text x="{x + 2:.1f}" y="{y + ROW - 5}">{escape(label)}</text>' if label else "")
            + "</g>"
        )
    parts.append("</svg>")
    return "\n".join(parts)
