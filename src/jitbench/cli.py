"""The ``jitbench`` command: one thin function per subcommand, argument handling only."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from rich.console import Console

from . import __version__
from .errors import JitbenchError

EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130


class _Parser(argparse.ArgumentParser):
    """argparse, but usage errors are one line and exit 2 like every other bad input."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _percent(text: str) -> float:
    """'0.5%' or '0.5' → 0.5."""
    try:
        return float(text.strip().rstrip("%"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a percentage like 1% or 0.5, got {text!r}") from None


def _positive_int(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if v < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return v


def _nonneg_int(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer >= 0, got {text!r}") from None
    if v < 0:
        raise argparse.ArgumentTypeError(f"expected an integer >= 0, got {text!r}")
    return v


def _positive_float(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}") from None
    if not v > 0:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}")
    return v


def _add_config(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", type=Path, default=None,
                   help="configuration file (default: ./jitbench.toml when it exists)")


def _add_analysis(p: argparse.ArgumentParser) -> None:
    out = p.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print one JSON document and nothing else")
    out.add_argument("--markdown", action="store_true", help="print a from → to findings table")
    p.add_argument("--margin", type=_percent, default=None,
                   help="equivalence margin in %% (default 1%%): 'equivalent' needs the CI inside ±margin")
    p.add_argument("--min-effect", type=_percent, default=None,
                   help="smallest change in %% that counts as faster/slower (default 0)")
    p.add_argument("--metric", choices=["steady", "mean", "first", "cold"], default="steady",
                   help="what to compare: steady-state values (default), all values, the first "
                        "iteration, or cold-start wall time")
    p.add_argument("--verbose", "-v", action="store_true", help="show methods and cross-checks")


def _add_run(p: argparse.ArgumentParser) -> None:
    _add_config(p)
    p.add_argument("--bench", "-b", action="append", default=[], metavar="NAME",
                   help="benchmark to run (repeatable; config benchmarks or bundled: "
                        "richards, nbody, deltablue)")
    p.add_argument("--processes", "-p", type=_positive_int, default=None,
                   help="processes per variant and benchmark (default 5)")
    p.add_argument("--values", "-n", type=_positive_int, default=None,
                   help="measured values per process (default 10)")
    p.add_argument("--warmups", "-w", type=_nonneg_int, default=None,
                   help="warmup values per process, discarded (default 2)")
    p.add_argument("--timeout", type=_positive_float, default=None,
                   help="seconds before a process is killed and recorded as failed (default 300)")
    p.add_argument("--seed", type=int, default=None, help="seed of the interleaved order (recorded)")
    p.add_argument("--loops", type=_positive_int, default=None,
                   help="fixed inner-loop count (default: calibrated once per benchmark)")
    p.add_argument("--min-time", type=_positive_float, default=None,
                   help="seconds one timed value should take when calibrating (default 0.05)")
    p.add_argument("--out", "-o", type=Path, default=None,
                   help="artifact folder or .json file (default .jitbench/results/)")


def build_parser() -> argparse.ArgumentParser:
    """The whole command line."""
    parser = _Parser(prog="jitbench", description="Trustworthy A/B benchmarking for JIT engineers.")
    parser.add_argument("--version", action="version", version=f"jitbench {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser("run", help="run variants × benchmarks, interleaved")
    p.add_argument("variants", nargs="*", metavar="VARIANT",
                   help="variants to run (default: all in the config); the first is the baseline")
    _add_run(p)
    _add_analysis(p)

    p = sub.add_parser("ab", help="run a baseline and a candidate, then compare them")
    p.add_argument("baseline", metavar="BASELINE")
    p.add_argument("candidate", metavar="CANDIDATE")
    _add_run(p)
    _add_analysis(p)

    p = sub.add_parser("compare", help="compare the variants of a saved result")
    p.add_argument("result", type=Path, metavar="RESULT")
    p.add_argument("--baseline", default=None, help="baseline variant (default: the run's first)")
    p.add_argument("--candidate", action="append", default=[], help="candidate variant(s)")
    p.add_argument("--seed", type=int, default=0, help="bootstrap seed (default 0)")
    _add_analysis(p)

    p = sub.add_parser("validate", help="check a result file against the published schema")
    p.add_argument("result", type=Path, metavar="FILE")

    p = sub.add_parser("demo", help="run the bundled suite on the interpreters found here")
    p.add_argument("--processes", "-p", type=_positive_int, default=None)
    p.add_argument("--out", "-o", type=Path, default=None)
    p.add_argument("--json", action="store_true")
    p.add_argument("--markdown", action="store_true")

    sub.add_parser("benchmarks", help="list the bundled benchmarks")
    sub.add_parser("schema", help="print the result JSON Schema")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script."""
    argv = sys.argv[1:] if argv is None else argv
    args = build_parser().parse_args(argv)
    from . import commands

    try:
        return commands.dispatch(args, ["jitbench", *argv])
    except JitbenchError as exc:
        _error_console().print(f"jitbench: error: {exc}", highlight=False, soft_wrap=True)
        from .experiment import Interrupted

        return EXIT_INTERRUPTED if isinstance(exc, Interrupted) else EXIT_BAD_INPUT
    except KeyboardInterrupt:
        _error_console().print("jitbench: interrupted", highlight=False)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return 0


def _error_console() -> Console:
    return Console(stderr=True, highlight=False)


def print_json(doc: dict) -> None:
    """The --json output: one document on stdout."""
    sys.stdout.write(json.dumps(doc, indent=2) + "\n")
