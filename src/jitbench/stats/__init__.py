"""Pure statistics for jitbench: numpy arrays in, numbers out.

The public API is what this module exports. The process is the unit throughout: intervals count
processes, never individual values. See docs/statistics.md for the methods and their calibration.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .comparison import (
        ADAPTIVE_MIN_ROUNDS,
        METRICS,
        Comparison,
        ci_halfwidth_pct,
        compare,
    )
    from .descriptive import Summary, mad, outlier_indexes, summarize, trimmed_mean
    from .noise import HostNoise, ProcessLevels, host_noise
    from .steady import CLASSES, SteadyState, steady_state, steady_states
    from .suite import SuiteSummary, holm, suite_summary
    from .verdict import VERDICTS, decide, processes_needed

# Where each public name lives. Submodules load on first use, so commands that never compute
# statistics (--help, validate, schema) do not pay for scipy and ruptures at start-up.
_HOME = {
    "comparison": (
        "ADAPTIVE_MIN_ROUNDS",
        "METRICS",
        "Comparison",
        "ci_halfwidth_pct",
        "compare",
    ),
    "descriptive": ("Summary", "mad", "outlier_indexes", "summarize", "trimmed_mean"),
    "noise": ("HostNoise", "ProcessLevels", "host_noise"),
    "steady": ("CLASSES", "SteadyState", "steady_state", "steady_states"),
    "suite": ("SuiteSummary", "holm", "suite_summary"),
    "verdict": ("VERDICTS", "decide", "processes_needed"),
}
_WHERE = {name: module for module, names in _HOME.items() for name in names}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'jitbench.stats' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


__all__ = [
    "ADAPTIVE_MIN_ROUNDS",
    "CLASSES",
    "METRICS",
    "VERDICTS",
    "Comparison",
    "HostNoise",
    "ProcessLevels",
    "SteadyState",
    "SuiteSummary",
    "Summary",
    "ci_halfwidth_pct",
    "compare",
    "decide",
    "holm",
    "host_noise",
    "mad",
    "outlier_indexes",
    "processes_needed",
    "steady_state",
    "steady_states",
    "suite_summary",
    "summarize",
    "trimmed_mean",
]
