"""A result's profiles explained: where each variant's time goes, what the JIT did per value, and
which functions explain the change from A to B, joined with the JIT's facts about them.

Pure functions over the typed result; nothing here prints.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter

import numpy as np

from .. import runtimes
from ..results.model import ProcessRecord, ProfileRecord, Result
from ..runner.jitbench_protocol import Events
from ..stats.intervals import pct, ratio_of_means_t
from . import code as jitcode
from . import folded as folding
from . import shares as sharing


def _all_profiled(result: Result) -> list[ProcessRecord]:
    """Processes run under the perf instrument (whichever code it dumped)."""
    return [p for p in result.processes if (p.instrument or "").startswith("perf")]


def profiled_records(result: Result, bench: str, variant: str) -> list[ProcessRecord]:
    """The processes of ``variant`` on ``bench`` that were sampled, in run order."""
    return [
        p
        for p in _all_profiled(result)
        if p.benchmark == bench and p.variant == variant and p.ok and p.profile
    ]


def timed_records(result: Result, bench: str, variant: str) -> list[ProcessRecord]:
    """The unprofiled (timed) processes: the only ones a time verdict may use."""
    return [
        p
        for p in result.processes
        if p.benchmark == bench and p.variant == variant and p.ok and not p.instrument
    ]


def _profile(record: ProcessRecord) -> ProfileRecord:
    """The samples of a process ``profiled_records`` gave (it has them)."""
    assert record.profile is not None
    return record.profile


def stacks(record: ProcessRecord) -> Counter:
    """A profiled process's folded stacks."""
    return folding.decode(_profile(record).folded)


def _per_iteration_s(record: ProcessRecord) -> float:
    per = max(1, record.loops or 1) * max(1, record.inner_loops or 1)
    values = record.values_ns or [0]
    return statistics.fmean(values) / per / 1e9


def cost(profiled: list[ProcessRecord], timed: list[ProcessRecord]) -> dict:
    """What sampling cost: samples per second of window, and the profiled values' slowdown
    against the timed ones with its interval across processes (None with one process a side).
    A profiled round also ran one timed process of the variant, one after the other: when every
    profiled process has that partner (one per round), the slowdown is taken against the
    partners and its interval is paired by round, so a host that swings between rounds moves
    both sides of a pair alike."""
    samples = sum(_profile(r).samples for r in profiled)
    window_s = sum(_profile(r).window_ns for r in profiled) / 1e9
    timed_by_round = {r.round: r for r in timed}
    rounds = [r.round for r in profiled]
    paired = (
        len(timed_by_round) == len(timed)
        and len(set(rounds)) == len(rounds)
        and all(rnd in timed_by_round for rnd in rounds)
    )
    partners = [timed_by_round[rnd] for rnd in rounds] if paired else timed
    return {
        "processes": len(profiled),
        "samples": samples,
        "window_s": window_s,
        "samples_per_s": samples / window_s if window_s > 0 else None,
        **slowdown(
            [_per_iteration_s(r) for r in profiled],
            [_per_iteration_s(r) for r in partners],
            paired=paired,
        ),
        "event": _profile(profiled[0]).event if profiled else None,
    }


def slowdown(
    profiled_s: list[float],
    timed_s: list[float],
    *,
    paired: bool = False,
    confidence: float = sharing.CONFIDENCE,
) -> dict:
    """Profiled against timed time per iteration (one figure per process): the change of the
    means in %, its t-interval (paired: ``profiled_s[i]`` and ``timed_s[i]`` ran in one round),
    and whether that interval holds 0 (noise cannot be ruled out)."""
    out: dict = {
        "slowdown_pct": None,
        "slowdown_ci_pct": None,
        "slowdown_within_noise": None,
        "slowdown_paired": paired,
    }
    if not profiled_s or not timed_s or min(timed_s) <= 0:
        return out
    if paired and len(profiled_s) != len(timed_s):
        raise ValueError("paired: one timed figure per profiled one, in the same order")
    out["slowdown_pct"] = 100.0 * (statistics.fmean(profiled_s) / statistics.fmean(timed_s) - 1)
    if len(profiled_s) < 2 or len(timed_s) < 2:
        return out
    ci = ratio_of_means_t(
        np.asarray(timed_s), np.asarray(profiled_s), paired=paired, confidence=confidence
    )
    low, high = float(ci.low[0]), float(ci.high[0])
    if math.isnan(low) or math.isnan(high):
        return out
    out["slowdown_ci_pct"] = [pct(low), pct(high)]
    out["slowdown_within_noise"] = low <= 0.0 <= high
    return out


