"""Runtime facts and JIT proof, collected inside the measured interpreter.

Standard library only; Python 3.9+ and PyPy. ``prepare`` runs before the pre-imports (files and
paths the JIT reads when it loads); ``facts`` describes the interpreter before anything is
measured; ``before`` runs just before the benchmark is loaded; ``events_reader`` gives what is read
between values; ``after`` runs after the last timed value (introspection must never run inside
timing); ``codesize`` compiles generated functions one by one for ``jitbench codesize``. Which JITs
they look at is what the task's probes name (``Task.PROBES``, declared by the variant's runtime
kind); CinderX's state is also reported wherever it was imported. Nothing here may raise into the
runner: a probe that fails reports its error in the result instead, so the measured values are
never lost.
"""

import base64
import contextlib
import gc
import json
import os
import platform
import sys
import zlib

from jitbench_protocol import Probe, Result, Task

# Host-side runtime modules name target-side paths as "{jitbench_tmp}/..." (see prepare).
TMP_PLACEHOLDER = "{jitbench_tmp}"
FILE_PREFIX = "JITBENCH_FILE_"

# Full details for this many of the largest compiled functions; names and sizes for this many.
TOP_DETAILS = 50
MAX_SIZES = 2000
TOP_DEOPT_SITES = 10
# A JIT log larger than this is cut (its head is kept) before it travels back.
MAX_LOG_BYTES = 4 * 1024 * 1024


def prepare(task, root):
    """Write JITBENCH_FILE_<KEY> contents to files and point "{jitbench_tmp}" env values at them.

    Runs before the pre-imports, because CinderX reads its env vars when it is imported.
    """
    tmp = os.path.join(root, "jit")
    os.makedirs(tmp, exist_ok=True)
    for key in [k for k in os.environ if k.startswith(FILE_PREFIX)]:
        with open(os.path.join(tmp, key[len(FILE_PREFIX) :].lower()), "w") as f:
            f.write(os.environ.pop(key))
    for key, value in list(os.environ.items()):
        if TMP_PLACEHOLDER in value:
            os.environ[key] = value.replace(TMP_PLACEHOLDER, tmp)


def _guard(fn, *args):
    """Run one probe; its failure becomes {"error": ...} instead of losing the process."""
    try:
        return fn(*args)
    except Exception as exc:  # noqa: BLE001
        return {"error": "%s: %s" % (type(exc).__name__, exc)}


# --- CPython's own JIT -------------------------------------------------------------------------


def _cpython_jit(introspect):
    jit = getattr(sys, "_jit", None)
    if jit is None:
        return {}
    out = {}
    for name in ("is_available", "is_enabled"):
        fn = getattr(jit, name, None)
        if fn is not None:
            out[name[3:]] = bool(fn())
    if introspect and out.get("enabled"):
        out.update(_cpython_executors())
    return out


def _cpython_executors():
    """Executors (compiled traces) on every live function's code, with their machine code size.

    ``sys._jit.is_active()`` only says whether the *current* frame runs JIT code, so it proves
    nothing after the run; the executors attached to code objects do.
    """
    import _opcode
    import opcode

    enter = opcode.opmap.get("ENTER_EXECUTOR")
    get_executor = getattr(_opcode, "get_executor", None)
    if enter is None or get_executor is None:
        return {}
    executors = uops = code_bytes = 0
    functions = 0
    seen = set()
    for obj in gc.get_objects():
        code = getattr(obj, "__code__", None)
        raw = getattr(code, "_co_code_adaptive", None)
        if raw is None or id(code) in seen:
            continue
        seen.add(id(code))
        found = 0
        for offset in range(0, len(raw), 2):
            if raw[offset] != enter:
                continue
            try:
                ex = get_executor(code, offset)
            except ValueError:  # a cache entry whose first byte looks like ENTER_EXECUTOR
                continue
            found += 1
            with contextlib.suppress(TypeError):  # older executors are not sequences of uops
                uops += len(ex)
            get_code = getattr(ex, "get_jit_code", None)
            if get_code is not None:
                code_bytes += len(get_code() or b"")
        if found:
            executors += found
            functions += 1
    return {
        "executors": executors,
        "functions": functions,
        "uops": uops,
        "jit_code_bytes": code_bytes,
    }


