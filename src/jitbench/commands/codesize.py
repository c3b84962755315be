"""``jitbench codesize``: machine code size of 1, 2 … N generated functions per variant, and a
growth gate between a baseline and a candidate (exit 1 when the candidate grows too much)."""

from __future__ import annotations

import argparse

from rich.table import Table

from ..errors import JitbenchError
from ..execute import codesize as cs
from ..execute.emulation import emulation_of
from ..execute.hosts import access_for
from ..model import Variant
from .common import load_config, stderr_console, wide_console
from .options import add_config, percent, positive_float, positive_int

EXIT_GROWTH = 1
SHOWN_COUNTS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)


def _table(results: list[cs.CodeSize]) -> Table:
    n = len(results[0].totals)
    t = Table(
        title=f"Code size, shape {results[0].shape!r} ({results[0].measure}), bytes",
        title_justify="left",
    )
    t.add_column("functions", justify="right")
    mixed = len({r.machine for r in results}) > 1  # e.g. aarch64 and x86_64 side by side
    for r in results:
        t.add_column(f"{r.variant} ({r.machine})" if mixed else r.variant, justify="right")
    if len(results) == 2:
        t.add_column("Δ", justify="right")
    for k in [c for c in SHOWN_COUNTS if c < n] + [n]:
        row = [str(k)] + [f"{r.totals[k - 1]:,d}" for r in results]
        if len(results) == 2:
            row.append(f"{results[1].totals[k - 1] - results[0].totals[k - 1]:+,d}")
        t.add_row(*row)
    t.add_row(
        "per function",
        *[f"{r.per_function:,.1f}" for r in results],
        *(
            [f"{results[1].per_function - results[0].per_function:+,.1f}"]
            if len(results) == 2
            else []
        ),
    )
    return t


def _measure(v: Variant, args: argparse.Namespace) -> cs.CodeSize:
    """The code-size probe of one variant on its own machine: local, chroot or an SSH host."""
    access = access_for(v.runtime.host)  # one shared connection per host
    r = cs.measure(access.transport, v, args.shape, args.count, args.timeout)
    # Code size is exact under emulation (e.g. aarch64 on qemu-user): recorded, not refused.
    r.emulation = emulation_of(r.machine, access.facts().get("machine"), access)
    return r


def _print_json(
    args: argparse.Namespace, results: list[cs.CodeSize], growth: float | None, failed: bool
) -> None:
    from .common import print_json

    print_json(
        {
            "shape": args.shape,
            "count": args.count,
            "results": [r.to_dict() for r in results],
            "growth_pct": growth,
            "max_growth_pct": args.max_growth,
            "passed": not failed,
        }
    )


def _print_text(args: argparse.Namespace, results: list[cs.CodeSize], growth: float | None) -> None:
    console = wide_console()
    for r in results:
        how = r.emulation["text"] if r.emulation else f"{r.machine} code"
        console.print(f"{r.variant}: {r.line()} [dim]({r.measure}; {how})[/]")
    console.print(_table(results))
    if growth is not None:
        console.print(
            f"{results[1].variant} vs {results[0].variant}: size{args.count} {growth:+.2f} %"
        )


def codesize_command(args: argparse.Namespace, argv: list[str]) -> int:
    """Measure each variant once; with two and --max-growth, gate on the candidate's growth."""
    if args.max_growth is not None and len(args.variants) != 2:
        raise JitbenchError("--max-growth compares two variants; give BASELINE CANDIDATE")
    cfg = load_config(args.config)
    variants = [cfg.variant(n) for n in args.variants]
    results = [_measure(v, args) for v in variants]
    growth = cs.growth_pct(results[0], results[1]) if len(results) == 2 else None
    # Code of two architectures is shown side by side, but a growth gate between them is no gate.
    cross_arch = growth is not None and results[0].machine != results[1].machine
    failed = (
        growth is not None
        and args.max_growth is not None
        and not cross_arch
        and growth > args.max_growth
    )
    if args.json:
        _print_json(args, results, growth, failed)
    else:
        _print_text(args, results, growth)
    if cross_arch and args.max_growth is not None:
        raise JitbenchError(
            f"--max-growth compares code of one architecture, but {results[0].variant!r} is "
            f"{results[0].machine} and {results[1].variant!r} is {results[1].machine} code; "
            "fix: gate two variants of one runtime (without --max-growth they are shown side "
            "by side)"
        )
    if failed:
        stderr_console().print(
            f"jitbench: code size grew {growth:+.2f} % ({results[0].variant} "
            f"{results[0].size_n:,d} → {results[1].variant} {results[1].size_n:,d} bytes for "
            f"{args.count} functions), more than --max-growth {args.max_growth:g} %"
        )
        return EXIT_GROWTH
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """``codesize``."""
    p = sub.add_parser(
        "codesize",
        help="machine code size of 1..N generated functions; a growth gate between two variants",
    )
    p.add_argument(
        "variants",
        nargs="+",
        metavar="VARIANT",
        help="one variant, or BASELINE CANDIDATE (their JIT must be on)",
    )
    add_config(p)
    p.add_argument(
        "--shape",
        choices=list(cs.SHAPES),
        default=cs.DEFAULT_SHAPE,
        help="what each generated function does: "
        + "; ".join(f"{k}: {v[0]}" for k, v in cs.SHAPES.items())
        + f" (default {cs.DEFAULT_SHAPE})",
    )
    p.add_argument(
        "--count",
        "-N",
        type=positive_int,
        default=200,
        help="how many functions to compile, one after another (default 200)",
    )
    p.add_argument(
        "--max-growth",
        type=percent,
        default=None,
        metavar="PCT",
        help="with two variants: exit 1 when the candidate's size for N functions "
        "grows by more than this, e.g. 2%%",
    )
    p.add_argument(
        "--timeout",
        type=positive_float,
        default=300.0,
        help="seconds before the probe process is killed (default 300)",
    )
    p.add_argument("--json", action="store_true", help="print one JSON document and nothing else")
    p.set_defaults(func=codesize_command)
