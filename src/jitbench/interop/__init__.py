"""Interoperability with pyperf: pyperf/pyperformance JSON ⇄ jitbench result artifacts."""

from __future__ import annotations

from .pyperf_export import to_pyperf
from .pyperf_import import from_pyperf, read_pyperf

__all__ = ["from_pyperf", "read_pyperf", "to_pyperf"]
