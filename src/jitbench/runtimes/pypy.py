"""PyPy: ``--jit off``, the default JIT, or ``--jit key=value,...``; proof from the JIT's own
counters (the figures ``PYPYLOG=jit-summary`` prints at exit), read inside the target."""

from __future__ import annotations

from collections import Counter

from ..model import Variant
from ..results.model import Result
from ..runner import jitbench_protocol as protocol
from .base import Launch, PerfNames, SummaryColumn
from .compiled import count, mean, runs

name = "pypy"
# Rough seconds a process takes beyond its measured values (start-up, facts), for
# run-time estimates: measured on an idle 2-core VM, the demo's modes averaged.
START_S = 0.15

MODES = ("nojit", "jit", "jit:KEY=N,...")
PROBES: tuple[str, ...] = (protocol.Probe.PYPY,)
# Profiling: PyPy writes no perf map; its JIT code stays unnamed ([JIT], anonymous memory).
PERF_MAP_ENV: dict[str, str] = {}
PERF_NAMES = PerfNames(
    interpreter=(r"pypy_g_\w*dispatch\w*", r"pypy_g_execute_frame\w*"),
    gc=(r"^pypy_g_\w*(minor_collection|major_collection|IncrementalMiniMark)",),
    runtime=(r"^pypy_g_",),
    unsymbolised=(r"\[(lib)?pypy[\w.\-]*\]",),
)

# `pypy3 --jit help` (PyPy 7.3); an unknown key makes PyPy refuse to start, so catch it here.
PARAMETERS = (
    "decay",
    "disable_unrolling",
    "enable_opts",
    "function_threshold",
    "inlining",
    "loop_longevity",
    "max_retrace_guards",
    "max_unroll_loops",
    "max_unroll_recursion",
    "pureop_historylength",
    "retrace_limit",
    "threshold",
    "trace_eagerness",
    "trace_limit",
    "vec",
    "vec_all",
    "vec_cost",
)
# The one parameter whose value is not an integer (e.g. "all" or "intbounds:rewrite").
STRING_PARAMETERS = ("enable_opts",)


def parse_mode(mode: str | None) -> tuple[str, dict[str, str]]:
    """('jit', {'threshold': '100'}) for 'jit:threshold=100'; None means the default JIT."""
    if mode is None:
        return "jit", {}
    head, sep, rest = mode.partition(":")
    params: dict[str, str] = {}
    if sep:
        for item in rest.split(","):
            key, eq, value = item.strip().partition("=")
            params[key] = value if eq else ""
    return head, params


def _param_problem(key: str, value: object) -> str | None:
    if key not in PARAMETERS:
        return f"unknown PyPy JIT parameter {key!r}; allowed: {', '.join(PARAMETERS)}"
    if key in STRING_PARAMETERS:
        return None if isinstance(value, str) and value else f"{key} needs a value"
    text = str(value)
    if isinstance(value, bool) or not text.isdigit():
        return f"{key} needs a non-negative integer, got {value!r}"
    return None


def check(variant: Variant) -> tuple[str, str] | None:
    """(key, problem) for a mode or JIT parameter PyPy does not have."""
    head, params = parse_mode(variant.mode)
    if head not in ("nojit", "jit") or (head == "nojit" and params):
        return (
            "mode",
            f"unknown mode {variant.mode!r} for a pypy runtime; allowed: "
            f"{', '.join(MODES)} (e.g. jit:threshold=200,function_threshold=300)",
        )
    for key, value in params.items():
        problem = _param_problem(key, value)
        if problem is not None:
            return ("mode", problem)
    for key, option in variant.jit_options:
        problem = _param_problem(key, option)
        if problem is not None:
            return (f"jit_options.{key}", problem)
    return None


def jit_parameters(variant: Variant) -> dict[str, str]:
    """The --jit parameters: the mode's first, jit_options on top."""
    _, params = parse_mode(variant.mode)
    params.update({k: str(v) for k, v in variant.jit_options})
    return params


def launch(variant: Variant) -> Launch:
    """Interpreter arguments (before -c) that put a process in the variant's mode."""
    head, _ = parse_mode(variant.mode)
    if head == "nojit":
        return Launch(args=("--jit", "off"))
    params = jit_parameters(variant)
    if not params:
        return Launch()
    return Launch(args=("--jit", ",".join(f"{k}={v}" for k, v in params.items())))


def verify(variant: Variant, jit: dict) -> str | None:
    """Why the mode did not take effect, judged from the JIT's counters; None when it did."""
    head, _ = parse_mode(variant.mode)
    pp = jit.get("pypy", {})
    if "loops" not in pp:
        return "this interpreter is not PyPy (no JIT counters came back); check the runtime's kind"
    compiled = (pp.get("loops") or 0) + (pp.get("bridges") or 0)
    if head == "nojit":
        if compiled:
            return f"--jit off was given but {compiled} loops/bridges were compiled"
        return None
    if not pp.get("available"):
        return "this PyPy was translated without a JIT"
    if jit.get(protocol.Result.ACTION) == protocol.Action.RUN and not compiled:
        return (
            "no loop was compiled (the JIT never reached its thresholds: "
            + (", ".join(f"{k}={v}" for k, v in jit_parameters(variant).items()) or "defaults")
            + "); lower threshold/function_threshold or run longer"
        )
    return None


# What a process's ``jit["pypy"]`` record says (the JIT's counters, see runner/jitbench_probes.py).


def enabled(jit: dict) -> bool | None:
    """Whether the JIT was on, when the record says."""
    value = (jit.get("pypy") or {}).get("enabled")
    return value if isinstance(value, bool) else None


def compiled(jit: dict) -> int | None:
    """Loops the JIT compiled in the process."""
    return count((jit.get("pypy") or {}).get("loops"))


def code_bytes(jit: dict) -> int | None:
    """Bytes of machine code the JIT produced in the process."""
    return count((jit.get("pypy") or {}).get("asm_bytes"))


SUMMARY_KEYS = (
    "loops",
    "bridges",
    "aborts",
    "traces",
    "freed_loops",
    "freed_bridges",
    "asm_bytes",
    "tracing_s",
    "backend_s",
)


SUMMARY_COLUMNS = (
    SummaryColumn("compiled", "loops", 1),
    SummaryColumn("code bytes", "asm_bytes"),
    SummaryColumn("bridges", "bridges", 1),
    SummaryColumn("aborts", "aborts", 1),
)


def jit_summary(result: Result, variant: str, benchmark: str, top: int) -> dict | None:
    """Mean JIT counters per process (loops, bridges, aborts, ...); None without PyPy data."""
    recs = [j["pypy"] for j in runs(result, variant, benchmark) if "loops" in j.get("pypy", {})]
    if not recs:
        return None
    reasons: Counter = Counter()
    for r in recs:
        reasons.update(r.get("aborts_by_reason") or {})
    return {
        "kind": name,
        "processes": len(recs),
        **{k: mean([r.get(k) for r in recs]) for k in SUMMARY_KEYS},
        "aborts_by_reason": {k: v / len(recs) for k, v in reasons.most_common()},
    }
