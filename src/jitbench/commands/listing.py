"""``jitbench benchmarks``: what the bundled suite holds."""

from __future__ import annotations

import argparse

from rich.table import Table

from ..benchmarks import BUNDLED
from .common import wide_console


def benchmarks_command(args: argparse.Namespace, argv: list[str]) -> int:
    """List bundled benchmarks with their scale."""
    t = Table(title="Bundled benchmarks (use with --bench NAME)", title_justify="left")
    for col in ("name", "scale", "description"):
        t.add_column(col)
    for b in BUNDLED.values():
        t.add_row(b.name, b.scale, b.description)
    wide_console().print(t)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """``benchmarks``."""
    p = sub.add_parser("benchmarks", help="list the bundled benchmarks")
    p.set_defaults(func=benchmarks_command)
