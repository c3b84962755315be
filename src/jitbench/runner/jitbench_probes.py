"""Runtime facts and JIT proof, collected inside the measured interpreter.

Standard library only; Python 3.9+ and PyPy. ``facts`` describes the interpreter before anything is
measured; ``before`` runs just before the benchmark is loaded; ``after`` runs after the last timed
value (introspection must never run inside timing).
"""

import os
import platform
import sys


def _cpython_jit():
    jit = getattr(sys, "_jit", None)
    if jit is None:
        return {}
    out = {}
    for name in ("is_available", "is_enabled", "is_active"):
        fn = getattr(jit, name, None)
        if fn is not None:
            try:
                out[name[3:]] = bool(fn())
            except Exception as exc:  # noqa: BLE001
                out[name[3:] + "_error"] = repr(exc)
    return out


def _pypy_jit():
    if sys.implementation.name != "pypy":
        return {}
    out = {}
    info = getattr(sys, "pypy_translation_info", {})
    out["available"] = bool(info.get("translation.jit", False))
    return out


def _cinderx():
    mod = sys.modules.get("cinderx")
    if mod is None:
        return {}
    out = {"loaded": True}
    for name in ("is_initialized",):
        fn = getattr(mod, name, None)
        if fn is not None:
            out["initialized"] = bool(fn())
    err = getattr(mod, "get_import_error", None)
    if err is not None:
        e = err()
        if e:
            out["import_error"] = str(e)
    jit = sys.modules.get("cinderx.jit")
    if jit is not None and hasattr(jit, "is_enabled"):
        out["jit_enabled"] = bool(jit.is_enabled())
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
    jit = {}
    jit.update(_cpython_jit())
    jit.update(_pypy_jit())
    if "cinderx" in sys.modules:
        jit["cinderx"] = _cinderx()
    out["jit"] = jit
    return out


def before(task):
    """Hook run before the benchmark loads (runtime kinds may reset counters here)."""
    return None


def after(task):
    """JIT state after the measured values: what really ran."""
    out = {}
    out.update(_cpython_jit())
    if "cinderx" in sys.modules:
        out["cinderx"] = _cinderx()
    return out
