"""The ``jitbench`` command: one thin function per subcommand, argument handling only."""

from __future__ import annotations

import argparse
import sys

from rich.console import Console

from . import __version__
from .errors import JitbenchError

EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130


class _Parser(argparse.ArgumentParser):
    """argparse, but usage errors are one line and exit 2 like every other bad input."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


# Each module registers its own subcommands: register(sub) adds parsers with set_defaults(func=...),
# where func(args, argv) -> exit status. Adding a subcommand touches its module and this list only.
COMMAND_MODULES = (
    "run",
    "compare",
    "validate",
    "demo",
    "listing",
    "bisect",
    "jit",
    "codesize",
    "sweep",
    "report",
    "history",
    "interop",
    "export",
    "doctor",
    "profile",
)


def build_parser() -> argparse.ArgumentParser:
    """The whole command line."""
    import importlib

    parser = _Parser(prog="jitbench", description="Trustworthy A/B benchmarking for JIT engineers.")
    parser.add_argument("--version", action="version", version=f"jitbench {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name in COMMAND_MODULES:
        importlib.import_module(f"jitbench.commands.{name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script."""
    argv = sys.argv[1:] if argv is None else argv
    args = build_parser().parse_args(argv)
    try:
        return args.func(args, ["jitbench", *argv])
    except JitbenchError as exc:
        _error_console().print(
            f"jitbench: error: {exc}", highlight=False, soft_wrap=True, markup=False
        )
        from .execute.experiment import Interrupted

        return EXIT_INTERRUPTED if isinstance(exc, Interrupted) else EXIT_BAD_INPUT
    except KeyboardInterrupt:
        _error_console().print("jitbench: interrupted", highlight=False)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return 0


def _error_console() -> Console:
    return Console(stderr=True, highlight=False)
