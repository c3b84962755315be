"""``jitbench jit RESULT``: what the JIT compiled in a saved result — size ranking, HIR opcode
mix, A vs B per function, and (``--logs``) what the JIT logs say."""

from __future__ import annotations

import argparse
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from rich.table import Table

from .. import runtimes
from ..profile import code
from ..results.artifact import load_result
from ..results.model import Result
from ..runtimes import introspection, jitlog
from .common import wide_console
from .options import positive_int

if TYPE_CHECKING:
    from rich.console import Console

SHOWN_OPCODES = 15
SHOWN_CODE = 3  # functions whose code --code shows per A vs B diff
SHOWN_ROWS = 15


def _short(name: str, width: int = 28) -> str:
    return name if len(name) <= width else "…" + name[-(width - 1) :]


def _num(x: float | None, digits: int = 0) -> str:
    if x is None:
        return "–"
    return f"{x:,.{digits}f}"


def _table(title: str, columns: Iterable[str], left: Iterable[str]) -> Table:
    """A table titled ``title``: the ``left`` columns (names, text) align left, numbers right."""
    t = Table(title=title, title_justify="left")
    text = set(left)
    for col in columns:
        t.add_column(col, justify="left" if col in text else "right")
    return t


def summary_rows(variants: dict) -> tuple[list[str], list[list[str]]]:
    """(column labels, one row per variant): each variant's kind fills the columns it declares."""
    declared = {name: runtimes.summary_columns(v.get("kind")) for name, v in variants.items()}
    labels = list(dict.fromkeys(c.label for cols in declared.values() for c in cols))
    rows = []
    for name, v in variants.items():
        machine = (v.get("machine") or "–") + (" (emulated)" if v.get("emulation") else "")
        own = {c.label: _num(v.get(c.key), c.digits) for c in declared[name]}
        rows.append(
            [name, v.get("kind") or "–", machine, str(v.get("processes", 0))]
            + [own.get(label, "–") for label in labels]
        )
    return ["variant", "kind", "machine", "processes", *labels], rows


def summary_table(bench: str, variants: dict) -> Table:
    columns, rows = summary_rows(variants)
    t = _table(f"JIT activity per process — {bench}", columns, ("variant", "kind", "machine"))
    for row in rows:
        t.add_row(*row)
    return t


def ranking_table(bench: str, variant: str, rows: list[dict]) -> Table:
    t = _table(
        f"Largest compiled functions — {variant} on {bench}",
        (
            "#",
            "function",
            "code bytes",
            "stack",
            "spill",
            "compile ms",
            "inlined",
            "HIR instrs",
            "in procs",
        ),
        ("function",),
    )
    for i, r in enumerate(rows, 1):
        t.add_row(
            str(i),
            r["name"],
            _num(r["code_size"]),
            _num(r["stack_size"]),
            _num(r["spill_stack_size"]),
            _num(r["compile_time_ms"]),
            _num(r["inlined"]),
            _num(r["hir_instructions"]),
            str(r["processes"]),
        )
    return t


def _opcode_table(bench: str, variant: str, mix: dict) -> Table:
    funcs = list(mix["functions"])
    t = Table(
        title=f"HIR opcode mix of the top {len(funcs)} functions — {variant} on {bench}",
        title_justify="left",
    )
    t.add_column("opcode")
    t.add_column("all", justify="right")
    t.add_column("share", justify="right")
    for f in funcs:
        t.add_column(_short(f.split(":")[-1], 18), justify="right")
    for op, c in list(mix["composition"].items())[:SHOWN_OPCODES]:
        t.add_row(
            op,
            str(c["count"]),
            f"{c['share_pct']:.1f} %",
            *[str(mix["functions"][f].get(op, "")) for f in funcs],
        )
    return t


def _ops_text(ops: dict[str, int], n: int = 4) -> str:
    return ", ".join(f"{op} {d:+d}" for op, d in list(ops.items())[:n])


def _print_diff(console: Console, bench: str, d: dict) -> None:
    tot = d["totals"]
    ma, mb = d.get("machines") or (None, None)
    archs = f" ({ma} → {mb} code)" if ma != mb else ""
    console.print(
        f"[bold]{d['a']} → {d['b']}[/]{archs} on {bench}: compiled "
        f"{_num(tot['compiled_count'][0], 1)} → {_num(tot['compiled_count'][1], 1)}, "
        f"code bytes {_num(tot['code_bytes'][0])} → {_num(tot['code_bytes'][1])}"
        + (
            f" ({tot['code_bytes_delta_pct']:+.2f} %)"
            if tot["code_bytes_delta_pct"] is not None
            else ""
        )
    )
    if d["changed"]:
        t = _table(
            f"Changed functions — {d['a']} → {d['b']}",
            ("function", d["a"], d["b"], "Δ bytes", "Δ %", "HIR opcode changes"),
            ("function", "HIR opcode changes"),
        )
        for r in d["changed"][:SHOWN_ROWS]:
            t.add_row(
                r["name"],
                _num(r["a"]),
                _num(r["b"]),
                f"{r['delta']:+,d}",
                f"{r['delta_pct']:+.1f} %" if r["delta_pct"] is not None else "–",
                _ops_text(r["opcodes"]),
            )
        console.print(t)
        if len(d["changed"]) > SHOWN_ROWS:
            console.print(f"  [dim]… {len(d['changed']) - SHOWN_ROWS} more (see --json)[/]")
    for key, label in (
        ("newly_compiled", "newly compiled"),
        ("no_longer_compiled", "no longer compiled"),
    ):
        items = d[key]
        if items:
            shown = ", ".join(f"{i['name']} ({i['code_size']:,d} B)" for i in items[:8])
            more = f", … {len(items) - 8} more" if len(items) > 8 else ""
            console.print(f"  {label} in {d['b']}: {len(items)}: {shown}{more}")
    if d["opcodes"]["delta"]:
        console.print(
            f"  HIR opcodes over {d['opcodes']['functions']} functions both detail: "
            f"{_ops_text(d['opcodes']['delta'], 8)}"
        )


