"""The pure parts of profiles: folding perf script output, categories, A/B attribution, code
normalisation and diffs, flame graph geometry."""

from __future__ import annotations

import re
from collections import Counter

import numpy as np
import pytest

from jitbench.profile import analysis, code, folded, shares
from jitbench.report import fmt
from jitbench.report.flame import flame_svg
from jitbench.results.model import SCHEMA_NAME, SCHEMA_VERSION, ProcessRecord, Result

# Two samples as perf script -F comm,pid,tid,period,event,ip,sym,dso prints them (perf 6.1), and
# one of another process.
SCRIPT = """\
python 15895/15895     250000 cpu-clock:
\t          2522c2 [unknown] (/usr/bin/python3.14)
\t    7fac10600d13 __CINDER_JIT:__main__:fib+0x3 (/tmp/perf-15895.map)
\t    7fac1060085a __CINDER_JIT:__main__:fib (/tmp/perf-15895.map)
\t          17e0aa PyObject_Vectorcall+0x2a (/usr/bin/python3.14)

python 15895/15895     250000 cpu-clock:
\tffffffff821eb0e7 clear_page_erms+0x7 ([kernel.kallsyms])
\t          18f757 cinderx::jit::hir::Preloader::preload (/opt/cx/lib/_cinderx.so)

python 15895/15895     250000 cpu-clock:
\t    7f0010000010 [unknown] (/tmp/perf-15895.map)
\t          17e0aa PyObject_Vectorcall+0x2a (/usr/bin/python3.14)

perf 15000/15000     250000 cpu-clock:
\tffffffff821eb0e7 clear_page_erms+0x7 ([kernel.kallsyms])
"""


def test_perf_script_folds_into_root_first_stacks_of_the_target_only():
    stacks = folded.parse(SCRIPT.splitlines(), {15895})
    assert stacks == Counter(
        {
            "PyObject_Vectorcall;__CINDER_JIT:__main__:fib;__CINDER_JIT:__main__:fib;[python3.14]": 1,
            "cinderx::jit::hir::Preloader::preload;clear_page_erms_[k]": 1,
            "PyObject_Vectorcall;[JIT]": 1,  # JIT code no perf map entry names (PyPy's)
        }
    )
    assert sum(folded.parse(SCRIPT.splitlines()).values()) == 4  # all processes
    assert folded.decode(folded.encode(stacks)) == stacks


#: Stack (leaf last) → the category its sample is charged to.
CATEGORIES = {
    "main;__CINDER_JIT:m:f": "jit",
    # A stripped interpreter binary: its eval loop and its runtime C cannot be told apart.
    "main;__CINDER_JIT:m:f;[python3.14]": "unsymbolised",
    "x;[libpython3.14.so.1.0]": "unsymbolised",
    "x;[_cinderx.so]": "unsymbolised",
    "x;[libpypy3-c.so]": "unsymbolised",
    # Negative controls: what perf named in the same binaries keeps its category.
    "x;[python3.14];PyObject_GetAttr": "runtime",
    "x;[python3.14];_PyEval_EvalFrameDefault": "interpreter",
    "x;_PyEval_EvalFrameDefault.cold": "interpreter",
    "x;gc_collect_main;memset": "gc",  # a collection, whatever it calls
    "x;cinderx::jit::hir::Builder::build;malloc": "compiler",
    "x;clear_page_erms_[k]": "kernel",
    "x;Ci_EvalFrame": "interpreter",
    "x;py::work:/b.py": "interpreter",
    "x;[libc.so.6]": "other",
    "x;[JIT]": "jit",
}


def test_each_sample_gets_one_category():
    got = {stack: shares.category(stack) for stack in CATEGORIES}
    assert got == CATEGORIES


def test_helpers_are_charged_to_the_jit_function_that_called_them():
    stacks = Counter(
        {
            "main;__CINDER_JIT:m:f;PyObject_SetAttr": 3,
            "main;__CINDER_JIT:m:f": 1,
            "main;Ci_EvalFrame": 4,
        }
    )
    assert shares.owned_samples(stacks) == Counter({"__CINDER_JIT:m:f": 4})
    s = shares.shares([stacks, stacks])
    assert s["jit_functions"]["share_pct"] == 50.0
    assert s["jit"]["share_pct"] == 12.5 and s["interpreter"]["share_pct"] == 50.0
    assert sum(s[c]["share_pct"] for c in shares.CATEGORIES) == 100.0
    spread = shares.shares([stacks, Counter({"main;Ci_EvalFrame": 1})])["interpreter"]
    assert 0.0 <= spread["ci_low_pct"] < spread["share_pct"] < spread["ci_high_pct"] <= 100.0


