"""``jitbench validate FILE`` and ``jitbench schema``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..results.artifact import SCHEMA_PATH, load_result


def validate_command(args: argparse.Namespace, argv: list[str]) -> int:
    """Check one artifact; the error (exit 2) names the first bad field."""
    result = load_result(args.result)
    ok = sum(1 for p in result.processes if p.ok)
    print(
        f"{args.result}: valid jitbench result v{result.schema_version} "
        f"({len(result.variants)} variants, {len(result.benchmarks)} benchmarks, "
        f"{ok}/{len(result.processes)} processes ok"
        f"{'' if result.complete else ', INCOMPLETE'})"
    )
    return 0


def schema_command(args: argparse.Namespace, argv: list[str]) -> int:
    """Print the published JSON Schema."""
    sys.stdout.write(SCHEMA_PATH.read_text(encoding="utf-8"))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """``validate`` and ``schema``."""
    p = sub.add_parser("validate", help="check a result file against the published schema")
    p.add_argument("result", type=Path, metavar="FILE")
    p.set_defaults(func=validate_command)
    p = sub.add_parser("schema", help="print the result JSON Schema")
    p.set_defaults(func=schema_command)
