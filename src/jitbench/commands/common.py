"""Pieces several subcommands share: loading the config, drawing progress, printing analyses."""

from __future__ import annotations

import argparse
import json
import sys
from contextlib import contextmanager
from pathlib import Path

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from .. import config as cfgmod
from ..analysis import experiment as an
from ..execute.experiment import Progress as RunProgress
from ..report import markdown, terminal
from ..results.model import ProcessRecord, Result

DEFAULT_CONFIG = Path("jitbench.toml")


def load_config(path: Path | None) -> cfgmod.Config:
    """--config FILE, else ./jitbench.toml when it exists, else the built-in default."""
    if path is not None:
        return cfgmod.load(path)
    if DEFAULT_CONFIG.exists():
        return cfgmod.load(DEFAULT_CONFIG)
    return cfgmod.default_config()


def analysis_options(
    args: argparse.Namespace, cfg: cfgmod.Config | None = None, **overrides
) -> an.Options:
    """Analysis settings from the command line, falling back to the config's [experiment]."""
    exp = cfg.experiment if cfg else {}
    margin = args.margin if args.margin is not None else exp.get("margin", 1.0)
    min_effect = args.min_effect if args.min_effect is not None else exp.get("min_effect", 0.0)
    # The planning hint sizes processes for the precision asked with --target-ci, else the margin.
    overrides.setdefault("precision_pct", getattr(args, "target_ci", None))
    return an.Options(margin_pct=margin, min_effect_pct=min_effect, metric=args.metric, **overrides)


def wide_console() -> Console:
    """stdout console; when piped, wide enough that tables do not wrap their cells."""
    console = Console(highlight=False)
    if not console.is_terminal:
        console.width = max(console.width, 160)
    return console


def stderr_console() -> Console:
    return Console(stderr=True, highlight=False)


@contextmanager
def live_progress(enabled: bool):
    """A progress bar with ETA on stderr; yields the callbacks an experiment Runner takes."""
    if not enabled:
        yield RunProgress()
        return
    console = stderr_console()
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=console,
        transient=False,
    )
    state: dict = {}

    def start(total: int) -> None:
        state["task"] = bar.add_task("processes", total=total)
        state["total"] = total

    def grow(more: int) -> None:
        state["total"] += more
        bar.update(state["task"], total=state["total"])

    def advance(rec: ProcessRecord) -> None:
        status = "" if rec.ok else f" [red]failed: {(rec.error or '')[:80]}[/]"
        if status:
            bar.console.print(f"slot {rec.slot} {rec.benchmark}/{rec.variant}{status}")
        bar.update(state["task"], advance=1, description=f"{rec.benchmark}/{rec.variant}")

    def message(text: str) -> None:
        bar.console.print(f"[dim]{text}[/]")

    with bar:
        yield RunProgress(start=start, grow=grow, advance=advance, message=message)


def present(analysis: an.Analysis, doc: Result, args: argparse.Namespace, path: str | None) -> None:
    """Print the analysis as the user asked: JSON, Markdown or terminal tables."""
    if getattr(args, "json", False):
        out = an.to_json(analysis, doc, path)
        if getattr(args, "max_regression", None) is not None:
            from ..analysis.regression import gate

            out["max_regression"] = gate(analysis, args.max_regression).to_dict()
        print_json(out)
    elif getattr(args, "markdown", False):
        sys.stdout.write(markdown.findings(analysis, doc))
    else:
        console = wide_console()
        terminal.print_analysis(analysis, console, verbose=getattr(args, "verbose", False))
        if path:
            print_result_path(console, doc, path)


def print_result_path(console: Console, doc: Result, path: str) -> None:
    """Where the result was saved, and the command that explains its profiles if it has some."""
    console.print(f"[dim]result: {path}[/]")
    if any(i.startswith("perf") for i in doc.design.instruments or ()):
        console.print(f"[dim]profiles: jitbench profile {path}[/]")


def gate_status(analysis: an.Analysis, args: argparse.Namespace) -> int:
    """``--max-regression``: 1 (and one line on stderr) on a regression, else 0."""
    if getattr(args, "max_regression", None) is None:
        return 0
    from ..analysis.regression import EXIT_REGRESSION, gate

    result = gate(analysis, args.max_regression)
    if result.passed:
        return 0
    stderr_console().print(
        f"jitbench: regression: {result.message()}", markup=False, soft_wrap=True
    )
    return EXIT_REGRESSION


def record_result(result: Result, path: str, cfg: cfgmod.Config | None, db_arg: str | None) -> None:
    """Record a finished artifact in the results database, unless recording is off.

    A database that cannot be reached is a warning, not a failure: the artifact is saved, and
    ``jitbench import`` records it later.
    """
    from .. import db
    from ..errors import JitbenchError

    url = db.resolve(db_arg, db.settings_of(cfg))
    if url is None:
        return
    try:
        db.record(result, path, url)
    except JitbenchError as exc:
        stderr_console().print(
            f"warning: result not recorded in the database: {exc}; record it "
            f"later with: jitbench import {path}",
            markup=False,
        )


def chosen_benchmarks(args: argparse.Namespace, cfg: cfgmod.Config) -> list:
    """--bench NAME... (else every benchmark of the config), resolved, without repeats."""
    from ..errors import JitbenchError

    names = args.bench or list(cfg.benchmarks)
    if not names:
        raise JitbenchError(
            "no benchmark chosen; pass --bench NAME (bundled: richards, nbody, "
            "deltablue; pyperformance:NAME or pyperformance:GROUP) or define "
            "[benchmarks.NAME] in jitbench.toml"
        )
    chosen = {b.name: b for name in names for b in cfg.expand(name)}
    return list(chosen.values())


def print_json(doc: dict) -> None:
    """The --json output: one document on stdout."""
    sys.stdout.write(json.dumps(doc, indent=2) + "\n")
