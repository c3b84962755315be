"""What earlier releases wrote wrongly, corrected when a result is read.

Each correction is a pure function of the JSON document, applied after validation, so a file
on disk is never rewritten behind the user's back and a corrected document still validates.
"""

from __future__ import annotations

from .model import Json

PYPERF = "pyperf"


def _imported_from_pyperf(doc: Json) -> bool:
    """Whether every variant of the result came from a pyperf file (``jitbench import``)."""
    variants = doc.get("variants") or {}
    return bool(variants) and all(
        (v.get("imported_from") or {}).get("format") == PYPERF for v in variants.values()
    )


def pyperf_runs_were_sequential(doc: Json) -> Json:
    """Results imported from pyperf by earlier releases said ``interleaved`` and a timeout of
    300 s; pyperf ran its processes one after another, with no timeout."""
    design = doc.get("design") or {}
    if design.get("kind") != "interleaved" or not _imported_from_pyperf(doc):
        return doc
    return {**doc, "design": {**design, "kind": "sequential", "timeout": None}}


def upgrade(doc: Json) -> Json:
    """The document as the current release would have written it."""
    return pyperf_runs_were_sequential(doc)
