"""Command-line option types and option groups shared by several subcommands."""

from __future__ import annotations

import argparse
from pathlib import Path


def percent(text: str) -> float:
    """'0.5%' or '0.5' → 0.5."""
    try:
        return float(text.strip().rstrip("%"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a percentage like 1% or 0.5, got {text!r}"
        ) from None


def _number(convert, minimum: float, strict: bool, what: str):
    """An argparse type: ``convert(text)`` that must be > minimum (strict) or ≥ minimum."""

    def parse(text: str):
        try:
            value = convert(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}") from None
        if value < minimum or (strict and value == minimum):
            raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}")
        return value

    parse.__name__ = what.replace(" ", "_")
    return parse


positive_int = _number(int, 0, True, "a positive integer")
nonneg_int = _number(int, 0, False, "an integer >= 0")
positive_float = _number(float, 0, True, "a positive number")
cores = _number(float, 0, False, "a number of cores >= 0, like 0.5")


def measure_list(text: str) -> list[str]:
    """'instructions' → ['instructions']: the names as given (checked by jitbench.measures); the
    design adds time, and an adaptive run aims at the measures named here."""
    from ..errors import JitbenchError
    from ..measures import parse

    try:
        parse(text)
    except JitbenchError as exc:
        raise argparse.ArgumentTypeError(str(exc).removeprefix("--measure: ")) from None
    return list(dict.fromkeys(n.strip() for n in text.split(",") if n.strip()))


def measure_percent(text: str) -> tuple[str | None, float]:
    """'0.1%' → (None, 0.1); 'instructions=0.1%' → ('instructions', 0.1)."""
    from ..measures import MEASURES

    name, sep, value = text.rpartition("=")
    name = name.strip()
    if sep and name not in MEASURES:
        raise argparse.ArgumentTypeError(
            f"unknown measure {name!r} in {text!r}; choose from {', '.join(MEASURES)}"
        )
    return (name if sep else None), percent(value)


def duration(text: str) -> float:
    """'90', '90s', '15m', '2h' → seconds."""
    units = {"s": 1, "m": 60, "h": 3600}
    t = text.strip().lower()
    scale = units.get(t[-1:])
    try:
        v = float(t[:-1] if scale else t) * (scale or 1)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a duration like 600, 90s, 15m or 2h, got {text!r}"
        ) from None
    if v <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive duration, got {text!r}")
    return v


def add_config(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--config",
        type=Path,
        default=None,
        help="configuration file (default: ./jitbench.toml when it exists)",
    )


def add_analysis(
    p: argparse.ArgumentParser, *, markdown: bool = True, verbose: bool = True
) -> None:
    """How to compare and what to print; a command without a findings table or a verbose view
    does not offer ``--markdown`` or ``--verbose``."""
    out = p.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print one JSON document and nothing else")
    if markdown:
        out.add_argument("--markdown", action="store_true", help="print a from → to findings table")
    p.add_argument(
        "--margin",
        type=percent,
        default=None,
        help="equivalence margin in %% (default 1%%): 'equivalent' needs the CI inside ±margin",
    )
    p.add_argument(
        "--min-effect",
        type=percent,
        default=None,
        help="smallest change in %% that counts as faster/slower (default 0)",
    )
    p.add_argument(
        "--metric",
        choices=["steady", "mean", "first", "cold"],
        default="steady",
        help="what to compare: steady-state values (default), all values, the first "
        "iteration, or cold-start wall time",
    )
    if verbose:
        p.add_argument("--verbose", "-v", action="store_true", help="show methods and cross-checks")
    p.add_argument(
        "--max-regression",
        type=regression_limit,
        action="append",
        default=None,
        metavar="[MEASURE=]PCT",
        help="exit 1 when a candidate regressed by more than PCT (e.g. 0.1%%) with a "
        "CI above 0; MEASURE=PCT gates that measure (repeatable: time=3%% "
        "instructions=0.1%%); a bare PCT judges the counted measures "
        "(instructions) when there are any, else time",
    )


def regression_limit(text: str):
    """``--max-regression``: '0.1%' or 'instructions=0.1%' as a gate limit."""
    from ..analysis.regression import Limit

    return Limit(*measure_percent(text))


def add_run(p: argparse.ArgumentParser, *, target_ci_help: str | None = None) -> None:
    """The design of an experiment, its adaptive precision, where it is saved and recorded."""
    add_config(p)
    _add_benchmarks(p)
    _add_design(p)
    _add_precision(p, target_ci_help)
    _add_output(p)
    _add_measures(p)
    add_db(p)


def _add_benchmarks(p: argparse.ArgumentParser) -> None:
    """``--bench``: which benchmarks run."""
    p.add_argument(
        "--bench",
        "-b",
        action="append",
        default=[],
        metavar="NAME",
        help="benchmark to run (repeatable; config benchmarks, bundled: "
        "richards, nbody, deltablue, or pyperformance:NAME / pyperformance:GROUP, "
        "see jitbench benchmarks --pyperformance)",
    )


