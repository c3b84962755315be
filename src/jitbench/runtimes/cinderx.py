"""CinderX: modes and JIT options → env vars, pre-import, the proof that the JIT ran, and the
profiling run behind ``jitlist=auto``.

Nothing in CinderX is active until ``import cinderx``, so every mode that wants the extension
pre-imports it (the runner does that before the benchmark loads). Each setting is written under
its current ``CINDERX_JIT_*`` name and its legacy ``PYTHONJIT*`` name, so old and new builds agree.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from ..errors import JitbenchError
from ..model import Benchmark, Variant
from ..results.model import ProcessRecord, Result
from ..runner import jitbench_protocol as protocol
from .base import Launch, PerfNames, SummaryColumn
from .compiled import CodeView, FunctionView, count, mean, runs

name = "cinderx"
# Rough seconds a process takes beyond its measured values (start-up, facts), for
# run-time estimates: measured on an idle 2-core VM, the demo's modes averaged.
START_S = 0.15

MODES = ("nojit", "nojit-loaded", "autojit", "autojit=N", "jit-all", "jitlist=PATH", "jitlist=auto")
# CinderX runs inside a CPython, whose own (idle) JIT reports too.
PROBES: tuple[str, ...] = (protocol.Probe.CINDERX, protocol.Probe.CPYTHON)

# jit_options key → CINDERX_JIT_<X> suffix; values are booleans written as 0/1.
OPTIONS = {
    "hir_inliner": "ENABLE_HIR_INLINER",
    "specialized_opcodes": "SPECIALIZED_OPCODES",
    "type_annotation_guards": "EMIT_TYPE_ANNOTATION_GUARDS",
    "multiple_code_sections": "MULTIPLE_CODE_SECTIONS",
    # false: a function runs compiled code from the call that crossed the threshold on, so where
    # compiles land (per-iteration events, instruction counts) does not depend on thread timing.
    "background_compile": "BACKGROUND_COMPILE",
}
# Not a JIT setting but a jitbench one: write the JIT's debug log and ship it back with the result.
LOG_OPTION = "log"

# The runner writes a JITBENCH_FILE_<KEY> variable's content to {jitbench_tmp}/<key> and replaces
# "{jitbench_tmp}" in every env value with its private folder inside the target, before the
# pre-imports (see jitbench_probes.prepare). That is how a JIT list reaches a chroot or remote host.
JIT_LIST_ENV = "JITBENCH_FILE_JIT_LIST"
JIT_LIST_PATH = "{jitbench_tmp}/jit_list"
LOG_PATH = "{jitbench_tmp}/cinderx-jit-{pid}.log"

# Counted processes compile synchronously: with background compilation, when a function starts
# running compiled code varies between runs, and instruction counts of identical processes differ
# by tens of per cent; synchronously they agree to 1 in 10^8.
COUNTED_ENV = {"CINDERX_JIT_BACKGROUND_COMPILE": "0"}

# Profiling: name JIT code in /tmp/perf-PID.map as ``__CINDER_JIT:module:qualname``.
PERF_MAP_ENV = {"CINDERX_JIT_PERF_MAP": "1"}
PERF_MAP_PREFIX = "__CINDER_JIT:"
PERF_NAMES = PerfNames(
    jit=(PERF_MAP_PREFIX, r"__CINDER_INFRA_JIT:"),
    jit_function=(PERF_MAP_PREFIX,),  # deopt trampolines and other infrastructure excluded
    python_function=(PERF_MAP_PREFIX,),
    interpreter=(r"Ci_EvalFrame", r"_CiEval_\w+", r"Ci_\w*Interpret\w*"),
    compiler=(
        r"^cinderx::jit::(hir|lir|codegen|Compiler|compile|Preloader|CompilerContext|asmjit)",
        r"^asmjit::",
        r"cinderx::jit::\w*[Cc]ompile",
    ),
    runtime=(r"^cinderx::", r"^Ci"),
    unsymbolised=(r"\[_cinderx[\w.\-]*\]",),
)

# jitlist=auto: functions compiled by a calibration-length run under CinderX's own auto mode.
PROFILE_MODE = "autojit"


def _setting(suffix: str, value: str) -> dict[str, str]:
    """One JIT setting under its current and its legacy name (CINDERX_JIT_A_B → PYTHONJITAB)."""
    return {f"CINDERX_JIT_{suffix}": value, "PYTHONJIT" + suffix.replace("_", ""): value}


def parse_mode(mode: str | None) -> tuple[str, str | None]:
    """('autojit', '50') for 'autojit=50'; ('jit-all', None) for 'jit-all'; None means autojit."""
    if mode is None:
        return "autojit", None
    head, sep, arg = mode.partition("=")
    return head, (arg if sep else None)


def _mode_problem(mode: str | None) -> str | None:
    head, arg = parse_mode(mode)
    if head in ("nojit", "nojit-loaded", "jit-all") and arg is None:
        return None
    if head == "autojit":
        if arg is None or (arg.isdigit() and int(arg) >= 0):
            return None
        return f"autojit=N needs a call count N >= 0, got {arg!r}"
    if head == "jitlist" and arg:
        if arg == "auto":
            return None
        if not Path(arg).is_file():
            return (
                f"JIT list file {arg!r} not found (a relative path is relative to the folder "
                "jitbench runs in); give an existing file or use jitlist=auto"
            )
        bad = [e for e in _entries(Path(arg).read_text(encoding="utf-8")) if ":" not in e]
        if bad:
            return (
                f"JIT list file {arg!r}: {bad[0]!r} is not a module:qualname entry; "
                "write one module:qualname per line"
            )
        return None
    return f"unknown mode {mode!r} for a cinderx runtime; allowed: {', '.join(MODES)}"


def check(variant: Variant) -> tuple[str, str] | None:
    """(key, problem) for a mode or JIT option CinderX does not have."""
    problem = _mode_problem(variant.mode)
    if problem is not None:
        return ("mode", problem)
    allowed = [*OPTIONS, LOG_OPTION]
    for key, value in variant.jit_options:
        if key not in allowed:
            return (
                f"jit_options.{key}",
                f"unknown CinderX JIT option; allowed: {', '.join(allowed)}",
            )
        if not isinstance(value, bool):
            return (f"jit_options.{key}", f"expected true or false, got {value!r}")
    return None


def jit_list_text(variant: Variant) -> str:
    """The JIT list the variant runs with: its file, or what jitlist=auto's profiling produced."""
    head, arg = parse_mode(variant.mode)
    if head != "jitlist" or arg is None:
        return ""
    if arg == "auto":
        return variant.env_dict.get(JIT_LIST_ENV, "")
    try:
        return Path(arg).read_text(encoding="utf-8")
    except OSError as exc:
        raise JitbenchError(
            f"variant {variant.name!r}: cannot read JIT list {arg!r}: "
            f"{exc.strerror}; fix the path in its mode"
        ) from None


