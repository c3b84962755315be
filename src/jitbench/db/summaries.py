"""Derived columns stored with each row: a process's summary, a variant's interpreter/revision.

Used when recording and by the migration that introduced these columns (to backfill old rows),
so both compute them the same way. Statistics come from :mod:`jitbench.stats`.
"""

from __future__ import annotations

import numpy as np

from .. import stats
from ..report.facts import interpreter


def seconds(values_ns: list[int], loops: int, inner_loops: int) -> np.ndarray:
    """Raw nanoseconds for ``loops × inner_loops`` iterations → seconds per iteration."""
    return np.asarray(values_ns, dtype=float) / (float(loops * inner_loops) * 1e9)


def process_summary(
    values_ns: list[int] | None, loops: int | None, inner_loops: int | None
) -> dict:
    """mean_s, median_s, steady_start, steady_value_s, steady_class of one process (or Nones)."""
    if not values_ns or not loops or not inner_loops:
        return dict.fromkeys(
            ("mean_s", "median_s", "steady_start", "steady_value_s", "steady_class")
        )
    values = seconds(values_ns, loops, inner_loops)
    s = stats.summarize([values])
    st = stats.steady_state(values)
    return {
        "mean_s": s.mean,
        "median_s": s.median,
        "steady_start": st.steady_start,
        "steady_value_s": st.steady_value,
        "steady_class": st.classification,
    }


def variant_columns(spec: dict) -> dict:
    """interpreter ('cpython 3.14.0'), rev and sha of a variant as the artifact records it."""
    interp = interpreter(spec.get("facts"))
    rev, sha = spec.get("rev"), spec.get("sha")
    return {
        "interpreter": None if interp == "—" else interp[:255],
        "rev": str(rev)[:255] if rev else None,
        "sha": str(sha)[:64] if sha else None,
    }
