"""What the JIT made of a benchmark, read from an artifact's per-process ``jit`` records.

CinderX: compiled functions ranked by code size, their HIR opcode mix, and an A vs B diff per
function. PyPy: loops, bridges, aborts. CPython: executors. Pure functions: artifact in, plain
dicts out; ``jitbench jit`` presents them.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field

from ..errors import JitbenchError


@dataclass
class FunctionView:
    """One compiled function across a variant's processes."""

    name: str
    sizes: list[int] = field(default_factory=list)  # one per process that compiled it
    details: dict | None = None  # the probe's full entry, when it was among the largest

    @property
    def code_size(self) -> int:
        return int(statistics.median(self.sizes))


@dataclass
class CinderxView:
    """A CinderX variant on one benchmark: every compiled function, totals per process."""

    variant: str
    processes: int
    functions: dict[str, FunctionView]
    compiled_count: float
    code_bytes: float
    compile_time_ms: float | None
    deopts: float | None
    deopt_reasons: Counter

    def ranked(self) -> list[FunctionView]:
        """Largest code first; ties by name so the order is stable."""
        return sorted(self.functions.values(), key=lambda f: (-f.code_size, f.name))


def _runs(doc: dict, variant: str, benchmark: str) -> list[dict]:
    return [p.get("jit", {}) for p in doc["processes"]
            if p["variant"] == variant and p["benchmark"] == benchmark and p["status"] == "ok"]


def _mean(values: list) -> float | None:
    vals = [v for v in values if isinstance(v, int | float)]
    return statistics.fmean(vals) if vals else None


def cinderx_view(doc: dict, variant: str, benchmark: str) -> CinderxView | None:
    """Aggregate a CinderX variant's processes; None when none of them carries CinderX data."""
    records = [j["cinderx"] for j in _runs(doc, variant, benchmark)
               if j.get("cinderx", {}).get("initialized")]
    if not records:
        return None
    functions: dict[str, FunctionView] = {}
    for rec in records:
        sizes = dict(rec.get("sizes") or {})
        for entry in rec.get("compiled") or []:
            sizes.setdefault(entry["name"], entry["code_size"])
        for name, size in sizes.items():
            functions.setdefault(name, FunctionView(name)).sizes.append(int(size))
        for entry in rec.get("compiled") or []:
            fv = functions[entry["name"]]
            if fv.details is None:
                fv.details = entry
    reasons: Counter = Counter()
    for rec in records:
        reasons.update((rec.get("deopts") or {}).get("by_reason") or {})
    return CinderxView(
        variant=variant, processes=len(records), functions=functions,
        compiled_count=_mean([r.get("compiled_count") for r in records]) or 0.0,
        code_bytes=_mean([r.get("code_bytes") for r in records]) or 0.0,
        compile_time_ms=_mean([r.get("compile_time_ms") for r in records]),
        deopts=_mean([(r.get("deopts") or {}).get("total") for r in records]),
        deopt_reasons=reasons)


def ranking(view: CinderxView, top: int) -> list[dict]:
    """The ``top`` largest compiled functions with what the probe knows about each."""
    rows = []
    for f in view.ranked()[:top]:
        d = f.details or {}
        rows.append({"name": f.name, "code_size": f.code_size,
                     "processes": len(f.sizes), "stack_size": d.get("stack_size"),
                     "spill_stack_size": d.get("spill_stack_size"),
                     "compile_time_ms": d.get("compile_time_ms"), "inlined": d.get("inlined"),
                     "hir_instructions": sum((d.get("hir_opcodes") or {}).values()) or None})
    return rows


def opcode_mix(view: CinderxView, top: int) -> dict:
    """HIR opcode counts of the ``top`` largest functions, and their combined composition."""
    per_function = {f.name: dict(sorted((f.details or {}).get("hir_opcodes", {}).items(),
                                        key=lambda kv: (-kv[1], kv[0])))
                    for f in view.ranked()[:top] if f.details}
    total: Counter = Counter()
    for ops in per_function.values():
        total.update(ops)
    n = sum(total.values()) or 1
    return {"functions": per_function,
            "composition": {op: {"count": c, "share_pct": round(100 * c / n, 2)}
                            for op, c in total.most_common()}}


