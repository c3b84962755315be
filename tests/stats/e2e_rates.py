"""Error rates of the end-to-end test designs under host-like noise, from seeded simulations.

The end-to-end tests run real processes on shared virtual machines, whose speed swings: process
means of one variant ranged 8.5-21.6 ms on one host. Modelled here as a lognormal
between-process sd of 25 % and 35 % (the latter puts that range inside ±2.6 sd), with strongly
correlated within-process noise, through the same compare() the tests exercise.

Run ``python -m tests.stats.e2e_rates [N]`` from the repository root to print the rates quoted in
the tests' docstrings; run it again whenever the statistics change.
"""

from __future__ import annotations

import sys

from .sim import Design, Rates, rates

# Each design as the tests run it: (label, true candidate/baseline ratio, processes, paired).
DESIGNS = [
    (
        "3x the work, 10 processes (ab, remote, pyperf shim, revisions, remote builds)",
        3.0,
        10,
        True,
    ),
    ("3x the work, 6 processes (too few at sd 0.35)", 3.0, 6, True),
    ("cross-host 3x, 10 processes, unpaired", 3.0, 10, False),
    ("CinderX float loop 20x faster, 4 processes", 0.05, 4, True),
    ("A/A, 6 processes", 1.0, 6, True),
    ("before: +30 %, 10 processes", 1.3, 10, True),
]
HOST_SDS = (0.25, 0.35)


def host_design(processes: int, between_sd: float) -> Design:
    """A design with host-like noise: large process-to-process swings, 6 correlated values."""
    return Design(
        n_processes=processes,
        n_values=6,
        between_sd=between_sd,
        within_sd=0.1,
        phi=0.8,
        drift_pct=0.0,
    )


def design_rates(
    ratio: float, processes: int, paired: bool, between_sd: float, n: int, seed: int = 20261130
) -> Rates:
    """Verdict and coverage rates of one end-to-end design over ``n`` seeded experiments."""
    return rates(
        n,
        ratio=ratio,
        design=host_design(processes, between_sd),
        seed=seed,
        paired=paired,
        n_resamples=500,
    )


def main(argv: list[str]) -> None:
    n = int(argv[0]) if argv else 2000
    for sd in HOST_SDS:
        for label, ratio, processes, paired in DESIGNS:
            r = design_rates(ratio, processes, paired, sd, n)
            print(
                f"sd {sd:.2f}  {label}: slower {r.slower:.4f}  faster {r.faster:.4f}  "
                f"inconclusive {r.inconclusive:.4f}  CI holds the truth {r.coverage:.4f}  "
                f"(n={r.n})",
                flush=True,
            )


if __name__ == "__main__":
    main(sys.argv[1:])
