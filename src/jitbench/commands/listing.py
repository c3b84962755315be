"""``jitbench benchmarks``: what the bundled suite holds, and pyperformance's benchmarks."""

from __future__ import annotations

import argparse

from rich.table import Table

from ..benchmarks import BUNDLED
from .common import wide_console


def benchmarks_command(args: argparse.Namespace, argv: list[str]) -> int:
    """List bundled benchmarks with their scale (or pyperformance's, with what each needs)."""
    if args.pyperformance:
        return _pyperformance_listing()
    t = Table(title="Bundled benchmarks (use with --bench NAME)", title_justify="left")
    for col in ("name", "scale", "description"):
        t.add_column(col)
    for b in BUNDLED.values():
        t.add_row(b.name, b.scale, b.description)
    wide_console().print(t)
    return 0


def _pyperformance_listing() -> int:
    from ..suites import pyperformance as suite

    m = suite.manifest()
    t = Table(
        title=f"pyperformance {m.version} benchmarks (use with --bench pyperformance:NAME)",
        title_justify="left",
    )
    for col in ("name", "tags", "needs"):
        t.add_column(col)
    for entry in m.entries.values():
        t.add_row(entry.name, ", ".join(entry.tags), suite.needs(entry))
    console = wide_console()
    console.print(t)
    groups = ", ".join(f"{g} ({len(names)})" for g, names in m.groups.items())
    console.print(f"groups (use with --bench pyperformance:GROUP): {groups}", markup=False)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """``benchmarks``."""
    p = sub.add_parser("benchmarks", help="list the bundled benchmarks (or pyperformance's)")
    p.add_argument(
        "--pyperformance",
        action="store_true",
        help="list the installed pyperformance's benchmarks, groups and what each needs",
    )
    p.set_defaults(func=benchmarks_command)
