"""Experiment designs: turn variants × benchmarks × processes into an ordered schedule of slots.

Interleaved design: round r starts one process of every variant for every benchmark, in an order
reshuffled each round from a recorded seed. Machine drift then hits every variant alike, and the
processes of one round form the pairs of a paired analysis.
"""

from __future__ import annotations

import random
from dataclasses import replace

from ..model import Slot


def interleaved(
    variants: list[str],
    benchmarks: list[str],
    processes: int,
    seed: int,
    first_round: int = 0,
    instruments: tuple[str, ...] = (),
    instrumented_rounds: int | None = None,
    instrumented_benchmarks: tuple[str, ...] | None = None,
    kinds: dict[str, tuple[str | None, ...]] | None = None,
    instrumented_variants: tuple[str, ...] | None = None,
) -> list[Slot]:
    """Slots for rounds ``first_round .. first_round+processes-1``, variants shuffled per round.

    The shuffle of round r depends only on (seed, r), so a run extended by more rounds keeps the
    order of the rounds it already has. Each instrument adds one process per variant to every
    round (or to the first ``instrumented_rounds`` rounds, and only for
    ``instrumented_benchmarks`` and ``instrumented_variants`` when given), shuffled together
    with the timed ones.
    ``kinds`` (adaptive rounds aimed at one measure) names each benchmark's processes per variant
    and round instead: None for a timed one, an instrument's name for one under it.
    """
    slots: list[Slot] = []
    for r in range(first_round, first_round + processes):
        rng = random.Random(f"{seed}:{r}")
        inst = instruments if instrumented_rounds is None or r < instrumented_rounds else ()
        for bench in benchmarks:
            chosen = instrumented_benchmarks is None or bench in instrumented_benchmarks
            mine: tuple[str | None, ...] = (None, *inst) if chosen else (None,)
            if kinds is not None:
                mine = kinds[bench]
            order = [
                (v, k)
                for k in mine
                for v in variants
                if k is None or instrumented_variants is None or v in instrumented_variants
            ]
            rng.shuffle(order)
            for v, k in order:
                slots.append(Slot(index=0, round=r, benchmark=bench, variant=v, instrument=k))
    return [replace(s, index=i) for i, s in enumerate(slots)]
