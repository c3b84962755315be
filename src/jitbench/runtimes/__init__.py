"""Runtime kinds: one module each. Modes, their env vars and their proof live in that module only."""

from __future__ import annotations

from ..model import Benchmark, Variant
from ..results.model import ProcessRecord, Result
from . import cinderx, cpython, pypy, python
from .base import Launch, PerfNames, RuntimeKind, SummaryColumn, merge
from .compiled import CodeView

KINDS: dict[str, RuntimeKind] = {k.name: k for k in (python, cpython, cinderx, pypy)}

# Who reads a process's JIT record, most specific first: CinderX runs inside a CPython that
# reports its own (idle) JIT too. A kind without JIT facts (plain python) reads nothing.
READERS: tuple[RuntimeKind, ...] = (cinderx, cpython, pypy)


def kind_named(name: str | None) -> RuntimeKind:
    """The kind a runtime declares; a plain python interpreter when it declares none."""
    return KINDS.get(name or "python", python)


def _kind(variant: Variant) -> RuntimeKind:
    return kind_named(variant.runtime.kind)


def perf_names() -> PerfNames:
    """How every kind's code is named in perf's samples, all kinds together (a profile may
    hold several: CinderX runs inside CPython)."""
    names = [getattr(k, "PERF_NAMES", PerfNames()) for k in KINDS.values()]
    return PerfNames(
        **{
            f: tuple(dict.fromkeys(p for n in names for p in getattr(n, f)))
            for f in PerfNames.__dataclass_fields__
        }
    )


def probes_for(variant: Variant) -> list[str]:
    """The runner's probes a process of this variant runs: the ones its kind declares."""
    return list(_kind(variant).PROBES)


def check_variant(variant: Variant) -> tuple[str, str] | None:
    """(key, problem) when the variant's mode or jit_options do not fit its runtime kind."""
    return _kind(variant).check(variant)


def launch_for(variant: Variant) -> Launch:
    """Everything that starts a process of this variant: mode first, the variant's own on top."""
    return merge(variant, _kind(variant).launch(variant))


# Counted processes fix the hash seed: without it, identical processes differ by ~3 % in
# instructions (hashing decides set and dict layouts).
COUNTED_ENV = {"PYTHONHASHSEED": "0"}


def counted_env_for(variant: Variant) -> dict[str, str]:
    """Settings that make a counted process of this variant deterministic (kind-specific too)."""
    return {**COUNTED_ENV, **getattr(_kind(variant), "COUNTED_ENV", {})}


def verify_activity(variant: Variant, jit: dict) -> str | None:
    """Why the variant's JIT mode did not activate in a process (None when it did)."""
    return _kind(variant).verify(variant, jit)


def jit_idle(variant: Variant, jit: dict) -> bool:
    """Whether the mode took effect but the workload never got hot enough to compile anything."""
    idle = getattr(_kind(variant), "idle", None)
    return bool(idle is not None and idle(variant, jit))


def preflight_problem(variant: Variant, record: dict) -> str | None:
    """A one-line error from the variant's kind about its preflight process (e.g. cinderx missing)."""
    check = getattr(_kind(variant), "preflight", None)
    problem = check(variant, record) if check is not None else None
    if problem is None and record.get("activity_error"):
        problem = (
            f"variant {variant.name!r}: mode {variant.mode!r} cannot work in runtime "
            f"{variant.runtime.name!r}: {record['activity_error']}"
        )
    return problem


def prepare_variant(
    variant: Variant, benchmarks: list[Benchmark], run, min_time: float
) -> tuple[Variant, dict] | None:
    """A kind's work before calibration (CinderX jitlist=auto profiles the benchmarks).

    ``run(variant, benchmark, task)`` starts one process and returns its record. Returns the
    variant to run instead and a note for the artifact, or None when nothing was needed.
    """
    prepare = getattr(_kind(variant), "prepare", None)
    return prepare(variant, benchmarks, run, min_time) if prepare is not None else None


def _first(fact: str, *args):
    for kind in READERS:
        read = getattr(kind, fact, None)
        value = read(*args) if read is not None else None
        if value is not None:
            return value
    return None


def jit_enabled(jit: dict) -> bool | None:
    """Whether a process's JIT record says its JIT was on; None when no kind's record says."""
    return _first("enabled", jit)


def compiled_count(jit: dict) -> int | None:
    """Functions (PyPy: loops) the JIT compiled in the process, when a kind's record says."""
    return _first("compiled", jit)


def code_bytes(jit: dict) -> int | None:
    """Bytes of machine code the JIT produced in the process, when a kind's record says."""
    return _first("code_bytes", jit)


def code_view(result: Result, variant: str, benchmark: str) -> CodeView | None:
    """The variant's compiled functions by code size, from the kind that reports them."""
    return _first("code_view", result, variant, benchmark)


def jit_summary(result: Result, variant: str, benchmark: str, top: int) -> dict | None:
    """``jitbench jit``'s entry for a variant on a benchmark (with its ``kind``), or None."""
    return _first("jit_summary", result, variant, benchmark, top)


def jit_log(jit: dict) -> dict | None:
    """The JIT log a process carried back, from the kind that writes one."""
    return _first("log", jit)


def jit_function_name(frame: str) -> str | None:
    """``module:qualname`` of a profiled frame that names JIT code, from the kind that names it."""
    return _first("function_name", frame)


def symbols_hint(binary: str) -> str:
    """How to give perf the symbols of ``binary``, a runtime's own binary it could not name."""
    return _first("symbols_hint", binary) or (
        f"use a build of {binary} that keeps its symbols (not stripped), or install its debug "
        "symbols where the runtime runs"
    )


NOT_COMPILED = {
    "compiled": False,
    "processes": 0,
    "code_size": None,
    "hir_opcodes": None,
    "deopts": None,
}


def function_facts(records: list[ProcessRecord], name: str) -> dict:
    """What the JIT says about function ``name`` in these processes (nothing compiled: none)."""
    return _first("function_facts", records, name) or dict(NOT_COMPILED)


def start_seconds(kind: str | None) -> float:
    """Rough seconds a process of ``kind`` takes beyond its measured values, for estimates."""
    return kind_named(kind).START_S


def summary_columns(kind: str | None) -> tuple[SummaryColumn, ...]:
    """The columns in which ``kind`` shows its ``jit_summary`` (none for a kind without one)."""
    return tuple(getattr(KINDS.get(kind or ""), "SUMMARY_COLUMNS", ()))
