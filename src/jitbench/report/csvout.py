"""Per-process values as CSV: one row per value, warmups included and flagged.

Columns: benchmark, variant, slot, round, index (0-based within the process's warmups, or within
its measured values), warmup (1/0), seconds (per iteration, full precision).
"""

from __future__ import annotations

import csv
import io

from ..results.artifact import processes_of
from ..results.model import Result

COLUMNS = ("benchmark", "variant", "slot", "round", "index", "warmup", "seconds")


def values_csv(doc: Result) -> str:
    """The CSV text of every successful process's warmups and values, in slot order."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(COLUMNS)
    views = [v for b in doc.benchmarks for var in doc.variants for v in processes_of(doc, b, var)]
    for v in sorted(views, key=lambda v: v.slot):
        bench, variant = v.record.benchmark, v.record.variant
        for i, x in enumerate(v.warmups):
            w.writerow((bench, variant, v.slot, v.round, i, 1, repr(float(x))))
        for i, x in enumerate(v.values):
            w.writerow((bench, variant, v.slot, v.round, i, 0, repr(float(x))))
    return buf.getvalue()