def launch(variant: Variant) -> Launch:
    """Env vars and the cinderx pre-import that put a process in the variant's mode."""
    head, arg = parse_mode(variant.mode)
    if head == "nojit":
        # The package's pure-Python stub: this is stock CPython, whatever else imports cinderx.
        return Launch(env={"CINDERX_DISABLE": "1"})
    env: dict[str, str] = {}
    if head == "nojit-loaded":
        env.update(_setting("DISABLE", "1"))
    elif head == "autojit" and arg is None:
        env.update(_setting("AUTO", "1"))
    elif head == "autojit":
        env.update(_setting("COMPILE_N_CALLS", str(arg)))
    elif head == "jit-all":
        env.update(_setting("ALL", "1"))
    elif head == "jitlist":
        env.update(_setting("LIST_FILE", JIT_LIST_PATH))
        env[JIT_LIST_ENV] = jit_list_text(variant)
    options = dict(variant.jit_options)
    for key, suffix in OPTIONS.items():
        if key in options:
            env.update(_setting(suffix, "1" if options[key] else "0"))
    if options.get(LOG_OPTION):
        env.update(_setting("DEBUG", "1"))
        env.update(_setting("DEBUG_INLINER", "1"))
        env.update(_setting("LOG_FILE", LOG_PATH))
    return Launch(env=env, pre_import=("cinderx",))


