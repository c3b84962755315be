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
from dataclasses import dataclass, replace

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


def _run_chunk(
    args: tuple[int, range, float, Design, bool, str, float, int],
) -> list[tuple[str, bool]]:
    """(verdict, CI covers the truth) for experiments ``indexes`` (a worker's share)."""
    from jitbench.analysis.comparison import compare

    seed, indexes, ratio, design, paired, metric, margin_pct, n_resamples = args
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
            n_resamples=n_resamples,
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
    n_resamples: int = 2000,
) -> Rates:
    """Run ``n_experiments`` seeded experiments through compare() and count the outcomes.

    ``n_resamples`` only sizes the bootstrap cross-check: the verdict does not depend on it.
    """
    start = time.perf_counter()
    chunks = [
        (
            seed,
            range(k, n_experiments, workers),
            ratio,
            design,
            paired,
            metric,
            margin_pct,
            n_resamples,
        )
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


@dataclass(frozen=True)
class Scenario:
    """A calibration scenario for the vectorised path: one number per process (metric "mean")."""

    name: str
    design: Design
    paired: bool
    ratio: float = 1.0
    #: Each process sits at level 1 or ``bimodal`` (times), with equal odds, on both sides.
    bimodal: float = 0.0


def simulate_values(
    rng: np.random.Generator, n: int, design: Design, ratio: float = 1.0, bimodal: float = 0.0
) -> tuple[np.ndarray, np.ndarray]:
    """Per-process mean values of ``n`` experiments at once: (baseline, candidate), (n, P) each.

    The same model as :func:`simulate` (interleaved slots, drift, lognormal process levels, AR(1)
    within-process noise with spikes), vectorised over experiments.
    """
    d = design
    r = d.n_processes
    cand_second = rng.integers(0, 2, (n, r))
    slots = 2 * np.arange(r) + cand_second, 2 * np.arange(r) + 1 - cand_second
    drift = d.drift_pct / 100.0 / max(2 * r - 1, 1)

    def side(slot: np.ndarray, factor: float) -> np.ndarray:
        level = np.log(d.level * factor) + drift * slot + d.between_sd * rng.standard_normal((n, r))
        level -= 0.5 * d.between_sd**2
        if bimodal:
            high = rng.random((n, r)) < 0.5
            # Centre so that E[level factor] = 1 and the ratio stays ``ratio`` exactly.
            level += np.where(high, np.log(bimodal), 0.0) - np.log((1.0 + bimodal) / 2.0)
        noise = _ar1(rng, n * r, d.n_values, d.phi, d.within_sd).reshape(n, r, d.n_values)
        noise -= 0.5 * d.within_sd**2
        spikes = (rng.random((n, r, d.n_values)) < d.spike_prob) * d.spike_size
        return np.asarray((np.exp(level[..., None] + noise) * (1.0 + spikes)).mean(axis=2))

    return side(slots[0], 1.0), side(slots[1], ratio)


def scenario_rates(scenario: Scenario, n_experiments: int, seed: int) -> Rates:
    """Verdict rates of the verdict interval (levels included) over seeded experiments."""
    from jitbench.stats.intervals import pct, ratio_of_means_t
    from jitbench.stats.levels import MIN_GAP
    from jitbench.stats.parts import find_levels
    from jitbench.stats.verdict import decide

    start = time.perf_counter()
    b, c = simulate_values(
        np.random.default_rng(seed),
        n_experiments,
        scenario.design,
        scenario.ratio,
        scenario.bimodal,
    )
    fb, fc = np.zeros(n_experiments), np.zeros(n_experiments)
    gaps = np.diff(np.sort(np.log(np.concatenate([b, c], axis=1)), axis=1), axis=1).max(axis=1)
    # Only experiments with a MIN_GAP jump can have levels (find_levels would say the same).
    for i in np.flatnonzero(gaps >= np.log1p(MIN_GAP)):
        lv = find_levels(b[i], c[i])
        fb[i], fc[i] = lv.floor_baseline, lv.floor_candidate
    r = ratio_of_means_t(
        b, c, paired=scenario.paired, confidence=0.95, floor_baseline=fb, floor_candidate=fc
    )
    truth = np.log(scenario.ratio)
    verdicts = [
        decide(pct(e), pct(lo), pct(hi), margin_pct=1.0, min_effect_pct=0.0)
        for e, lo, hi in zip(r.estimate, r.low, r.high, strict=True)
    ]
    n = n_experiments
    return Rates(
        n=n,
        faster=verdicts.count("faster") / n,
        slower=verdicts.count("slower") / n,
        equivalent=verdicts.count("equivalent") / n,
        inconclusive=verdicts.count("inconclusive") / n,
        coverage=float(np.mean((r.low <= truth) & (truth <= r.high))),
        seconds=time.perf_counter() - start,
    )


#: Between-process-dominated (3 % between, 0.5 % within, 10 values) and within-dominated
#: (0.5 % between, 3 % AR(1) within, 20 values) noise; unpaired designs have no drift.
BETWEEN = Design(n_values=10, between_sd=0.03, within_sd=0.005)
WITHIN = Design(n_values=20, between_sd=0.005, within_sd=0.03)
#: jitbench's own default design (``-p 5 -n 10``): 5 processes per side, 10 values each.
JITBENCH_DEFAULT = Design(n_processes=5, n_values=10)


def calibration_scenarios() -> list[Scenario]:
    """The scenarios of the calibration tests and of docs/statistics.md's table."""
    out = []
    for p in (3, 5, 10):
        for noise, base in (("between", BETWEEN), ("within", WITHIN)):
            for paired in (True, False):
                design = replace(base, n_processes=p, drift_pct=2.0 if paired else 0.0)
                kind = "paired" if paired else "unpaired"
                out.append(Scenario(f"A/A {p} procs, {noise}-dominated, {kind}", design, paired))
    for p in (3, 5, 10):
        for paired in (True, False):
            design = Design(
                n_processes=p, n_values=10, between_sd=0.01, within_sd=0.01, drift_pct=0.0
            )
            kind = "paired" if paired else "unpaired"
            out.append(
                Scenario(f"A/A {p} procs, bimodal 1 / 2.5, {kind}", design, paired, bimodal=2.5)
            )
    for paired in (True, False):
        design = replace(BETWEEN, n_processes=3, n_values=1, drift_pct=0.0)
        kind = "paired" if paired else "unpaired"
        out.append(Scenario(f"A/A 3 procs, one value each, {kind}", design, paired))
    return out


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


def grid_table(n: int = 2000) -> None:
    """Print the scenario grid of the calibration tests (same seeds: 5000 + index)."""
    print(f"{'scenario':48} {'false':>7} {'cover':>7}")
    for k, sc in enumerate(calibration_scenarios()):
        r = scenario_rates(sc, n, seed=5000 + k)
        print(f"{sc.name:48} {r.false_difference:7.4f} {r.coverage:7.4f}", flush=True)


def default_aa_table(n: int = 8000, seeds: tuple[int, ...] = (1, 2)) -> None:
    """Print the A/A false rate of the verdict interval on both default designs, vectorised."""
    print(f"{n} experiments per row, the verdict interval vectorised (one mean per process)")
    print(f"{'scenario':48} {'seed':>5} {'false':>7} {'cover':>7}")
    for name, design in (
        ("A/A paired, 10 x 20", Design()),
        ("A/A paired, 5 x 10", JITBENCH_DEFAULT),
    ):
        for seed in seeds:
            r = scenario_rates(Scenario(name, design, paired=True), n, seed)
            print(f"{name:48} {seed:5d} {r.false_difference:7.4f} {r.coverage:7.4f}", flush=True)


def main(argv: list[str]) -> None:
    """Print the calibration tables: the scenario grid, the default designs' A/A rate vectorised,
    then the default designs via compare().

    ``--quick``: 1000 experiments per compare() row instead of 2000. ``--steady`` prints the
    steady-state classification rates instead.
    """
    if "--steady" in argv:
        steady_table()
        return
    grid_table()
    default_aa_table()
    n = 1000 if "--quick" in argv else 2000
    workers = os.cpu_count() or 1
    rows = [
        ("A/A paired (default)", 1.00, Design(), True, 20240601),
        ("A/A unpaired", 1.00, Design(), False, 20240603),
        ("3 % slower, paired", 1.03, Design(), True, 20240602),
        ("3 % slower, unpaired", 1.03, Design(), False, 20240604),
        ("3 % slower, 5 processes", 1.03, Design(n_processes=5), True, 20240605),
        ("2 % faster, paired", 0.98, Design(), True, 20240606),
        ("A/A paired, 5 x 10, seed 1", 1.00, JITBENCH_DEFAULT, True, 20240607),
        ("A/A paired, 5 x 10, seed 2", 1.00, JITBENCH_DEFAULT, True, 20240608),
    ]
    print(f"{n} experiments per row, through compare(metric='steady')")
    print(f"{'scenario':28} {'faster':>7} {'slower':>7} {'equiv':>7} {'incon':>7} {'cover':>7}")
    for name, ratio, design, paired, seed in rows:
        r = rates(
            n,
            ratio=ratio,
            design=design,
            seed=seed,
            paired=paired,
            workers=workers,
            n_resamples=200,
        )
        print(
            f"{name:28} {r.faster:7.4f} {r.slower:7.4f} {r.equivalent:7.4f}"
            f" {r.inconclusive:7.4f} {r.coverage:7.4f}   ({r.seconds:.0f} s)",
            flush=True,
        )


if __name__ == "__main__":
    main(sys.argv[1:])
