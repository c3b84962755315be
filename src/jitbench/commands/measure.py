"""The one path every measuring command takes: run the experiment through the engine (new,
adaptive or resumed), then one finishing step: compare, show, record in the database, report
adaptive precision, and end with one line when processes failed.

``run``, ``ab``, ``sweep``, ``bisect``, ``demo`` and ``run --resume`` differ only in how they
build the :class:`~jitbench.model.Experiment` and how they show the comparison.
"""

from __future__ import annotations

import argparse
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .. import config as cfgmod
from ..analysis import experiment as an
from ..errors import JitbenchError
from ..execute.experiment import Runner, resume_hint
from ..execute.load import Quiet
from ..model import Design, Experiment
from ..plan.adaptive import Target, extender, planned, resumed
from ..results.artifact import default_results_dir
from ..results.model import Result
from .common import analysis_options, live_progress, present, record_result, stderr_console

DEFAULT_BUDGET_S = 1800.0
"""Wall-time budget of an adaptive run when ``--target-ci`` is given without ``--budget``."""

Show = Callable[[an.Analysis, Result, str], None]


@dataclass
class Measured:
    """A finished experiment: its artifact, where it is saved, and its comparison."""

    result: Result
    path: str
    analysis: an.Analysis | None  # None when no verdict was asked for (--jit-only)
    runner: Runner


def design_from(args: argparse.Namespace, defaults: dict) -> Design:
    """Command line first, then the config's [experiment] table, then built-in defaults."""
    base = Design()

    def pick(name: str):
        v = getattr(args, name, None)
        if v is not None:
            return v
        return defaults.get(name, getattr(base, name))

    seed = pick("seed")
    if getattr(args, "seed", None) is None and "seed" not in defaults:
        seed = secrets.randbelow(2**31)
    return Design(
        processes=pick("processes"),
        values=pick("values"),
        warmups=pick("warmups"),
        timeout=pick("timeout"),
        seed=seed,
        min_time=pick("min_time"),
        loops=pick("loops"),
        instruments=_instruments(args),
        measures=parse_measures(",".join(pick("measures"))),
        counter=pick("counter"),
        instrumented_rounds=getattr(args, "instrumented_rounds", None),
        instrumented_values=getattr(args, "instrumented_values", None),
    )


def parse_measures(text: str) -> tuple[str, ...]:
    """--measure / [experiment] measures → the design's measures (time always first)."""
    from ..measures import parse

    return parse(text)


def _instruments(args: argparse.Namespace) -> tuple[str, ...]:
    """--profile [asm|hir|lir]: the perf instrument dumping that code."""
    from ..profile.instrument import instrument_name

    code = getattr(args, "profile", None)
    return (instrument_name(code),) if code else ()


def quiet_from(args: argparse.Namespace) -> Quiet:
    """The host-load options (threshold, --wait-idle, --exclude-contaminated); defaults if absent."""
    return Quiet(
        threshold=getattr(args, "load_threshold", None),
        wait_idle=getattr(args, "wait_idle", None),
        exclude_contaminated=getattr(args, "exclude_contaminated", False),
    )


def target_from(args: argparse.Namespace) -> Target | None:
    """``--target-ci`` and ``--budget`` as an adaptive target; None for a fixed design."""
    if getattr(args, "target_ci", None) is None:
        return None
    # The CIs aimed at: of the measures named on the command line (time when none is).
    named = tuple(getattr(args, "measures", None) or ("time",))
    return Target(args.target_ci, getattr(args, "budget", None) or DEFAULT_BUDGET_S, measures=named)


def silent(args: argparse.Namespace) -> bool:
    """--json and --markdown print one document and nothing else: no progress, no notes."""
    return bool(getattr(args, "json", False) or getattr(args, "markdown", False))


