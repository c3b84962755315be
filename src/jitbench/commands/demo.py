"""``jitbench demo``: the engineer's loop in small, on the JITs found here.

Needs no configuration. One interleaved experiment holds a from → to pair per JIT: CinderX
``nojit`` → ``autojit=2`` and ``jitlist=auto``, CPython 3.14 without → with its JIT, PyPy
without → with its JIT, and an A/A control (the interpreter running jitbench against itself,
which must never come out faster or slower). Then it shows the proof that every JIT variant
compiled something, the largest compiled functions of richards, and writes the HTML report.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import sys
from dataclasses import dataclass, replace
from pathlib import Path

from .. import runtimes
from ..analysis import experiment as an
from ..benchmarks import bundled_names
from ..config import default_config
from ..execute.valgrind import Valgrind
from ..model import Design, Experiment, Runtime, Variant
from ..results.model import Result
from ..runtimes import provisioned
from .common import present, stderr_console, wide_console
from .measure import measure
from .options import add_db, positive_int

DEMO_DESIGN = Design(processes=5, values=6, warmups=2, timeout=120.0, min_time=0.02)
QUICK_DESIGN = Design(processes=3, values=5, warmups=2, timeout=120.0, min_time=0.01)
# Instruction counts are deterministic: two counted processes of two values per variant give
# their verdict (a CI of zero width when they agree), at valgrind's cost.
COUNTED_ROUNDS = 2
COUNTED_VALUES = 2
COUNTED_BENCHMARK = "richards"  # valgrind's processes cost ~40x: count the one the story is about
# PyPy's JIT is tens of times faster by time alone, and PyPy without its JIT is the slowest thing
# valgrind could run here (half the counted cost): its counts add cost, not a verdict.
# The demo's runtimes, by the names it gives them.
THIS, CINDERX, CPYTHON314, PYPY = "this", "cinderx", "cpython3.14", "pypy"
COUNTED_RUNTIMES = (THIS, CINDERX, CPYTHON314)
# --quick counts CinderX's three variants, the claim the story makes by instructions, and the A/A
# control, whose time verdict is wrong 5 % of the time by construction while its counts are equal
# (four short CPython processes under valgrind).
QUICK_COUNTED_RUNTIMES = (THIS, CINDERX)
# Richards' main loop (Scheduler.schedule) is called once per iteration: with a threshold of 50 or
# 1000 it stays in CinderX's interpreter and auto mode costs more instructions than no JIT at all.
AUTOJIT = "autojit=2"
# CinderX's JIT variants compile in the calling thread, as its counted processes must: the timed
# and the counted processes then run the same code from the same call on, and where a compile
# lands does not depend on when a background thread gets one of two busy cores.
CINDERX_JIT_OPTIONS = (("background_compile", False),)
TOP_FUNCTIONS = 5
# The estimate's costs, in seconds on an idle 2-core x86-64 VM: this machine's wall times per
# process under a known load, scaled by the run's CPU time over its wall time (the processes run
# one at a time). A timed process: its runtime kind's start-up, then each iteration of a bundled
# benchmark.
ITERATION_S = {"pypy-nojit": 0.065}
DEFAULT_ITERATION_S = 0.017
# A counted process: start-up under valgrind, then each instrumented iteration (the last warmup
# and the counted values) at valgrind's cost factor, uninstrumented ones costing little beside them.
COUNTED_START_S = {"autojit": 6.5, "jit": 3.5, "nojit": 1.7}
RICHARDS_ITERATION_S = 0.027  # one native iteration of the counted benchmark
# Checking each variant, jitlist=auto's profiling run and the calibration, per benchmark; the
# analysis and the HTML report.
FIXED_S = 6.0
PER_BENCHMARK_S = 1.5


@dataclass(frozen=True)
class Found:
    """The interpreters the demo can use: this one always, the others when present."""

    this: tuple[str, ...]
    cinderx: tuple[str, ...] | None = None
    py314: tuple[str, ...] | None = None
    pypy: tuple[str, ...] | None = None

    @classmethod
    def here(cls) -> Found:
        """What this machine has (provisioned CinderX root, PyPy on PATH)."""
        pypy = shutil.which("pypy3")
        cx, py314 = provisioned.cinderx_command(), provisioned.py314_command()
        return cls(
            this=(sys.executable,),
            cinderx=tuple(cx) if cx else None,
            py314=tuple(py314) if py314 else None,
            pypy=(pypy,) if pypy else None,
        )

    @property
    def counts(self) -> bool:
        """Instructions can be counted: valgrind here (and in the CinderX root, when used)."""
        return shutil.which("valgrind") is not None and (
            self.cinderx is None or provisioned.chroot_has(self.cinderx, "/usr/bin/valgrind")
        )

    def missing(self) -> list[str]:
        """What is absent, and how to get it, one phrase each."""
        fix = "run ./jb demo as root (it provisions it) or scripts/provision-runtimes"
        out = []
        if not self.counts:
            out.append(f"valgrind (instruction counts; the demo measures time only): {fix}")
        if self.cinderx is None:
            out.append(f"CinderX and CPython 3.14 (the CinderX root): {fix}")
        if self.pypy is None:
            out.append(f"PyPy (pypy3): {fix}")
        return out


def _tag() -> str:
    return f"cpython{sys.version_info.major}.{sys.version_info.minor}"


def demo_variants(found: Found) -> list[Variant]:
    """The A/A control first (its first variant is the experiment's baseline), then each JIT's
    pair: the JIT-less variant, and the JIT variants compared with it (``against``)."""
    here = Runtime(name=THIS, command=found.this, kind="python")
    tag = _tag()
    out = [Variant(name=tag, runtime=here), Variant(name=f"{tag}-again", runtime=here)]
    if found.cinderx:
        cx = Runtime(CINDERX, found.cinderx, "cinderx")
        out += [
            Variant(name="cinderx-nojit", runtime=cx, mode="nojit"),
            Variant(
                name="cinderx-autojit",
                runtime=cx,
                mode=AUTOJIT,
                against="cinderx-nojit",
                jit_options=CINDERX_JIT_OPTIONS,
            ),
            Variant(
                name="cinderx-jitlist",
                runtime=cx,
                mode="jitlist=auto",
                against="cinderx-nojit",
                jit_options=CINDERX_JIT_OPTIONS,
            ),
        ]
    if found.py314:
        py = Runtime(CPYTHON314, found.py314, "cpython")
        out += [
            Variant(name="cpython3.14-nojit", runtime=py, mode="nojit"),
            Variant(name="cpython3.14-jit", runtime=py, mode="jit", against="cpython3.14-nojit"),
        ]
    if found.pypy:
        pypy = Runtime(PYPY, found.pypy, "pypy")
        out += [
            Variant(name="pypy-nojit", runtime=pypy, mode="nojit"),
            Variant(name="pypy-jit", runtime=pypy, mode="jit", against="pypy-nojit"),
        ]
    return out


def _cost_key(v: Variant) -> str:
    """Which costs a variant has: PyPy's apart (slow without its JIT), then by JIT mode."""
    jit = "nojit" if v.mode in (None, "nojit") else "autojit" if "autojit" in v.mode else "jit"
    return f"{PYPY}-{'nojit' if jit == 'nojit' else 'jit'}" if v.runtime.name == PYPY else jit


def estimate_s(variants: list[Variant], benchmarks: int, design: Design) -> float:
    """Seconds the demo should take on an idle 2-core machine: every timed process, every counted
    one (valgrind's: most of the cost), and the fixed steps around them."""
    iterations = 1 + design.warmups + design.values
    timed = 0.0
    for v in variants:
        key = _cost_key(v)
        start = runtimes.start_seconds(v.runtime.kind)
        per = start + iterations * ITERATION_S.get(key, DEFAULT_ITERATION_S)
        timed += per * design.processes * benchmarks
    counted = 0.0
    if "instructions" in design.measures:
        rounds = min(design.processes, design.instrumented_rounds or design.processes)
        benches = len(design.instrumented_benchmarks or range(benchmarks))
        chosen = [
            v
            for v in variants
            if design.instrumented_variants is None or v.name in design.instrumented_variants
        ]
        instrumented = 1 + (design.instrumented_values or design.values)
        per = sum(
            COUNTED_START_S.get(_cost_key(v), 3.0)
            + instrumented * Valgrind.cost * RICHARDS_ITERATION_S
            for v in chosen
        )
        counted = per * rounds * benches
    return timed + counted + FIXED_S + PER_BENCHMARK_S * benchmarks


def busy_factor(load: float, cpus: int) -> float:
    """How much longer one process at a time may take on a host this busy (1: idle)."""
    return max(1.0, load / max(cpus, 1))


def _minutes(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 90 else f"{seconds / 60:.0f} min"


def plan_text(variants: list[Variant], benches: list[str], design: Design, found: Found) -> str:
    """What the demo will do, said before it starts."""
    pairs = [
        f"{v.against or variants[0].name} → {v.name}"
        for v in variants[1:]
        if v.against or v.name.endswith("-again")
    ]
    chosen = design.instrumented_variants or [v.name for v in variants]
    counted = (
        f"; instructions of {', '.join(design.instrumented_benchmarks or benches)} "
        f"counted under valgrind in {design.instrumented_rounds} more processes of each of "
        f"{len(chosen)} variants ({', '.join(chosen)})"
        if "instructions" in design.measures
        else ""
    )
    seconds = estimate_s(variants, len(benches), design)
    load, cpus = os.getloadavg()[0], os.cpu_count() or 1
    factor = busy_factor(load, cpus)
    busy = (
        f"; this host is busy now (load {load:.1f} on {cpus} cores): up to "
        f"{_minutes(seconds * factor)}"
        if factor > 1.5
        else ""
    )
    lines = [
        f"jitbench demo: {', '.join(benches)}; {design.processes} interleaved processes per "
        f"variant, {design.values} values each after {design.warmups} warmups{counted}",
        "  pairs: " + "; ".join(pairs),
        f"  about {_minutes(seconds)} on an idle 2-core machine{busy}",
    ]
    lines += [f"  [yellow]not available: {m}[/]" for m in found.missing()]
    return "\n".join(lines)


def show_jit(doc: Result, console) -> None:
    """Proof that each JIT variant compiled something, and richards' largest compiled code."""
    from ..runtimes import introspection
    from .jit import ranking_table, summary_table

    bench = "richards" if "richards" in doc.benchmarks else next(iter(doc.benchmarks))
    # Every compiled function, then the benchmark's own: at a low threshold the JIT compiles
    # start-up code (importlib) too, which is not what the story is about.
    rep = introspection.report(doc, list(doc.variants), [bench], 10_000)
    entry = rep["benchmarks"][bench]
    console.print(summary_table(bench, entry["variants"]))
    for name, data in entry["variants"].items():
        own = [r for r in data.get("top") or [] if r["name"].startswith(f"{bench}:")]
        if own and name.endswith("autojit"):
            console.print(ranking_table(bench, name, own[:TOP_FUNCTIONS]))


def write_html(doc: Result, analysis: an.Analysis, path: str) -> Path:
    """The self-contained HTML report beside the result."""
    from ..report import html
    from ..results.atomic import write_text_atomic

    out = Path(path).with_suffix(".html")
    write_text_atomic(
        out, html.render([html.ReportInput(path, doc, analysis)], title="jitbench demo")
    )
    return out


def demo_command(args: argparse.Namespace, argv: list[str]) -> int:
    """Run the demo experiment; print the verdicts, the JIT's proof and top code; write HTML."""
    cfg = default_config()
    found = Found.here()
    variants = demo_variants(found)
    base = QUICK_DESIGN if args.quick else DEMO_DESIGN
    names = ["richards"] if args.quick else bundled_names()
    benches = [cfg.benchmark(n) for n in names]
    seed = args.seed if args.seed is not None else secrets.randbelow(2**31)
    design = replace(base, processes=args.processes or base.processes, seed=seed)
    if found.counts and not args.time_only:
        design = replace(
            design,
            measures=("time", "instructions"),
            counter="valgrind",
            instrumented_rounds=COUNTED_ROUNDS,
            instrumented_values=COUNTED_VALUES,
            instrumented_benchmarks=(COUNTED_BENCHMARK,),
            instrumented_variants=tuple(
                v.name
                for v in variants
                if v.runtime.name in (QUICK_COUNTED_RUNTIMES if args.quick else COUNTED_RUNTIMES)
            ),
        )
    quiet = args.json or args.markdown
    if not quiet:
        stderr_console().print(plan_text(variants, names, design, found), highlight=False)
    exp = Experiment(variants=variants, benchmarks=benches, design=design)
    html_path: list[Path] = []

    def show(analysis: an.Analysis, doc: Result, path: str) -> None:
        present(analysis, doc, args, path)
        html_path.append(write_html(doc, analysis, path))
        if not quiet:
            console = wide_console()
            show_jit(doc, console)
            console.print(f"HTML report: {html_path[0]}")

    measure(exp, args, argv, None, opts=an.Options(seed=seed), show=show)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """``demo``."""
    p = sub.add_parser(
        "demo",
        help="the JIT story in small: CinderX, CPython's JIT and PyPy, "
        "each with and without its JIT, plus an A/A control",
    )
    p.add_argument(
        "--quick",
        action="store_true",
        help="richards only, 3 processes of 5 values, instructions counted for CinderX and the "
        "A/A control: "
        "about a minute on an idle 2-core machine",
    )
    p.add_argument(
        "--time-only",
        action="store_true",
        help="no instruction counts (valgrind's processes are what costs most)",
    )
    p.add_argument(
        "--processes",
        "-p",
        type=positive_int,
        default=None,
        help=f"processes per variant and benchmark (default {DEMO_DESIGN.processes}, "
        f"--quick {QUICK_DESIGN.processes})",
    )
    p.add_argument("--seed", type=int, default=None, help="seed of the interleaved order")
    p.add_argument("--out", "-o", type=Path, default=None, help="artifact folder or .json file")
    add_db(p)
    out = p.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print one JSON document")
    out.add_argument("--markdown", action="store_true", help="print a findings table")
    p.set_defaults(func=demo_command)
