"""Seeded simulator of interleaved benchmark experiments, for calibrating jitbench.stats.

The model (all on the log scale, so effects are multiplicative like real timings):

- R rounds; each round runs one baseline and one candidate process in a shuffled order, so the
  run is a sequence of 2R process slots and ``pairs[r]`` = (baseline r, candidate r).
- Slow drift over the run: slot s is slowed by ``drift_pct * s / (2R - 1)`` % (thermal,
  background load), hitting both variants alike thanks to the interleaving.
- Between-process variation: each process's level is lognormal with sd ``between_sd``
  (ASLR, hash seeds, heap layout: the reason the process is the unit).
- Within-process noise: AR(1) with coefficient ``phi`` and marginal sd ``within_sd``, plus rare
  positive spikes (GC pauses) with probability ``spike_prob`` and size ``spike_size``.
- The candidate's true ratio of means to the baseline's is ``ratio`` exactly (every other factor
  has the same distribution on both sides).

Run ``python -m tests.stats.sim`` from the repository root to print the calibration figures
quoted in docs/statistics.md (``--quick`` for a smaller run, ``--steady`` for the steady-state
classification rates).
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Design:
    """Parameters of one simulated experiment (defaults: the realistic design of the docs)."""

    n_processes: int = 10
    n_values: int = 20
    between_sd: float = 0.0125
    within_sd: float = 0.02
    phi: float = 0.5
    drift_pct: float = 2.0
    spike_prob: float = 0.01
    spike_size: float = 0.1
    level: float = 1e-3


@dataclass(frozen=True)
class Experiment:
    """One simulated experiment, in the shape compare() takes."""

    baseline: list[np.ndarray]
    candidate: list[np.ndarray]
    pairs: list[tuple[int, int]]


def _ar1(rng: np.random.Generator, k: int, n: int, phi: float, sd: float) -> np.ndarray:
    """k independent stationary AR(1) series of length n with marginal sd ``sd``."""
    innov = rng.standard_normal((k, n)) * sd * np.sqrt(1.0 - phi**2)
    x = np.empty((k, n))
    x[:, 0] = rng.standard_normal(k) * sd
    for t in range(1, n):
        x[:, t] = phi * x[:, t - 1] + innov[:, t]
    return x


def simulate(rng: np.random.Generator, design: Design = Design(), ratio: float = 1.0) -> Experiment:
    """Simulate one interleaved experiment with true candidate/baseline ratio ``ratio``."""
    d = design
    r = d.n_processes
    # Slot of each process: round i holds slots 2i and 2i + 1, order shuffled per round.
    cand_second = rng.integers(0, 2, r)
    slot_b = 2 * np.arange(r) + cand_second
    slot_c = 2 * np.arange(r) + 1 - cand_second
    drift = d.drift_pct / 100.0 / max(2 * r - 1, 1)

    def side(slots: np.ndarray, factor: float) -> list[np.ndarray]:
        level = np.log(d.level * factor) + drift * slots + d.between_sd * rng.standard_normal(r)
        # Centre the lognormal factors so E[exp(.)] does not depend on the sds chosen.
        level -= 0.5 * d.between_sd**2
        noise = _ar1(rng, r, d.n_values, d.phi, d.within_sd) - 0.5 * d.within_sd**2
        spikes = (rng.random((r, d.n_values)) < d.spike_prob) * d.spike_size
        values = np.exp(level[:, None] + noise) * (1.0 + spikes)
        return list(values)

    baseline = side(slot_b, 1.0)
    candidate = side(slot_c, ratio)
    return Experiment(baseline, candidate, [(i, i) for i in range(r)])


@dataclass(frozen=True)
class Rates:
    """Outcome rates over many simulated experiments."""

    n: int
    faster: float
    slower: float
    equivalent: float
    inconclusive: float
    coverage: float
    seconds: float

    @property
    def false_difference(self) -> float:
        """faster + slower: a false positive rate when the true ratio is 1."""
        return self.faster + self.slower


def _run_chunk(args: tuple[int, range, float, Design, bool, str, float]) -> list[tuple[str, bool]]:
    """(verdict, CI covers the truth) for experiments ``indexes`` (a worker's share)."""
    from jitbench.stats import compare

    seed, indexes, ratio, design, paired, metric, margin_pct = args
    truth = 100.0 * (ratio - 1.0)
    out = []
    for i in indexes:
        # One generator per experiment: results do not depend on how runs are split.
        e = simulate(np.random.default_rng([seed, i]), design, ratio)
        c = compare(
            e.baseline,
            e.candidate,
            pairs=e.pairs if paired else None,
            seed=i,
            metric=metric,
            margin_pct=margin_pct,
        )
        out.append((c.verdict, c.ci_low_pct <= truth <= c.ci_high_pct))
    return out


def rates(
    n_experiments: int,
    *,
    ratio: float = 1.0,
    design: Design = Design(),
    seed: int = 0,
    paired: bool = True,
    metric: str = "steady",
    margin_pct: float = 1.0,
    workers: int = 1,
) -> Rates:
    """Run ``n_experiments`` seeded experiments through compare() and count the outcomes."""
    start = time.perf_counter()
    chunks = [
        (seed, range(k, n_experiments, workers), ratio, design, paired, metric, margin_pct)
        for k in range(workers)
    ]
    if workers > 1:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=workers) as pool:
            results = [r for chunk in pool.map(_run_chunk, chunks) for r in chunk]
    else:
        results = _run_chunk(chunks[0])
    n = len(results)
    verdicts = [v for v, _ in results]
    return Rates(
        n=n,
        faster=verdicts.count("faster") / n,
        slower=verdicts.count("slower") / n,
        equivalent=verdicts.count("equivalent") / n,
        inconclusive=verdicts.count("inconclusive") / n,
        coverage=sum(covered for _, covered in results) / n,
        seconds=time.perf_counter() - start,
    )