def diff(a: CinderxView, b: CinderxView) -> dict:
    """Per function A vs B: code size, opcode counts; what is newly or no longer compiled."""
    common = sorted(set(a.functions) & set(b.functions))
    changed = []
    for name in common:
        fa, fb = a.functions[name], b.functions[name]
        ops = _opcode_delta(fa.details, fb.details)
        if fa.code_size != fb.code_size or ops:
            changed.append({"name": name, "a": fa.code_size, "b": fb.code_size,
                            "delta": fb.code_size - fa.code_size,
                            "delta_pct": _pct(fa.code_size, fb.code_size), "opcodes": ops})
    changed.sort(key=lambda r: (-abs(r["delta"]), r["name"]))
    new = sorted(set(b.functions) - set(a.functions), key=lambda n: -b.functions[n].code_size)
    gone = sorted(set(a.functions) - set(b.functions), key=lambda n: -a.functions[n].code_size)
    both = [n for n in common if a.functions[n].details and b.functions[n].details]
    ops_a: Counter = Counter()
    ops_b: Counter = Counter()
    for n in both:
        ops_a.update(a.functions[n].details["hir_opcodes"])
        ops_b.update(b.functions[n].details["hir_opcodes"])
    return {
        "a": a.variant, "b": b.variant,
        "totals": {"compiled_count": [a.compiled_count, b.compiled_count],
                   "code_bytes": [a.code_bytes, b.code_bytes],
                   "code_bytes_delta_pct": _pct(a.code_bytes, b.code_bytes),
                   "common_code_bytes": [sum(a.functions[n].code_size for n in common),
                                         sum(b.functions[n].code_size for n in common)]},
        "changed": changed,
        "newly_compiled": [{"name": n, "code_size": b.functions[n].code_size} for n in new],
        "no_longer_compiled": [{"name": n, "code_size": a.functions[n].code_size} for n in gone],
        "opcodes": {"functions": len(both), "delta": _counter_delta(ops_a, ops_b)},
    }


def _opcode_delta(da: dict | None, db: dict | None) -> dict[str, int]:
    if not da or not db:
        return {}
    return _counter_delta(Counter(da.get("hir_opcodes", {})), Counter(db.get("hir_opcodes", {})))


def _counter_delta(a: Counter, b: Counter) -> dict[str, int]:
    delta = {op: b[op] - a[op] for op in set(a) | set(b) if b[op] != a[op]}
    return dict(sorted(delta.items(), key=lambda kv: (-abs(kv[1]), kv[0])))


def _pct(a: float, b: float) -> float | None:
    return round(100.0 * (b - a) / a, 3) if a else None


def pypy_view(doc: dict, variant: str, benchmark: str) -> dict | None:
    """Mean JIT counters per process (loops, bridges, aborts, ...); None without PyPy data."""
    recs = [j["pypy"] for j in _runs(doc, variant, benchmark) if "loops" in j.get("pypy", {})]
    if not recs:
        return None
    keys = ("loops", "bridges", "aborts", "traces", "freed_loops", "freed_bridges", "asm_bytes",
            "tracing_s", "backend_s")
    reasons: Counter = Counter()
    for r in recs:
        reasons.update(r.get("aborts_by_reason") or {})
    return {"processes": len(recs), **{k: _mean([r.get(k) for r in recs]) for k in keys},
            "aborts_by_reason": {k: v / len(recs) for k, v in reasons.most_common()}}


def cpython_view(doc: dict, variant: str, benchmark: str) -> dict | None:
    """Mean executors, uops and JIT code bytes per process; None without CPython JIT data."""
    recs = [j["cpython"] for j in _runs(doc, variant, benchmark)
            if j.get("cpython", {}).get("enabled")]
    if not recs:
        return None
    return {"processes": len(recs),
            **{k: _mean([r.get(k) for r in recs])
               for k in ("executors", "functions", "uops", "jit_code_bytes")}}


