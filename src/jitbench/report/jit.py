"""What the process records say about the JIT: the activity proof per variant.

The records come from the in-target probes (``runner/jitbench_probes.py``):
``jit["cpython"] = {"available", "enabled", "executors", "functions", "jit_code_bytes"}``,
``jit["cinderx"] = {"initialized", "enabled", "compiled_count", "code_bytes", "compiled", ...}``,
``jit["pypy"] = {"available", "loops", "bridges", "asm_bytes", ...}``. This module reads them; it
picks and counts, it computes no statistics. Per-function detail (code-size ranking) is
:mod:`jitbench.runtimes.introspection`'s.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..runtimes.introspection import CinderxView, cinderx_view


@dataclass(frozen=True)
class JitActivity:
    """The JIT facts of one variant's successful processes (over every benchmark)."""

    variant: str
    kind: str | None
    mode: str | None
    processes: int
    #: Processes whose record says the JIT was on / off; the rest said nothing.
    enabled: int
    disabled: int
    #: Smallest and largest number of compiled functions (PyPy: loops) in one process.
    compiled_range: tuple[int, int] | None
    #: Smallest and largest machine-code bytes in one process.
    code_bytes_range: tuple[int, int] | None
    #: Problems the runtime kind found when checking that the mode really ran.
    problems: list[str]


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def jit_enabled(jit: dict) -> bool | None:
    """Whether a process's JIT record says its JIT was on; None when it does not say."""
    cx = jit.get("cinderx")
    if isinstance(cx, dict) and cx.get("loaded"):
        return bool(cx.get("enabled"))
    for rec in (jit.get("cpython"), jit.get("pypy"), jit):
        if isinstance(rec, dict) and isinstance(rec.get("enabled"), bool):
            return rec["enabled"]
    return None


def compiled_count(jit: dict) -> int | None:
    """Functions the JIT compiled in the process (PyPy: loops), when the record says."""
    cx, cp, pp = (jit.get(k) or {} for k in ("cinderx", "cpython", "pypy"))
    for value in (cx.get("compiled_count"), cp.get("functions"), pp.get("loops")):
        if _int(value) is not None:
            return value  # type: ignore[return-value]
    return None


def code_bytes(jit: dict) -> int | None:
    """Bytes of machine code the JIT produced in the process, when the record says."""
    cx, cp, pp = (jit.get(k) or {} for k in ("cinderx", "cpython", "pypy"))
    for value in (cx.get("code_bytes"), cp.get("jit_code_bytes"), pp.get("asm_bytes")):
        if _int(value) is not None:
            return value  # type: ignore[return-value]
    return None


def _range(values: list[int]) -> tuple[int, int] | None:
    return (min(values), max(values)) if values else None


def activity(doc: dict) -> list[JitActivity]:
    """One entry per variant, in the artifact's order, from its successful processes."""
    out = []
    for name, spec in doc["variants"].items():
        recs = [p.get("jit") or {} for p in doc["processes"]
                if p["variant"] == name and p["status"] == "ok"]
        states = [jit_enabled(j) for j in recs]
        problems = sorted({p["activity_error"] for p in doc["processes"]
                           if p["variant"] == name and p.get("activity_error")})
        out.append(JitActivity(
            variant=name, kind=spec.get("kind"), mode=spec.get("mode"), processes=len(recs),
            enabled=states.count(True), disabled=states.count(False),
            compiled_range=_range([c for j in recs if (c := compiled_count(j)) is not None]),
            code_bytes_range=_range([b for j in recs if (b := code_bytes(j)) is not None]),
            problems=problems))
    return out


def enabled_text(a: JitActivity) -> str:
    """'5 of 5 on', '2 of 5 on, 3 off' or 'not reported'."""
    if not (a.enabled or a.disabled):
        return "not reported"
    return f"{a.enabled} of {a.processes} on" + (f", {a.disabled} off" if a.disabled else "")


def fmt_range(r: tuple[int, int] | None, unit: str = "") -> str:
    """'12' or '10–14' (with a unit), or '—' when not reported."""
    if r is None:
        return "—"
    lo, hi = r
    text = f"{lo:,}" if lo == hi else f"{lo:,}–{hi:,}"
    return f"{text}{unit}"


def code_size_views(doc: dict) -> list[tuple[str, str, CinderxView]]:
    """(benchmark, variant, view) for every CinderX variant with compiled functions."""
    out = []
    for bench in doc["benchmarks"]:
        for variant in doc["variants"]:
            view = cinderx_view(doc, variant, bench)
            if view is not None and view.functions:
                out.append((bench, variant, view))
    return out
