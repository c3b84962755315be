"""One variant of a jitbench artifact as a pyperf JSON document (``pyperf stats``/``compare_to``).

Each successful process becomes a pyperf run (values and warmups in seconds per iteration, its
loops and inner loops, start date, duration); each benchmark a pyperf benchmark. A result
imported from pyperf gets its original metadata and warmups back.
"""

from __future__ import annotations

from ..errors import JitbenchError
from ..report.facts import interpreter
from ..results.artifact import ProcessView, processes_of
from ..results.model import Result

PYPERF_FORMAT = "1.0"


def _clean(md: dict) -> dict:
    """Metadata pyperf accepts: numbers or non-empty one-line strings (or pyperf's tag lists)."""
    out = {}
    for key, value in md.items():
        if isinstance(value, bool):
            value = str(value).lower()
        if isinstance(value, str):
            value = value.strip()
            if not value or "\n" in value or "\r" in value:
                continue
        elif key == "tags" and isinstance(value, list):
            if not all(isinstance(v, str) and v not in ("", "all") for v in value):
                continue
        elif not isinstance(value, int | float):
            continue
        out[key] = value
    return out


def pick_variant(doc: Result, variant: str | None) -> str:
    """The variant to export: the one asked for, or the only one."""
    names = list(doc.variants)
    if variant is None:
        if len(names) == 1:
            return names[0]
        raise JitbenchError(
            f"result {doc.id} has {len(names)} variants ({', '.join(names)}); "
            "pyperf files hold one: pass --variant NAME"
        )
    if variant not in doc.variants:
        raise JitbenchError(
            f"variant {variant!r} is not in result {doc.id}; it has: {', '.join(names)}"
        )
    return variant


def _suite_metadata(doc: Result, variant: str) -> dict:
    if doc.pyperf is not None and isinstance(doc.pyperf.get("metadata"), dict):
        md = dict(doc.pyperf["metadata"])
    else:
        spec, host = doc.variants[variant], doc.host
        facts = spec.facts or {}
        md = {
            "hostname": host.get("hostname"),
            "cpu_model_name": host.get("cpu_model"),
            "cpu_count": host.get("cpu_count"),
            "platform": f"{host.get('system') or ''}-{host.get('kernel') or ''}-"
            f"{host.get('machine') or ''}".strip("-"),
            "python_implementation": facts.get("implementation"),
            "python_version": facts.get("version"),
            "python_executable": facts.get("executable"),
            "jitbench_interpreter": interpreter(facts),
        }
    md.update(
        {
            "jitbench_result": doc.id,
            "jitbench_variant": variant,
            "jitbench_version": doc.tool_version,
        }
    )
    md.pop("name", None)
    md.pop("loops", None)
    return _clean(md)


def _run(view: ProcessView, duration_s: float | None) -> dict:
    p = view.record
    if any(v <= 0 for v in view.values):
        raise JitbenchError(
            f"process slot {view.slot} ({p.benchmark}/{p.variant}) has a "
            "zero value; pyperf requires values > 0"
        )
    imported = p.pyperf or {}
    md = dict(imported.get("metadata") or {})
    md["loops"] = p.loops
    if p.started and "date" not in md:
        md["date"] = p.started
    if duration_s is not None and "duration" not in md:
        md["duration"] = duration_s
    run: dict = {"metadata": _clean(md), "values": [float(v) for v in view.values]}
    warmups = imported.get("warmups")
    if warmups is None:
        warmups = [[p.loops, float(w)] for w in view.warmups]
    if warmups:
        run["warmups"] = warmups
    return run


def to_pyperf(doc: Result, variant: str | None = None) -> dict:
    """The pyperf JSON document of one variant's successful processes."""
    name = pick_variant(doc, variant)
    benches = []
    for bench in doc.benchmarks:
        views = processes_of(doc, bench, name)
        if not views:
            continue
        spec = doc.benchmarks[bench]
        md = dict(spec.pyperf_metadata or {})
        md.update({"name": bench, "unit": "second"})
        # A finished process has its inner loops (the schema requires them); 1 as processes_of.
        inner = {v.record.inner_loops or 1 for v in views}
        if len(inner) > 1:
            raise JitbenchError(
                f"benchmark {bench!r} of variant {name!r} ran with different "
                f"inner loops {sorted(inner)}; pyperf needs one value"
            )
        if inner != {1}:
            # Benchmark-level, so that every run (calibration runs too) agrees, as pyperf checks.
            md["inner_loops"] = inner.pop()
        runs = [_run(v, v.wall) for v in views]
        calibration = (spec.calibration or {}).get("pyperf_runs") or []
        benches.append({"metadata": _clean(md), "runs": [*calibration, *runs]})
    if not benches:
        raise JitbenchError(
            f"variant {name!r} of result {doc.id} has no successful process; nothing to export"
        )
    return {"version": PYPERF_FORMAT, "metadata": _suite_metadata(doc, name), "benchmarks": benches}
