"""``jitbench compare RESULT``: the from → to table of a saved result."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..analysis import experiment as an
from ..results.artifact import load_result
from .common import analysis_options, gate_status, present
from .options import add_analysis


def compare_command(args: argparse.Namespace, argv: list[str]) -> int:
    """Analyse a saved artifact and print it."""
    doc = load_result(args.result)
    opts = analysis_options(
        args, None, baseline=args.baseline, candidates=tuple(args.candidate), seed=args.seed
    )
    analysis = an.analyse(doc, opts)
    present(analysis, doc, args, str(args.result))
    return gate_status(analysis, args)


def register(sub: argparse._SubParsersAction) -> None:
    """``compare``."""
    p = sub.add_parser("compare", help="compare the variants of a saved result")
    p.add_argument("result", type=Path, metavar="RESULT")
    p.add_argument("--baseline", default=None, help="baseline variant (default: the run's first)")
    p.add_argument("--candidate", action="append", default=[], help="candidate variant(s)")
    p.add_argument("--seed", type=int, default=0, help="bootstrap seed (default 0)")
    add_analysis(p)
    p.set_defaults(func=compare_command)
