"""What the JIT made of a benchmark, read from an artifact's per-process ``jit`` records.

Each runtime kind summarises its own records (CinderX: compiled functions ranked by code size and
their HIR opcode mix; PyPy: loops, bridges, aborts; CPython: executors); this module adds the
A vs B diff per function. Pure functions: artifact in, plain dicts out; ``jitbench jit`` presents
them.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from ..errors import JitbenchError
from ..results.model import Result
from . import code_view, jit_summary
from .compiled import CodeView, runs


def diff(a: CodeView, b: CodeView) -> dict:
    """Per function A vs B: code size, opcode counts; what is newly or no longer compiled."""
    common = sorted(set(a.functions) & set(b.functions))
    changed: list[dict[str, Any]] = []
    for name in common:
        fa, fb = a.functions[name], b.functions[name]
        ops = _opcode_delta(fa.details, fb.details)
        if fa.code_size != fb.code_size or ops:
            changed.append(
                {
                    "name": name,
                    "a": fa.code_size,
                    "b": fb.code_size,
                    "delta": fb.code_size - fa.code_size,
                    "delta_pct": _pct(fa.code_size, fb.code_size),
                    "opcodes": ops,
                }
            )
    changed.sort(key=lambda r: (-abs(r["delta"]), r["name"]))
    new = sorted(set(b.functions) - set(a.functions), key=lambda n: -b.functions[n].code_size)
    gone = sorted(set(a.functions) - set(b.functions), key=lambda n: -a.functions[n].code_size)
    both = [
        (da, db)
        for n in common
        if (da := a.functions[n].details) and (db := b.functions[n].details)
    ]
    ops_a: Counter = Counter()
    ops_b: Counter = Counter()
    for da, db in both:
        ops_a.update(da["hir_opcodes"])
        ops_b.update(db["hir_opcodes"])
    return {
        "a": a.variant,
        "b": b.variant,
        "totals": {
            "compiled_count": [a.compiled_count, b.compiled_count],
            "code_bytes": [a.code_bytes, b.code_bytes],
            "code_bytes_delta_pct": _pct(a.code_bytes, b.code_bytes),
            "common_code_bytes": [
                sum(a.functions[n].code_size for n in common),
                sum(b.functions[n].code_size for n in common),
            ],
        },
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


def logged_code(result: Result, bench: str, variant: str, kind: str = "asm") -> dict:
    """module:qualname → its final code of ``kind`` (a ``FunctionCode``), from the JIT logs that
    the variant's processes shipped (variants run with the dump's env var and ``log = true``)."""
    from ..profile import code as jitcode
    from . import jitlog

    out: dict = {}
    for run in runs(result, variant, bench):
        log = (run.get("cinderx") or {}).get("log")
        if log and "data" in log:
            for name, code in jitcode.functions(jitlog.decode(log), kind).items():
                out.setdefault(name, code)
    return out


def code_diffs(
    result: Result, bench: str, diff: dict, kind: str = "asm", top: int = 3
) -> list[dict]:
    """For the functions whose size changed most from A to B: both codes' size and their diff."""
    from ..profile import code as jitcode

    ca = logged_code(result, bench, diff["a"], kind)
    cb = logged_code(result, bench, diff["b"], kind)
    out = []
    for row in diff["changed"]:
        a, b = ca.get(row["name"]), cb.get(row["name"])
        if a is None or b is None:
            continue
        out.append(
            {
                "function": row["name"],
                "a_instructions": a.instructions,
                "b_instructions": b.instructions,
                "unified": jitcode.unified_diff(
                    a, b, f"{diff['a']}/{row['name']}", f"{diff['b']}/{row['name']}"
                ),
            }
        )
        if len(out) == top:
            break
    return out


def machine_of(result: Result, variant: str) -> dict:
    """The architecture a variant's code was compiled for, and its emulation (None if native)."""
    facts = result.variants[variant].facts or {}
    return {"machine": facts.get("machine"), "emulation": facts.get("emulation")}


def report(result: Result, variants: list[str], benchmarks: list[str], top: int) -> dict:
    """The whole ``jitbench jit`` document: per benchmark, each variant, and A vs B diffs."""
    for v in variants:
        if v not in result.variants:
            raise JitbenchError(
                f"variant {v!r} is not in result {result.id}; it has: {', '.join(result.variants)}"
            )
    for b in benchmarks:
        if b not in result.benchmarks:
            raise JitbenchError(
                f"benchmark {b!r} is not in result {result.id}; "
                f"it has: {', '.join(result.benchmarks)}"
            )
    out: dict = {"id": result.id, "benchmarks": {}}
    for bench in benchmarks:
        entry: dict = {"variants": {}, "diffs": []}
        views = {}
        for v in variants:
            view = code_view(result, v, bench)
            if view is not None:
                views[v] = view
            entry["variants"][v] = jit_summary(result, v, bench, top) or {
                "kind": None,
                "note": "no JIT activity recorded",
            }
        for v in variants:
            entry["variants"][v].update(machine_of(result, v))
        names = list(views)
        entry["diffs"] = [
            {
                **diff(views[names[0]], views[b]),
                "machines": [
                    machine_of(result, names[0])["machine"],
                    machine_of(result, b)["machine"],
                ],
            }
            for b in names[1:]
        ]
        out["benchmarks"][bench] = entry
    return out
