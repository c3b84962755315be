"""What the process records say about the JIT: the activity proof per variant.

The records come from the in-target probes (``runner/jitbench_probes.py``), one per runtime
kind; each kind reads its own (``runtimes/<kind>.py``). This module picks and counts, it
computes no statistics. Per-function detail (code-size ranking) is
:mod:`jitbench.runtimes.introspection`'s.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import runtimes
from ..results.model import Result
from ..runtimes.compiled import CodeView


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


def jit_enabled(jit: dict) -> bool | None:
    """Whether a process's JIT record says its JIT was on; None when it does not say."""
    state = runtimes.jit_enabled(jit)
    if state is None and isinstance(jit.get("enabled"), bool):
        return jit["enabled"]
    return state


def _range(values: list[int]) -> tuple[int, int] | None:
    return (min(values), max(values)) if values else None


def activity(result: Result) -> list[JitActivity]:
    """One entry per variant, in the artifact's order, from its successful processes."""
    out = []
    for name, spec in result.variants.items():
        recs = [p.jit or {} for p in result.processes if p.variant == name and p.ok]
        states = [jit_enabled(j) for j in recs]
        problems = sorted(
            {p.activity_error for p in result.processes if p.variant == name and p.activity_error}
        )
        out.append(
            JitActivity(
                variant=name,
                kind=spec.kind,
                mode=spec.mode,
                processes=len(recs),
                enabled=states.count(True),
                disabled=states.count(False),
                compiled_range=_range(
                    [c for j in recs if (c := runtimes.compiled_count(j)) is not None]
                ),
                code_bytes_range=_range(
                    [b for j in recs if (b := runtimes.code_bytes(j)) is not None]
                ),
                problems=problems,
            )
        )
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


ACTIVITY_COLUMNS = (
    "variant",
    "kind",
    "mode",
    "JIT (processes)",
    "functions compiled per process",
    "code bytes per process",
    "activity problems",
)


def activity_rows(result: Result) -> list[tuple[str, ...]]:
    """The JIT activity table, one row per variant under ``ACTIVITY_COLUMNS``, as text."""
    return [
        (
            a.variant,
            a.kind or "—",
            a.mode or "—",
            enabled_text(a),
            fmt_range(a.compiled_range),
            fmt_range(a.code_bytes_range, " B"),
            "; ".join(a.problems) or "none",
        )
        for a in activity(result)
    ]


def code_size_views(result: Result) -> list[tuple[str, str, CodeView]]:
    """(benchmark, variant, view) for every variant whose kind lists compiled functions."""
    out = []
    for bench in result.benchmarks:
        for variant in result.variants:
            view = runtimes.code_view(result, variant, bench)
            if view is not None and view.functions:
                out.append((bench, variant, view))
    return out
