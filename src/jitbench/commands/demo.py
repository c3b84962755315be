"""``jitbench demo``: the bundled suite on every interpreter found here, plus an A/A control.

Needs no configuration. The interpreter running jitbench is the baseline; a second copy of it is
the A/A control (it must come out equivalent or inconclusive, never faster or slower); PyPy,
a CPython with its JIT and CinderX join when they are present.
"""

from __future__ import annotations

import argparse
import secrets
import shutil
import sys
from dataclasses import replace
from pathlib import Path

from ..analysis import experiment as an
from ..benchmarks import bundled_names
from ..config import default_config
from ..model import Design, Experiment, Runtime, Variant
from ..runtimes import provisioned
from .common import stderr_console
from .measure import measure
from .options import add_db, positive_int

DEMO_DESIGN = Design(processes=6, values=8, warmups=2, timeout=120.0, min_time=0.02)


def _version_tag() -> str:
    return f"cpython{sys.version_info.major}.{sys.version_info.minor}"


def demo_variants() -> list[Variant]:
    """The baseline, its A/A twin, then whatever other interpreters are installed."""
    here = Runtime(name="this", command=(sys.executable,), kind="python")
    tag = _version_tag()
    variants = [Variant(name=tag, runtime=here), Variant(name=f"{tag}-again", runtime=here)]
    pypy = shutil.which("pypy3")
    if pypy:
        variants.append(Variant(name="pypy", runtime=Runtime("pypy", (pypy,), "pypy")))
    py314 = provisioned.py314_command()
    if py314:
        rt = Runtime("cpython3.14", tuple(py314), "cpython")
        variants.append(Variant(name="cpython3.14-jit", runtime=rt, mode="jit"))
    cx = provisioned.cinderx_command()
    if cx:
        from ..runtimes import KINDS

        if "cinderx" in KINDS:
            rt = Runtime("cinderx", tuple(cx), "cinderx")
            variants.append(Variant(name="cinderx-autojit", runtime=rt, mode="autojit=10"))
    return variants


def demo_command(args: argparse.Namespace, argv: list[str]) -> int:
    """Run the demo experiment and print its table."""
    cfg = default_config()
    variants = demo_variants()
    benches = [cfg.benchmark(n) for n in bundled_names()]
    design = replace(DEMO_DESIGN, processes=args.processes or DEMO_DESIGN.processes,
                     seed=secrets.randbelow(2**31))
    if not (args.json or args.markdown):
        stderr_console().print(
            f"jitbench demo: {', '.join(b.name for b in benches)} on "
            f"{', '.join(v.name for v in variants)}; {design.processes} interleaved processes each")
    exp = Experiment(variants=variants, benchmarks=benches, design=design)
    measure(exp, args, argv, None, opts=an.Options(seed=design.seed))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """``demo``."""
    p = sub.add_parser("demo", help="run the bundled suite on the interpreters found here")
    p.add_argument("--processes", "-p", type=positive_int, default=None,
                   help=f"processes per variant and benchmark (default {DEMO_DESIGN.processes})")
    p.add_argument("--out", "-o", type=Path, default=None, help="artifact folder or .json file")
    add_db(p)
    out = p.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print one JSON document")
    out.add_argument("--markdown", action="store_true", help="print a findings table")
    p.set_defaults(func=demo_command)
