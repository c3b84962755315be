"""``jitbench export RESULT``: a result as pyperf JSON (one variant) and/or CSV of every value."""

from __future__ import annotations

import argparse
import gzip
import json
from pathlib import Path

from ..errors import JitbenchError


def export_command(args: argparse.Namespace, argv: list[str]) -> int:
    """Write the formats asked for."""
    from ..interop import to_pyperf
    from ..report.csvout import values_csv
    from ..results.artifact import load_result
    from ..results.atomic import write_bytes_atomic, write_text_atomic
    from .common import stderr_console

    if not (args.pyperf or args.csv):
        raise JitbenchError("nothing to export; pass --pyperf OUT.json and/or --csv OUT.csv")
    doc = load_result(args.result)
    console = stderr_console()
    if args.pyperf:
        text = json.dumps(to_pyperf(doc, args.variant), separators=(",", ":")) + "\n"
        data = text.encode()
        if args.pyperf.suffix == ".gz":
            data = gzip.compress(data)
        write_bytes_atomic(args.pyperf, data)
        console.print(f"pyperf: {args.pyperf}", highlight=False)
    if args.csv:
        write_text_atomic(args.csv, values_csv(doc))
        console.print(f"csv: {args.csv}", highlight=False)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """``export``."""
    p = sub.add_parser("export", help="write a result as pyperf JSON or as CSV")
    p.add_argument("result", type=Path, metavar="RESULT")
    p.add_argument(
        "--pyperf",
        type=Path,
        default=None,
        metavar="OUT.json",
        help="pyperf JSON of one variant (python -m pyperf stats / compare_to read it); "
        "OUT.json.gz compresses",
    )
    p.add_argument(
        "--variant",
        default=None,
        help="the variant for --pyperf (needed when the result has several)",
    )
    p.add_argument(
        "--csv",
        type=Path,
        default=None,
        metavar="OUT.csv",
        help="one row per value: benchmark, variant, slot, round, index, warmup, seconds",
    )
    p.set_defaults(func=export_command)
