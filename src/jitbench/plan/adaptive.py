"""Adaptive runs: add interleaved rounds until every CI is as narrow as asked, or the budget ends.

The CIs aimed at are those of the target's measures (time by default): with instructions alone,
the extra rounds run only the processes that count them (under valgrind), not the timed ones.

Stopping is decided on precision (the CI half-width on the log scale, so slowdowns and speed-ups
need the same rounds), never on significance, so the verdict is not biased by when the run stopped;
and never before ``ADAPTIVE_MIN_ROUNDS`` rounds, since a spread estimated from a few rounds is
often small by chance and stopping on it would select optimistic intervals.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from ..analysis import experiment as an
from ..analysis.comparison import ADAPTIVE_MIN_ROUNDS, ci_halfwidth_pct
from ..execute.experiment import Runner
from ..measures import TIME
from ..results.model import Result


@dataclass(frozen=True)
class Target:
    """What an adaptive run aims for: every CI of ``measures`` at most that half-width."""

    ci_halfwidth_pct: float
    budget_s: float
    rounds_per_step: int = 2
    #: The measures whose CIs are aimed at: time by default; ``--measure instructions`` aims at
    #: the instruction CI alone (its rounds then run only the processes that count).
    measures: tuple[str, ...] = (TIME,)


@dataclass(frozen=True)
class Width:
    """One comparison's CI half-width (%) and the processes on its smaller side."""

    halfwidth_pct: float
    processes: int

    def reached(self, target: Target) -> bool:
        # Never before the minimum: a spread from a few processes is often small by chance.
        return self.halfwidth_pct <= target.ci_halfwidth_pct and (
            self.processes >= ADAPTIVE_MIN_ROUNDS
        )


Key = tuple[str, str, str]  # benchmark, candidate, measure


def _finite(x: float) -> float | None:
    return x if math.isfinite(x) else None


def _name(key: Key) -> str:
    b, c, m = key
    return f"{b}/{c}" if m == TIME else f"{b}/{c}/{m}"


def halfwidths(
    doc: Result, opts: an.Options, measures: tuple[str, ...] = (TIME,)
) -> dict[Key, Width]:
    """The CI half-width of every comparison of ``measures`` in the artifact so far.

    A counted measure of a benchmark it is counted on, without a comparison yet (fewer than two
    counted processes a side), is infinitely wide.
    """
    analysis = an.analyse(doc, replace(opts, measures=None))
    found = {
        (c.benchmark, c.candidate, c.measure): Width(
            ci_halfwidth_pct(c.result), min(c.result.n_baseline, c.result.n_candidate)
        )
        for c in analysis.comparisons
        if c.measure in measures
    }
    counted_on = doc.design.instrumented_benchmarks
    for c in analysis.comparisons:
        if c.measure != TIME:
            continue
        for m in measures:
            if m != TIME and (counted_on is None or c.benchmark in counted_on):
                found.setdefault((c.benchmark, c.candidate, m), Width(math.inf, 0))
    return found


def planned(target: Target) -> dict:
    """``Result.adaptive`` before the first check: an interrupted run still says it was adaptive."""
    return {
        "target_ci_pct": target.ci_halfwidth_pct,
        "measures": list(target.measures),
        "budget_s": target.budget_s,
        "rounds": 0,
        "elapsed_s": 0.0,
        "halfwidths_pct": {},
        "unreached": [],
    }


def resumed(result: Result) -> tuple[Target, float] | None:
    """The target of an adaptive run that had not stopped yet, and the seconds it had spent."""
    state = result.adaptive
    if not state or state.get("stopped"):
        return None
    target = Target(
        state["target_ci_pct"],
        state["budget_s"],
        measures=tuple(state.get("measures") or (TIME,)),  # runs before measures: time
    )
    return target, float(state.get("elapsed_s") or 0)


def kinds_for(
    doc: Result, wide: dict[Key, Width], target: Target
) -> dict[str, tuple[str | None, ...]] | None:
    """Which processes the next rounds of each benchmark hold: timed ones where a time CI (or
    a count that timed processes carry, perf) is wide; counted ones where a count under
    valgrind is. None: the planned rounds' own shape (a time-only target)."""
    if target.measures == (TIME,):
        return None
    instrument = "valgrind" if (doc.counting or {}).get("backend") == "valgrind" else None
    kinds: dict[str, tuple[str | None, ...]] = {}
    for b, _, m in wide:
        timed = m == TIME or instrument is None
        mine = kinds.get(b, ())
        kinds[b] = tuple(dict.fromkeys((*mine, None if timed else instrument)))
    return kinds


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
        widths = halfwidths(runner.result, opts, target.measures)
        wide = {k: w for k, w in widths.items() if not w.reached(target)}
        rounds = runner.rounds_done()
        elapsed = clock() - started
        state = {
            "target_ci_pct": target.ci_halfwidth_pct,
            "measures": list(target.measures),
            "budget_s": target.budget_s,
            "rounds": rounds,
            "elapsed_s": round(elapsed, 1),
            "halfwidths_pct": {_name(k): _finite(w.halfwidth_pct) for k, w in widths.items()},
            "unreached": [
                {
                    "benchmark": b,
                    "candidate": c,
                    "measure": m,
                    "halfwidth_pct": _finite(w.halfwidth_pct),
                }
                for (b, c, m), w in sorted(wide.items())
            ],
        }
        runner.result.adaptive = state
        if not widths or not wide:
            state["stopped"] = "target reached"
            return 0
        need = sorted({b for b, _, _ in wide})
        step = target.rounds_per_step
        # Rounds of the benchmarks still needed cost about their share of a full round.
        per_round = elapsed / max(rounds, 1) * len(need) / max(len(runner.runnable()), 1)
        if elapsed + per_round * step > target.budget_s:
            state["stopped"] = "budget spent"
            return 0
        kinds = kinds_for(runner.result, wide, target)
        per_variant = (
            sum(len(kinds[b]) for b in need)
            if kinds is not None
            else len(need) * (1 + len(runner.instruments))
        )
        runner.progress.grow(per_variant * len(runner.variants) * step)
        runner.run_rounds(rounds, step, need, kinds)
        return step

    return extend
