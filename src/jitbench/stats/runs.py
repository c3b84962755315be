"""Runs made apart: one experiment against an earlier one, with the drift between runs counted.

Processes of two experiments made minutes or days apart were not interleaved, so whatever moved
the host between the runs (frequency, thermal state, neighbours) moves every process of one run
together, and the within-run interval of :func:`.compare` does not see it. The benchmark's own
history measures it: with the log mean of each earlier run of the same variant on the same host,
s² (their sample variance) estimates the variance of one run's mean, drift and sampling included,
and two runs differ by a variance of 2 s² with k - 1 degrees of freedom (k earlier runs). The CI
of the change uses the larger of that and the within-run standard error. With fewer than
:data:`MIN_EARLIER_RUNS` earlier runs there is no estimate, and the verdict is declined.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import special

from .intervals import pct
from .verdict import decide

#: Earlier runs needed to estimate the between-run spread (2 degrees of freedom).
MIN_EARLIER_RUNS = 3


@dataclass(frozen=True)
class RunToRun:
    """A run against the previous run of the same variant and host, drift between runs counted."""

    change_pct: float
    low_pct: float
    high_pct: float
    verdict: str
    #: Why there is no verdict ("" when there is one).
    reason: str
    #: Standard deviation of a run's log mean over the earlier runs, in % (NaN: too few runs).
    run_sd_pct: float
    n_earlier_runs: int
    #: The within-run interval (as if the runs had been interleaved), for reference.
    within_low_pct: float
    within_high_pct: float
    #: The level of the interval (e.g. 0.95).
    confidence: float

    def to_dict(self) -> dict[str, object]:
        """Plain JSON types; non-finite numbers become None."""
        return {
            k: (None if isinstance(v, float) and not math.isfinite(v) else v)
            for k, v in self.__dict__.items()
        }


def run_to_run(
    change_pct: float,
    within_low_pct: float,
    within_high_pct: float,
    within_df: float,
    earlier_run_means: Sequence[float],
    *,
    confidence: float = 0.95,
    margin_pct: float = 1.0,
    min_effect_pct: float = 0.0,
) -> RunToRun:
    """The change from the previous run with a CI that counts the between-run spread.

    ``change_pct`` and the within-run CI come from :func:`.compare` of the two runs;
    ``earlier_run_means`` are the per-run means (of the same per-process values) of every run
    before the current one, the previous included.
    """
    k = len(earlier_run_means)
    nan = math.nan
    if k < MIN_EARLIER_RUNS:
        reason = (
            f"runs made apart drift together; {k} earlier run(s) of this variant on this host,"
            f" {MIN_EARLIER_RUNS} needed to measure that drift"
        )
        return RunToRun(
            change_pct,
            nan,
            nan,
            "inconclusive",
            reason,
            nan,
            k,
            within_low_pct,
            within_high_pct,
            confidence,
        )
    logs = np.log(np.asarray(earlier_run_means, dtype=np.float64))
    s = float(np.std(logs, ddof=1))
    estimate = math.log1p(change_pct / 100.0)
    w_half = (math.log1p(within_high_pct / 100.0) - math.log1p(within_low_pct / 100.0)) / 2.0
    t_w = float(special.stdtrit(within_df, 0.5 + confidence / 2.0)) if within_df >= 1 else nan
    se_within = w_half / t_w if math.isfinite(w_half) and math.isfinite(t_w) else 0.0
    se_runs = math.sqrt(2.0) * s
    se, df = (se_runs, k - 1.0) if se_runs >= se_within else (se_within, within_df)
    t = float(special.stdtrit(df, 0.5 + confidence / 2.0))
    lo, hi = pct(estimate - t * se), pct(estimate + t * se)
    verdict = decide(change_pct, lo, hi, margin_pct=margin_pct, min_effect_pct=min_effect_pct)
    return RunToRun(
        change_pct, lo, hi, verdict, "", 100.0 * s, k, within_low_pct, within_high_pct, confidence
    )
