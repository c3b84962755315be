"""One module per subcommand; ``dispatch`` routes parsed arguments to it."""

from __future__ import annotations

import argparse


def dispatch(args: argparse.Namespace, argv: list[str]) -> int:
    """Run the subcommand named in ``args.command``; return the exit status."""
    if args.command in ("run", "ab"):
        from .run import run_command

        return run_command(args, argv)
    if args.command == "compare":
        from .compare import compare_command

        return compare_command(args)
    if args.command == "validate":
        from .validate import validate_command

        return validate_command(args)
    if args.command == "demo":
        from .demo import demo_command

        return demo_command(args, argv)
    if args.command == "benchmarks":
        from .listing import benchmarks_command

        return benchmarks_command(args)
    if args.command == "schema":
        from .validate import schema_command

        return schema_command(args)
    raise AssertionError(args.command)
