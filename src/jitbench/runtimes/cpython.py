"""CPython's own JIT (3.13+ builds with it): ``PYTHON_JIT`` at start-up, checked with ``sys._jit``."""

from __future__ import annotations

from ..model import Variant
from .base import Launch

name = "cpython"
MODES = ("nojit", "jit")


def check(variant: Variant) -> tuple[str, str] | None:
    mode = variant.mode
    if mode is not None and mode not in MODES:
        return ("mode", f"unknown mode {mode!r} for a cpython runtime; allowed: {', '.join(MODES)}")
    if variant.jit_options:
        return ("jit_options", "cpython runtimes take no jit_options; use env for PYTHON_JIT_* knobs")
    return None


def launch(variant: Variant) -> Launch:
    if variant.mode == "jit":
        return Launch(env={"PYTHON_JIT": "1"}, expect={"jit": True})
    if variant.mode == "nojit":
        return Launch(env={"PYTHON_JIT": "0"}, expect={"jit": False})
    return Launch()


def verify(variant: Variant, jit: dict) -> str | None:
    if variant.mode == "jit":
        if not jit.get("available"):
            return "this CPython was built without the JIT (sys._jit.is_available() is false)"
        if not jit.get("enabled"):
            return "PYTHON_JIT=1 was set but sys._jit.is_enabled() is false"
    if variant.mode == "nojit" and jit.get("enabled"):
        return "PYTHON_JIT=0 was set but sys._jit.is_enabled() is true"
    return None