# --- PyPy --------------------------------------------------------------------------------------


def _pypy_counters():
    """The JIT's counters (what PYPYLOG=jit-summary prints at exit), read in a forked child.

    ``pypyjit.get_stats_snapshot()`` segfaults when the JIT has compiled nothing (``--jit off``);
    in a child that costs nothing but the figures.
    """
    import pypyjit

    if not hasattr(os, "fork"):
        return None
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into the runner
        try:
            os.close(read_fd)
            snap = pypyjit.get_stats_snapshot()
            data = json.dumps(
                {"counters": dict(snap.counters), "times": dict(snap.counter_times)}
            ).encode("utf-8")
            while data:
                data = data[os.write(write_fd, data) :]
        finally:
            os._exit(0)
    os.close(write_fd)
    chunks = []
    while True:
        chunk = os.read(read_fd, 65536)
        if not chunk:
            break
        chunks.append(chunk)
    os.close(read_fd)
    os.waitpid(pid, 0)
    return json.loads(b"".join(chunks).decode("utf-8")) if chunks else None


def _pypy(introspect):
    if sys.implementation.name != "pypy":
        return {}
    info = getattr(sys, "pypy_translation_info", {})
    out: dict = {"available": bool(info.get("translation.jit", False))}
    if not introspect:
        return out
    import pypyjit

    reserved, used = pypyjit.get_stats_asmmemmgr()
    out["asm_bytes"] = used
    snap = _pypy_counters() if reserved else None
    c = (snap or {}).get("counters", {})
    times = (snap or {}).get("times", {})
    out.update(
        {
            "loops": c.get("TOTAL_COMPILED_LOOPS", 0),
            "bridges": c.get("TOTAL_COMPILED_BRIDGES", 0),
            "freed_loops": c.get("TOTAL_FREED_LOOPS", 0),
            "freed_bridges": c.get("TOTAL_FREED_BRIDGES", 0),
            "traces": c.get("TRACING", 0),
            "aborts": sum(v for k, v in c.items() if k.startswith("ABORT_")),
            "aborts_by_reason": {
                k[len("ABORT_") :].lower(): v for k, v in c.items() if k.startswith("ABORT_") and v
            },
            "tracing_s": times.get("TRACING"),
            "backend_s": times.get("BACKEND"),
            "counters": c,
        }
    )
    if reserved and snap is None:
        out["counters_error"] = "the JIT counters could not be read"
    return out


# --- CinderX -----------------------------------------------------------------------------------


def _cinderx_jit():
    """cinderx.jit when cinderx was imported (the stub package also has one)."""
    if "cinderx" not in sys.modules:
        return None
    try:
        import cinderx.jit as jit
    except ImportError:
        return None
    return jit


def _cinderx(introspect):
    cx = sys.modules.get("cinderx")
    out: dict = {"loaded": cx is not None, "initialized": False, "enabled": False}
    if cx is None:
        return out
    fn = getattr(cx, "is_initialized", None)
    out["initialized"] = bool(fn()) if fn is not None else False
    err = getattr(cx, "get_import_error", None)
    if err is not None and err() is not None:
        out["import_error"] = "%s: %s" % (type(err()).__name__, err())
    jit = _cinderx_jit()
    if jit is None:
        return out
    wait = getattr(jit, "wait_for_background_compiles", None)
    if wait is not None:
        wait()  # compilation runs on a background thread: let it finish before looking
    out["enabled"] = bool(jit.is_enabled())
    if not introspect:
        return out
    out.update(_cinderx_compiled(jit))
    out["deopts"] = _guard(_cinderx_deopts, jit)
    out["compile_time_ms"] = _call(jit, "get_compilation_time")
    out["allocator"] = _call(jit, "get_allocator_stats")
    log = _guard(_cinderx_log)
    if log:
        out["log"] = log
    return out


