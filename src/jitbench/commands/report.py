"""``jitbench report RESULT...``: the HTML report, Markdown findings or tables of saved results."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from .common import wide_console
from .options import add_analysis

if TYPE_CHECKING:
    from ..report.html import ReportInput


def _analyse(args: argparse.Namespace, path: Path) -> ReportInput:
    from ..analysis import experiment as an
    from ..report.html import ReportInput
    from ..report.sweep import is_sweep
    from ..results.artifact import load_result
    from .common import analysis_options

    doc = load_result(path)
    baseline = args.baseline
    default = (doc.sweep or {}).get("default")
    if baseline is None and is_sweep(doc) and default in doc.variants:
        baseline = default  # a sweep is read against its default point
    opts = analysis_options(
        args, None, baseline=baseline, candidates=tuple(args.candidate), seed=args.seed
    )
    return ReportInput(str(path), doc, an.analyse(doc, opts))


def report_command(args: argparse.Namespace, argv: list[str]) -> int:
    """Analyse each result, then write/print what was asked (terminal tables by default)."""
    # Imported here: matplotlib and friends must not slow down every other command's start.

    from ..analysis import experiment as an
    from ..report import html, markdown, terminal
    from ..results.atomic import write_text_atomic
    from .common import stderr_console

    items = [_analyse(args, p) for p in args.results]
    if args.html:
        write_text_atomic(args.html, html.render(items, title=args.title))
        stderr_console().print(f"report: {args.html}", highlight=False)
    if args.markdown:
        sys.stdout.write("\n---\n\n".join(markdown.findings(i.analysis, i.doc) for i in items))
    elif args.json:
        from .common import print_json

        docs = [an.to_json(i.analysis, i.doc, i.path) for i in items]
        print_json(docs[0] if len(docs) == 1 else {"results": docs})
    elif not args.html:
        console = wide_console()
        for i in items:
            console.print(f"[bold]{i.doc.id}[/] [dim]({i.path})[/]")
            terminal.print_analysis(i.analysis, console, verbose=args.verbose)
    from .common import gate_status

    # --max-regression: the worst of the results decides the exit status.
    return max((gate_status(i.analysis, args) for i in items), default=0)


def register(sub: argparse._SubParsersAction) -> None:
    """``report``."""
    p = sub.add_parser(
        "report", help="HTML report with plots, Markdown findings or tables of saved results"
    )
    p.add_argument(
        "results",
        type=Path,
        nargs="+",
        metavar="RESULT",
        help="result artifact(s); each gets its own section",
    )
    p.add_argument(
        "--html",
        type=Path,
        default=None,
        metavar="OUT.html",
        help="write one self-contained HTML file (plots inline, works offline)",
    )
    p.add_argument("--title", default="jitbench report", help="title of the HTML report")
    p.add_argument(
        "--baseline",
        default=None,
        help="baseline variant (default: the run's baseline, a sweep's default)",
    )
    p.add_argument("--candidate", action="append", default=[], help="candidate variant(s)")
    p.add_argument("--seed", type=int, default=0, help="bootstrap seed (default 0)")
    add_analysis(p)
    p.set_defaults(func=report_command)
