"""A benchmark over time: one row per stored experiment and variant, oldest first.

Each row's numbers are recomputed from the stored values with :mod:`jitbench.stats` (pyperf-style
mean/median/stdev over all values, process means), and each row is compared with the previous row
of the same variant on the same host. The experiments were not interleaved with each other, so the
drift between runs is counted from the spread of the earlier runs (:mod:`jitbench.stats.runs`), or
the verdict is declined with the reason.

A history is of one measure: time (seconds per iteration, timed processes only; processes run
under an instrument such as valgrind are many times slower) or a count per iteration (e.g.
instructions, from the processes that counted it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from .. import stats
from ..analysis.comparison import compare
from ..errors import JitbenchError
from ..measures import TIME
from ..results.artifact import counts_per_iteration
from ..stats.runs import RunToRun, run_to_run
from . import schema as t
from .summaries import seconds


@dataclass
class HistoryRow:
    """One variant of one stored experiment on the benchmark asked for."""

    created: datetime
    result_id: str
    variant: str
    hostname: str
    interpreter: str | None
    revision: str | None
    complete: bool
    summary: stats.Summary
    values: list[np.ndarray] = field(repr=False, default_factory=list)
    #: This row against the previous row of the same variant and host (None: not comparable).
    vs_previous: RunToRun | None = None
    #: What the values are: ``time`` (seconds per iteration) or a count per iteration.
    measure: str = TIME


def _revision(rev: str | None, sha: str | None) -> str | None:
    if rev and sha:
        return f"{rev}@{sha[:10]}"
    return rev or (sha[:10] if sha else None)


def benchmark_names(engine: Engine) -> list[str]:
    """Every benchmark with stored processes."""
    with engine.connect() as conn:
        return sorted(conn.execute(sa.select(t.benchmarks.c.name)).scalars())


def history(
    engine: Engine,
    benchmark: str,
    *,
    variant: str | None = None,
    host: str | None = None,
    limit: int | None = None,
    compare: bool = True,
    seed: int = 0,
    measure: str = TIME,
) -> list[HistoryRow]:
    """The stored experiments of ``benchmark`` (optionally one variant / host) on ``measure``,
    oldest first."""
    with engine.connect() as conn:
        records = conn.execute(_query(benchmark, variant, host, measure)).all()
    groups = _per_experiment(records, measure)
    if not groups:
        _explain_empty(engine, benchmark, variant, host, measure)
    rows = [_row(first, values, measure) for first, values in groups.values()]
    if limit is not None:
        rows = rows[-limit:]
    if compare:
        _compare_consecutive(rows, seed)
    return rows


def _query(benchmark: str, variant: str | None, host: str | None, measure: str) -> sa.Select:
    """The finished processes of ``benchmark`` that can hold ``measure``, oldest first."""
    e, v, p, h, b = t.experiments, t.variants, t.processes, t.hosts, t.benchmarks
    q = (
        sa.select(
            e.c.id,
            e.c.created,
            e.c.result_id,
            e.c.complete,
            v.c.name,
            v.c.interpreter,
            v.c.rev,
            v.c.sha,
            h.c.hostname,
            p.c.values_ns,
            p.c.loops,
            p.c.inner_loops,
            p.c.instrument,
            p.c.counting,
        )
        .join(v, p.c.variant_id == v.c.id)
        .join(e, p.c.experiment_id == e.c.id)
        .join(h, e.c.host_id == h.c.id)
        .join(b, p.c.benchmark_id == b.c.id)
        .where(b.c.name == benchmark, p.c.status == "ok")
        .order_by(e.c.created, e.c.id, v.c.id, p.c.slot)
    )
    if variant is not None:
        q = q.where(v.c.name == variant)
    if host is not None:
        q = q.where(h.c.hostname == host)
    if measure == TIME:
        # Processes under an instrument (valgrind, perf record) ran slower: not time values.
        q = q.where(p.c.instrument.is_(None))
    return q


def _per_experiment(
    records: Sequence[sa.Row], measure: str
) -> dict[tuple, tuple[sa.Row, list[np.ndarray]]]:
    """Each (experiment, variant)'s first record and its processes' values of ``measure``."""
    groups: dict[tuple, tuple[sa.Row, list[np.ndarray]]] = {}
    for r in records:
        one = _values(r, measure)
        if one is not None:
            groups.setdefault((r.id, r.name), (r, []))[1].append(one)
    return groups


def _row(first: sa.Row, values: list[np.ndarray], measure: str) -> HistoryRow:
    """One experiment's row of the history: where and what it ran, and its summary."""
    return HistoryRow(
        created=first.created,
        result_id=first.result_id,
        variant=first.name,
        hostname=first.hostname or "?",
        interpreter=first.interpreter,
        revision=_revision(first.rev, first.sha),
        complete=bool(first.complete),
        summary=stats.summarize(values),
        values=values,
        measure=measure,
    )


def _values(record: sa.Row, measure: str) -> np.ndarray | None:
    """One stored process's values on ``measure`` (per iteration), or None if it has none."""
    if measure == TIME:
        return seconds(record.values_ns, record.loops, record.inner_loops)
    if not record.loops or not record.inner_loops:
        return None
    return counts_per_iteration(record.counting, measure, float(record.loops * record.inner_loops))


def _compare_consecutive(rows: list[HistoryRow], seed: int) -> None:
    previous: dict[tuple[str, str], HistoryRow] = {}
    # Per variant and host: the mean steady value of each earlier comparable run.
    run_means: dict[tuple[str, str], list[float]] = {}
    for row in rows:
        key = (row.variant, row.hostname)
        prev = previous.get(key)
        if prev is not None and len(prev.values) >= 2 and len(row.values) >= 2:
            c = compare(prev.values, row.values, seed=seed)
            earlier = run_means.setdefault(key, [])
            if not earlier:
                earlier.append(c.baseline.value_mean)
            row.vs_previous = run_to_run(
                c.change_pct,
                c.ci_low_pct,
                c.ci_high_pct,
                c.df,
                list(earlier),
                confidence=c.confidence,
                margin_pct=c.margin_pct,
                min_effect_pct=c.min_effect_pct,
            )
            earlier.append(c.candidate.value_mean)
        previous[key] = row


def _explain_empty(
    engine: Engine, benchmark: str, variant: str | None, host: str | None, measure: str = TIME
) -> None:
    names = benchmark_names(engine)
    if benchmark not in names:
        known = ", ".join(names) if names else "none yet (run an experiment or jitbench import)"
        raise JitbenchError(
            f"benchmark {benchmark!r} has no stored experiments; stored benchmarks: {known}"
        )
    if measure != TIME:
        raise JitbenchError(
            f"benchmark {benchmark!r} has no stored {measure} counts"
            + (f" for variant {variant!r}" if variant else "")
            + (f" on host {host!r}" if host else "")
            + f"; record runs made with --measure time,{measure} (results recorded by "
            "jitbench before counts were stored: jitbench import RESULT)"
        )
    what = " and ".join(
        x
        for x in (f"variant {variant!r}" if variant else "", f"host {host!r}" if host else "")
        if x
    )
    raise JitbenchError(
        f"benchmark {benchmark!r} has no stored processes for {what}; drop "
        "--variant/--host to see what is stored"
    )
