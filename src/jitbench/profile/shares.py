"""Where the time goes: each sample's category, shares per process with a CI, top functions.

Pure functions over folded stacks (:mod:`jitbench.profile.folded`).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence

from ..runtimes import perf_names
from .folded import KERNEL_MARK, SEP

CATEGORIES = ("jit", "interpreter", "runtime", "unsymbolised", "gc", "compiler", "kernel", "other")
LABELS = {
    "jit": "JIT code",
    "interpreter": "interpreter",
    "runtime": "runtime C",
    # A stripped interpreter binary: its eval loop and its runtime C cannot be told apart.
    "unsymbolised": "interpreter + runtime (no symbols)",
    "gc": "GC",
    "compiler": "JIT compiler",
    "kernel": "kernel",
    "other": "other",
}


def _any(patterns: tuple[str, ...], start: str = "", end: str = "") -> re.Pattern:
    # No pattern at all matches nothing (an empty alternation would match everything).
    return re.compile(start + "(" + ("|".join(patterns) or "(?!)") + ")" + end)


# How each runtime kind names its code in perf's samples (``PERF_NAMES`` in runtimes/<kind>.py).
_NAMES = perf_names()
_JIT = _any(_NAMES.jit, "^")
_JIT_FUNCTION = _any(_NAMES.jit_function, "^")
_PYTHON_FUNCTION = _any(_NAMES.python_function, "^")
_INTERPRETER = _any(_NAMES.interpreter, "^", "$")
_UNSYMBOLISED = _any(_NAMES.unsymbolised, "^", "$")
_GC = _any(_NAMES.gc)
_COMPILER = _any(_NAMES.compiler)
_RUNTIME = _any(_NAMES.runtime)


def category(stack: str) -> str:
    """The category of one sample from its folded stack ("root;…;leaf")."""
    frames = stack.split(SEP)
    leaf = frames[-1]
    if any(_GC.search(f) for f in frames):
        return "gc"
    if any(_COMPILER.search(f) for f in frames):
        return "compiler"
    if leaf == "[kernel]" or leaf.endswith(KERNEL_MARK):
        return "kernel"
    if _JIT.match(leaf):
        return "jit"
    if _INTERPRETER.match(leaf):
        return "interpreter"
    if _UNSYMBOLISED.match(leaf):
        return "unsymbolised"
    if _RUNTIME.search(leaf):
        return "runtime"
    return "other"


def _innermost(stack: str, pattern: re.Pattern) -> str | None:
    for frame in reversed(stack.split(SEP)):
        if pattern.match(frame):
            return frame
    return None


def jit_owner(stack: str) -> str | None:
    """The innermost JIT function on the stack: C helpers it calls are charged to it."""
    return _innermost(stack, _JIT_FUNCTION)


def python_owner(stack: str) -> str | None:
    """The innermost Python function a perf map names, compiled by the JIT or interpreted."""
    return _innermost(stack, _PYTHON_FUNCTION)


def describe(frame: str) -> str:
    """What a frame is, in words a reader of an A/B table understands."""
    if _JIT_FUNCTION.match(frame):
        return "JIT-compiled function"
    if _PYTHON_FUNCTION.match(frame):
        return "Python function (interpreted)"
    cat = category(frame)
    if cat == "unsymbolised":
        return f"{binary(frame)} without symbols: interpreter loop and runtime C"
    return LABELS[cat]


def binary(frame: str) -> str:
    """The file name of a frame perf could only name by its binary ("[python3.14]")."""
    return frame[1:-1] if frame.startswith("[") and frame.endswith("]") else frame


def unsymbolised_binaries(folded: Counter) -> Counter:
    """Samples per runtime binary perf found no symbols in (the sample's leaf was there)."""
    out: Counter = Counter()
    for stack, n in folded.items():
        leaf = stack.rsplit(SEP, 1)[-1]
        if _UNSYMBOLISED.match(leaf):
            out[binary(leaf)] += n
    return out


def category_samples(folded: Counter) -> dict[str, int]:
    """Samples per category (every category present, zeros included)."""
    out = dict.fromkeys(CATEGORIES, 0)
    for stack, n in folded.items():
        out[category(stack)] += n
    return out


def self_samples(folded: Counter) -> Counter:
    """Samples whose leaf is each function (self time)."""
    out: Counter = Counter()
    for stack, n in folded.items():
        out[stack.rsplit(SEP, 1)[-1]] += n
    return out


def owned_samples(folded: Counter) -> Counter:
    """Samples per JIT function with the helpers it called (its stack below it) included."""
    out: Counter = Counter()
    for stack, n in folded.items():
        owner = jit_owner(stack)
        if owner is not None:
            out[owner] += n
    return out


# The level of every share's interval; the profile summary records it beside the shares.
CONFIDENCE = 0.95


def mean_ci(xs: Sequence[float], confidence: float = CONFIDENCE) -> tuple[float, float, float]:
    """Mean of per-process figures and its Student-t interval (processes are the units)."""
    n = len(xs)
    if n == 0:
        return math.nan, math.nan, math.nan
    m = sum(xs) / n
    if n < 2:
        return m, math.nan, math.nan
    from scipy import stats

    sd = math.sqrt(sum((x - m) ** 2 for x in xs) / (n - 1))
    half = float(stats.t.ppf(0.5 + confidence / 2, n - 1)) * sd / math.sqrt(n)
    return m, m - half, m + half


def _share(xs: Sequence[float], confidence: float) -> dict[str, float]:
    m, lo, hi = mean_ci(xs, confidence)
    # A share cannot leave 0..100 %: a t interval of few processes would.
    return {
        "share_pct": m,
        "ci_low_pct": max(0.0, lo) if not math.isnan(lo) else lo,
        "ci_high_pct": min(100.0, hi) if not math.isnan(hi) else hi,
    }


def shares(processes: Sequence[Counter], confidence: float = CONFIDENCE) -> dict[str, dict]:
    """Per category: mean share (%) of a process's samples, with its CI across processes.

    ``jit_functions``, beside the categories, is the share of samples spent in JIT functions or
    in the helpers they called.
    """
    per = [category_samples(f) for f in processes]
    totals = [max(1, sum(f.values())) for f in processes]
    out = {
        cat: _share([100.0 * c[cat] / t for c, t in zip(per, totals, strict=True)], confidence)
        for cat in CATEGORIES
    }
    owned = [sum(owned_samples(f).values()) for f in processes]
    out["jit_functions"] = _share(
        [100.0 * o / t for o, t in zip(owned, totals, strict=True)], confidence
    )
    return out


def merged(processes: Iterable[Counter]) -> Counter:
    """All processes' stacks added up."""
    total: Counter = Counter()
    for f in processes:
        total.update(f)
    return total


def top_functions(folded: Counter, n: int = 15) -> list[dict]:
    """The functions with most self samples; JIT functions also with their helpers' samples."""
    total = max(1, sum(folded.values()))
    selfs = self_samples(folded)
    owned = owned_samples(folded)
    names = {name for name, _ in selfs.most_common(n)} | {name for name, _ in owned.most_common(n)}
    rows = [
        {
            "function": name,
            "self_pct": 100.0 * selfs.get(name, 0) / total,
            "with_helpers_pct": (100.0 * owned[name] / total) if name in owned else None,
            "category": category(name),
        }
        for name in names
    ]
    rows.sort(key=lambda r: (-max(r["self_pct"], r["with_helpers_pct"] or 0.0), r["function"]))
    return rows[:n]
