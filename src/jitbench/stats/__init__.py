"""Pure statistics for jitbench: numpy arrays in, numbers out.

The public API is what this module exports. The process is the unit throughout: intervals count
processes, never individual values. See docs/statistics.md for the methods and their calibration.
"""

from __future__ import annotations

from .compare import METRICS, Comparison, ci_halfwidth_pct, compare
from .descriptive import Summary, mad, outlier_indexes, summarize, trimmed_mean
from .steady import CLASSES, SteadyState, steady_state, steady_states
from .suite import SuiteSummary, holm, suite_summary
from .verdict import VERDICTS, decide, processes_needed

__all__ = [
    "CLASSES",
    "METRICS",
    "VERDICTS",
    "Comparison",
    "SteadyState",
    "SuiteSummary",
    "Summary",
    "ci_halfwidth_pct",
    "compare",
    "decide",
    "holm",
    "mad",
    "outlier_indexes",
    "processes_needed",
    "steady_state",
    "steady_states",
    "suite_summary",
    "summarize",
    "trimmed_mean",
]
