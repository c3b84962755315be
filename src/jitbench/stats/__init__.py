"""Pure statistics for jitbench: numpy arrays in, numbers out.

The public API is what this module exports. The process is the unit throughout: intervals count
processes, never individual values. See docs/statistics.md for the methods and their calibration.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .descriptive import Summary, mad, outlier_indexes, summarize, trimmed_mean
    from .noise import HostNoise, ProcessLevels, host_noise
    from .parts import METRICS
    from .steady import CLASSES, SteadyState, steady_state, steady_states
    from .suite import holm
    from .verdict import VERDICTS, decide, processes_needed

# Where each public name lives. Submodules load on first use, so commands that never compute
# statistics (--help, validate, schema) do not pay for scipy and ruptures at start-up.
_HOME = {
    "descriptive": ("Summary", "mad", "outlier_indexes", "summarize", "trimmed_mean"),
    "noise": ("HostNoise", "ProcessLevels", "host_noise"),
    "steady": ("CLASSES", "SteadyState", "steady_state", "steady_states"),
    "parts": ("METRICS",),
    "suite": ("holm",),
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
    "CLASSES",
    "METRICS",
    "VERDICTS",
    "HostNoise",
    "ProcessLevels",
    "SteadyState",
    "Summary",
    "decide",
    "holm",
    "host_noise",
    "mad",
    "outlier_indexes",
    "processes_needed",
    "steady_state",
    "steady_states",
    "summarize",
    "trimmed_mean",
]