def symbol_notes(folded: Counter) -> list[dict]:
    """The runtime's binaries perf found no symbols in, each with its share of samples and how
    to give perf their symbols; binaries under ``NO_SYMBOLS_NOTE_PCT`` are left out."""
    total = max(1, sum(folded.values()))
    return [
        {
            "binary": name,
            "share_pct": 100.0 * n / total,
            "hint": runtimes.symbols_hint(name),
        }
        for name, n in sharing.unsymbolised_binaries(folded).most_common()
        if 100.0 * n / total >= NO_SYMBOLS_NOTE_PCT
    ]


# Below this share a binary without symbols changes no conclusion; a note would be noise.
NO_SYMBOLS_NOTE_PCT = 1.0


def symbol_lines(profiles: dict[str, dict]) -> list[str]:
    """One line per binary without symbols: each variant's share of samples in it, what that
    means and how to give perf its symbols."""
    found: dict[str, list[tuple[str, dict]]] = {}
    for v, p in profiles.items():
        for note in p["no_symbols"]:
            found.setdefault(note["binary"], []).append((v, note))
    return [
        f"[{name}] ({sharing.LABELS['unsymbolised']}): "
        + ", ".join(f"{n['share_pct']:.1f} % of {v}'s samples" for v, n in notes)
        + f"; perf found no symbols in {name}, so its interpreter loop, GC and other runtime C "
        f"cannot be told apart there: {notes[0][1]['hint']}"
        for name, notes in found.items()
    ]


def variant_profile(result: Result, bench: str, variant: str, top: int = 15) -> dict | None:
    """Shares with CIs across processes, top functions, cost, binaries without symbols; None
    without profiled processes."""
    recs = profiled_records(result, bench, variant)
    if not recs:
        return None
    per = [stacks(r) for r in recs]
    every = sharing.merged(per)
    return {
        "variant": variant,
        "benchmark": bench,
        "confidence": sharing.CONFIDENCE,
        "shares": sharing.shares(per, sharing.CONFIDENCE),
        "top": sharing.top_functions(every, top),
        "cost": cost(recs, timed_records(result, bench, variant)),
        "no_symbols": symbol_notes(every),
    }


def attributed(folded: Counter) -> Counter:
    """Each sample charged once: to its innermost named Python function (JIT-compiled or, with
    CPython's perf trampolines, interpreted), else to its leaf function."""
    out: Counter = Counter()
    for stack, n in folded.items():
        out[sharing.python_owner(stack) or stack.rsplit(folding.SEP, 1)[-1]] += n
    return out


def python_name(frame: str) -> str | None:
    """``module:qualname`` of a JIT frame as the JIT's facts name it, else None."""
    return runtimes.jit_function_name(frame)


def _opcode_changes(a: dict | None, b: dict | None, n: int = 4) -> list[str]:
    if not a and not b:
        return []
    a, b = a or {}, b or {}
    ops = sorted(set(a) | set(b), key=lambda op: (-abs(b.get(op, 0) - a.get(op, 0)), op))
    return [
        f"{op} {a.get(op, 0)} → {b.get(op, 0)}" for op in ops[:n] if a.get(op, 0) != b.get(op, 0)
    ]