def _call(mod, name, *args):
    fn = getattr(mod, name, None)
    if fn is None:
        return None
    try:
        return fn(*args)
    except Exception:  # noqa: BLE001 - a getter that does not apply to this function
        return None


def _nonneg(value):
    return value if isinstance(value, int) and value >= 0 else None


def _function_name(f):
    return "%s:%s" % (
        getattr(f, "__module__", None) or "<invalid>",
        getattr(f, "__qualname__", None) or getattr(f, "__name__", "?"),
    )


def _cinderx_compiled(jit):
    """Compiled functions: totals, sizes of all (by name), details of the largest."""
    funcs = list(_call(jit, "get_compiled_functions") or [])
    sized = []
    for f in funcs:
        size = _nonneg(_call(jit, "get_compiled_size", f))
        if size is not None:
            sized.append((size, _function_name(f), f))
    sized.sort(key=lambda t: (-t[0], t[1]))
    sizes: dict = {}
    for size, fname, _ in sized:
        # Several function objects can share a name (closures made twice): add their code up.
        sizes[fname] = sizes.get(fname, 0) + size
    details = []
    for size, fname, f in sized[:TOP_DETAILS]:
        stats = _call(jit, "get_inlined_functions_stats", f) or {}
        failures = {
            str(reason): len(names) for reason, names in (stats.get("failure_stats") or {}).items()
        }
        ms = _call(jit, "get_function_compilation_time", f)
        details.append(
            {
                "name": fname,
                "code_size": size,
                "stack_size": _nonneg(_call(jit, "get_compiled_stack_size", f)),
                "spill_stack_size": _nonneg(_call(jit, "get_compiled_spill_stack_size", f)),
                # CinderX reports whole milliseconds (truncated).
                "compile_time_ms": float(ms) if isinstance(ms, int) else None,
                "hir_opcodes": dict(_call(jit, "get_function_hir_opcode_counts", f) or {}),
                "inlined": _nonneg(_call(jit, "get_num_inlined_functions", f)),
                "inline_failures": failures,
            }
        )
    kept = dict(sorted(sizes.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_SIZES])
    return {
        "compiled_count": len(sized),
        "code_bytes": sum(s for s, _, _ in sized),
        "compiled": details,
        "sizes": kept,
        "sizes_truncated": len(sizes) > len(kept),
    }


# Deopt entries taken out of CinderX between values (events); ``after`` adds them back.
_deopts_seen: list = []


def _take_deopts(jit):
    """Deopt entries since the last call (CinderX clears them when read); kept for ``after``."""
    entries = list((_call(jit, "get_and_clear_runtime_stats") or {}).get("deopt", []) or [])
    _deopts_seen.extend(entries)
    return entries


def _cinderx_deopts(jit):
    """Deopt events since ``before``: total, by reason, and the busiest sites."""
    _take_deopts(jit)
    total = 0
    by_reason: dict = {}
    sites = []
    for entry in _deopts_seen:
        normal = entry.get("normal", {})
        count = entry.get("int", {}).get("count", 0)
        total += count
        reason = normal.get("reason", "?")
        by_reason[reason] = by_reason.get(reason, 0) + count
        sites.append(
            {
                "function": normal.get("func_qualname"),
                "line": entry.get("int", {}).get("lineno"),
                "reason": reason,
                "description": normal.get("description"),
                "guilty_type": normal.get("guilty_type"),
                "count": count,
            }
        )
    sites.sort(key=lambda s: -s["count"])
    return {"total": total, "by_reason": by_reason, "top": sites[:TOP_DEOPT_SITES]}


