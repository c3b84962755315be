"""``jitbench compare RESULT``: the from → to table of a saved result."""

from __future__ import annotations

import argparse

from .. import analysis as an
from ..results import load
from .common import analysis_options, present


def compare_command(args: argparse.Namespace) -> int:
    """Analyse a saved artifact and print it."""
    doc = load(args.result)
    opts = analysis_options(args, None, baseline=args.baseline,
                            candidates=tuple(args.candidate), seed=args.seed)
    present(an.analyse(doc, opts), doc, args, str(args.result))
    return 0