def differential(result: Result, bench: str, a: str, b: str, top: int = 15) -> dict | None:
    """Functions ranked by their contribution to the change in time per iteration from A to B.

    A function's time per iteration is its share of samples times the variant's time per
    iteration (timed processes; profiled ones when there are none). Its contribution is B's time
    minus A's, in % of A's time per iteration; the rows of all functions add up to the change.
    """
    ra, rb = profiled_records(result, bench, a), profiled_records(result, bench, b)
    if not ra or not rb:
        return None
    ma, mb = sharing.merged(stacks(r) for r in ra), sharing.merged(stacks(r) for r in rb)
    fa, fb = attributed(ma), attributed(mb)
    ta = statistics.median(_per_iteration_s(r) for r in (timed_records(result, bench, a) or ra))
    tb = statistics.median(_per_iteration_s(r) for r in (timed_records(result, bench, b) or rb))
    part = _Parts(ta, tb, sum(ma.values()), sum(mb.values()))
    rows = [
        {
            "function": name,
            **part(fa.get(name, 0), fb.get(name, 0)),
            "category": sharing.category(name),
            "what": sharing.describe(name),
        }
        for name in set(fa) | set(fb)
    ]
    rows = _shown(rows, top)
    for row in rows:
        pyname = python_name(row["function"])
        if pyname is None:
            continue
        fa_, fb_ = (
            runtimes.function_facts(ra + timed_records(result, bench, a), pyname),
            runtimes.function_facts(rb + timed_records(result, bench, b), pyname),
        )
        row["jit"] = {
            "compiled": [fa_["compiled"], fb_["compiled"]],
            "code_size": [fa_["code_size"], fb_["code_size"]],
            "deopts": [fa_["deopts"], fb_["deopts"]],
            "hir_changes": _opcode_changes(fa_["hir_opcodes"], fb_["hir_opcodes"]),
        }
    return {
        "benchmark": bench,
        "a": a,
        "b": b,
        "a_s_per_iteration": ta,
        "b_s_per_iteration": tb,
        "change_pct": 100 * (tb / ta - 1),
        "functions": rows,
        "categories": _category_parts(ma, mb, part),
    }


class _Parts:
    """Samples of one function (or category) in A and B → its shares and its part of the change
    in % of A's time per iteration (its share times the variant's time per iteration)."""

    def __init__(self, ta: float, tb: float, na: int, nb: int):
        self.ta, self.tb, self.na, self.nb = ta, tb, max(1, na), max(1, nb)

    def __call__(self, a: int, b: int) -> dict:
        sa, sb = a / self.na, b / self.nb
        return {
            "a_pct": 100 * sa,
            "b_pct": 100 * sb,
            "contribution_pct": 100 * (sb * self.tb - sa * self.ta) / self.ta,
        }


def _ranked(rows: list[dict]) -> list[dict]:
    return sorted(rows, key=lambda r: (-abs(r["contribution_pct"]), r["function"]))