def _process(variant: str, stacks: Counter, ns_per_value: int) -> ProcessRecord:
    return ProcessRecord.from_json(
        {
            "slot": 0 if variant == "A" else 1,
            "round": 0,
            "benchmark": "b",
            "variant": variant,
            "status": "ok",
            "loops": 1,
            "inner_loops": 1,
            "values_ns": [ns_per_value] * 3,
            "instrument": "perf",
            "profile": {
                "folded": folded.encode(stacks),
                "samples": sum(stacks.values()),
                "window_ns": 3 * ns_per_value,
                "event": "cpu-clock",
                "encoding": "zlib+base64",
            },
        }
    )


def _result(*processes: ProcessRecord) -> Result:
    """A result holding these processes (the profile code reads only them)."""
    return Result.from_json(
        {
            "schema": SCHEMA_NAME,
            "schema_version": SCHEMA_VERSION,
            "tool_version": "0",
            "id": "r",
            "created": "2026-11-30T00:00:00Z",
            "complete": True,
            "seed": 1,
            "design": {
                "kind": "interleaved",
                "processes": 1,
                "values": 3,
                "warmups": 0,
                "timeout": 60.0,
            },
            "host": {},
            "variants": {},
            "benchmarks": {},
            "schedule": [],
            "processes": [p.to_json() for p in processes],
        }
    )


def test_contributions_add_up_to_the_change_and_rank_the_cause_first():
    a = Counter({"main;__CINDER_JIT:m:hot": 50, "main;__CINDER_JIT:m:cold": 50})
    # B: "hot" got three times slower; "cold" did not change (same time, smaller share).
    b = Counter({"main;__CINDER_JIT:m:hot": 150, "main;__CINDER_JIT:m:cold": 50})
    result = _result(_process("A", a, 100), _process("B", b, 200))
    d = analysis.differential(result, "b", "A", "B", top=10)
    assert round(d["change_pct"], 6) == 100.0
    assert round(sum(r["contribution_pct"] for r in d["functions"]), 6) == 100.0
    first, second = d["functions"]
    assert first["function"] == "__CINDER_JIT:m:hot" and round(first["contribution_pct"]) == 100
    assert round(second["contribution_pct"], 6) == 0.0


def test_each_profiled_jit_function_carries_what_its_kind_recorded_about_it():
    stacks = Counter({"main;__CINDER_JIT:m:hot": 90, "main;interp_loop": 10})
    a, b = _process("A", stacks, 100), _process("B", stacks, 110)
    a.jit = {
        "cinderx": {
            "sizes": {"m:hot": 800},
            "compiled": [{"name": "m:hot", "hir_opcodes": {"LoadAttr": 3}}],
            "deopts": {"top": [{"function": "hot", "count": 4}]},
        }
    }
    b.jit = {"cinderx": {"sizes": {"m:hot": 1200}, "compiled": [], "deopts": {}}}
    d = analysis.differential(_result(a, b), "b", "A", "B", top=10)
    hot = next(r for r in d["functions"] if r["function"] == "__CINDER_JIT:m:hot")
    assert hot["jit"]["compiled"] == [True, True]
    assert hot["jit"]["code_size"] == [800, 1200]
    assert hot["jit"]["deopts"] == [4.0, 0.0]
    # Negative control: a frame no kind names as JIT code carries no JIT facts.
    assert "jit" not in next(r for r in d["functions"] if r["function"] == "interp_loop")
    # A process without its kind's record: nothing compiled, nothing known.
    b.jit = None
    d = analysis.differential(_result(a, b), "b", "A", "B", top=10)
    hot = next(r for r in d["functions"] if r["function"] == "__CINDER_JIT:m:hot")
    assert hot["jit"]["compiled"] == [True, False] and hot["jit"]["code_size"] == [800, None]


