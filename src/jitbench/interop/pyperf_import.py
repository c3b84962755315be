"""A pyperf or pyperformance JSON result as a jitbench artifact.

Mapping: each benchmark → a benchmark (kind ``pyperf``); each run with values → one ``ok``
process (rounds in run order; pyperf runs were sequential, not interleaved); values/warmups
(seconds per iteration) → integer ns for ``loops × inner_loops`` iterations; a run's ``duration``
→ ``wall_ns``; the first warmup (else the first value) → ``first_ns``; calibration-only runs →
the benchmark's ``calibration``. All pyperf metadata is kept (``doc["pyperf"]``, each benchmark's
``pyperf_metadata``, each process's ``pyperf``), so an export gives back what came in.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from pathlib import Path

import jsonschema

from .. import __version__, inputfile
from ..errors import JitbenchError
from ..results.artifact import first_error
from ..results.model import SCHEMA_NAME, SCHEMA_VERSION, Result

SUPPORTED_VERSIONS = ("1.0",)


def read_pyperf(path: Path) -> tuple[dict, bytes]:
    """The JSON document of a pyperf file (``.json`` or ``.json.gz``) and its raw bytes."""
    hint = "pass a file written by pyperf or pyperformance (-o FILE.json)"
    raw = inputfile.read_bytes(path, "pyperf file")
    text = inputfile.decode(inputfile.gunzip(raw, path, "pyperf file"), path, "pyperf file")
    data = inputfile.parse_json(text, path, "pyperf file", hint)
    if not isinstance(data, dict) or "benchmarks" not in data:
        hint = (
            " (it is a jitbench result already)"
            if isinstance(data, dict) and data.get("schema") == SCHEMA_NAME
            else ""
        )
        raise JitbenchError(
            f"{path}: not a pyperf result (no 'benchmarks' list){hint}; pass a "
            "file written by pyperf or pyperformance"
        )
    problem = _shape_error(data)
    if problem is not None:
        raise JitbenchError(f"{path}: not a pyperf result: {problem}; {hint}")
    if data.get("version") not in SUPPORTED_VERSIONS:
        raise JitbenchError(
            f"{path}: pyperf file format {data.get('version')!r} is not "
            f"supported (only {', '.join(SUPPORTED_VERSIONS)}); rewrite it with "
            "pyperf >= 1.0 (python -m pyperf convert)"
        )
    return data, raw


# The parts of pyperf's format (version 1.0) the import reads, with the types it relies on.
_METADATA = {
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        "unit": {"type": "string"},
        "date": {"type": "string"},
        "loops": {"type": "integer", "minimum": 1},
        "inner_loops": {"type": "integer", "minimum": 1},
        "duration": {"type": "number"},
    },
}
_PYPERF_SHAPE = {
    "type": "object",
    "properties": {
        "version": {"type": "string"},
        "metadata": _METADATA,
        "benchmarks": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "metadata": _METADATA,
                    "runs": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "metadata": _METADATA,
                                "values": {"type": "array", "items": {"type": "number"}},
                                "warmups": {
                                    "type": "array",
                                    "items": {
                                        "type": "array",
                                        "prefixItems": [{"type": "integer"}, {"type": "number"}],
                                        "minItems": 2,
                                        "maxItems": 2,
                                    },
                                },
                            },
                        },
                    },
                },
            },
        },
    },
}


def _shape_error(data: dict) -> str | None:
    """The first place where ``data`` breaks the pyperf format the import reads, or None."""
    error = jsonschema.exceptions.best_match(
        jsonschema.Draft202012Validator(_PYPERF_SHAPE).iter_errors(data)
    )
    if error is None:
        return None
    where = ".".join(str(p) for p in error.absolute_path) or "document"
    return f"{where}: {error.message}"


def _ns(seconds_per_iteration: float, iterations: int) -> int:
    return max(0, round(float(seconds_per_iteration) * iterations * 1e9))


def _iso(pyperf_date: object) -> str | None:
    """pyperf's 'YYYY-MM-DD HH:MM:SS.ffffff' (naive) as ISO 8601; None when unparsable."""
    if not isinstance(pyperf_date, str):
        return None
    try:
        return datetime.fromisoformat(pyperf_date).isoformat()
    except ValueError:
        return None


