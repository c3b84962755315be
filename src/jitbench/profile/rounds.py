"""``--profile N``: N extra processes per variant and benchmark, sampled during their measured
values, run after the timed rounds in a shuffled order and kept apart from the timed processes
(``doc["profiled"]``), so that no time verdict can use them."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from ..errors import JitbenchError
from . import perf
from .process import run_profiled

if TYPE_CHECKING:
    from ..execute.experiment import Runner


def check(runner: Runner) -> None:
    """Fail before anything runs when perf cannot profile these variants here."""
    problem = perf.problem()
    if problem is not None:
        raise JitbenchError(problem)
    for v in runner.variants.values():
        if v.runtime.host is not None:
            raise JitbenchError(
                f"--profile: variant {v.name!r} runs on host "
                f"{v.runtime.host.name!r}; profiles are taken on this machine "
                "only: profile a local runtime, or drop --profile"
            )


def run_rounds(runner: Runner) -> None:
    """Run the profiled processes; the first round also dumps the JIT's final code."""
    d = runner.exp.design
    rng = random.Random(d.seed + 1)
    for rnd in range(d.profile):
        for bench_name in runner.runnable():
            order = list(runner.variants)
            rng.shuffle(order)
            for name in order:
                variant, bench = runner.variants[name], runner.benchmarks[bench_name]
                task = {
                    "action": "run",
                    "loops": runner.doc["benchmarks"][bench_name]["loops"],
                    "warmups": d.warmups,
                    "values": d.values,
                }
                rec = run_profiled(
                    runner.transport, variant, bench, task, d.timeout, dump_code=rnd == 0
                )
                with runner._lock:
                    runner.doc.setdefault("profiled", []).append(
                        {"round": rnd, "benchmark": bench_name, "variant": name, **rec}
                    )
                    runner.save()