def logged_code(doc: dict, bench: str, variant: str, kind: str = "asm") -> dict:
    """module:qualname → its final code of ``kind`` (a ``FunctionCode``), from the JIT logs that
    the variant's processes shipped (variants run with the dump's env var and ``log = true``)."""
    from ..profile import code as jitcode
    from . import jitlog

    out: dict = {}
    for run in _runs(doc, variant, bench):
        log = (run.get("cinderx") or {}).get("log")
        if log and "data" in log:
            for name, code in jitcode.functions(jitlog.decode(log), kind).items():
                out.setdefault(name, code)
    return out


def code_diffs(doc: dict, bench: str, diff: dict, kind: str = "asm", top: int = 3) -> list[dict]:
    """For the functions whose size changed most from A to B: both codes' size and their diff."""
    from ..profile import code as jitcode

    ca = logged_code(doc, bench, diff["a"], kind)
    cb = logged_code(doc, bench, diff["b"], kind)
    out = []
    for row in diff["changed"]:
        a, b = ca.get(row["name"]), cb.get(row["name"])
        if a is None or b is None:
            continue
        out.append({"function": row["name"], "a_instructions": a.instructions,
                    "b_instructions": b.instructions,
                    "unified": jitcode.unified_diff(a, b, f"{diff['a']}/{row['name']}",
                                                    f"{diff['b']}/{row['name']}")})
        if len(out) == top:
            break
    return out


def machine_of(doc: dict, variant: str) -> dict:
    """The architecture a variant's code was compiled for, and its emulation (None if native)."""
    facts = doc["variants"][variant].get("facts") or {}
    return {"machine": facts.get("machine"), "emulation": facts.get("emulation")}


def report(doc: dict, variants: list[str], benchmarks: list[str], top: int) -> dict:
    """The whole ``jitbench jit`` document: per benchmark, each variant, and A vs B diffs."""
    for v in variants:
        if v not in doc["variants"]:
            raise JitbenchError(f"variant {v!r} is not in result {doc['id']}; "
                                f"it has: {', '.join(doc['variants'])}")
    for b in benchmarks:
        if b not in doc["benchmarks"]:
            raise JitbenchError(f"benchmark {b!r} is not in result {doc['id']}; "
                                f"it has: {', '.join(doc['benchmarks'])}")
    out: dict = {"id": doc["id"], "benchmarks": {}}
    for bench in benchmarks:
        entry: dict = {"variants": {}, "diffs": []}
        views = {}
        for v in variants:
            cx = cinderx_view(doc, v, bench)
            if cx is not None:
                views[v] = cx
                entry["variants"][v] = {
                    "kind": "cinderx", "processes": cx.processes,
                    "compiled_count": cx.compiled_count, "code_bytes": cx.code_bytes,
                    "compile_time_ms": cx.compile_time_ms, "deopts": cx.deopts,
                    "deopt_reasons": dict(cx.deopt_reasons.most_common()),
                    "top": ranking(cx, top), "opcode_mix": opcode_mix(cx, min(top, 5))}
                continue
            for kind, view in (("pypy", pypy_view), ("cpython", cpython_view)):
                found = view(doc, v, bench)
                if found is not None:
                    entry["variants"][v] = {"kind": kind, **found}
                    break
            else:
                entry["variants"][v] = {"kind": None, "note": "no JIT activity recorded"}
        for v in variants:
            entry["variants"][v].update(machine_of(doc, v))
        names = list(views)
        entry["diffs"] = [{**diff(views[names[0]], views[b]),
                           "machines": [machine_of(doc, names[0])["machine"],
                                        machine_of(doc, b)["machine"]]}
                          for b in names[1:]]
        out["benchmarks"][bench] = entry
    return out
