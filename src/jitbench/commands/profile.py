"""``jitbench profile RESULT``: where each variant's measured time went, which functions explain
A → B with what the JIT did to them, their code diffs, and the JIT's events per value."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from rich.markup import escape
from rich.table import Table
from rich.text import Text

from ..report import fmt
from .common import wide_console
from .options import positive_int

if TYPE_CHECKING:
    from rich.console import Console


def _shares_table(bench: str, profiles: dict) -> Table:
    from ..profile.shares import CATEGORIES, LABELS

    t = Table(
        title=f"Where the measured time goes — {bench} (share of samples, "
        f"{fmt.ci_label(p['confidence'] for p in profiles.values())} across processes)",
        title_justify="left",
    )
    t.add_column("variant")
    # Categories no variant spent time in would only widen the table (--json has them all).
    shown = [
        k
        for k in (*CATEGORIES, "jit_functions")
        if any(p["shares"][k]["share_pct"] > 0 for p in profiles.values())
    ]
    for cat in shown:
        t.add_column(LABELS.get(cat, "JIT fns + helpers"), justify="right")
    t.add_column("samples", justify="right")
    t.add_column("samples/s", justify="right")
    t.add_column("profiled slowdown", justify="right")
    for v, p in profiles.items():
        c = p["cost"]
        t.add_row(
            v,
            *[fmt.share_ci(p["shares"][k]) for k in shown],
            f"{c['samples']:,d}",
            f"{c['samples_per_s']:,.0f}" if c["samples_per_s"] else "–",
            fmt.slowdown(c),
        )
    return t


def _top_table(bench: str, v: str, p: dict, n: int) -> Table:
    from ..profile.shares import LABELS

    t = Table(title=f"Top functions — {v} on {bench}", title_justify="left")
    for col in ("function", "self", "with helpers", "category"):
        t.add_column(col, justify="left" if col in ("function", "category") else "right")
    for r in p["top"][:n]:
        t.add_row(
            escape(r["function"]),
            fmt.share(r["self_pct"]),
            fmt.share(r["with_helpers_pct"]),
            LABELS[r["category"]],
        )
    return t


def _diff_table(d: dict, n: int) -> Table:
    t = Table(
        title=f"{d['a']} → {d['b']} on {d['benchmark']}: {d['change_pct']:+.1f} % time per "
        "iteration; functions ranked by their part of it",
        title_justify="left",
    )
    for col in ("function", "what", "contribution", d["a"], d["b"], "JIT facts (A → B)"):
        t.add_column(
            col, justify="left" if col in ("function", "what", "JIT facts (A → B)") else "right"
        )
    for r in d["functions"][:n]:
        t.add_row(
            escape(r["function"]),
            escape(r["what"]),
            fmt.share(r["contribution_pct"], sign=True),
            fmt.share(r["a_pct"]),
            fmt.share(r["b_pct"]),
            escape(fmt.jit_facts(r.get("jit"))),
        )
    return t


def _side_by_side(d: dict, rows: list, lines: int) -> Table:
    """The changed rows of a code diff with a line of context each side, A left, B right."""
    keep = {i + k for i, r in enumerate(rows) if r[0] != "=" for k in (-1, 0, 1)}
    t = Table(show_header=True, box=None, pad_edge=False)
    t.add_column(d["a"], overflow="fold", ratio=1)
    t.add_column(d["b"], overflow="fold", ratio=1)
    shown = 0
    for i, (tag, a, b) in enumerate(rows):
        if i not in keep or shown >= lines:
            continue
        shown += 1
        t.add_row(
            Text(a, style="red" if tag in "-~" else "dim"),
            Text(b, style="green" if tag in "+~" else "dim"),
        )
    return t


def _print_code(console: Console, d: dict, lines: int, side_by_side: bool = False) -> None:
    for c in d["code"]:
        console.print(
            f"[bold]Code of {escape(c['function'])}[/]: {c['a_instructions']} → "
            f"{c['b_instructions']} instructions ({escape(d['a'])} → {escape(d['b'])})"
        )
        if side_by_side:
            console.print(_side_by_side(d, c["side_by_side"], lines))
            continue
        shown = c["unified"][:lines]
        for ln in shown:
            style = "green" if ln.startswith("+") else "red" if ln.startswith("-") else None
            console.print(ln, style=style, markup=False, highlight=False)
        if len(c["unified"]) > lines:
            console.print(
                f"  [dim]… {len(c['unified']) - lines} more diff lines (see --json or "
                "the HTML report)[/]"
            )


def _print_events(console: Console, bench: str, events: dict) -> None:
    for v, rows in events.items():
        texts = [r["text"] for r in rows if r.get("text")]
        if texts:
            console.print(
                f"JIT events — {v} on {bench}: "
                + "; ".join(f"process {r['slot']}: {r['text']}" for r in rows if r.get("text"))
            )


def profile_command(args: argparse.Namespace, argv: list[str]) -> int:
    """Summarise a result's profiles; terminal tables, or --json, or an HTML page."""
    from ..errors import JitbenchError
    from ..profile.analysis import summarise
    from ..results.artifact import load_result

    result = load_result(args.result)
    if args.baseline is not None and args.baseline not in result.variants:
        known = ", ".join(result.variants) or "none"
        raise JitbenchError(
            f"--baseline {args.baseline!r} is not a variant of {args.result} (variants: {known})"
        )
    summary = summarise(result, top=args.top, code_top=args.code, baseline=args.baseline)
    if not summary["benchmarks"]:
        raise JitbenchError(
            f"{args.result}: no profiled processes and no JIT events; run with --profile first"
        )
    if args.html:
        from ..report.profiles import page
        from ..results.atomic import write_text_atomic
        from .common import stderr_console

        write_text_atomic(args.html, page(result, summary))
        stderr_console().print(f"profile report: {args.html}", highlight=False)
    if args.json:
        from .common import print_json

        print_json({"result": str(args.result), **summary})
        return 0
    if args.markdown:
        import sys

        from ..report.profile_markdown import section

        sys.stdout.write("\n".join(section(summary, args.top)) + "\n")
        return 0
    console = wide_console()
    for bench, b in summary["benchmarks"].items():
        if b["profiles"]:
            console.print(_shares_table(bench, b["profiles"]))
            for line in b["notes"]:
                console.print(f"Note: {line}", markup=False, highlight=False)
            for v, p in b["profiles"].items():
                console.print(_top_table(bench, v, p, args.top))
        for d in b["diffs"]:
            console.print(_diff_table(d, args.top))
            console.print(fmt.category_parts(d), markup=False, highlight=False)
            _print_code(console, d, args.lines, args.side_by_side)
        _print_events(console, bench, b["events"])
    if any(b["profiles"] for b in summary["benchmarks"].values()):
        console.print(
            "[dim]Profiled processes are extra processes sampled during their measured "
            "values; no time verdict uses them.[/]"
        )
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "profile",
        help="where the measured time went, A vs B, JIT code diffs",
        description="Summarise the profiles of a result run with --profile.",
    )
    p.add_argument("result", type=Path, help="a result file written by run/ab/sweep --profile")
    p.add_argument(
        "--baseline",
        metavar="VARIANT",
        help="compare every variant against this one (default: the result's baseline, "
        "or a sweep's default point)",
    )
    p.add_argument("--top", type=positive_int, default=12, help="functions per table (12)")
    p.add_argument(
        "--code",
        type=int,
        default=3,
        help="hot functions whose code diff is shown per A/B pair (3; 0: none)",
    )
    p.add_argument(
        "--lines",
        type=positive_int,
        default=60,
        help="diff lines per function in the terminal (60)",
    )
    p.add_argument(
        "--side-by-side",
        action="store_true",
        help="code diffs as A and B side by side (changed lines with context)",
    )
    p.add_argument("--html", type=Path, help="also write a self-contained HTML page here")
    out = p.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="the summary as JSON")
    out.add_argument("--markdown", action="store_true", help="the summary as Markdown")
    p.set_defaults(func=profile_command)
