"""CinderX JIT debug logs (variant option ``jit_options = { log = true }``): what was compiled,
what failed and why, what was inlined and what was not.

The runner reads each process's log inside the target after its last timed value and ships it
back compressed in ``jit["cinderx"]["log"]``; this module decodes and parses it. Pure functions.
"""

from __future__ import annotations

import base64
import re
import zlib
from collections import Counter
from dataclasses import dataclass, field

from ..results.model import Result
from . import cinderx

_PREFIX = re.compile(r"^JIT: \S+ -- ")
_COMPILING = re.compile(r"^Compiling (\S+)$")
_FINISHED = re.compile(r"^Finished compiling (\S+) in (\d+)µs, code size: (\d+) bytes")
_CANNOT = re.compile(r"^Cannot compile (\S+) to HIR because (.+)$")
_TOO_MANY = re.compile(r"^(HIR|LIR) function '([^']+)' has too many (.+?) \((\d+), max=(\d+)\)")
_BG_FAILED = re.compile(r"^Background compile failed: (\S+) for (\S+)$")
_INLINED = re.compile(r"^Inlining function (\S+) into (\S+)$")
_NO_INLINE = re.compile(r"^Can't inline (\S+) into (\S+) because (.+)$")
_NO_INLINE_OTHER = re.compile(r"^Can't inline (non-function|unknown function) .* into (\S+)$")
_REFUSE = re.compile(r"^Refusing to inline functions into (\S+): (.+)$")
_PRUNED = re.compile(r"^Pruning cold call to (\S+) from (\S+):")
# Object addresses and value numbers differ between processes; reasons must not.
_VOLATILE = re.compile(r"0x[0-9a-f]+|\bv\d+\b|\d+")


@dataclass
class LogSummary:
    """What one or more JIT logs say; counts are totals over the processes read."""

    processes: int = 0
    compiled: Counter = field(default_factory=Counter)  # function → times compiled
    compile_us: int = 0
    failures: dict[str, str] = field(default_factory=dict)  # function → reason
    failure_reasons: Counter = field(default_factory=Counter)
    inlined: Counter = field(default_factory=Counter)  # "callee → caller" → times
    not_inlined: Counter = field(default_factory=Counter)  # reason → times
    truncated: bool = False

    def to_dict(self, top: int = 20) -> dict:
        """Plain JSON: totals, every failure, the most frequent inlining decisions."""
        return {
            "processes": self.processes,
            "compiled": sum(self.compiled.values()),
            "compiled_functions": len(self.compiled),
            "compile_ms": round(self.compile_us / 1000, 3),
            "failures": dict(sorted(self.failures.items())),
            "failure_reasons": dict(self.failure_reasons.most_common()),
            "inlined": sum(self.inlined.values()),
            "inlined_top": dict(self.inlined.most_common(top)),
            "not_inlined": dict(self.not_inlined.most_common(top)),
            "truncated": self.truncated,
        }


def decode(entry: dict) -> str:
    """The text of a log as stored in a process's ``jit["cinderx"]["log"]``."""
    data = entry.get("data", "")
    if entry.get("encoding") == "zlib+base64":
        return zlib.decompress(base64.b64decode(data)).decode("utf-8", errors="replace")
    return str(data)


def _reason(text: str) -> str:
    return _VOLATILE.sub("N", text).strip()


def parse(text: str, into: LogSummary | None = None) -> LogSummary:
    """Add one process's log to a summary (a new one unless ``into`` is given)."""
    out = into if into is not None else LogSummary()
    out.processes += 1
    for raw in text.splitlines():
        line = _PREFIX.sub("", raw.strip())
        if m := _FINISHED.match(line):
            out.compiled[m[1]] += 1
            out.compile_us += int(m[2])
        elif m := _CANNOT.match(line):
            _fail(out, m[1], _reason(m[2]))
        elif m := _TOO_MANY.match(line):
            _fail(out, m[2], f"{m[1]} has too many {m[3]} (max {m[5]})")
        elif m := _BG_FAILED.match(line):
            # Follows the specific reason when there is one; only counts when it stands alone.
            if m[2] not in out.failures:
                _fail(out, m[2], f"compile failed (code {m[1]})")
        elif m := _INLINED.match(line):
            out.inlined[f"{m[1]} → {m[2]}"] += 1
        elif m := _NO_INLINE.match(line):
            out.not_inlined[_reason(m[3])] += 1
        elif m := _NO_INLINE_OTHER.match(line):
            out.not_inlined[f"callee is a {m[1]}"] += 1
        elif m := _REFUSE.match(line):
            out.not_inlined[f"caller: {_reason(m[2])}"] += 1
        elif _PRUNED.match(line):
            out.not_inlined["cold call pruned"] += 1
    return out


def _fail(out: LogSummary, function: str, reason: str) -> None:
    if function not in out.failures:
        out.failure_reasons[reason] += 1
    out.failures[function] = reason


def summarise(result: Result, variant: str, benchmark: str | None = None) -> LogSummary | None:
    """All logs of a variant's successful processes (of one benchmark, or all); None if none."""
    out = LogSummary()
    for p in result.processes:
        if p.variant != variant or not p.ok:
            continue
        if benchmark is not None and p.benchmark != benchmark:
            continue
        entry = cinderx.log(p.jit or {})
        if entry is None:
            continue
        parse(decode(entry), out)
        out.truncated = out.truncated or bool(entry.get("truncated"))
    return out if out.processes else None


def diff(a: LogSummary, b: LogSummary) -> dict:
    """A vs B: per-process averages side by side, failures that appear or disappear."""

    def per(x: float, n: int) -> float:
        return round(x / max(n, 1), 2)

    rows = {
        "compiled": (
            per(sum(a.compiled.values()), a.processes),
            per(sum(b.compiled.values()), b.processes),
        ),
        "compile_ms": (
            per(a.compile_us / 1000, a.processes),
            per(b.compile_us / 1000, b.processes),
        ),
        "failures": (len(a.failures), len(b.failures)),
        "inlined": (
            per(sum(a.inlined.values()), a.processes),
            per(sum(b.inlined.values()), b.processes),
        ),
        "not_inlined": (
            per(sum(a.not_inlined.values()), a.processes),
            per(sum(b.not_inlined.values()), b.processes),
        ),
    }
    reasons = sorted(
        set(a.not_inlined) | set(b.not_inlined),
        key=lambda r: (
            -abs(b.not_inlined[r] / max(b.processes, 1) - a.not_inlined[r] / max(a.processes, 1))
        ),
    )
    return {
        "per_process": {k: {"a": va, "b": vb} for k, (va, vb) in rows.items()},
        "new_failures": {f: b.failures[f] for f in sorted(set(b.failures) - set(a.failures))},
        "fixed_failures": {f: a.failures[f] for f in sorted(set(a.failures) - set(b.failures))},
        "not_inlined": {
            r: {"a": per(a.not_inlined[r], a.processes), "b": per(b.not_inlined[r], b.processes)}
            for r in reasons[:15]
        },
    }
