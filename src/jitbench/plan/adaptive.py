"""Adaptive runs: add interleaved rounds until every CI is as narrow as asked, or the budget ends.

Stopping is decided on precision (the CI half-width on the log scale, so slowdowns and speed-ups
need the same rounds), never on significance, so the verdict is not biased by when the run stopped;
and never before ``ADAPTIVE_MIN_ROUNDS`` rounds, since a spread estimated from a few rounds is
often small by chance and stopping on it would select optimistic intervals.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from ..analysis import experiment as an
from ..analysis.comparison import ADAPTIVE_MIN_ROUNDS, ci_halfwidth_pct
from ..execute.experiment import Runner


@dataclass(frozen=True)
class Target:
    """What an adaptive run aims for."""

    ci_halfwidth_pct: float
    budget_s: float
    rounds_per_step: int = 2


def _finite(x: float) -> float | None:
    return x if math.isfinite(x) else None


def halfwidths(doc: dict, opts: an.Options) -> dict[tuple[str, str], float]:
    """CI half-width in % of every comparison of the artifact so far."""
    analysis = an.analyse(doc, opts)
    return {(c.benchmark, c.candidate): ci_halfwidth_pct(c.result) for c in analysis.comparisons}


def planned(target: Target) -> dict:
    """``doc["adaptive"]`` before the first check: an interrupted run still says it was adaptive."""
    return {
        "target_ci_pct": target.ci_halfwidth_pct,
        "budget_s": target.budget_s,
        "rounds": 0,
        "elapsed_s": 0.0,
        "halfwidths_pct": {},
        "unreached": [],
    }


def resumed(doc: dict) -> tuple[Target, float] | None:
    """The target of an adaptive run that had not stopped yet, and the seconds it had spent."""
    state = doc.get("adaptive")
    if not state or state.get("stopped"):
        return None
    return Target(state["target_ci_pct"], state["budget_s"]), float(state.get("elapsed_s") or 0)


def extender(
    target: Target,
    opts: an.Options,
    clock: Callable[[], float] = time.monotonic,
    spent_s: float = 0.0,
) -> Callable[[Runner], int]:
    """The ``extend`` callback of ``Runner.run``: more rounds for benchmarks above the target.

    ``spent_s``: seconds an interrupted run had already spent of the budget (when resuming it).
    """
    started = clock() - spent_s

    def extend(runner: Runner) -> int:
        widths = halfwidths(runner.doc, opts)
        wide = {k: w for k, w in widths.items() if not w <= target.ci_halfwidth_pct}
        rounds = runner.rounds_done()
        elapsed = clock() - started
        state = {
            "target_ci_pct": target.ci_halfwidth_pct,
            "budget_s": target.budget_s,
            "rounds": rounds,
            "elapsed_s": round(elapsed, 1),
            "halfwidths_pct": {f"{b}/{c}": _finite(w) for (b, c), w in widths.items()},
            "unreached": [
                {"benchmark": b, "candidate": c, "halfwidth_pct": _finite(w)}
                for (b, c), w in sorted(wide.items())
            ],
        }
        runner.doc["adaptive"] = state
        below_minimum = rounds < ADAPTIVE_MIN_ROUNDS
        if not widths or (not wide and not below_minimum):
            state["stopped"] = "target reached"
            return 0
        # Below the minimum every benchmark continues, whatever its half-width says so far.
        need = sorted({b for b, _ in (widths if below_minimum else wide)})
        step = target.rounds_per_step
        # Rounds of the benchmarks still needed cost about their share of a full round.
        per_round = elapsed / max(rounds, 1) * len(need) / max(len(runner.runnable()), 1)
        if elapsed + per_round * step > target.budget_s:
            state["stopped"] = "budget spent"
            return 0
        runner.progress.grow(
            len(need) * len(runner.variants) * (1 + len(runner.instruments)) * step
        )
        runner.run_rounds(rounds, step, need)
        return step

    return extend