def _shown(rows: list[dict], top: int) -> list[dict]:
    """The ``top`` rows of largest contribution, with the JIT functions of largest contribution
    among them (a third of the rows at most): when work moves between interpreters, those two
    rows lead and the compiled functions that explain the rest would fall off."""
    ranked = _ranked(rows)
    jitted = [r for r in ranked if python_name(r["function"]) is not None]
    kept = jitted[: min(len(jitted), max(1, top // 3))]
    ids = {id(r) for r in kept}
    rest = [r for r in ranked if id(r) not in ids][: max(0, top - len(kept))]
    return _ranked(kept + rest)


def _category_parts(ma: Counter, mb: Counter, part: _Parts) -> list[dict]:
    """Each sample category's part of the change (they add up to it), largest first."""
    ca, cb = sharing.category_samples(ma), sharing.category_samples(mb)
    rows = [
        {"category": c, "label": sharing.LABELS[c], **part(ca[c], cb[c])}
        for c in sharing.CATEGORIES
        if ca[c] or cb[c]
    ]
    return sorted(rows, key=lambda r: (-abs(r["contribution_pct"]), r["category"]))


# --- per-iteration JIT events ---------------------------------------------------------------


def _timeline(events: dict) -> list[tuple[str, dict]]:
    out = [("start", events.get(Events.START) or {}), ("first", events.get(Events.FIRST) or {})]
    out += [(f"warmup {i}", e) for i, e in enumerate(events.get(Events.WARMUPS) or [], 1)]
    out += [(f"value {i}", e) for i, e in enumerate(events.get(Events.VALUES) or [], 1)]
    return out


def last_change(events: dict, key: str) -> str | None:
    """Where the counter ``key`` last grew ("warmup 2", "value 7"), or None if it never did."""
    line = _timeline(events)
    last = None
    for (_, prev), (label, cur) in zip(line, line[1:], strict=False):
        if key in cur and cur[key] != prev.get(key, cur[key]):
            last = label
    return last


def events_summary(record: ProcessRecord, steady_start: int | None) -> dict:
    """One process: where compiles, deopts and collections last happened; where steady begins."""
    events = record.events or {}
    keys = sorted({k for _, e in _timeline(events) for k in e})
    last = {k: last_change(events, k) for k in keys}
    out = {
        "last": last,
        "steady_from": None if steady_start is None else f"value {steady_start + 1}",
        "totals": (events.get(Events.VALUES) or [{}])[-1],
    }
    if "compiled" in last:
        where = last["compiled"] or "start-up"
        where = "the first iteration" if where == "first" else where
        out["text"] = f"the last compile lands at {where}" + (
            f"; steady from {out['steady_from']}" if out["steady_from"] else ""
        )
    return out


# --- code diffs -----------------------------------------------------------------------------


def function_code(result: Result, bench: str, variant: str) -> dict[str, jitcode.FunctionCode]:
    """The final code of each function, from the first process of the variant that dumped it."""
    from ..runtimes import jitlog

    for r in _all_profiled(result):
        if r.benchmark != bench or r.variant != variant:
            continue
        log = runtimes.jit_log(r.jit or {})
        if log and "data" in log:
            kind = (r.profile and r.profile.code) or "asm"
            found = jitcode.functions(jitlog.decode(log), kind)
            if found:
                return found
    return {}


def code_diffs(result: Result, diff: dict, top: int = 3) -> list[dict]:
    """For the hottest JIT functions compiled in both A and B, both versions and their diff."""
    ca = function_code(result, diff["benchmark"], diff["a"])
    cb = function_code(result, diff["benchmark"], diff["b"])
    out = []
    for row in diff["functions"]:
        name = python_name(row["function"])
        if name is None or name not in ca or name not in cb:
            continue
        a, b = ca[name], cb[name]
        out.append(
            {
                "function": name,
                "a_instructions": a.instructions,
                "b_instructions": b.instructions,
                "unified": jitcode.unified_diff(a, b, f"{diff['a']}/{name}", f"{diff['b']}/{name}"),
                "side_by_side": jitcode.side_by_side(a, b),
            }
        )
        if len(out) == top:
            break
    return out


# --- everything about one result ------------------------------------------------------------


def _steady_start(record: ProcessRecord) -> int | None:
    import numpy as np

    from ..stats import steady_state

    values = record.values_ns or []
    if len(values) < 2:
        return None
    return int(steady_state(np.asarray(values, dtype=float) / 1e9).steady_start)


def summarise(
    result: Result, top: int = 15, code_top: int = 3, baseline: str | None = None
) -> dict:
    """Per benchmark: each profiled variant, each variant against the baseline (the result's,
    a sweep's default point, or ``baseline``), code diffs and per-value JIT events."""
    variants = list(result.variants)
    default = (result.sweep or {}).get("default")
    baseline = (
        baseline
        or (default if default in variants else None)
        or result.baseline
        or (variants[0] if variants else None)
    )
    out: dict = {"baseline": baseline, "benchmarks": {}}
    for bench in result.benchmarks:
        profiles = {v: p for v in variants if (p := variant_profile(result, bench, v, top))}
        diffs = []
        for v in profiles:
            if v != baseline and baseline in profiles:
                d = differential(result, bench, baseline, v, top)
                if d is not None:
                    d["code"] = code_diffs(result, d, code_top)
                    diffs.append(d)
        events = {}
        for v in variants:
            rows = [
                {"slot": r.slot, **events_summary(r, _steady_start(r))}
                for r in timed_records(result, bench, v)
                if r.events
            ]
            if rows:
                events[v] = rows
        if profiles or events:
            out["benchmarks"][bench] = {
                "profiles": profiles,
                "notes": symbol_lines(profiles),
                "diffs": diffs,
                "events": events,
            }
    return out
