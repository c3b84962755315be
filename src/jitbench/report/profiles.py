"""Profiles in HTML: shares per variant, flame graphs, the differential flame graph, the A/B
function table with JIT facts, code diffs side by side, and the JIT's events per value."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from ..profile import analysis
from ..profile.shares import CATEGORIES, LABELS, merged
from . import fmt
from .flame import flame_svg

if TYPE_CHECKING:
    from ..results.model import Result

CSS = """
.profiles svg.flame { max-width: 100%; height: auto; display: block; }
.codediff { font: 11px/1.3 monospace; border-collapse: collapse; }
.codediff td { padding: 0 .5em; white-space: pre; border: none; }
.codediff tr.d-minus td.a, .codediff tr.d-change td.a { background: #fde2e2; }
.codediff tr.d-plus td.b, .codediff tr.d-change td.b { background: #e2f5e2; }
pre.unified { font-size: 11px; max-height: 30em; overflow: auto; background: #f8f8f8; }
"""


def _e(x: object) -> str:
    return escape(str(x), quote=True)


def _table(cls: str, header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table class='{cls}'><tr>{head}</tr>{body}</table>"


def _shares(profiles: dict) -> str:
    keys = (*CATEGORIES, "jit_functions")
    rows = []
    for v, p in profiles.items():
        c = p["cost"]
        rows.append(
            [
                _e(v),
                *[fmt.share_ci(p["shares"][k]) for k in keys],
                f"{c['samples']:,d}",
                f"{c['samples_per_s']:,.0f}" if c["samples_per_s"] else "–",
                _e(fmt.slowdown(c)),
            ]
        )
    return _table(
        "shares",
        [
            "variant",
            *[LABELS.get(k, "JIT fns + helpers") for k in keys],
            "samples",
            "samples/s",
            "profiled slowdown",
        ],
        rows,
    )


def _diff(result: Result, d: dict) -> str:
    bench = d["benchmark"]
    rows = [
        [
            _e(r["function"]),
            _e(r["what"]),
            fmt.share(r["contribution_pct"], sign=True),
            fmt.share(r["a_pct"]),
            fmt.share(r["b_pct"]),
            _e(fmt.jit_facts(r.get("jit"))),
        ]
        for r in d["functions"]
    ]
    fa = merged(analysis.stacks(r) for r in analysis.profiled_records(result, bench, d["a"]))
    fb = merged(analysis.stacks(r) for r in analysis.profiled_records(result, bench, d["b"]))
    out = [
        f"<h4>{_e(d['a'])} → {_e(d['b'])}: {d['change_pct']:+.1f} % time per iteration</h4>",
        _table(
            "ab-functions",
            ["function", "what", "contribution", d["a"], d["b"], "JIT facts (A → B)"],
            rows,
        ),
        f"<p class='categories'>{_e(fmt.category_parts(d))}</p>",
        f"<figure class='flame differential' data-a='{_e(d['a'])}' data-b='{_e(d['b'])}'>",
        flame_svg(fb, f"{d['b']} against {d['a']} (red: larger share, blue: smaller)", fa),
        "<figcaption>Differential flame graph: widths are "
        f"{_e(d['b'])}'s samples.</figcaption></figure>",
    ]
    for c in d.get("code", []):
        out.append(_code(d, c))
    return "".join(out)


_ROW_CLASS = {"=": "d-same", "-": "d-minus", "+": "d-plus", "~": "d-change"}


def _code(d: dict, c: dict) -> str:
    rows = "".join(
        f"<tr class='{_ROW_CLASS[tag]}'><td class='a'>{_e(a)}</td><td class='b'>{_e(b)}</td></tr>"
        for tag, a, b in c["side_by_side"]
    )
    return (
        f"<details class='code' data-function='{_e(c['function'])}'><summary>Code of "
        f"{_e(c['function'])}: {c['a_instructions']} → {c['b_instructions']} "
        f"instructions</summary><pre class='unified'>{_e(chr(10).join(c['unified']))}</pre>"
        f"<table class='codediff'><tr><th>{_e(d['a'])}</th><th>{_e(d['b'])}</th></tr>{rows}"
        "</table></details>"
    )


def _events(events: dict) -> str:
    rows = [
        [
            _e(v),
            _e(r.get("slot")),
            _e(r.get("text") or "–"),
            _e(", ".join(f"{k} {n}" for k, n in sorted((r.get("totals") or {}).items()))),
        ]
        for v, rs in events.items()
        for r in rs
    ]
    return (
        _table(
            "jit-events", ["variant", "process", "JIT events", "totals after the last value"], rows
        )
        if rows
        else ""
    )


def section(result: Result, summary: dict | None = None) -> str:
    """The profiles of one result as an HTML section ('' when it has none)."""
    summary = summary or analysis.summarise(result)
    parts = []
    for bench, b in summary["benchmarks"].items():
        if not b["profiles"] and not b["events"]:
            continue
        parts.append(
            f"<section class='profile' data-benchmark='{_e(bench)}'><h3>Profile — {_e(bench)}</h3>"
        )
        if b["profiles"]:
            parts.append(_shares(b["profiles"]))
            parts.extend(f"<p class='note no-symbols'>{_e(n)}</p>" for n in b["notes"])
            for v in b["profiles"]:
                folded = merged(
                    analysis.stacks(r) for r in analysis.profiled_records(result, bench, v)
                )
                parts.append(
                    f"<figure class='flame' data-variant='{_e(v)}'>"
                    + flame_svg(folded, f"{v} on {bench}")
                    + "</figure>"
                )
            parts.extend(_diff(result, d) for d in b["diffs"])
        parts.append(_events(b["events"]))
        parts.append("</section>")
    if not parts:
        return ""
    return (
        "<section class='profiles'><h3>Profiles of the measured values</h3><p class='meta'>"
        "Extra processes sampled with perf during their measured values only; no time "
        "verdict uses them.</p>" + "".join(parts) + "</section>"
    )


def page(result: Result, summary: dict) -> str:
    """A self-contained HTML page of one result's profiles."""
    from .html import CSP
    from .html import CSS as BASE_CSS

    return (
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<meta http-equiv='Content-Security-Policy' content=\"{CSP}\">"
        f"<title>jitbench profile {_e(result.id)}</title>"
        f"<style>{BASE_CSS}{CSS}</style></head><body><h1>Profiles — {_e(result.id)}</h1>"
        f"{section(result, summary)}</body></html>\n"
    )