def _not_importable(variant: Variant, why: str) -> str:
    return (
        f"variant {variant.name!r}: cinderx is not importable in runtime "
        f"{variant.runtime.name!r} ({why}); install the cinderx wheel into that interpreter"
    )


def preflight(variant: Variant, record: dict) -> str | None:
    """A one-line error when the preflight shows cinderx missing or not initialised."""
    head, _ = parse_mode(variant.mode)
    if head == "nojit":
        return None
    error = str(record.get("error", ""))
    if record["status"] != "ok" and "No module named 'cinderx'" in error:
        return _not_importable(variant, error)
    cx = record.get("jit", {}).get("cinderx")
    if cx is not None and cx.get("loaded") and not cx.get("initialized"):
        why = cx.get("import_error") or "cinderx.is_initialized() is false"
        return (
            f"variant {variant.name!r}: cinderx is installed in runtime "
            f"{variant.runtime.name!r} but did not initialise ({why}); remove what disables "
            "it from the variant's env, or install a cinderx wheel built for that interpreter"
        )
    return None


def verify(variant: Variant, jit: dict) -> str | None:
    """Why the variant's mode did not take effect in this process; None when it did."""
    head, arg = parse_mode(variant.mode)
    cx = jit.get("cinderx", {})
    if head == "nojit":
        if cx.get("initialized") or cx.get("compiled_count"):
            return "CINDERX_DISABLE=1 was set but the cinderx extension was initialised"
        return None
    if not cx.get("initialized"):
        return "cinderx did not initialise: " + (
            cx.get("import_error") or "cinderx.get_import_error() gave no reason"
        )
    if head == "nojit-loaded":
        if cx.get("enabled") or cx.get("compiled_count"):
            return "CINDERX_JIT_DISABLE=1 was set but the JIT is enabled"
        return None
    if not cx.get("enabled"):
        return (
            "the JIT is not enabled (cinderx.jit.is_enabled() is false; a profiler or tracer, "
            "or CINDERX_JIT_DISABLE in the environment, turns it off)"
        )
    # Only a measured run must show compiled code; preflight and calibration may be too short.
    if jit.get(protocol.Result.ACTION) == protocol.Action.RUN and not cx.get("compiled_count"):
        if head == "autojit":
            return (
                f"no function was compiled (no function reached "
                f"{arg or 'the default'} calls); lower N or run longer"
            )
        if head == "jitlist":
            listed = len(_entries(jit_list_text(variant)))
            return f"none of the {listed} functions in the JIT list was compiled"
        return "no function was compiled"
    return None


def idle(variant: Variant, jit: dict) -> bool:
    """The JIT was on and working, but no function got hot enough to compile (autojit=N)."""
    head, _ = parse_mode(variant.mode)
    cx = jit.get("cinderx", {})
    return (
        head == "autojit"
        and bool(cx.get("initialized"))
        and bool(cx.get("enabled"))
        and not cx.get("compiled_count")
    )


def code_dump_env(code: str) -> dict[str, str]:
    """Env vars that make CinderX dump each compiled function's ``code`` (asm, hir, lir) into the
    JIT log the process ships back."""
    from ..profile.code import dump_env

    return {**dump_env(code), "CINDERX_JIT_LOG_FILE": LOG_PATH}


def _entries(text: str) -> list[str]:
    return [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]


RunOne = Callable[[Variant, Benchmark, dict], dict]


