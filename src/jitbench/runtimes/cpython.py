"""CPython's own JIT (3.13+ builds with it): ``PYTHON_JIT`` at start-up, checked with ``sys._jit``
(3.14+) and the executors the JIT attached to code objects."""

from __future__ import annotations

from ..model import Variant
from .base import Launch

name = "cpython"
MODES = ("nojit", "jit")


def check(variant: Variant) -> tuple[str, str] | None:
    """(key, problem) for a mode CPython does not have; it takes no jit_options."""
    mode = variant.mode
    if mode is not None and mode not in MODES:
        return ("mode", f"unknown mode {mode!r} for a cpython runtime; allowed: {', '.join(MODES)}")
    if variant.jit_options:
        return ("jit_options", "cpython runtimes take no jit_options; use env for PYTHON_JIT_* knobs")
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
            return ("this interpreter has no sys._jit (CPython 3.14+ reports its JIT there), so "
                    "the JIT cannot be confirmed; use a CPython 3.14 built with the JIT")
        if not cp.get("available"):
            return "this CPython was built without the JIT (sys._jit.is_available() is false)"
        if not cp.get("enabled"):
            return "PYTHON_JIT=1 was set but sys._jit.is_enabled() is false"
        # The JIT compiles hot loops only; a measured run that made no executor ran interpreted.
        if jit.get("action") == "run" and not cp.get("executors"):
            return "the JIT is enabled but compiled no trace (no executor on any function's code)"
    if variant.mode == "nojit" and cp.get("enabled"):
        return "PYTHON_JIT=0 was set but sys._jit.is_enabled() is true"
    return None