def _version(text: object) -> str | None:
    m = re.match(r"\d+\.\d+(\.\d+)?", str(text or ""))
    return m.group(0) if m else None


def _machine(platform: object) -> str:
    for arch in ("x86_64", "aarch64", "arm64", "ppc64le", "s390x", "riscv64", "i686", "AMD64"):
        if arch in str(platform or ""):
            return arch
    return "unknown"


def _host(md: dict) -> dict:
    return {
        "hostname": str(md.get("hostname", "unknown")),
        "machine": _machine(md.get("platform")),
        "cpu_model": md.get("cpu_model_name"),
        "cpu_count": md.get("cpu_count"),
        "platform": md.get("platform"),
        "boot_time": md.get("boot_time"),
        "cpu_config": md.get("cpu_config"),
        "source": "pyperf metadata",
    }


def _facts(md: dict) -> dict:
    return {
        "implementation": md.get("python_implementation"),
        "version": _version(md.get("python_version")),
        "version_full": md.get("python_version"),
        "executable": md.get("python_executable"),
        "jit": {},
    }


def _check_benchmark(bench_md: dict, name: str, seen: dict, source: str) -> None:
    """One line naming the fix when a pyperf benchmark cannot be imported."""
    if name in seen:
        raise JitbenchError(
            f"{source}: benchmark {name!r} appears twice; pyperf files hold each benchmark once"
        )
    unit = bench_md.get("unit", "second")
    if unit != "second":
        raise JitbenchError(
            f"{source}: benchmark {name!r} measures {unit!r}, not time; "
            "jitbench imports timings only (drop it with pyperf convert "
            "--exclude-benchmark)"
        )


def _process(run: dict, run_md: dict, where: dict) -> dict:
    """The process record of one pyperf run with values; ``where``: its slot, round and names."""
    values = run["values"]
    loops, inner = int(run_md.get("loops", 1)), int(run_md.get("inner_loops", 1))
    warmups = [list(w) for w in run.get("warmups") or []]
    first = warmups[0][1] if warmups else values[0]
    duration = run_md.get("duration")
    process = {
        **where,
        "status": "ok",
        "loops": loops,
        "inner_loops": inner,
        "first_ns": _ns(first, inner),
        "warmups_ns": [_ns(v, loops * inner) for _, v in warmups],
        "values_ns": [_ns(v, loops * inner) for v in values],
        "wall_ns": _ns(duration, 1) if isinstance(duration, int | float) else None,
        "facts": _facts(run_md),
        "jit": {},
        "pyperf": {"metadata": run.get("metadata") or {}, "warmups": warmups},
    }
    started = _iso(run_md.get("date"))
    if started:
        process["started"] = started
    return process


def _single(seen: set[int]) -> int | None:
    return seen.pop() if len(seen) == 1 else None


def _benchmark_entry(name: str, bench: dict, source: str, calibration: list, runs: list) -> dict:
    """The artifact's entry of one imported benchmark; ``runs``: its process records."""
    return {
        "kind": "pyperf",
        "source": f"pyperf:{source}",
        "function": None,
        "bench_name": name,
        "loops": _single({p["loops"] for p in runs}),
        "inner_loops": _single({p["inner_loops"] for p in runs}),
        "calibration": {"pyperf_runs": calibration} if calibration else None,
        "error": None,
        "pyperf_metadata": bench.get("metadata") or {},
    }


def _import_benchmark(
    bench: dict, bench_md: dict, name: str, variant: str, first_slot: int, source: str
) -> tuple[dict, list[dict]]:
    """(benchmark entry, process records) of one pyperf benchmark, slots from ``first_slot``."""
    calibration: list[dict] = []
    processes: list[dict] = []
    for run in bench.get("runs", []):
        if not run.get("values"):
            calibration.append(run)
            continue
        run_md = dict(bench_md, **(run.get("metadata") or {}))
        where = {
            "slot": first_slot + len(processes),
            "round": len(processes),
            "benchmark": name,
            "variant": variant,
        }
        processes.append(_process(run, run_md, where))
    if not processes:
        raise JitbenchError(
            f"{source}: benchmark {name!r} has no run with values (only "
            "calibration runs); nothing to import"
        )
    return _benchmark_entry(name, bench, source, calibration, processes), processes


