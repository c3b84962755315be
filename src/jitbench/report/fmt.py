"""Shared number formatting for every report."""

from __future__ import annotations

import math
from collections.abc import Iterable


def seconds(x: float | None) -> str:
    """A duration with a unit that keeps three or four significant digits."""
    if x is None or not math.isfinite(x):
        return "n/a"
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("us", 1e-6), ("ns", 1e-9)):
        if abs(x) >= scale:
            return f"{x / scale:.4g} {unit}"
    return f"{x * 1e9:.3g} ns"


def pct(x: float | None, digits: int = 2) -> str:
    """A signed percentage."""
    if x is None or not math.isfinite(x):
        return "n/a"
    return f"{x:+.{digits}f} %"


def ci(low: float, high: float, digits: int = 2) -> str:
    """A confidence interval of a percentage change."""
    return f"[{pct(low, digits)}, {pct(high, digits)}]"


def ci_label(levels: Iterable[float]) -> str:
    """'95 % CI' (or '90 % / 95 % CI') for the confidence levels given; 'CI' when none is."""
    shown = sorted(set(levels))
    return " / ".join(f"{100 * lv:g} %" for lv in shown) + " CI" if shown else "CI"


def from_to(a: float, b: float, measure: str = "time") -> str:
    """'a → b' with units: seconds for time, counts per iteration otherwise."""
    if measure != "time":
        return f"{count(a)} → {count(b)}"
    return f"{seconds(a)} → {seconds(b)}"


def metric_of(analysis: object) -> str:
    """The metric the analysis's verdicts use (``steady`` when there is no comparison)."""
    comparisons = getattr(analysis, "comparisons", [])
    return comparisons[0].result.metric if comparisons else "steady"


def count(x: float | None) -> str:
    """A count per iteration, e.g. 11.25 M."""
    if x is None or x != x:
        return "-"
    for scale, suffix in ((1e9, " G"), (1e6, " M"), (1e3, " k")):
        if abs(x) >= scale:
            return f"{x / scale:.4g}{suffix}"
    return f"{x:.4g}"


def share(x: float | None, sign: bool = False) -> str:
    """A share of samples in %, one decimal ("–" when unknown); ``sign`` for a change."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    return f"{x:+.1f} %" if sign else f"{x:.1f} %"


def slowdown(cost: dict) -> str:
    """The profiled values' slowdown with its interval, e.g. ``+4.1 % [1.2, 7.0]``; "within
    noise" when the interval holds 0; "no CI" with one process on a side."""
    x = cost.get("slowdown_pct")
    if x is None:
        return "–"
    ci = cost.get("slowdown_ci_pct")
    if ci is None:
        return f"{x:+.1f} % (no CI)"
    text = f"{x:+.1f} % [{ci[0]:+.1f}, {ci[1]:+.1f}]"
    return f"within noise: {text}" if cost.get("slowdown_within_noise") else text


def share_ci(s: dict) -> str:
    """A profile share with its interval across processes, e.g. ``12.2 % [9.1, 15.3]``."""
    if math.isnan(s["ci_low_pct"]):
        return share(s["share_pct"])
    return f"{s['share_pct']:.1f} % [{s['ci_low_pct']:.1f}, {s['ci_high_pct']:.1f}]"


def category_parts(diff: dict) -> str:
    """An A/B profile's change split by sample category: "JIT code −30.2 %, interpreter …"."""
    parts = ", ".join(
        f"{c['label']} {share(c['contribution_pct'], sign=True)}" for c in diff["categories"]
    )
    return f"By category ({share(diff['change_pct'], sign=True)} in all): {parts}"


def _kb(x: float | None) -> str:
    return "–" if x is None else f"{x / 1024:.1f} KB"


def jit_facts(j: dict | None) -> str:
    """A profiled function's JIT facts from A to B: compiled, code size, deopts, HIR changes."""
    if not j:
        return ""
    comp = "/".join("yes" if c else "no" for c in j["compiled"])
    parts = [f"compiled {comp}", f"{_kb(j['code_size'][0])} → {_kb(j['code_size'][1])}"]
    if any(d for d in j["deopts"] if d):
        parts.append("deopts " + " → ".join("–" if d is None else f"{d:g}" for d in j["deopts"]))
    parts += j["hir_changes"][:3]
    return "; ".join(parts)
