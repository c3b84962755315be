"""What the process records say about the JIT: the activity proof and the compiled-code ranking.

The records come from the in-target probes and the runtime kinds; their shape depends on the
runtime (CPython's ``sys._jit``: ``{"available", "enabled"}``; CinderX: ``{"cinderx": {"jit_enabled",
"compiled": [{"name", "code_size", "hir_opcodes", ...}]}}``; PyPy: ``{"available"}``). This
module reads them; it picks and counts, it computes no statistics.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class CompiledFunction:
    """One JIT-compiled function as one process reported it."""

    name: str
    code_size: int | None
    hir_opcodes: int | None
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class JitActivity:
    """The JIT facts of one variant's processes (over every benchmark)."""

    variant: str
    kind: str | None
    mode: str | None
    processes: int
    #: Processes whose record says the JIT was on / off; the rest said nothing.
    enabled: int
    disabled: int
    #: Smallest and largest count of compiled functions in one process (None: not reported).
    compiled_range: tuple[int, int] | None
    #: Smallest and largest total of machine-code bytes in one process (None: not reported).
    code_bytes_range: tuple[int, int] | None
    #: Problems the runtime kind found when checking that the mode really ran.
    problems: list[str]

    @property
    def reported(self) -> bool:
        """Whether any process said anything about its JIT."""
        return bool(self.enabled or self.disabled or self.compiled_range or self.code_bytes_range)


def jit_enabled(jit: dict) -> bool | None:
    """Whether a process's JIT record says its JIT was on; None when it does not say."""
    for value in (jit.get("enabled"), (jit.get("cinderx") or {}).get("jit_enabled"),
                  (jit.get("pypy") or {}).get("enabled")):
        if isinstance(value, bool):
            return value
    return None


def compiled_functions(jit: dict) -> list[CompiledFunction] | None:
    """The compiled functions a process's JIT record lists, or None when it lists none."""
    items = (jit.get("cinderx") or {}).get("compiled")
    if not isinstance(items, list):
        return None
    out = []
    for item in items:
        if isinstance(item, str):
            out.append(CompiledFunction(item, None, None))
            continue
        if not isinstance(item, dict) or "name" not in item:
            continue
        size = item.get("code_size")
        ops = item.get("hir_opcodes")
        if isinstance(ops, dict):
            ops = sum(v for v in ops.values() if isinstance(v, int))
        extra = {k: v for k, v in item.items() if k not in ("name", "code_size", "hir_opcodes")}
        out.append(CompiledFunction(
            name=str(item["name"]),
            code_size=size if isinstance(size, int) and size >= 0 else None,
            hir_opcodes=ops if isinstance(ops, int) else None,
            extra=extra))
    return out


def _compiled_count(jit: dict) -> int | None:
    funcs = compiled_functions(jit)
    if funcs is not None:
        return len(funcs)
    for value in ((jit.get("cinderx") or {}).get("compiled_count"), jit.get("compiled_count")):
        if isinstance(value, int):
            return value
    return None


def _code_bytes(jit: dict) -> int | None:
    funcs = compiled_functions(jit)
    if funcs is not None and any(f.code_size is not None for f in funcs):
        return sum(f.code_size for f in funcs if f.code_size is not None)
    for value in ((jit.get("cinderx") or {}).get("code_bytes"), jit.get("code_bytes")):
        if isinstance(value, int):
            return value
    return None


def _range(values: list[int]) -> tuple[int, int] | None:
    return (min(values), max(values)) if values else None


def activity(doc: dict) -> list[JitActivity]:
    """One entry per variant, in the artifact's order, from its successful processes."""
    out = []
    for name, spec in doc["variants"].items():
        procs = [p for p in doc["processes"] if p["variant"] == name and p["status"] == "ok"]
        states = [jit_enabled(p.get("jit") or {}) for p in procs]
        counts = [c for p in procs if (c := _compiled_count(p.get("jit") or {})) is not None]
        sizes = [b for p in procs if (b := _code_bytes(p.get("jit") or {})) is not None]
        problems = sorted({p["activity_error"] for p in doc["processes"]
                           if p["variant"] == name and p.get("activity_error")})
        out.append(JitActivity(
            variant=name, kind=spec.get("kind"), mode=spec.get("mode"), processes=len(procs),
            enabled=states.count(True), disabled=states.count(False),
            compiled_range=_range(counts), code_bytes_range=_range(sizes), problems=problems))
    return out


@dataclass(frozen=True)
class CodeSizeRanking:
    """The compiled functions of one variant on one benchmark, largest machine code first."""

    benchmark: str
    variant: str
    #: The process the list comes from (the one that compiled the most functions).
    slot: int
    functions: list[CompiledFunction]


def code_size_rankings(doc: dict) -> list[CodeSizeRanking]:
    """Per benchmark and variant with compiled-function records, the ranking by code size."""
    out = []
    for bench in doc["benchmarks"]:
        for variant in doc["variants"]:
            best: tuple[int, int, list[CompiledFunction]] | None = None
            for p in doc["processes"]:
                if p["benchmark"] != bench or p["variant"] != variant or p["status"] != "ok":
                    continue
                funcs = compiled_functions(p.get("jit") or {})
                if funcs and (best is None or (len(funcs), p["slot"]) > best[:2]):
                    best = (len(funcs), p["slot"], funcs)
            if best is not None:
                ranked = sorted(best[2], key=lambda f: (-(f.code_size or 0), f.name))
                out.append(CodeSizeRanking(bench, variant, best[1], ranked))
    return out


def fmt_range(r: tuple[int, int] | None, unit: str = "") -> str:
    """'12' or '10–14' (with a unit), or '—' when not reported."""
    if r is None:
        return "—"
    lo, hi = r
    text = f"{lo:,}" if lo == hi else f"{lo:,}–{hi:,}"
    return f"{text}{unit}"
