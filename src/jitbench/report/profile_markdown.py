"""Profiles as Markdown: shares per variant, what perf could not name, and each A → B table
with the JIT's facts. Every number comes from :func:`jitbench.profile.analysis.summarise`."""

from __future__ import annotations

from ..profile.shares import CATEGORIES, LABELS
from . import fmt
from .markdown import _table


def _shares(bench: str, profiles: dict, level: str) -> list[str]:
    keys = [
        k
        for k in (*CATEGORIES, "jit_functions")
        if any(p["shares"][k]["share_pct"] > 0 for p in profiles.values())
    ]
    rows = [
        (
            v,
            *[fmt.share_ci(p["shares"][k]) for k in keys],
            f"{p['cost']['samples']:,d}",
            fmt.slowdown(p["cost"]),
        )
        for v, p in profiles.items()
    ]
    ci = fmt.ci_label(p["confidence"] for p in profiles.values())
    header = ("variant", *[LABELS.get(k, "JIT fns + helpers") for k in keys])
    return [
        f"{level} Where the measured time goes — {bench} (share of samples, {ci} across processes)",
        "",
        *_table((*header, "samples", "profiled slowdown"), rows, "l" + "r" * (len(header) + 1)),
    ]


def _diff(d: dict, top: int, level: str) -> list[str]:
    rows = [
        (
            f"`{r['function']}`",
            r["what"],
            fmt.share(r["contribution_pct"], sign=True),
            fmt.share(r["a_pct"]),
            fmt.share(r["b_pct"]),
            fmt.jit_facts(r.get("jit")),
        )
        for r in d["functions"][:top]
    ]
    return [
        f"{level} {d['a']} → {d['b']} on {d['benchmark']}: {d['change_pct']:+.1f} % time per "
        "iteration",
        "",
        *_table(
            ("function", "what", "contribution", d["a"], d["b"], "JIT facts (A → B)"),
            rows,
            "llrrrl",
        ),
        "",
        fmt.category_parts(d) + ".",
    ]


def section(summary: dict, top: int = 12, heading: int = 4) -> list[str]:
    """The profiles of one result's summary as Markdown lines ([] when it has none); tables
    titled at level ``heading``."""
    level = "#" * heading
    lines: list[str] = []
    for bench, b in summary["benchmarks"].items():
        if not b["profiles"]:
            continue
        lines += _shares(bench, b["profiles"], level)
        lines += ["", *[f"- {note}" for note in b["notes"]]] if b["notes"] else []
        for d in b["diffs"]:
            lines += ["", *_diff(d, top, level)]
        lines.append("")
    return lines