def _cinderx_log():
    """The JIT debug log of this process, when the variant asked for one (jit_options.log)."""
    path = os.environ.get("CINDERX_JIT_LOG_FILE") or os.environ.get("PYTHONJITLOGFILE")
    if not path:
        return None
    path = path.replace("{pid}", str(os.getpid()))
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_LOG_BYTES + 1)
    except OSError as exc:
        return {"error": "cannot read %s: %s" % (os.path.basename(path), exc.strerror)}
    truncated = len(data) > MAX_LOG_BYTES
    data = data[:MAX_LOG_BYTES]
    # Logs compress ~10x; the artifact keeps them small and the host decodes them (jitlog.py).
    return {
        "encoding": "zlib+base64",
        "bytes": len(data),
        "truncated": truncated,
        "data": base64.b64encode(zlib.compress(data, 6)).decode("ascii"),
    }


# --- the hooks the runner calls ----------------------------------------------------------------


def _jit_state(task, introspect):
    """What each probe the runtime kind declares finds; CinderX's also wherever it was imported."""
    probes = task.get(Task.PROBES, ())
    out = {}
    for name, probe in ((Probe.CPYTHON, _cpython_jit), (Probe.PYPY, _pypy)):
        found = _guard(probe, introspect) if name in probes else None
        if found:
            out[name] = found
    if Probe.CINDERX in probes or "cinderx" in sys.modules:
        out[Probe.CINDERX] = _guard(_cinderx, introspect)
    return out


def facts(task):
    """Describe the interpreter: implementation, version, executable, JIT availability."""
    impl = sys.implementation
    out = {
        "implementation": impl.name,
        "version": "%d.%d.%d" % tuple(sys.version_info[:3]),
        "version_full": sys.version,
        "executable": sys.executable,
        "machine": platform.machine(),
        "pid": os.getpid(),
        "cache_tag": getattr(impl, "cache_tag", None),
    }
    if hasattr(sys, "pypy_version_info"):
        out["pypy_version"] = "%d.%d.%d" % tuple(sys.pypy_version_info[:3])
    cx = sys.modules.get("cinderx")
    if cx is not None and getattr(cx, "__version__", None):
        out["cinderx_version"] = str(cx.__version__)
    out[Result.JIT] = _jit_state(task, introspect=False)
    return out


def before(task):
    """Just before the benchmark loads: import cinderx.jit now (outside timing), zero deopts."""
    jit = _cinderx_jit()
    if jit is not None:
        _call(jit, "get_and_clear_runtime_stats")
    del _deopts_seen[:]


def events_reader(task):
    """The reader of cheap JIT and GC counters between values, for the probes the task declares.

    Each call returns totals so far in this process. ``gc``: collections (CPython). Probe
    ``cinderx``: ``compiled``, functions CinderX has compiled (what the background thread finished
    so far), and ``deopts``. Probe ``cpython``: ``executors``, CPython's JIT traces alive.
    """
    probes = task.get(Task.PROBES, ())
    readers = [_gc_events]
    if Probe.CINDERX in probes:
        readers.append(_cinderx_events)
    if Probe.CPYTHON in probes:
        readers.append(_cpython_events)

    def events():
        out = {}
        for read in readers:
            out.update(read())
        return out

    return events


def _gc_events():
    stats = getattr(gc, "get_stats", None)
    if stats is None or sys.implementation.name != "cpython":
        return {}
    return {"gc": sum(s.get("collections", 0) for s in stats())}


def _cinderx_events():
    jit = _cinderx_jit()
    if jit is None:
        return {}  # not loaded in this process (e.g. mode nojit): nothing compiles
    compiled = len(_call(jit, "get_compiled_functions") or ())
    _take_deopts(jit)
    return {
        "compiled": compiled,
        "deopts": sum(e.get("int", {}).get("count", 0) for e in _deopts_seen),
    }


def _cpython_events():
    cpython = getattr(sys, "_jit", None)
    if cpython is None or not _call(cpython, "is_enabled"):
        return {}
    found = _guard(_cpython_executors)
    return {"executors": found["executors"]} if "executors" in found else {}