def _print_code(console: Console, d: dict, kind: str) -> None:
    if not d["code"]:
        console.print(
            f"  [yellow]no {kind} dumps of changed functions in both {d['a']} and "
            f'{d["b"]}[/] (run them with env {{ {code.KINDS[kind][0]} = "1" }} and '
            "jit_options = { log = true })"
        )
    for c in d["code"]:
        console.print(
            f"  [bold]{c['function']}[/]: {c['a_instructions']} → "
            f"{c['b_instructions']} {kind} instructions"
        )
        for line in c["unified"]:
            style = "green" if line.startswith("+") else "red" if line.startswith("-") else ""
            console.print(f"    {line}", style=style, markup=False, highlight=False)


def _log_report(result: Result, variants: list[str], benchmarks: list[str]) -> dict:
    out: dict = {}
    for bench in benchmarks:
        sums = {v: s for v in variants if (s := jitlog.summarise(result, v, bench)) is not None}
        names = list(sums)
        out[bench] = {
            "variants": {v: s.to_dict() for v, s in sums.items()},
            "diffs": [
                {"a": names[0], "b": b, **jitlog.diff(sums[names[0]], sums[b])} for b in names[1:]
            ],
        }
    return out


def _print_logs(console: Console, logs: dict) -> None:
    for bench, entry in logs.items():
        if not entry["variants"]:
            console.print(
                f"[yellow]{bench}: no JIT logs in this result[/] "
                "(run the variants with jit_options = { log = true })"
            )
            continue
        t = _table(
            f"JIT logs — {bench}",
            (
                "variant",
                "processes",
                "compiled",
                "compile ms",
                "failures",
                "inlined",
                "not inlined",
                "top failure reasons",
            ),
            ("variant", "top failure reasons"),
        )
        for v, s in entry["variants"].items():
            reasons = "; ".join(f"{r} ×{n}" for r, n in list(s["failure_reasons"].items())[:3])
            t.add_row(
                v,
                str(s["processes"]),
                str(s["compiled"]),
                _num(s["compile_ms"], 1),
                str(len(s["failures"])),
                str(s["inlined"]),
                str(sum(s["not_inlined"].values())),
                reasons or "–",
            )
        console.print(t)
        for d in entry["diffs"]:
            for f, why in d["new_failures"].items():
                console.print(f"  {d['b']} newly fails to compile {f}: {why}")
            for f, why in d["fixed_failures"].items():
                console.print(f"  {d['b']} now compiles {f} ({d['a']}: {why})")


def jit_command(args: argparse.Namespace, argv: list[str]) -> int:
    """Print (or --json) what the JIT compiled in each variant, and A vs B diffs."""
    result = load_result(args.result)
    variants = list(dict.fromkeys(args.variants)) or list(result.variants)
    benchmarks = list(dict.fromkeys(args.bench)) or list(result.benchmarks)
    rep = introspection.report(result, variants, benchmarks, args.top)
    if args.logs:
        rep["logs"] = _log_report(result, variants, benchmarks)
    if args.code:
        for bench, entry in rep["benchmarks"].items():
            for d in entry["diffs"]:
                d["code"] = introspection.code_diffs(result, bench, d, args.code, SHOWN_CODE)
    if args.json:
        from .common import print_json

        print_json({"result": str(args.result), **rep})
        return 0
    console = wide_console()
    for bench, entry in rep["benchmarks"].items():
        console.print(summary_table(bench, entry["variants"]))
        mixed = len({d.get("machine") for d in entry["variants"].values()}) > 1
        for v, data in entry["variants"].items():
            if data.get("top"):  # the kind lists its compiled functions by size
                # With code of two architectures, each table says whose it is.
                shown = f"{v} ({data['machine']})" if mixed else v
                console.print(ranking_table(bench, shown, data["top"]))
                if data["opcode_mix"]["functions"]:
                    console.print(_opcode_table(bench, shown, data["opcode_mix"]))
        for d in entry["diffs"]:
            _print_diff(console, bench, d)
            if args.code:
                _print_code(console, d, args.code)
    if args.logs:
        _print_logs(console, rep["logs"])
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """``jit``."""
    p = sub.add_parser(
        "jit",
        help="what the JIT compiled in a saved result: sizes, HIR opcodes, A vs B per function",
    )
    p.add_argument("result", type=Path, metavar="RESULT")
    p.add_argument(
        "variants",
        nargs="*",
        metavar="VARIANT",
        help="variants to show (default: all); the first is A in every A vs B diff",
    )
    p.add_argument(
        "--bench",
        "-b",
        action="append",
        default=[],
        metavar="NAME",
        help="benchmark to show (repeatable; default: all)",
    )
    p.add_argument(
        "--top",
        type=positive_int,
        default=20,
        help="how many of the largest compiled functions to list (default 20)",
    )
    p.add_argument(
        "--logs",
        action="store_true",
        help="also summarise the JIT logs (variants run with jit_options.log = true)",
    )
    p.add_argument(
        "--code",
        nargs="?",
        const="asm",
        default=None,
        choices=list(code.KINDS),
        help="in each A vs B diff, also the code of the functions that changed most: "
        "asm (default), hir or lir, from the JIT logs of variants run with "
        "CinderX's dump env var (e.g. CINDERX_JIT_DUMP_ASM=1) and log = true",
    )
    p.add_argument("--json", action="store_true", help="print one JSON document and nothing else")
    p.set_defaults(func=jit_command)
