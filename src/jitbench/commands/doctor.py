"""``jitbench doctor [HOST]``: what disturbs measurements on a host, and how to fix it."""

from __future__ import annotations

import argparse

from rich.table import Table

from ..execute import doctor
from ..execute.hosts import access_for
from ..execute.load import Quiet
from ..model import LOCAL, Variant
from .common import load_config, wide_console
from .options import add_config, cores


def doctor_command(args: argparse.Namespace, argv: list[str]) -> int:
    """Examine one host (this machine by default) and print each check with its fix."""
    cfg = load_config(args.config)
    host = cfg.host(args.host)
    access = access_for(host)
    threshold = Quiet(threshold=args.load_threshold).threshold_for(
        host.load_threshold if host else None
    )
    checks = doctor.examine(access, threshold, args.stability)
    # The counting backends are a property of an interpreter where it runs: ask each runtime of
    # this host (only the first of a host's runtimes when there are many).
    runtimes = [r for r in cfg.runtimes.values() if r.host_name == args.host and r.command]
    checks += doctor.counting_checks(
        access, [Variant(name=r.name, runtime=r) for r in runtimes[:3]]
    )
    if args.json:
        from .common import print_json

        print_json(doctor.to_json(args.host, checks))
        return 0
    where = f"host {args.host} ({host.ssh})" if host else "this machine (local)"
    t = Table(title=f"What disturbs measurements on {where}", title_justify="left")
    for col in ("check", "state", "", "fix"):
        t.add_column(col, overflow="fold")
    marks = {True: "[green]ok[/]", False: "[bold red]fix[/]", None: "[dim]?[/]"}
    for c in checks:
        t.add_row(c.name, c.state, marks[c.ok], c.fix)
    console = wide_console()
    console.print(t)
    problems = sum(1 for c in checks if c.ok is False)
    console.print(f"{problems} thing(s) to fix" if problems else "nothing to fix")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """``doctor``."""
    p = sub.add_parser("doctor", help="show what disturbs measurements on a host, with fixes")
    p.add_argument(
        "host",
        nargs="?",
        default=LOCAL,
        metavar="HOST",
        help="a host of the config's [hosts] (default: local, this machine)",
    )
    add_config(p)
    p.add_argument(
        "--load-threshold",
        type=cores,
        default=None,
        metavar="CORES",
        help="cores of other work that count as a busy host (default 0.5)",
    )
    p.add_argument(
        "--stability",
        type=float,
        default=doctor.STABILITY_S,
        metavar="SECONDS",
        help="time a fixed workload back to back for this long to measure how much "
        "the machine's speed moves (default 10; 0 skips)",
    )
    p.add_argument("--json", action="store_true", help="print one JSON document")
    p.set_defaults(func=doctor_command)