def after(task):
    """JIT state after the measured values: what really ran, and what the JIT made of it."""
    out = _jit_state(task, introspect=True)
    out[Result.ACTION] = task.get(Task.ACTION)
    return out


# --- jitbench codesize -------------------------------------------------------------------------


def codesize(task, namespace):
    """Compile the generated functions one by one; the code size after each: [[k, bytes], ...].

    CinderX: force_compile and get_compiled_size (bytes summed), plus the code allocator's growth.
    PyPy: run each function's loop past the thresholds; the assembler memory's growth.
    CPython: run each function's loop; the machine code of its executors.
    """
    spec = task[Task.CODESIZE]
    funcs = [namespace[n] for n in spec["functions"]]
    probes = task.get(Task.PROBES, ())
    if Probe.CINDERX in probes:
        jit = _cinderx_jit()
        if jit is None:
            return {"error": "cinderx is not loaded in this process (mode nojit?)"}
        return _guard(_codesize_cinderx, jit, funcs, spec)
    if Probe.PYPY in probes and sys.implementation.name == "pypy":
        return _guard(_codesize_pypy, funcs, spec)
    if Probe.CPYTHON in probes and getattr(sys, "_jit", None) is not None:
        return _guard(_codesize_cpython, funcs, spec)
    return {"error": "this interpreter has no JIT jitbench can measure code size on"}


def _codesize_cinderx(jit, funcs, spec):
    if not jit.is_enabled():
        return {"error": "the CinderX JIT is not enabled in this process"}
    # Warm the getters first: under jit-all their first call could compile code of their own.
    for name in ("get_allocator_stats", "wait_for_background_compiles"):
        _call(jit, name)
    jit.wait_for_background_compiles()
    base = (_call(jit, "get_allocator_stats") or {}).get("used_bytes")
    points: list = []
    total = 0
    for k, f in enumerate(funcs, 1):
        f(spec["warm_arg"])  # one interpreted call gives the JIT its profile, as in real use
        if not jit.force_compile(f):
            return {
                "error": "force_compile returned false for %s" % _function_name(f),
                "points": points,
            }
        jit.wait_for_background_compiles()
        total += max(0, jit.get_compiled_size(f))
        used = (_call(jit, "get_allocator_stats") or {}).get("used_bytes")
        points.append([k, total, used - base if used is not None and base is not None else None])
    return {
        "measure": "sum of get_compiled_size",
        "extra": "code allocator growth",
        "points": points,
    }


def _codesize_pypy(funcs, spec):
    import pypyjit

    base = pypyjit.get_stats_asmmemmgr()[1]
    points = []
    for k, f in enumerate(funcs, 1):
        f(spec["hot_arg"])  # past the loop threshold: the loop is traced and compiled
        points.append([k, pypyjit.get_stats_asmmemmgr()[1] - base, None])
    return {"measure": "assembler memory growth", "extra": None, "points": points}


def _codesize_cpython(funcs, spec):
    jit = getattr(sys, "_jit", None)
    if jit is None:
        return {"error": "this CPython has no JIT (sys._jit is missing; it needs CPython 3.14+)"}
    if not jit.is_enabled():
        return {"error": "CPython's JIT is not enabled in this process (PYTHON_JIT=1)"}
    import _opcode
    import opcode

    enter = opcode.opmap["ENTER_EXECUTOR"]
    points = []
    total = 0
    for k, f in enumerate(funcs, 1):
        f(spec["hot_arg"])
        raw = f.__code__._co_code_adaptive
        for offset in range(0, len(raw), 2):
            if raw[offset] == enter:
                try:
                    total += len(_opcode.get_executor(f.__code__, offset).get_jit_code() or b"")
                except ValueError:
                    continue
        points.append([k, total, None])
    return {"measure": "executor machine code (page granular)", "extra": None, "points": points}
