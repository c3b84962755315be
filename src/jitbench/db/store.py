"""Writing one result artifact into the database (replacing an earlier copy of the same result)."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from ..results.model import ProcessRecord, Result
from . import schema as t
from .summaries import process_summary, variant_columns

HOST_IDENTITY = ("hostname", "machine", "cpu_model", "cpu_count", "os", "kernel")


def utc(text: str | None) -> datetime | None:
    """An ISO timestamp as naive UTC (the database's convention); naive input is taken as UTC."""
    if not text:
        return None
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return None
    if when.tzinfo is not None:
        when = when.astimezone(UTC).replace(tzinfo=None)
    return when


def _clip(value: object, n: int) -> str | None:
    return None if value is None else str(value)[:n]


def _host_id(conn: Connection, host: dict) -> int:
    identity = [host.get(k) for k in HOST_IDENTITY]
    fingerprint = hashlib.sha256(json.dumps(identity, default=str).encode()).hexdigest()
    found = conn.execute(sa.select(t.hosts.c.id).where(t.hosts.c.fingerprint == fingerprint))
    hid = found.scalar()
    if hid is not None:
        conn.execute(t.hosts.update().where(t.hosts.c.id == hid).values(facts=host))
        return int(hid)
    row = {
        "fingerprint": fingerprint,
        "facts": host,
        "cpu_count": host.get("cpu_count") if isinstance(host.get("cpu_count"), int) else None,
    }
    row.update({k: _clip(host.get(k), 255) for k in ("hostname", "cpu_model", "os", "kernel")})
    row["machine"] = _clip(host.get("machine"), 64)
    return _insert_or_find(conn, t.hosts, row, t.hosts.c.fingerprint == fingerprint)


def new_id(result: sa.CursorResult) -> int:
    """The primary key of the row an INSERT just wrote."""
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def _insert_or_find(
    conn: Connection, table: sa.Table, row: dict, where: sa.ColumnElement[bool]
) -> int:
    """Insert a row with a unique key, or return the id another writer just inserted."""
    try:
        with conn.begin_nested():
            return new_id(conn.execute(table.insert().values(**row)))
    except IntegrityError:
        return int(conn.execute(sa.select(table.c.id).where(where)).scalar_one())


def _benchmark_id(conn: Connection, name: str) -> int:
    found = conn.execute(sa.select(t.benchmarks.c.id).where(t.benchmarks.c.name == name)).scalar()
    if found is not None:
        return int(found)
    return _insert_or_find(conn, t.benchmarks, {"name": name}, t.benchmarks.c.name == name)


def delete_experiment(conn: Connection, result_id: str) -> bool:
    """Remove a stored result and its rows; whether it was there."""
    eid = conn.execute(
        sa.select(t.experiments.c.id).where(t.experiments.c.result_id == result_id)
    ).scalar()
    if eid is None:
        return False
    for table in (t.processes, t.variants, t.experiment_benchmarks):
        conn.execute(table.delete().where(table.c.experiment_id == eid))
    conn.execute(t.experiments.delete().where(t.experiments.c.id == eid))
    return True


_EXPERIMENT_KEYS = {
    "schema",
    "schema_version",
    "tool_version",
    "id",
    "created",
    "finished",
    "complete",
    "seed",
    "baseline",
    "design",
    "command",
    "host",
    "variants",
    "benchmarks",
    "schedule",
    "processes",
}


def store(conn: Connection, result: Result, artifact_path: str | None) -> int:
    """Insert one artifact (a copy stored before under the same id is replaced); its row id."""
    delete_experiment(conn, result.id)
    doc = result.to_json()  # the sections the database keeps as JSON, as the file holds them
    eid = _store_experiment(conn, result, doc, artifact_path)
    bench_ids = _store_benchmarks(conn, eid, result, doc)
    variant_ids = _store_variants(conn, eid, result, doc)
    rows = [_process_row(p, eid, variant_ids, bench_ids) for p in result.processes]
    if rows:
        conn.execute(t.processes.insert(), rows)
    return eid


def _store_experiment(
    conn: Connection, result: Result, doc: dict, artifact_path: str | None
) -> int:
    """The experiment's row: when, what, where; the sections without columns as JSON."""
    extra = {k: v for k, v in doc.items() if k not in _EXPERIMENT_KEYS}
    return new_id(
        conn.execute(
            t.experiments.insert().values(
                result_id=result.id,
                created=utc(result.created) or datetime.now(UTC).replace(tzinfo=None),
                finished=utc(result.finished),
                complete=bool(result.complete),
                tool_version=_clip(result.tool_version, 64),
                seed=result.seed,
                baseline=_clip(result.baseline, 255),
                design=doc["design"],
                command=result.command,
                artifact_path=artifact_path,
                host_id=_host_id(conn, result.host),
                host_facts=result.host,
                extra=extra or None,
                recorded=datetime.now(UTC).replace(tzinfo=None),
            )
        )
    )


def _store_benchmarks(conn: Connection, eid: int, result: Result, doc: dict) -> dict[str, int]:
    """The experiment's benchmarks; each benchmark's row id by name."""
    bench_ids = {}
    for name, b in result.benchmarks.items():
        bench_ids[name] = _benchmark_id(conn, name)
        conn.execute(
            t.experiment_benchmarks.insert().values(
                experiment_id=eid,
                benchmark_id=bench_ids[name],
                kind=b.kind,
                source=b.source,
                loops=b.loops,
                inner_loops=b.inner_loops,
                spec=doc["benchmarks"][name],
            )
        )
    return bench_ids


def _store_variants(conn: Connection, eid: int, result: Result, doc: dict) -> dict[str, int]:
    """The experiment's variants; each variant's row id by name."""
    variant_ids = {}
    for name, v in result.variants.items():
        spec = doc["variants"][name]
        variant_ids[name] = new_id(
            conn.execute(
                t.variants.insert().values(
                    experiment_id=eid,
                    name=name,
                    runtime=_clip(v.runtime, 255),
                    kind=_clip(v.kind, 64),
                    mode=_clip(v.mode, 255),
                    command=v.command,
                    env=v.env,
                    args=v.args,
                    facts=v.facts,
                    spec=spec,
                    **variant_columns(spec),
                )
            )
        )
    return variant_ids


def _process_row(
    p: ProcessRecord, eid: int, variant_ids: dict[str, int], bench_ids: dict[str, int]
) -> dict:
    """One process's row, with the summary of its values when it finished."""
    summary = process_summary(
        *((p.values_ns, p.loops, p.inner_loops) if p.ok else (None, None, None))
    )
    return {
        "experiment_id": eid,
        "variant_id": variant_ids[p.variant],
        "benchmark_id": bench_ids[p.benchmark],
        "slot": p.slot,
        "round": p.round,
        "status": p.status,
        "error": p.error,
        "loops": p.loops,
        "inner_loops": p.inner_loops,
        "first_ns": p.first_ns,
        "wall_ns": p.wall_ns,
        "warmups_ns": p.warmups_ns,
        "values_ns": p.values_ns,
        "jit": p.jit,
        "facts": p.facts,
        "n_values": len(p.values_ns or []),
        "instrument": _clip(p.instrument, 32),
        "counting": p.counting,
        **summary,
    }
