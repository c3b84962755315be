"""CinderX JIT log parsing, on the lines CinderX writes (as quoted in docs/runtimes.md)."""

from __future__ import annotations

from jitbench.runtimes import jitlog

LOG_A = """\
JIT: cinderx/Jit/pyjit.cpp:2178 -- Configuring JIT to compile functions after 1000 calls
JIT: cinderx/Jit/compiler.cpp:259 -- Compiling __main__:caller
JIT: cinderx/Jit/hir/inliner.cpp:586 -- Inlining function __main__:callee into __main__:caller
JIT: cinderx/Jit/compiler.cpp:329 -- Finished compiling __main__:caller in 937µs, code size: 1352 bytes (code: 0x7f40560f84b0)
JIT: cinderx/Jit/pyjit.cpp:5368 -- Cannot compile __main__:uses_locals to HIR because it uses banned global 'locals'
JIT: cinderx/Jit/pyjit.cpp:4438 -- Background compile failed: 8 for __main__:uses_locals
JIT: cinderx/Jit/pyjit.cpp:5368 -- LIR function '<invalid>:big' has too many basic blocks (9013, max=8000)
JIT: cinderx/Jit/hir/inliner.cpp:209 -- Can't inline __main__:gen into __main__:caller because it is a generator
JIT: cinderx/Jit/hir/inliner.cpp:758 -- Can't inline non-function v43:ImmortalTypeExact[TypeError:obj] into os:encode
JIT: cinderx/Jit/pyjit.cpp:4922 -- CinderX JIT Total Compilation Time: 132ms"""

LOG_B = """\
JIT: cinderx/Jit/compiler.cpp:329 -- Finished compiling __main__:caller in 500µs, code size: 1000 bytes (code: 0x1)
JIT: cinderx/Jit/compiler.cpp:329 -- Finished compiling __main__:uses_locals in 100µs, code size: 300 bytes (code: 0x2)
JIT: cinderx/Jit/pyjit.cpp:4438 -- Background compile failed: 8 for __main__:other"""


def test_log_gives_compiles_failures_with_reasons_and_inlining():
    s = jitlog.parse(LOG_A).to_dict()
    assert s["compiled"] == 1 and s["compile_ms"] == 0.937
    assert s["failures"] == {
        "__main__:uses_locals": "it uses banned global 'locals'",
        "<invalid>:big": "LIR has too many basic blocks (max 8000)",
    }
    assert s["inlined"] == 1 and s["inlined_top"] == {"__main__:callee → __main__:caller": 1}
    assert s["not_inlined"] == {"it is a generator": 1, "callee is a non-function": 1}


def test_log_diff_names_new_and_fixed_failures():
    d = jitlog.diff(jitlog.parse(LOG_A), jitlog.parse(LOG_B))
    assert d["fixed_failures"] == {
        "<invalid>:big": "LIR has too many basic blocks (max 8000)",
        "__main__:uses_locals": "it uses banned global 'locals'",
    }
    assert d["new_failures"] == {"__main__:other": "compile failed (code 8)"}
    assert d["per_process"]["compiled"] == {"a": 1.0, "b": 2.0}