def test_binaries_without_symbols_get_one_note_naming_how_to_get_them():
    stripped = Counter({"main;[python3.14]": 90, "main;[_cinderx.so]": 5, "main;PyObject_X": 5})
    notes = analysis.symbol_notes(stripped)
    assert [(n["binary"], n["share_pct"]) for n in notes] == [
        ("python3.14", 90.0),
        ("_cinderx.so", 5.0),
    ]
    assert "apt-get install python3.14-dbg" in notes[0]["hint"]
    assert "not stripped" in notes[1]["hint"]  # no package known: the general way
    (line, other) = analysis.symbol_lines(
        {"nojit": {"no_symbols": notes}, "auto": {"no_symbols": notes[:1]}}
    )
    assert line.startswith("[python3.14] (interpreter + runtime (no symbols)): 90.0 % of nojit's")
    assert "90.0 % of auto's" in line and "python3.14-dbg" in line and "\n" not in line
    assert other.startswith("[_cinderx.so]")
    # Negative controls: a binary perf named, and one too small to change a conclusion.
    assert analysis.symbol_notes(Counter({"main;PyObject_X": 99, "main;[python3.14]": 0})) == []
    assert analysis.symbol_notes(Counter({"main;PyObject_X": 999, "main;[python3.14]": 1})) == []


def _per_iteration(rng: np.random.Generator, n: int, scale: float) -> list[float]:
    # Per-process means of this host's kind: ±15 % between processes.
    return list(scale * (1.0 + 0.15 * rng.standard_normal(n)))


def test_profiling_slowdown_comes_with_its_interval_or_is_called_noise():
    rng = np.random.default_rng(7)
    # Three times the work in the profiled processes: no noise can hide that.
    slow = analysis.slowdown(_per_iteration(rng, 4, 3.0), _per_iteration(rng, 4, 1.0))
    low, high = slow["slowdown_ci_pct"]
    assert 0 < low < slow["slowdown_pct"] < high and slow["slowdown_within_noise"] is False
    assert fmt.slowdown(slow).startswith(f"{slow['slowdown_pct']:+.1f} % [")
    # Negative control: the same cost on both sides is within noise, and says so.
    same = analysis.slowdown(_per_iteration(rng, 4, 1.0), _per_iteration(rng, 4, 1.0))
    assert same["slowdown_within_noise"] is True
    assert fmt.slowdown(same).startswith("within noise: ")
    # One process on a side: a figure, no interval.
    one = analysis.slowdown([2.0], [1.0, 1.1])
    assert one["slowdown_ci_pct"] is None and fmt.slowdown(one) == "+90.5 % (no CI)"
    assert fmt.slowdown(analysis.slowdown([], [1.0])) == "–"


def test_slowdown_interval_holds_zero_at_its_level_when_sampling_costs_nothing():
    rng = np.random.default_rng(11)
    held = sum(
        analysis.slowdown(_per_iteration(rng, 3, 1.0), _per_iteration(rng, 3, 1.0))[
            "slowdown_within_noise"
        ]
        for _ in range(400)
    )
    assert held / 400 >= 0.92  # 95 % intervals (Welch: a little conservative)


def _swinging_rounds(rng: np.random.Generator, rounds: int, cost: float) -> tuple[list, list]:
    """(profiled, timed) per-iteration times of rounds whose host speed swings ±30 % from round
    to round, alike for both processes of a round; within a round ±1 %."""
    host = np.exp(0.3 * rng.standard_normal(rounds))
    profiled = host * cost * (1 + 0.01 * rng.standard_normal(rounds))
    timed = host * (1 + 0.01 * rng.standard_normal(rounds))
    return list(profiled), list(timed)


def test_slowdown_paired_by_round_sees_through_a_host_that_swings_between_rounds():
    rng = np.random.default_rng(5)
    runs = [_swinging_rounds(rng, 4, 1.05) for _ in range(400)]
    paired = [analysis.slowdown(p, t, paired=True) for p, t in runs]
    unpaired = [analysis.slowdown(p, t) for p, t in runs]
    # A 5 % cost: pairing resolves it nearly always; unpaired, the host's swings hide it.
    assert sum(not s["slowdown_within_noise"] for s in paired) / 400 >= 0.9
    assert sum(not s["slowdown_within_noise"] for s in unpaired) / 400 <= 0.3
    assert all(s["slowdown_paired"] for s in paired) and not unpaired[0]["slowdown_paired"]
    # Calibration: with no cost the paired interval holds 0 at its level.
    held = sum(
        analysis.slowdown(*_swinging_rounds(rng, 4, 1.0), paired=True)["slowdown_within_noise"]
        for _ in range(400)
    )
    assert held / 400 >= 0.92