def _design(processes: list[dict]) -> dict:
    """What pyperf really did: its processes one after another, without a timeout."""
    rounds: dict[str, int] = {}
    for p in processes:
        rounds[p["benchmark"]] = rounds.get(p["benchmark"], 0) + 1
    return {
        "kind": "sequential",
        "processes": max(rounds.values()),
        "values": max(len(p["values_ns"]) for p in processes),
        "warmups": max(len(p["warmups_ns"]) for p in processes),
        "timeout": None,
        "loops": None,
    }


def _variant(variant: str, host_md: dict, suite_md: dict, source: str) -> dict:
    """The one variant of an import: the interpreter pyperf's metadata names."""
    return {
        "runtime": variant,
        "kind": "python",
        "command": [str(host_md.get("python_executable") or "python3")],
        "env": {},
        "args": [],
        "pre_import": [],
        "mode": None,
        "jit_options": {},
        "facts": _facts(host_md),
        "imported_from": {
            "format": "pyperf",
            "file": source,
            "pyperf_version": suite_md.get("perf_version"),
        },
    }


def from_pyperf(
    data: dict, *, variant: str, source: str, argv: list[str] | None = None, digest: str = ""
) -> Result:
    """The jitbench artifact of a pyperf document; ``source`` names the file in the artifact."""
    suite_md = dict(data.get("metadata") or {})
    benchmarks: dict[str, dict] = {}
    processes: list[dict] = []
    host_md: dict = dict(suite_md)
    for i, bench in enumerate(data["benchmarks"]):
        bench_md = dict(suite_md, **(bench.get("metadata") or {}))
        name = str(bench_md.get("name") or f"benchmark{i}")
        _check_benchmark(bench_md, name, benchmarks, source)
        if i == 0:
            host_md = bench_md
        entry, runs = _import_benchmark(bench, bench_md, name, variant, len(processes), source)
        benchmarks[name] = entry
        processes += runs
    if not benchmarks:
        raise JitbenchError(f"{source}: the pyperf file holds no benchmark")
    dates = [p["started"] for p in processes if "started" in p]
    created = min(dates) if dates else datetime.now(UTC).isoformat(timespec="seconds")
    stamp = re.sub(r"[^0-9]", "", created)[:14]
    doc = {
        "schema": SCHEMA_NAME,
        "schema_version": SCHEMA_VERSION,
        "tool_version": __version__,
        "id": f"{stamp[:8]}-{stamp[8:14]}-pyperf-{digest[:6] or 'import'}",
        "created": created,
        "finished": max(dates) if dates else None,
        "complete": True,
        "interrupted": False,
        "command": list(argv or []),
        "config": None,
        "seed": 0,
        "baseline": variant,
        "design": _design(processes),
        "host": _host(host_md),
        "runtimes": {},
        "variants": {variant: _variant(variant, host_md, suite_md, source)},
        "benchmarks": benchmarks,
        "schedule": [
            {k: p[k] for k in ("slot", "round", "benchmark", "variant")} for p in processes
        ],
        "processes": processes,
        "pyperf": {"version": data.get("version"), "metadata": suite_md},
    }
    problem = first_error(doc)
    if problem is not None:
        raise JitbenchError(
            f"{source}: the imported result is invalid ({problem}); please "
            "report this with the pyperf file"
        )
    return Result.from_json(doc)


def import_file(path: Path, *, variant: str | None = None, argv: list[str] | None = None) -> Result:
    """Read a pyperf file and return its jitbench artifact (variant named after the file)."""
    data, raw = read_pyperf(path)
    name = variant or re.sub(r"(\.json)?(\.gz)?$", "", Path(path).name) or "pyperf"
    return from_pyperf(
        data,
        variant=name,
        source=Path(path).name,
        argv=argv,
        digest=hashlib.sha256(raw).hexdigest(),
    )
