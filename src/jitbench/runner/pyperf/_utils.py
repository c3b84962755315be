"""Interpreter facts with the same answers as pyperf's helpers of the same name."""

import sys


def python_implementation():
    """Lower-case implementation name: 'cpython', 'pypy', ..."""
    return sys.implementation.name.lower()


def python_has_jit():
    """True when pyperf would say the interpreter has a JIT.

    Deliberately the same answer as pyperf (so a script that picks its workload from it does the
    same work as under pyperf): PyPy with its JIT, GraalPy, Pyston, CPython with ``sys._jit``
    enabled. CinderX's JIT is not reported, exactly as pyperf does not.
    """
    name = python_implementation()
    if name == "pypy":
        info = getattr(sys, "pypy_translation_info", None) or {}
        return bool(info.get("translation.jit", False))
    if name in ("graalpython", "graalpy"):
        return True
    if name == "cpython":
        jit = getattr(sys, "_jit", None)
        if jit is not None:
            return bool(jit.is_enabled())
        return False
    return hasattr(sys, "pyston_version_info") or "pyston_lite" in sys.modules