def _round_process(rnd: int, instrument: str | None, ns: int) -> ProcessRecord:
    rec = _process("A", Counter({"main;work": 10}), ns).to_json()
    rec.update(round=rnd, slot=2 * rnd + (instrument is not None))
    if instrument is None:
        del rec["instrument"], rec["profile"]
    return ProcessRecord.from_json(rec)


def test_cost_pairs_each_profiled_process_with_the_timed_one_of_its_round():
    # Rounds at 1, 2 and 4 ms, each profiled process 10 % slower than its round's timed one.
    profiled = [_round_process(r, "perf", int(1.1 * 10**6 * 2**r)) for r in (2, 0, 1)]
    timed = [_round_process(r, None, 10**6 * 2**r) for r in range(3)]
    c = analysis.cost(profiled, timed)
    assert c["slowdown_paired"] is True
    assert c["slowdown_pct"] == pytest.approx(10.0)
    low, high = c["slowdown_ci_pct"]
    assert low == pytest.approx(10.0) and high == pytest.approx(10.0)  # every pair says +10 %
    # Profiled in two rounds of three (fewer instrumented rounds): paired against those two.
    c = analysis.cost(profiled[1:], timed)
    assert c["slowdown_paired"] is True and c["slowdown_pct"] == pytest.approx(10.0)
    # Negative controls, unpaired, where the rounds' spread (1 to 4 ms) swamps the 10 %: a
    # profiled process without its round's timed one; two profiled processes of one round.
    c = analysis.cost(profiled, timed[:2])
    assert c["slowdown_paired"] is False and c["slowdown_within_noise"] is True
    twice = [*profiled[1:], _round_process(0, "perf", int(1.1 * 10**6))]
    c = analysis.cost(twice, timed)
    assert c["slowdown_paired"] is False and c["slowdown_within_noise"] is True


def test_ab_table_names_its_rows_and_keeps_the_jit_functions_when_interpreters_lead():
    # Work moved from the stock interpreter (stripped) to CinderX's, and a little into JIT code.
    a = Counter({"main;[python3.14]": 900, "main;helper_a": 100})
    b = Counter(
        {
            "main;Ci_EvalFrame": 600,
            "main;helper_a": 150,
            "main;helper_b": 120,
            "main;__CINDER_JIT:m:f;PyObject_GetAttr": 40,
            "main;__CINDER_JIT:m:g": 10,
        }
    )
    result = _result(_process("A", a, 100), _process("B", b, 80))
    d = analysis.differential(result, "b", "A", "B", top=3)
    rows = {r["function"]: r for r in d["functions"]}
    assert set(rows) == {"[python3.14]", "Ci_EvalFrame", "__CINDER_JIT:m:f"}
    assert (
        rows["[python3.14]"]["what"] == "python3.14 without symbols: interpreter loop and runtime C"
    )
    assert rows["Ci_EvalFrame"]["what"] == "interpreter"
    assert rows["__CINDER_JIT:m:f"]["what"] == "JIT-compiled function"
    assert rows["__CINDER_JIT:m:f"]["jit"]["compiled"] == [False, False]  # no JIT record here
    # It was kept for being JIT code: helper_b changed more.
    full = {
        r["function"]: r for r in analysis.differential(result, "b", "A", "B", top=20)["functions"]
    }
    assert abs(full["helper_b"]["contribution_pct"]) > abs(
        full["__CINDER_JIT:m:f"]["contribution_pct"]
    )
    # The categories split the whole change.
    parts = {c["category"]: c["contribution_pct"] for c in d["categories"]}
    assert round(sum(parts.values()), 6) == round(d["change_pct"], 6)
    assert (
        round(parts["unsymbolised"], 6) == -90.0 and parts["interpreter"] > 0 and parts["jit"] > 0
    )
    assert fmt.category_parts(d).startswith("By category (-20.0 % in all): interpreter + runtime")
    # Negative control: the same samples with no JIT function: the largest contributions only.
    named = Counter({k.replace("__CINDER_JIT:m:", "plain_"): n for k, n in b.items()})
    plain = analysis.differential(
        _result(_process("A", a, 100), _process("B", named, 80)), "b", "A", "B", top=3
    )
    assert [r["function"] for r in plain["functions"]] == [
        "[python3.14]",
        "Ci_EvalFrame",
        "helper_b",
    ]