def prepare(
    variant: Variant, benchmarks: list[Benchmark], run: RunOne, min_time: float
) -> tuple[Variant, dict] | None:
    """jitlist=auto: profile each benchmark once under auto mode and list what got compiled.

    Returns the variant carrying its generated list, and a note for the artifact; None when the
    variant needs no preparation.
    """
    if parse_mode(variant.mode) != ("jitlist", "auto"):
        return None
    profile = replace(
        variant,
        name=f"{variant.name}-profile",
        mode=PROFILE_MODE,
        env=tuple(kv for kv in variant.env if kv[0] != JIT_LIST_ENV),
    )
    names: dict[str, None] = {}
    per_bench = {}
    for bench in benchmarks:
        rec = run(profile, bench, protocol.calibrate_task(min_time * 1e9))
        if rec["status"] != "ok":
            raise JitbenchError(
                f"variant {variant.name!r}: the jitlist=auto profiling run of "
                f"{bench.name!r} failed: {rec.get('error')}; fix that first"
            )
        found = [
            n
            for n in rec.get(protocol.Result.JIT, {}).get("cinderx", {}).get("sizes", {})
            if not n.startswith("<invalid>") and ":" in n
        ]
        per_bench[bench.name] = len(found)
        names.update(dict.fromkeys(found))
    if not names:
        raise JitbenchError(
            f"variant {variant.name!r}: the jitlist=auto profiling run compiled "
            "no function; raise --min-time so the benchmark runs longer"
        )
    text = "".join(f"{n}\n" for n in names)
    env = tuple(kv for kv in variant.env if kv[0] != JIT_LIST_ENV) + ((JIT_LIST_ENV, text),)
    note = {
        "jit_list": {
            "source": "profile",
            "profile_mode": PROFILE_MODE,
            "functions": len(names),
            "per_benchmark": per_bench,
        }
    }
    return replace(variant, env=env), note


# What a process's ``jit["cinderx"]`` record says (see runner/jitbench_probes.py).


def enabled(jit: dict) -> bool | None:
    """Whether the JIT was on, when the extension was loaded in the process."""
    cx = jit.get("cinderx")
    return bool(cx.get("enabled")) if isinstance(cx, dict) and cx.get("loaded") else None


def compiled(jit: dict) -> int | None:
    """Functions the JIT compiled in the process."""
    return count((jit.get("cinderx") or {}).get("compiled_count"))


def code_bytes(jit: dict) -> int | None:
    """Bytes of machine code the JIT produced in the process."""
    return count((jit.get("cinderx") or {}).get("code_bytes"))


def log(jit: dict) -> dict | None:
    """The JIT log the process carried back (``jit_options.log``), when it did."""
    entry = (jit.get("cinderx") or {}).get("log")
    return entry if isinstance(entry, dict) and "data" in entry else None


def function_name(frame: str) -> str | None:
    """``module:qualname`` of a frame in perf's map that names JIT code, else None."""
    return frame[len(PERF_MAP_PREFIX) :] if frame.startswith(PERF_MAP_PREFIX) else None


def function_facts(records: list[ProcessRecord], name: str) -> dict | None:
    """What the JIT says about ``name`` in a variant's processes: compiled, size, HIR, deopts;
    None when no process carries a CinderX record."""
    sizes, opcodes, deopts, n = [], None, 0, 0
    qualname = name.split(":", 1)[-1]
    for r in records:
        cx = (r.jit or {}).get("cinderx") or {}
        if not cx:
            continue
        n += 1
        if name in (cx.get("sizes") or {}):
            sizes.append(cx["sizes"][name])
        for d in cx.get("compiled") or []:
            if d.get("name") == name and opcodes is None:
                opcodes = d.get("hir_opcodes") or {}
        for site in (cx.get("deopts") or {}).get("top") or []:
            if site.get("function") == qualname:
                deopts += site.get("count") or 0
    if not n:
        return None
    return {
        "compiled": bool(sizes),
        "processes": n,
        "code_size": statistics.median(sizes) if sizes else None,
        "hir_opcodes": opcodes,
        "deopts": deopts / n,
    }


