"""The pure parts of profiles: folding perf script output, categories, A/B attribution, code
normalisation and diffs, flame graph geometry."""

from __future__ import annotations

import re
from collections import Counter

from jitbench.profile import analysis, code, folded, shares
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


def test_each_sample_gets_one_category():
    assert shares.category("main;__CINDER_JIT:m:f") == "jit"
    assert shares.category("main;__CINDER_JIT:m:f;[python3.14]") == "runtime"
    assert shares.category("x;gc_collect_main;memset") == "gc"  # a collection, whatever it calls
    assert shares.category("x;cinderx::jit::hir::Builder::build;malloc") == "compiler"
    assert shares.category("x;clear_page_erms_[k]") == "kernel"
    assert shares.category("x;Ci_EvalFrame") == "interpreter"
    assert shares.category("x;py::work:/b.py") == "interpreter"
    assert shares.category("x;[libc.so.6]") == "other"
    assert shares.category("x;[JIT]") == "jit"


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