DUMP_A = """\
JIT: cinderx/Jit/codegen/gen_asm.cpp:1683 -- Disassembly for m:f

v51:LongExact = GuardType<LongExact> v21 {
  0x007fd398c00042:        cmpq $0x7fd399e09730, 8(%r12)
  0x007fd398c00049:        callq *0xb18(%rip)
JIT: other/file.cpp:1 -- Finished compiling m:f
"""
DUMP_B = (
    DUMP_A.replace("0x007fd398c", "0x007aaaaac")
    .replace("v51", "v7")
    .replace("v21", "v3")
    .replace("0xb18", "0xa30")
    .replace("0x7fd399e09730", "0x7aaaa0000000")
)


def test_code_of_two_processes_compares_equal_after_normalising():
    a, b = code.functions(DUMP_A)["m:f"], code.functions(DUMP_B)["m:f"]
    assert a.lines == b.lines and a.instructions == 2
    assert code.unified_diff(a, b, "A", "B") == []
    generic = code.functions(DUMP_A.replace("GuardType<LongExact>", "CompareBool<LessThan>"))
    diff = code.unified_diff(a, generic["m:f"], "A", "B")
    assert [ln for ln in diff if ln[:1] in "+-" and ln[:3] not in ("+++", "---")] == [
        "-v0:LongExact = GuardType<LongExact> v1 {",
        "+v0:LongExact = CompareBool<LessThan> v1 {",
    ]
    rows = code.side_by_side(a, generic["m:f"])
    assert [t for t, _, _ in rows].count("~") == 1 and len(rows) == len(a.lines)


def test_flame_graph_widths_follow_samples_and_the_differential_colours_growth():
    svg = flame_svg(Counter({"main;a": 3, "main;b": 1}), "t")
    widths = {
        m[1]: float(m[0])
        for m in re.findall(
            r'<title>(?:[^<]*)</title><rect x="[\d.]+" y="\d+" width="([\d.]+)"[^>]*/><text[^>]*>(\w+)<',
            svg,
        )
    }
    assert abs(widths["a"] / widths["b"] - 3) < 0.05 and widths["main"] > widths["a"]
    diff = flame_svg(Counter({"main;a": 3, "main;b": 1}), "t", Counter({"main;a": 1, "main;b": 3}))
    fills = dict(re.findall(r"<title>(\w+):[^<]*</title><rect [^>]*fill=\"rgb\((\d+),", diff))
    assert fills["a"] == "235" and fills["b"] != "235"  # a grew (red), b shrank (blue)


# aarch64 (cinderx 2026.10.26 under qemu-user): addresses built by mov/movk runs and adrp + add.
ARM_DUMP_A = """\
JIT: cinderx/Jit/codegen/gen_asm.cpp:1683 -- Disassembly for m:f

Lightweight frame: initialize frame
  0x0000550ad68038:        mov x1, #0x5c90
  0x0000550ad6803c:        movk x1, #0xea, lsl #16
  0x0000550ad68040:        ldp x2, x3, [x19, #0x10]
  0x0000550ad68044:        adrp x23, #0x550ad69000
  0x0000550ad68048:        add x23, x23, #0x130
  0x0000550ad6804c:        mov x0, #1
  0x0000550ad68050:        cmp x1, #0x10
JIT: cinderx/Jit/codegen/gen_asm.cpp:700 -- done
"""
ARM_DUMP_B = (
    ARM_DUMP_A.replace("0x0000550ad68", "0x0000550bc12")
    .replace("#0x5c90", "#0xef0")
    .replace("#0xea,", "#0xe2,")
    .replace("#0x550ad69000", "#0x550bc13000")
    .replace("#0x130", "#0xff0")
)


def test_arm_code_of_two_processes_compares_equal_after_normalising():
    a, b = code.functions(ARM_DUMP_A)["m:f"], code.functions(ARM_DUMP_B)["m:f"]
    assert a.instructions == 7 and a.lines == b.lines
    # Small immediates that are no address stay: a changed one is a real change.
    changed = code.functions(ARM_DUMP_A.replace("cmp x1, #0x10", "cmp x1, #0x20"))["m:f"]
    assert [ln for ln in code.unified_diff(a, changed, "A", "B") if ln[:1] in "+-"][2:] == [
        "-    cmp x1, #0x10",
        "+    cmp x1, #0x20",
    ]
    assert "    mov x0, #1" in a.lines