def code_view(result: Result, variant: str, benchmark: str) -> CodeView | None:
    """Aggregate a variant's processes; None when none of them carries CinderX data."""
    records = [
        j["cinderx"]
        for j in runs(result, variant, benchmark)
        if j.get("cinderx", {}).get("initialized")
    ]
    if not records:
        return None
    functions: dict[str, FunctionView] = {}
    for rec in records:
        sizes = dict(rec.get("sizes") or {})
        for entry in rec.get("compiled") or []:
            sizes.setdefault(entry["name"], entry["code_size"])
        for fname, size in sizes.items():
            functions.setdefault(fname, FunctionView(fname)).sizes.append(int(size))
        for entry in rec.get("compiled") or []:
            fv = functions[entry["name"]]
            if fv.details is None:
                fv.details = entry
    reasons: Counter = Counter()
    for rec in records:
        reasons.update((rec.get("deopts") or {}).get("by_reason") or {})
    return CodeView(
        variant=variant,
        processes=len(records),
        functions=functions,
        compiled_count=mean([r.get("compiled_count") for r in records]) or 0.0,
        code_bytes=mean([r.get("code_bytes") for r in records]) or 0.0,
        compile_time_ms=mean([r.get("compile_time_ms") for r in records]),
        deopts=mean([(r.get("deopts") or {}).get("total") for r in records]),
        deopt_reasons=reasons,
    )


def ranking(view: CodeView, top: int) -> list[dict]:
    """The ``top`` largest compiled functions with what the probe knows about each."""
    rows = []
    for f in view.ranked()[:top]:
        d = f.details or {}
        rows.append(
            {
                "name": f.name,
                "code_size": f.code_size,
                "processes": len(f.sizes),
                "stack_size": d.get("stack_size"),
                "spill_stack_size": d.get("spill_stack_size"),
                "compile_time_ms": d.get("compile_time_ms"),
                "inlined": d.get("inlined"),
                "hir_instructions": sum((d.get("hir_opcodes") or {}).values()) or None,
            }
        )
    return rows


def opcode_mix(view: CodeView, top: int) -> dict:
    """HIR opcode counts of the ``top`` largest functions, and their combined composition."""
    per_function = {
        f.name: dict(
            sorted((f.details or {}).get("hir_opcodes", {}).items(), key=lambda kv: (-kv[1], kv[0]))
        )
        for f in view.ranked()[:top]
        if f.details
    }
    total: Counter = Counter()
    for ops in per_function.values():
        total.update(ops)
    n = sum(total.values()) or 1
    return {
        "functions": per_function,
        "composition": {
            op: {"count": c, "share_pct": round(100 * c / n, 2)} for op, c in total.most_common()
        },
    }


SUMMARY_COLUMNS = (
    SummaryColumn("compiled", "compiled_count", 1),
    SummaryColumn("code bytes", "code_bytes"),
    SummaryColumn("compile ms", "compile_time_ms"),
    SummaryColumn("deopts", "deopts", 1),
)


def jit_summary(result: Result, variant: str, benchmark: str, top: int) -> dict | None:
    """``jitbench jit``'s entry: totals per process, the largest functions, their HIR mix."""
    cx = code_view(result, variant, benchmark)
    if cx is None:
        return None
    return {
        "kind": name,
        "processes": cx.processes,
        "compiled_count": cx.compiled_count,
        "code_bytes": cx.code_bytes,
        "compile_time_ms": cx.compile_time_ms,
        "deopts": cx.deopts,
        "deopt_reasons": dict(cx.deopt_reasons.most_common()),
        "top": ranking(cx, top),
        "opcode_mix": opcode_mix(cx, min(top, 5)),
    }
