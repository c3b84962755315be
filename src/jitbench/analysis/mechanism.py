"""The mechanism of a change: how much comes from executing fewer or more instructions, and how
much from each instruction taking longer or shorter (time per instruction), each with its CI.

time = instructions × time per instruction, so a time change splits into those two factors. Time
per instruction is computed per timed process, against the instruction count of the same process
(perf) or of its variant's counted process in the same interleaved round (valgrind).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..results.artifact import ProcessView, processes_of
from ..results.model import Result
from .comparison import Comparison

INSTRUCTIONS = "instructions"


@dataclass(frozen=True)
class Mechanism:
    """One candidate against the baseline on one benchmark: Δinstructions and Δtime/instruction."""

    benchmark: str
    baseline: str
    candidate: str
    instructions: Comparison
    per_instruction: Comparison

    def phrase(self) -> str:
        """'3.1 % fewer instructions [..]; time per instruction unchanged [..]'."""
        i, t = self.instructions, self.per_instruction
        fewer = "fewer" if i.change_pct < 0 else "more"
        words = (
            f"{abs(i.change_pct):.2f} % {fewer} instructions "
            f"[{i.ci_low_pct:+.2f} %, {i.ci_high_pct:+.2f} %]"
        )
        if t.verdict in ("faster", "slower"):
            how = f"{'shorter' if t.change_pct < 0 else 'longer'} by {abs(t.change_pct):.1f} %"
        elif t.verdict == "equivalent":
            how = "unchanged"
        else:
            how = f"{t.change_pct:+.1f} %, not resolved"
        return (
            f"{words}; time per instruction {how} [{t.ci_low_pct:+.1f} %, {t.ci_high_pct:+.1f} %]"
        )

    def to_dict(self) -> dict:
        def part(c: Comparison) -> dict:
            return {
                "change_pct": c.change_pct,
                "ci_low_pct": c.ci_low_pct,
                "ci_high_pct": c.ci_high_pct,
                "verdict": c.verdict,
            }

        return {
            "benchmark": self.benchmark,
            "baseline": self.baseline,
            "candidate": self.candidate,
            "instructions": part(self.instructions),
            "time_per_instruction": part(self.per_instruction),
            "summary": self.phrase(),
        }


def per_instruction_views(doc: Result, benchmark: str, variant: str) -> list[ProcessView]:
    """Each timed process's values divided by its round's instructions per iteration."""
    counts = processes_of(doc, benchmark, variant, measure=INSTRUCTIONS)
    if not counts:
        return []
    by_round = {p.round: float(np.mean(p.values)) for p in counts}
    by_slot = {p.slot: float(np.mean(p.values)) for p in counts}
    overall = float(np.mean(list(by_round.values())))
    out = []
    for p in processes_of(doc, benchmark, variant):
        per_iter = by_slot.get(p.slot) or by_round.get(p.round) or overall
        out.append(
            ProcessView(
                slot=p.slot,
                round=p.round,
                values=p.values / per_iter,
                warmups=np.zeros(0),
                first=float("nan"),
                wall=None,
                record=p.record,
            )
        )
    return out


def decompose(doc: Result, comparisons: list, opts) -> list[Mechanism]:
    """A Mechanism for every (benchmark, candidate) compared both in time and in instructions."""
    from .experiment import compare_views

    out = []
    for c in comparisons:
        if c.measure != INSTRUCTIONS:
            continue
        base = per_instruction_views(doc, c.benchmark, c.baseline)
        cand = per_instruction_views(doc, c.benchmark, c.candidate)
        if len(base) < 2 or len(cand) < 2:
            continue
        metric = opts.metric if opts.metric in ("steady", "mean") else "steady"
        per = compare_views(base, cand, opts, metric)
        out.append(
            Mechanism(
                benchmark=c.benchmark,
                baseline=c.baseline,
                candidate=c.candidate,
                instructions=c.result,
                per_instruction=per,
            )
        )
    return out
