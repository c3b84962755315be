"""How fast is jitbench.stats? Times compare() over many configurations.

Default workload: 100 configurations x 2 variants x 10 processes x 500 values (10^6 values),
2000 bootstrap resamples per comparison, interleaved pairs. Prints wall times for

- compare(metric="steady"): steady-state detection + bootstrap + everything else,
- compare(metric="mean"): the same without steady-state detection,
- steady_states() alone on all 2000 series.

Run: ``python scripts/bench_stats_speed.py [--configs 100] [--processes 10] [--values 500]
[--resamples 2000] [--repeat 3]``. The best of ``--repeat`` runs is reported (the others mostly
measure whatever else the machine was doing).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np

from jitbench.analysis.comparison import compare
from jitbench.stats import steady_states


def make_workload(
    configs: int, processes: int, values: int, seed: int = 0
) -> list[tuple[list[np.ndarray], list[np.ndarray]]]:
    """Seeded synthetic configurations: AR(1) noise, process-level variance, some warmups."""
    rng = np.random.default_rng(seed)
    out = []
    for k in range(configs):
        sides = []
        for ratio in (1.0, 1.0 + 0.01 * (k % 5)):
            noise = 0.02 * rng.standard_normal((processes, values))
            for t in range(1, values):  # AR(1), phi = 0.5, vectorised over processes
                noise[:, t] += 0.5 * noise[:, t - 1]
            level = ratio * np.exp(0.01 * rng.standard_normal((processes, 1)))
            x = 1e-3 * level * np.exp(noise)
            if k % 3 == 0:
                x[:, : values // 10] *= 1.3  # a warmup in a third of the configurations
            sides.append(list(x))
        out.append((sides[0], sides[1]))
    return out


def best_of(repeat: int, fn: Callable[[], object]) -> float:
    """Smallest wall time of ``repeat`` calls of ``fn``, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    """Parse the options, build the workload, print the timings."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--configs", type=int, default=100)
    ap.add_argument("--processes", type=int, default=10)
    ap.add_argument("--values", type=int, default=500)
    ap.add_argument("--resamples", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    work = make_workload(args.configs, args.processes, args.values)
    pairs = [(i, i) for i in range(args.processes)]
    total = args.configs * 2 * args.processes * args.values
    print(
        f"{args.configs} configurations x 2 variants x {args.processes} processes x "
        f"{args.values} values = {total:,} values; {args.resamples} resamples each"
    )

    def run(metric: str) -> None:
        for i, (base, cand) in enumerate(work):
            compare(base, cand, pairs=pairs, n_resamples=args.resamples, seed=i, metric=metric)

    series = [s for base, cand in work for s in (*base, *cand)]
    rows = [
        ('compare(metric="steady")', lambda: run("steady")),
        ('compare(metric="mean")', lambda: run("mean")),
        (f"steady_states() on {len(series)} series", lambda: steady_states(series)),
    ]
    for name, fn in rows:
        print(f"{name:38} {best_of(args.repeat, fn):6.2f} s")


if __name__ == "__main__":
    main()