def steady_rates(
    n_series: int, n_values: int, phi: float, *, warmup: float = 0.10, seed: int = 0
) -> tuple[float, float]:
    """(flat series classified non-flat, warmup classified warmup) for AR(1) series, 2 % noise.

    The warmup is ``warmup`` slower over the first fifth of the series (at least 2 values).
    """
    from jitbench.stats import steady_states

    rng = np.random.default_rng([seed, n_values, int(100 * phi)])
    flat = 1e-3 * np.exp(_ar1(rng, n_series, n_values, phi, 0.02))
    warm = 1e-3 * np.exp(_ar1(rng, n_series, n_values, phi, 0.02))
    warm[:, : max(2, n_values // 5)] *= 1.0 + warmup
    false_shift = np.mean([s.classification != "flat" for s in steady_states(list(flat))])
    found = np.mean([s.classification == "warmup" for s in steady_states(list(warm))])
    return float(false_shift), float(found)


def steady_table(n_series: int = 1000) -> None:
    """Print steady-state classification rates (``--steady``)."""
    print(f"{n_series} series per cell: non-flat rate of flat series / warmup found (10 %)")
    print(f"{'values':>7} {'phi=0':>14} {'phi=0.5':>14} {'phi=0.8':>14}")
    for n in (20, 50, 200, 500):
        cells = [steady_rates(n_series, n, phi) for phi in (0.0, 0.5, 0.8)]
        print(f"{n:7d} " + " ".join(f"{a:6.3f} /{b:6.3f}" for a, b in cells), flush=True)


def main(argv: list[str]) -> None:
    """Print the calibration table (``--quick``: 1000 experiments per row, else 4000).

    ``--steady`` prints the steady-state classification rates instead.
    """
    if "--steady" in argv:
        steady_table()
        return
    n = 1000 if "--quick" in argv else 4000
    workers = os.cpu_count() or 1
    rows = [
        ("A/A paired (default)", 1.00, Design(), True, "steady"),
        ("A/A unpaired", 1.00, Design(), False, "steady"),
        ("A/A paired, metric=mean", 1.00, Design(), True, "mean"),
        ("A/A paired, between 1 %", 1.00, Design(between_sd=0.01), True, "steady"),
        ("A/A paired, between 2 %", 1.00, Design(between_sd=0.02), True, "steady"),
        ("A/A paired, no drift", 1.00, Design(drift_pct=0.0), True, "steady"),
        ("A/A paired, 100 values", 1.00, Design(n_values=100), True, "steady"),
        ("A/A paired, 5 processes", 1.00, Design(n_processes=5), True, "steady"),
        ("A/A paired, 20 processes", 1.00, Design(n_processes=20), True, "steady"),
        ("3 % slower, paired", 1.03, Design(), True, "steady"),
        ("3 % slower, unpaired", 1.03, Design(), False, "steady"),
        ("3 % slower, 5 processes", 1.03, Design(n_processes=5), True, "steady"),
        ("2 % faster, paired", 0.98, Design(), True, "steady"),
    ]
    print(f"{n} experiments per row; seeds 1000 + row")
    print(f"{'scenario':28} {'faster':>7} {'slower':>7} {'equiv':>7} {'incon':>7} {'cover':>7}")
    for k, (name, ratio, design, paired, metric) in enumerate(rows):
        r = rates(
            n,
            ratio=ratio,
            design=design,
            seed=1000 + k,
            paired=paired,
            metric=metric,
            workers=workers,
        )
        print(
            f"{name:28} {r.faster:7.3f} {r.slower:7.3f} {r.equivalent:7.3f}"
            f" {r.inconclusive:7.3f} {r.coverage:7.3f}   ({r.seconds:.0f} s)",
            flush=True,
        )


if __name__ == "__main__":
    main(sys.argv[1:])
