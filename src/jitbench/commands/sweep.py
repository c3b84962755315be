"""``jitbench sweep BASE``: run a base variant and one derived variant per setting of its mode or
JIT options, interleaved; print every point against the default with its verdict, and the best."""

from __future__ import annotations

import argparse
import math

from rich.table import Table

from ..analysis import experiment as an
from ..errors import JitbenchError
from ..model import Experiment
from ..plan import sweep as sw
from ..report import fmt
from ..report.rows import ci_header
from ..report.terminal import VERDICT_STYLE
from ..results.model import Result
from .common import (
    analysis_options,
    chosen_benchmarks,
    gate_status,
    load_config,
    print_json,
    print_result_path,
    wide_console,
)
from .measure import Show, design_from, measure
from .options import add_analysis, add_run


def _table(table: list[dict], sweep: dict, ci: str) -> Table:
    t = Table(
        title=f"Sweep vs the default {sweep['default']} ({ci}; < 0 means faster)",
        title_justify="left",
    )
    t.add_column("benchmark")
    for p in sweep["parameters"]:
        t.add_column(p)
    metric = table[0]["metric"] if table else "steady"
    measures = list(dict.fromkeys(r.get("measure", "time") for r in table)) or ["time"]
    several = len(measures) > 1
    value = f"{metric} value" if several else f"{metric} {measures[0]}"
    if several:
        t.add_column("measure")
    for col in (value, "change", ci, "verdict"):
        t.add_column(col, justify="left" if col == "verdict" else "right")
    for bench in dict.fromkeys(r["benchmark"] for r in table):
        for what in measures:
            mine = [
                r for r in table if r["benchmark"] == bench and r.get("measure", "time") == what
            ]
            if not mine:
                continue
            shown = fmt.seconds if what == "time" else fmt.count
            t.add_row(
                bench,
                *[
                    _show(sweep["points"][sweep["default"]][p]) + " (default)"
                    for p in sweep["parameters"]
                ],
                *([what] if several else []),
                shown(mine[0]["default_mean"]),
                "",
                "",
                "",
            )
            for r in mine:
                t.add_row(
                    "",
                    *[_show(r["params"][p]) for p in sweep["parameters"]],
                    *([what] if several else []),
                    shown(r["mean"]),
                    fmt.pct(r["change_pct"]),
                    fmt.ci(r["ci_low_pct"], r["ci_high_pct"]),
                    f"[{VERDICT_STYLE[r['verdict']]}]{r['verdict']}[/]",
                )
    return t


def _show(value: object) -> str:
    if value is None:
        return "built-in"  # the option is not set: the JIT's own default
    return str(value).lower() if isinstance(value, bool) else str(value)


def _best_line(bench: str, b: dict, default: str, measure: str = "time") -> str:
    name = bench if measure == "time" else f"{bench} ({measure})"
    if b["params"] is None:
        return f"{name}: best is the default {default} ({b['note']})"
    params = ", ".join(f"{k}={_show(v)}" for k, v in b["params"].items())
    return f"{name}: best is {params} ({b['variant']}, {fmt.pct(b['change_pct'])} vs the default)"


def _json_safe(x: float) -> float | None:
    return x if isinstance(x, float) and math.isfinite(x) else None


def shown(args: argparse.Namespace, sweep: dict) -> Show:
    """How a sweep shows its comparison: the table of points and the best one (or --json)."""
    default = sweep["default"]

    def show(analysis: an.Analysis, doc: Result, path: str) -> None:
        table = sw.rows(analysis, sweep)
        best = sw.best(table, default)
        # The counted measures' best points, beside time's (fewest instructions, ...).
        counted = {
            m: sw.best(table, default, m)
            for m in dict.fromkeys(r["measure"] for r in table)
            if m != "time"
        }
        if args.json:
            print_json(
                {
                    "result": path,
                    "sweep": sweep,
                    "best": best,
                    "best_by_measure": {"time": best, **counted},
                    "points": [
                        {
                            **r,
                            **{
                                k: _json_safe(r[k])
                                for k in (
                                    "mean",
                                    "default_mean",
                                    "change_pct",
                                    "ci_low_pct",
                                    "ci_high_pct",
                                )
                            },
                        }
                        for r in table
                    ],
                    "analysis": an.to_json(analysis, doc, path),
                }
            )
            return
        console = wide_console()
        console.print(_table(table, sweep, ci_header(analysis)))
        for bench, b in best.items():
            console.print(_best_line(bench, b, default))
        for what, bests in counted.items():
            for bench, b in bests.items():
                console.print(_best_line(bench, b, default, what))
        for note in analysis.skipped:
            console.print(f"  [yellow]note:[/] {note}")
        print_result_path(console, doc, path)

    return show


def sweep_command(args: argparse.Namespace, argv: list[str]) -> int:
    """Derive the points, run them interleaved with the base, print the sweep table."""
    cfg = load_config(args.config)
    base = cfg.variant(args.base)
    modes = [m for spec in args.mode for m in sw.mode_values(spec)]
    options = [sw.option_values(spec) for spec in args.option]
    points = sw.points(base, modes, options)
    if not points:
        raise JitbenchError("every sweep point equals the base variant; sweep other values")
    benches = chosen_benchmarks(args, cfg)
    sweep = sw.record(base, points)
    exp = Experiment(
        variants=[base, *(p.variant for p in points)],
        benchmarks=benches,
        design=design_from(args, cfg.experiment),
        config_path=cfg.path,
        extra={"sweep": sweep},
    )
    opts = analysis_options(args, cfg, seed=exp.design.seed, baseline=base.name)
    show = shown(args, sweep)
    measured = measure(exp, args, argv, cfg, opts=opts, show=show)
    return gate_status(measured.analysis, args) if measured.analysis is not None else 0


def register(sub: argparse._SubParsersAction) -> None:
    """``sweep``."""
    p = sub.add_parser(
        "sweep",
        help="run a variant over a range of modes / JIT options, "
        "interleaved, with a verdict per point",
    )
    p.add_argument("base", metavar="BASE", help="the variant as configured: the default point")
    p.add_argument(
        "--mode",
        action="append",
        default=[],
        metavar="LIST",
        help="modes to sweep, comma-separated; a bare number repeats the previous "
        "prefix: autojit=10,25,50,100 (repeatable)",
    )
    p.add_argument(
        "--option",
        action="append",
        default=[],
        metavar="KEY=V1,V2",
        help="a JIT option to sweep, e.g. hir_inliner=true,false or, for PyPy, "
        "threshold=100,1000 (repeatable: several make a grid)",
    )
    add_run(p)
    add_analysis(p, markdown=False, verbose=False)
    p.set_defaults(func=sweep_command)
