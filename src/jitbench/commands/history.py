"""``jitbench history BENCH``: a benchmark over stored experiments, as a table and a plot.

Also home of :func:`db_url`, the database the command line, environment and config name.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import JitbenchError
from ..measures import MEASURES
from ..report import fmt
from .common import wide_console
from .options import add_config, add_db, positive_int

if TYPE_CHECKING:
    from rich.table import Table

    from .. import db

PLOT_SUFFIXES = (".png", ".svg", ".html")


def add_db_and_config(p: argparse.ArgumentParser) -> None:
    """``--db URL`` and ``--config`` (for its ``[results] db``)."""
    add_db(p)
    add_config(p)


def db_url(args: argparse.Namespace) -> str | None:
    """The database the command line, environment and config name (None: recording is off)."""
    from .. import db
    from .common import load_config

    cfg = load_config(args.config) if args.db is None else None
    return db.resolve(args.db, db.settings_of(cfg))


def _vs_previous(row: db.HistoryRow) -> str:
    c = row.vs_previous
    if c is None:
        return "—"
    if c.reason:
        return f"{fmt.pct(c.change_pct, 1)}, no verdict: {c.reason}"
    return (
        f"{fmt.pct(c.change_pct, 1)} [{fmt.pct(c.low_pct, 1)}, "
        f"{fmt.pct(c.high_pct, 1)}] {c.verdict} (run-to-run sd {c.run_sd_pct:.1f} %)"
    )


def table(benchmark: str, rows: list[db.HistoryRow]) -> Table:
    """The history as a rich table; host/interpreter/revision columns only when they vary."""
    from rich.table import Table

    ci = fmt.ci_label(r.vs_previous.confidence for r in rows if r.vs_previous is not None)
    measure = rows[0].measure if rows else "time"
    shown = fmt.seconds if measure == "time" else fmt.count
    what = "" if measure == "time" else f"{measure} "
    t = Table(
        title=f"{benchmark}: history ({what}per iteration; vs previous = change from the previous "
        f"row of the same variant and host, {ci} counting the drift between runs)",
        title_justify="left",
    )
    optional = {
        "host": len({r.hostname for r in rows}) > 1,
        "interpreter": len({r.interpreter for r in rows}) > 1,
        "revision": any(r.revision for r in rows),
    }
    columns = [
        "date (UTC)",
        "result",
        "variant",
        *[k for k, on in optional.items() if on],
        "P",
        "mean",
        "median",
        "stdev",
        "vs previous",
    ]
    for col in columns:
        # Like the other tables (report/terminal.py): cells never wrap; the table is as wide as
        # its content.
        t.add_column(
            col,
            justify="right" if col in ("P", "mean", "median", "stdev") else "left",
            no_wrap=True,
        )
    for r in rows:
        cells = {
            "date (UTC)": r.created.strftime("%Y-%m-%d %H:%M"),
            "result": r.result_id + ("" if r.complete else " (incomplete)"),
            "variant": r.variant,
            "host": r.hostname,
            "interpreter": r.interpreter or "—",
            "revision": r.revision or "—",
            "P": str(r.summary.n_processes),
            "mean": shown(r.summary.mean),
            "median": shown(r.summary.median),
            "stdev": shown(r.summary.stdev),
            "vs previous": _vs_previous(r),
        }
        t.add_row(*(cells[c] for c in columns))
    if not optional["host"] and rows:
        t.caption = f"host {rows[0].hostname}; {rows[0].interpreter or ''}".rstrip("; ")
    return t


def to_json(benchmark: str, rows: list[db.HistoryRow]) -> dict:
    """The ``--json`` document."""
    return {
        "benchmark": benchmark,
        "measure": rows[0].measure if rows else "time",
        "rows": [
            {
                "created": r.created.isoformat() + "Z",
                "result": r.result_id,
                "variant": r.variant,
                "host": r.hostname,
                "interpreter": r.interpreter,
                "revision": r.revision,
                "complete": r.complete,
                "summary": r.summary.to_dict(),
                "vs_previous": r.vs_previous.to_dict() if r.vs_previous else None,
            }
            for r in rows
        ],
    }


def write_plot(path: Path, benchmark: str, rows: list[db.HistoryRow]) -> None:
    """The history plot as PNG, SVG or a self-contained HTML page, by the file's suffix."""
    from ..report import plots
    from ..report.plots.history import history as history_plot
    from ..results.atomic import write_bytes_atomic, write_text_atomic

    suffix = path.suffix.lower()
    if suffix not in PLOT_SUFFIXES:
        raise JitbenchError(
            f"--plot {path}: unknown format {suffix or '(none)'}; use "
            f"{', '.join('OUT' + s for s in PLOT_SUFFIXES)}"
        )
    fig = history_plot(benchmark, rows)
    if suffix == ".png":
        write_bytes_atomic(path, plots.to_png(fig))
        return
    svg = plots.to_svg(fig, f"{benchmark} history")
    if suffix == ".svg":
        write_text_atomic(path, svg)
        return
    from ..report.html import CSP, CSS

    write_text_atomic(
        path,
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<meta http-equiv='Content-Security-Policy' content=\"{CSP}\">"
        f"<title>{benchmark} history</title><style>{CSS}</style></head>"
        f"<body><h1>{benchmark}: history</h1><figure class='plot' "
        f"data-plot='history'>{svg}</figure></body></html>\n",
    )


def history_command(args: argparse.Namespace, argv: list[str]) -> int:
    """List (and plot) a benchmark over the stored experiments."""

    from .. import db
    from .common import stderr_console

    url = db_url(args)
    if url is None:
        raise JitbenchError(
            "the results database is off (--db off, $JITBENCH_DB or results.db "
            "in jitbench.toml); pass --db URL"
        )
    engine = db.open_database(url)
    try:
        rows = db.history(
            engine,
            args.benchmark,
            variant=args.variant,
            host=args.host,
            limit=args.limit,
            measure=args.measure,
        )
    finally:
        engine.dispose()
    if args.plot:
        write_plot(args.plot, args.benchmark, rows)
        stderr_console().print(f"plot: {args.plot}", highlight=False)
    if args.json:
        from .common import print_json

        print_json(json.loads(json.dumps(to_json(args.benchmark, rows))))
    else:
        wide_console().print(table(args.benchmark, rows))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """``history``."""
    p = sub.add_parser("history", help="a benchmark over the experiments in the results database")
    p.add_argument("benchmark", metavar="BENCH")
    p.add_argument("--variant", default=None, help="only this variant")
    p.add_argument("--host", default=None, help="only this host (hostname)")
    p.add_argument("--limit", type=positive_int, default=None, help="only the newest N rows")
    p.add_argument(
        "--measure",
        choices=MEASURES,
        default="time",
        help="what the rows show: time per iteration (default; timed processes only) or a "
        "count per iteration, e.g. instructions (runs made with --measure time,instructions)",
    )
    p.add_argument(
        "--plot",
        type=Path,
        default=None,
        metavar="OUT.png|.svg|.html",
        help="also draw the history",
    )
    p.add_argument("--json", action="store_true", help="print one JSON document")
    add_db_and_config(p)
    p.set_defaults(func=history_command)
