"""Runtime kinds: one module each. Modes, their env vars and their proof live in that module only."""

from __future__ import annotations

from types import ModuleType

from ..model import Variant
from . import cpython, python
from .base import Launch, merge

KINDS: dict[str, ModuleType] = {"python": python, "cpython": cpython}


def _kind(variant: Variant) -> ModuleType:
    return KINDS.get(variant.runtime.kind, python)


def check_variant(variant: Variant) -> tuple[str, str] | None:
    """(key, problem) when the variant's mode or jit_options do not fit its runtime kind."""
    return _kind(variant).check(variant)


def launch_for(variant: Variant) -> Launch:
    """Everything that starts a process of this variant: mode first, the variant's own on top."""
    return merge(variant, _kind(variant).launch(variant))


def verify_activity(variant: Variant, jit: dict) -> str | None:
    """Why the variant's JIT mode did not activate in a process (None when it did)."""
    return _kind(variant).verify(variant, jit)
