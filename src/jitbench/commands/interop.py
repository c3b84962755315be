"""``jitbench import FILE...``: pyperf/pyperformance results → jitbench artifacts (+ database).

A file that is already a jitbench result is validated and recorded in the database as it is.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ..errors import JitbenchError
from ..results.artifact import SCHEMA_NAME, default_results_dir, load_result, write_atomic
from ..results.model import Result
from .history import add_db_and_config, db_url


def _is_jitbench(path: Path) -> bool:
    try:
        with path.open("rb") as f:
            head = f.read(4096)
    except OSError:
        return False
    return f'"schema":"{SCHEMA_NAME}"' in head.decode("utf-8", "replace").replace(" ", "")


def _target(out: Path | None, result: Result, several: bool) -> Path:
    if out is not None and out.suffix == ".json":
        if several:
            raise JitbenchError(
                f"--out {out} is one file but several FILEs were given; pass a folder"
            )
        return out
    return (out or default_results_dir()) / f"{result.id}.json"


def import_command(args: argparse.Namespace, argv: list[str]) -> int:
    """Convert each file, write it atomically, record it."""
    from .. import db
    from ..interop.pyperf_import import import_file
    from .common import stderr_console

    url = None if args.no_db else db_url(args)
    engine = db.open_database(url) if url else None
    console = stderr_console()
    several = len(args.files) > 1
    try:
        for path in args.files:
            if _is_jitbench(path):
                result, target = load_result(path), path
                note = "already a jitbench result"
            else:
                result = import_file(path, variant=args.variant, argv=argv)
                target = _target(args.out, result, several)
                write_atomic(target, result)
                note = f"variant {next(iter(result.variants))!r}"
            if engine is not None:
                db.record_into(engine, result, str(target))
            ok = sum(p.ok for p in result.processes)
            console.print(
                f"{path} → {target} ({note}; {len(result.benchmarks)} benchmarks, "
                f"{ok} processes{'; recorded in ' + db.shown(url) if url else ''})",
                highlight=False,
            )
            if args.json:
                print(json.dumps({"file": str(path), "result": str(target), "id": result.id}))
    finally:
        if engine is not None:
            engine.dispose()
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """``import``."""
    p = sub.add_parser(
        "import",
        help="turn pyperf/pyperformance JSON into jitbench results and "
        "record them in the results database",
    )
    p.add_argument(
        "files",
        type=Path,
        nargs="+",
        metavar="FILE",
        help="pyperf JSON (.json or .json.gz), or a jitbench result to record",
    )
    p.add_argument(
        "--variant", default=None, help="name of the variant (default: the file name without .json)"
    )
    p.add_argument(
        "--out",
        "-o",
        type=Path,
        default=None,
        help="artifact folder or .json file (default .jitbench/results/)",
    )
    p.add_argument("--no-db", action="store_true", help="do not record in the results database")
    p.add_argument("--json", action="store_true", help="print one JSON line per file")
    add_db_and_config(p)
    p.set_defaults(func=import_command)