def _add_design(p: argparse.ArgumentParser) -> None:
    """Processes, values, warmups, timeout, seed and loops of each benchmark's processes."""
    p.add_argument(
        "--processes",
        "-p",
        type=positive_int,
        default=None,
        help="processes per variant and benchmark (default 5)",
    )
    p.add_argument(
        "--values",
        "-n",
        type=positive_int,
        default=None,
        help="measured values per process (default 10)",
    )
    p.add_argument(
        "--warmups",
        "-w",
        type=nonneg_int,
        default=None,
        help="warmup values per process, discarded (default 2)",
    )
    p.add_argument(
        "--timeout",
        type=positive_float,
        default=None,
        help="seconds before a process is killed and recorded as failed (default 300)",
    )
    p.add_argument(
        "--seed", type=int, default=None, help="seed of the interleaved order (recorded)"
    )
    p.add_argument(
        "--loops",
        type=positive_int,
        default=None,
        help="fixed inner-loop count (default: calibrated once per benchmark)",
    )
    p.add_argument(
        "--min-time",
        type=positive_float,
        default=None,
        help="seconds one timed value should take when calibrating (default 0.05)",
    )


def _add_precision(p: argparse.ArgumentParser, target_ci_help: str | None) -> None:
    """``--target-ci`` and ``--budget``: adaptive rounds until the CIs are narrow enough."""
    p.add_argument(
        "--target-ci",
        type=percent,
        default=None,
        metavar="PCT",
        help=target_ci_help
        or "keep adding interleaved rounds until every CI "
        "half-width is at most this (e.g. 0.5%%), or --budget is spent; the CIs of "
        "the measures named by --measure (default time: --measure instructions "
        "adds only counted processes until the instruction CI is that narrow)",
    )
    p.add_argument(
        "--budget",
        type=duration,
        default=None,
        help="wall-time budget of an adaptive run (default 30m), e.g. 600, 15m",
    )


def _add_output(p: argparse.ArgumentParser) -> None:
    """``--out`` and ``--profile``: where the artifact goes, and profiled processes beside it."""
    p.add_argument(
        "--out",
        "-o",
        type=Path,
        default=None,
        help="artifact folder or .json file (default .jitbench/results/)",
    )
    p.add_argument(
        "--profile",
        nargs="?",
        const="asm",
        default=None,
        choices=("asm", "hir", "lir"),
        metavar="CODE",
        help="each round also runs every variant once under perf, sampled during its "
        "measured values only; no time verdict uses those processes (see: "
        "jitbench profile RESULT). CODE: what CinderX dumps for code diffs: asm "
        "(default, final machine code annotated with HIR), hir or lir",
    )


def _add_measures(p: argparse.ArgumentParser) -> None:
    """What each value records, where counts come from, and how many processes are counted."""
    p.add_argument(
        "--measure",
        dest="measures",
        type=measure_list,
        default=None,
        metavar="LIST",
        help="what each value records, for every variant alike: time (always), "
        "instructions, cycles, branch-misses, cache-misses, task-clock; e.g. "
        "time,instructions (default: [experiment] measures, else time)",
    )
    p.add_argument(
        "--counter",
        choices=["auto", "perf", "valgrind"],
        default=None,
        help="where counts come from: perf_event_open in the measured processes, or "
        "extra processes under valgrind (default auto: perf where the host has "
        "the counters, else valgrind)",
    )
    p.add_argument(
        "--instrumented-rounds",
        type=positive_int,
        default=None,
        metavar="N",
        help="only the first N rounds also run processes under valgrind or perf "
        "(counts are deterministic: a few counted processes carry an instruction "
        "verdict beside many timed ones); default: every round",
    )
    p.add_argument(
        "--instrumented-values",
        type=positive_int,
        default=None,
        metavar="N",
        help="values of each process run under valgrind or perf (default: --values)",
    )


def add_db(p: argparse.ArgumentParser) -> None:
    """``--db``: where finished experiments are recorded."""
    p.add_argument(
        "--db",
        default=None,
        metavar="URL",
        help="results database: sqlite:///FILE.db, postgresql://USER@HOST/DB, a path, "
        "or off (default: $JITBENCH_DB, [results] db in jitbench.toml, "
        ".jitbench/results.db)",
    )


def add_build(p: argparse.ArgumentParser) -> None:
    """Options of runtimes built from a repository."""
    p.add_argument(
        "--rebuild",
        action="store_true",
        help="rebuild revisions even when the build cache has them",
    )
    p.add_argument(
        "--no-gate",
        action="store_true",
        help="skip the runtime's test gate (the artifact records that it was skipped)",
    )