def measure(
    exp: Experiment,
    args: argparse.Namespace,
    argv: list[str],
    cfg: cfgmod.Config | None,
    *,
    opts: an.Options | None = None,
    show: Show | None = None,
    resuming: Result | None = None,
    out: Path | None = None,
    extend: Callable[[Runner], int] | None = None,
    progress: bool = True,
    verdicts: bool = True,
) -> Measured:
    """Run ``exp`` (or resume the partial artifact ``resuming``) and finish it.

    ``show(analysis, doc, path)`` prints the comparison; by default as the user asked (table,
    --json, --markdown). ``extend`` replaces the adaptive rounds of ``--target-ci``/``--budget``
    (the engine asks it after the planned rounds how many more to run). ``progress=False`` draws
    no progress bar (a command with its own lines). ``verdicts=False`` (``--jit-only``) records
    what the JIT did, also on emulated runtimes, and compares nothing.
    """
    out_path = out or getattr(args, "out", None) or default_results_dir()
    runner = Runner(exp, out_path, argv=argv, quiet=quiet_from(args), result=resuming)
    if not verdicts:
        runner.result.jit_only = True  # kept by --resume
    opts = opts or analysis_options(args, cfg, seed=exp.design.seed)
    target = target_from(args)
    with live_progress(enabled=progress and not silent(args)) as bar:
        runner.progress = bar
        if resuming is not None:
            # An adaptive run goes on to its target, within its budget.
            adaptive = resumed(resuming)
            if extend is None and adaptive is not None:
                extend = extender(adaptive[0], opts, spent_s=adaptive[1])
            result = runner.resume(extend=extend)
        else:
            if extend is None and target is not None:
                extend = extender(target, opts)
                # An interrupted run resumes adaptively.
                runner.result.adaptive = planned(target)
            result = runner.run(extend=extend)
    if result.jit_only:
        raise_on_failures(result, str(runner.out_path))
        return Measured(result, str(runner.out_path), None, runner)
    return finish(runner, result, args, cfg, opts, show)


def finish(
    runner: Runner,
    result: Result,
    args: argparse.Namespace,
    cfg: cfgmod.Config | None,
    opts: an.Options,
    show: Show | None = None,
) -> Measured:
    """Compare, show, record in the database, report adaptive precision, raise on failures."""
    path = str(runner.out_path)
    analysis = an.analyse(result, opts)
    if show is None:
        present(analysis, result, args, path)
    else:
        show(analysis, result, path)
    record_result(result, path, cfg, getattr(args, "db", None))
    report_adaptive(result, silent(args))
    raise_on_failures(result, path)
    return Measured(result, path, analysis, runner)


def report_adaptive(result: Result, quiet: bool) -> None:
    """Say whether an adaptive run reached its precision targets, and which it did not."""
    state = result.adaptive
    if not state or quiet:
        return
    console = stderr_console()
    measures = state.get("measures") or ["time"]
    if not state["unreached"]:
        console.print(
            f"adaptive: every {', '.join(measures)} CI half-width ≤ "
            f"{state['target_ci_pct']:g} % after {state['rounds']} rounds"
        )
        return
    missed = ", ".join(
        f"{u['benchmark']}/{u['candidate']}"
        + ("" if u.get("measure", "time") == "time" else f" {u['measure']}")
        + " "
        + (f"(±{u['halfwidth_pct']:.2f} %)" if u["halfwidth_pct"] is not None else "(no CI yet)")
        for u in state["unreached"]
    )
    console.print(
        f"[yellow]adaptive: {state['stopped']} after {state['rounds']} rounds; target "
        f"±{state['target_ci_pct']:g} % not reached for {missed}[/]"
    )


def raise_on_failures(result: Result, path: str) -> None:
    """A run with failed processes ends with one line naming the first failure (exit 2)."""
    problems: list[tuple[str, str | None]] = [
        (f"benchmark {name!r}", e.error) for name, e in result.benchmarks.items() if e.error
    ]
    failed = [p for p in result.processes if not p.ok]
    problems += [(f"benchmark {p.benchmark!r}, variant {p.variant!r}", p.error) for p in failed]
    if not problems:
        return
    lost = [p for p in failed if p.connection_lost]
    if lost:
        raise JitbenchError(
            f"{len(lost)} of {len(result.processes)} processes lost their connection to host "
            f"{lost[0].host!r}; finished processes are kept in {path}; run them again "
            f"with: {resume_hint(path)}"
        )
    what, error = problems[0]
    raise JitbenchError(
        f"{len(failed)} of {len(result.processes)} processes failed"
        f"{' and a calibration failed' if len(problems) > len(failed) else ''}; first: {what}: "
        f"{error}; finished processes are kept in {path}; fix the benchmark or runtime "
        "(or raise --timeout) and rerun"
    )
