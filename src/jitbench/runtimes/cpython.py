"""CPython's own JIT (3.13+ builds with it): ``PYTHON_JIT`` at start-up, checked with ``sys._jit``
(3.14+) and the executors the JIT attached to code objects."""

from __future__ import annotations

import re

from ..model import Variant
from ..results.model import Result
from ..runner import jitbench_protocol as protocol
from .base import Launch, PerfNames, SummaryColumn
from .compiled import count, mean, runs

name = "cpython"
# Rough seconds a process takes beyond its measured values (start-up, facts), for
# run-time estimates: measured on an idle 2-core VM, the demo's modes averaged.
START_S = 0.1
MODES = ("nojit", "jit")
PROBES: tuple[str, ...] = (protocol.Probe.CPYTHON,)
# Profiling: 3.12+ names every Python function in /tmp/perf-PID.map (``py::`` trampolines).
PERF_MAP_ENV = {"PYTHONPERFSUPPORT": "1"}
# -X perf trampolines name Python functions "py::qualname:file"; -X perf_jit's code is anonymous.
PERF_NAMES = PerfNames(
    jit=(r"\[JIT\]", r"\[anon\]", r"\[//anon\]"),
    python_function=(r"py::",),
    # GCC splits the eval loop's cold paths into "_PyEval_EvalFrameDefault.cold".
    interpreter=(
        r"py::.*",
        r"_PyEval_EvalFrameDefault(\.cold)?",
        r"_PyEval_EvalFrame",
        r"PyEval_EvalCode",
    ),
    gc=(
        r"^gc_collect",
        r"^_PyGC_",
        r"^PyGC_",
        r"^gc_",
        r"deduce_unreachable",
        r"move_unreachable",
        r"subtract_refs",
        r"update_refs",
        r"visit_reachable",
        r"visit_decref",
    ),
    runtime=(r"^_?Py",),
    unsymbolised=(r"\[(lib)?python[\w.\-]*\]",),
)

# Debian's python3.X and libpython3.X are stripped; the package python3.X-dbg (libpython3.X-dbg)
# carries their debug files under /usr/lib/debug/.build-id. perf on the host cannot read the
# build id of a binary inside a chroot, so there it only finds them by path (--symfs ROOT).
_DEBIAN_BINARY = re.compile(r"(lib)?python(3\.\d+)(\.so[\d.]*)?")


def symbols_hint(binary: str) -> str | None:
    """How to give perf the symbols of a stripped CPython binary; None for another binary."""
    m = _DEBIAN_BINARY.fullmatch(binary)
    if m is None:
        return None
    return (
        f"install its debug symbols where the runtime runs (Debian: apt-get install "
        f"{m[1] or ''}python{m[2]}-dbg; for a chroot runtime perf also needs its build-id "
        "debug file at ROOT/usr/lib/debug/PATH.debug, PATH being the binary's own path)"
    )


def check(variant: Variant) -> tuple[str, str] | None:
    """(key, problem) for a mode CPython does not have; it takes no jit_options."""
    mode = variant.mode
    if mode is not None and mode not in MODES:
        return ("mode", f"unknown mode {mode!r} for a cpython runtime; allowed: {', '.join(MODES)}")
    if variant.jit_options:
        return (
            "jit_options",
            "cpython runtimes take no jit_options; use env for PYTHON_JIT_* knobs",
        )
    return None


def launch(variant: Variant) -> Launch:
    """PYTHON_JIT is read at start-up, so it goes in the environment at exec time."""
    if variant.mode == "jit":
        return Launch(env={"PYTHON_JIT": "1"})
    if variant.mode == "nojit":
        return Launch(env={"PYTHON_JIT": "0"})
    return Launch()


def verify(variant: Variant, jit: dict) -> str | None:
    """Why the mode did not take effect in this process; None when it did."""
    cp = jit.get("cpython", {})
    if variant.mode == "jit":
        if "available" not in cp:
            return (
                "this interpreter has no sys._jit (CPython 3.14+ reports its JIT there), so "
                "the JIT cannot be confirmed; use a CPython 3.14 built with the JIT"
            )
        if not cp.get("available"):
            return "this CPython was built without the JIT (sys._jit.is_available() is false)"
        if not cp.get("enabled"):
            return "PYTHON_JIT=1 was set but sys._jit.is_enabled() is false"
        # The JIT compiles hot loops only; a measured run that made no executor ran interpreted.
        if jit.get(protocol.Result.ACTION) == protocol.Action.RUN and not cp.get("executors"):
            return "the JIT is enabled but compiled no trace (no executor on any function's code)"
    if variant.mode == "nojit" and cp.get("enabled"):
        return "PYTHON_JIT=0 was set but sys._jit.is_enabled() is true"
    return None


# What a process's ``jit["cpython"]`` record says (``sys._jit`` and executors).


def enabled(jit: dict) -> bool | None:
    """Whether the JIT was on, when the record says."""
    value = (jit.get("cpython") or {}).get("enabled")
    return value if isinstance(value, bool) else None


def compiled(jit: dict) -> int | None:
    """Functions whose code carries an executor in the process."""
    return count((jit.get("cpython") or {}).get("functions"))


def code_bytes(jit: dict) -> int | None:
    """Bytes of machine code the JIT produced in the process."""
    return count((jit.get("cpython") or {}).get("jit_code_bytes"))


SUMMARY_COLUMNS = (
    SummaryColumn("compiled", "functions", 1),
    SummaryColumn("code bytes", "jit_code_bytes"),
    SummaryColumn("executors", "executors", 1),
    SummaryColumn("uops", "uops", 1),
)


def jit_summary(result: Result, variant: str, benchmark: str, top: int) -> dict | None:
    """Mean executors, uops and JIT code bytes per process; None without CPython JIT data."""
    recs = [
        j["cpython"]
        for j in runs(result, variant, benchmark)
        if j.get("cpython", {}).get("enabled")
    ]
    if not recs:
        return None
    return {
        "kind": name,
        "processes": len(recs),
        **{
            k: mean([r.get(k) for r in recs])
            for k in ("executors", "functions", "uops", "jit_code_bytes")
        },
    }
