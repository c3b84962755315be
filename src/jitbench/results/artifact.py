"""The result artifact: schema, atomic writes, loading with validation, and per-process views.

An artifact is one JSON document per experiment (schema ``jitbench.result``, version 1, published
in ``schema/result-v1.schema.json``). It keeps every value of every process, so any later analysis
can be redone from it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import jsonschema
import numpy as np

from .. import inputfile
from ..errors import JitbenchError
from .atomic import write_text_atomic
from .migrate import upgrade
from .model import SCHEMA_NAME, SCHEMA_VERSION, ProcessRecord, Result

__all__ = ["SCHEMA_NAME", "SCHEMA_VERSION", "load", "load_result", "write_atomic"]

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "schema" / "result-v1.schema.json"


@cache
def schema() -> dict:
    """The published JSON Schema of the current artifact version."""
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def write_atomic(path: Path, doc: dict | Result) -> None:
    """Write an artifact through the model, so that readers see the old file or the new one,
    never a torn one."""
    result = doc if isinstance(doc, Result) else Result.from_json(doc)
    write_text_atomic(path, json.dumps(result.to_json(), separators=(",", ":")))


def first_error(doc: object) -> str | None:
    """The first schema violation as 'field.path: problem', or None for a valid artifact."""
    if not isinstance(doc, dict):
        return "document: expected a JSON object"
    if doc.get("schema") != SCHEMA_NAME:
        return (
            f"schema: expected {SCHEMA_NAME!r}, got {doc.get('schema')!r} (not a jitbench result)"
        )
    if doc.get("schema_version") != SCHEMA_VERSION:
        return (
            f"schema_version: this jitbench reads version {SCHEMA_VERSION}, "
            f"the file has {doc.get('schema_version')!r}"
        )
    validator = jsonschema.Draft202012Validator(schema())
    errors = sorted(
        validator.iter_errors(doc),
        key=lambda e: (len(e.absolute_path), list(map(str, e.absolute_path))),
    )
    if errors:
        e = errors[0]
        where = ".".join(str(p) for p in e.absolute_path) or "document"
        return f"{where}: {e.message}"
    return _consistency_error(doc)


def _consistency_error(doc: dict) -> str | None:
    """Cross-field checks the schema cannot express."""
    for i, p in enumerate(doc["processes"]):
        if p["variant"] not in doc["variants"]:
            return f"processes.{i}.variant: {p['variant']!r} is not in variants"
        if p["benchmark"] not in doc["benchmarks"]:
            return f"processes.{i}.benchmark: {p['benchmark']!r} is not in benchmarks"
    return None


def load(path: Path) -> dict:
    """Read and validate an artifact, through the model; the JSON document of :func:`load_result`."""
    return load_result(path).to_json()


def load_result(path: Path) -> Result:
    """Read and validate an artifact, corrected where an earlier release wrote it wrongly;
    JitbenchError naming the file and the first bad field."""
    text = inputfile.read_text(path, "result file")
    doc = inputfile.parse_json(text, path, "result file", "is it a jitbench result?")
    err = first_error(doc)
    if err is not None:
        raise JitbenchError(f"{path}: invalid result: {err}")
    return Result.from_json(upgrade(doc))


@dataclass(frozen=True)
class ProcessView:
    """One finished process of one variant, with values in seconds per iteration."""

    slot: int
    round: int
    values: np.ndarray  # seconds per inner iteration, time order
    warmups: np.ndarray
    first: float  # first iteration, seconds
    wall: float | None  # spawn to exit, seconds
    record: ProcessRecord


def processes_of(
    result: Result,
    benchmark: str,
    variant: str,
    instrument: str | None = None,
    measure: str = "time",
) -> list[ProcessView]:
    """The successful processes of one variant on one benchmark, in slot order.

    Timed processes by default; ``instrument`` selects those run under that instrument instead
    (their times are not comparable with timed ones). ``measure`` picks the values: time (seconds
    per iteration) or a count per iteration (e.g. instructions) from whichever processes counted
    it, timed or instrumented.
    """
    out = []
    for p in result.processes:
        if p.benchmark != benchmark or p.variant != variant or not p.ok:
            continue
        counted = measure != "time"
        if not counted and p.instrument != instrument:
            continue
        # A finished process has its loops, first and values: the schema requires them.
        loops, inner = p.loops or 1, p.inner_loops or 1
        iterations = float(loops * inner)
        if not counted:
            values = np.asarray(p.values_ns, dtype=float) / (iterations * 1e9)
            warmups = np.asarray(p.warmups_ns or [], dtype=float) / (iterations * 1e9)
            first = (p.first_ns or 0) / (inner * 1e9)
            wall = p.wall_ns / 1e9 if p.wall_ns is not None else None
        else:
            counted_values = counts_per_iteration(p.counting, measure, iterations)
            if counted_values is None:
                continue
            values = counted_values
            warmups = np.zeros(0)
            first, wall = float("nan"), None
        out.append(
            ProcessView(
                slot=p.slot,
                round=p.round,
                values=values,
                warmups=warmups,
                first=first,
                wall=wall,
                record=p,
            )
        )
    return sorted(out, key=lambda v: v.slot)


def counts_per_iteration(
    counting: dict | None, measure: str, iterations: float
) -> np.ndarray | None:
    """A process's counts of ``measure`` per iteration, one per measured value, net of the
    harness (the count of an empty value in the same process); None when it did not count it."""
    counts = ((counting or {}).get("counts") or {}).get(measure)
    if counts is None:
        return None
    overhead = ((counting or {}).get("overhead") or {}).get(measure, 0)
    return (np.asarray(counts, dtype=float) - overhead) / iterations


def measures_of(result: Result) -> list[str]:
    """The measures an artifact holds: time, then each count some process recorded."""
    found = dict.fromkeys(result.design.measures or ["time"])
    for p in result.processes:
        for m in (p.counting or {}).get("counts", {}):
            found.setdefault(m)
    return list(found)


def failed_processes(result: Result) -> list[ProcessRecord]:
    """Every failed process record."""
    return [p for p in result.processes if not p.ok]


def default_results_dir() -> Path:
    """Where artifacts go unless --out says otherwise."""
    return Path(".jitbench") / "results"
