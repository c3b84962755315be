"""Synthetic result artifacts: valid under the schema, shaped like real ones, made in milliseconds.

Used where a real run would only add minutes: sweeps (written by the sweep command), CinderX JIT
records (need the CinderX runtime), and several experiments over time for the database.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np

from jitbench.results.artifact import first_error

HOST = {
    "hostname": "bench-host",
    "machine": "x86_64",
    "cpu_model": "Synthetic CPU @ 3.0GHz",
    "cpu_count": 8,
    "system": "Linux",
    "kernel": "6.1.0",
    "os": "Debian GNU/Linux 12",
    "loadavg": [0.1, 0.2, 0.3],
    "jitbench_python": "3.11.7",
}


def cinderx_jit(rng: np.random.Generator, n_functions: int = 12) -> dict:
    """A CinderX process record as the probes write it (compiled functions with code sizes)."""
    compiled = []
    for i in range(n_functions):
        size = int(rng.integers(400, 9000)) if i else 12000
        compiled.append(
            {
                "name": f"bench:func_{i}",
                "code_size": size,
                "hir_opcodes": {"LoadAttr": int(rng.integers(1, 40)), "Return": 1},
                "inlined": int(rng.integers(0, 4)),
            }
        )
    return {
        "cinderx": {
            "loaded": True,
            "initialized": True,
            "enabled": True,
            "compiled_count": n_functions,
            "code_bytes": sum(f["code_size"] for f in compiled),
            "compiled": compiled,
            "sizes": {f["name"]: f["code_size"] for f in compiled},
        }
    }


def result(
    *,
    variants: dict[str, float] | None = None,
    benchmarks: dict[str, float] | None = None,
    processes: int = 6,
    values: int = 12,
    warmups: int = 2,
    seed: int = 1,
    created: datetime | None = None,
    result_id: str | None = None,
    noise: float = 0.01,
    jit: str | None = None,
    sweep: dict | None = None,
    rev: dict | None = None,
    host: dict | None = None,
) -> dict:
    """An artifact: ``variants`` maps name → time factor, ``benchmarks`` name → seconds/iteration.

    Each process warms up (first values up to 40 % slower, decaying) then settles; noise is
    multiplicative. ``jit="cinderx"`` adds CinderX records; ``sweep`` is stored as ``doc["sweep"]``.
    """
    variants = variants or {"base": 1.0, "cand": 1.0}
    benchmarks = benchmarks or {"alpha": 0.002, "beta": 0.0005}
    rng = np.random.default_rng(seed)
    created = created or datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    loops, inner = 10, 1
    procs, schedule = [], []
    for bench, base_s in benchmarks.items():
        for rnd in range(processes):
            order = list(variants)
            rng.shuffle(order)
            for v in order:
                level = base_s * variants[v] * (1 + noise * rng.standard_normal() / 2)
                n = warmups + values
                warm = 1 + 0.4 * np.exp(-np.arange(n) / 2.0)
                series = level * warm * (1 + noise * rng.standard_normal(n))
                ns = [max(1, int(x * loops * inner * 1e9)) for x in series]
                slot = len(procs)
                procs.append(
                    {
                        "slot": slot,
                        "round": rnd,
                        "benchmark": bench,
                        "variant": v,
                        "status": "ok",
                        "loops": loops,
                        "inner_loops": inner,
                        "first_ns": int(ns[0] * 1.5 / loops),
                        "warmups_ns": ns[:warmups],
                        "values_ns": ns[warmups:],
                        "wall_ns": int(sum(ns) * 1.2) + 30_000_000,
                        "started": (created + timedelta(seconds=slot)).isoformat(),
                        "facts": {"implementation": "cpython", "version": "3.14.0"},
                        "jit": cinderx_jit(rng) if jit == "cinderx" else {},
                    }
                )
                schedule.append({"slot": slot, "round": rnd, "benchmark": bench, "variant": v})
    doc = {
        "schema": "jitbench.result",
        "schema_version": 1,
        "tool_version": "0.1.0",
        "id": result_id or f"{created:%Y%m%d-%H%M%S}-syn{seed:03d}",
        "created": created.isoformat(),
        "finished": (created + timedelta(minutes=5)).isoformat(),
        "complete": True,
        "interrupted": False,
        "command": ["jitbench", "synthetic"],
        "config": None,
        "seed": seed,
        "baseline": next(iter(variants)),
        "design": {
            "kind": "interleaved",
            "processes": processes,
            "values": values,
            "warmups": warmups,
            "timeout": 300.0,
            "min_time": 0.05,
            "loops": None,
        },
        "host": dict(host or HOST),
        "runtimes": {},
        "variants": {
            v: {
                "runtime": "cx",
                "kind": "cinderx" if jit == "cinderx" else "python",
                "command": ["python3"],
                "env": {"FACTOR": str(f)},
                "args": [],
                "pre_import": [],
                "mode": "jit" if jit else None,
                "jit_options": {},
                "facts": {
                    "implementation": "cpython",
                    "version": "3.14.0",
                    "version_full": "3.14.0 (main) [GCC 14]",
                },
                **((rev or {}).get(v, {})),
            }
            for v, f in variants.items()
        },
        "benchmarks": {
            b: {
                "kind": "plain",
                "source": f"bench/{b}.py",
                "function": "main",
                "bench_name": None,
                "loops": loops,
                "inner_loops": inner,
                "calibration": None,
                "error": None,
            }
            for b in benchmarks
        },
        "schedule": schedule,
        "processes": procs,
    }
    if sweep is not None:
        doc["sweep"] = sweep
    problem = first_error(doc)
    assert problem is None, problem
    return doc


def sweep_result(seed: int = 3) -> dict:
    """A sweep over 'threshold' (numeric) × 'inliner' (toggle) around the default 'cx'."""
    points = {"cx": {"threshold": 100, "inliner": True}}
    factors = {"cx": 1.0}
    for t in (10, 50, 100, 500):
        for inl in (True, False):
            name = f"cx@threshold={t},inliner={str(inl).lower()}"
            if (t, inl) == (100, True):
                continue
            points[name] = {"threshold": t, "inliner": inl}
            factors[name] = 1.0 + 0.0004 * (t - 100) / 10 + (0.08 if not inl else 0.0)
    return result(
        variants=factors,
        benchmarks={"alpha": 0.002},
        processes=5,
        values=10,
        seed=seed,
        sweep={"parameters": ["threshold", "inliner"], "default": "cx", "points": points},
    )


def _load(rng: np.random.Generator, top: list[tuple[str, float]] | None) -> dict:
    """A process's ``host_load`` record: quiet (``top=None``) or busy with the named processes."""
    foreign = sum(c for _, c in top) if top else round(float(rng.uniform(0.0, 0.2)), 3)
    return {
        "available": True,
        "interval_s": 1.5,
        "loadavg_before": [0.2, 0.2, 0.2],
        "loadavg_after": [0.3, 0.2, 0.2],
        "cpus": 8,
        "busy_cores": foreign + 1.0,
        "foreign_cores": foreign,
        "top": [{"name": n, "cores": c} for n, c in (top or [])],
        "mem_available_mb": 6000,
        "threshold": 0.5,
        "contaminated": bool(top),
    }


# (variant, round) → the foreign processes that kept the host busy while that process ran
BUSY = {
    ("jit@arm", 0): [("rustc", 1.8), ("yes", 0.6)],
    ("jit@arm", 1): [("rustc", 1.2)],
    ("nojit@arm", 0): [("yes", 1.1)],
}


def two_host_result(seed: int = 5) -> dict:
    """``jit`` and ``nojit`` on hosts x86 (the reference) and arm, where everything takes twice
    as long; some arm processes ran while other work (rustc, yes) kept the host busy."""
    factors = {"jit@x86": 1.0, "jit@arm": 2.0, "nojit@x86": 1.5, "nojit@arm": 3.0}
    doc = result(variants=factors, benchmarks={"alpha": 0.002}, processes=6, values=10, seed=seed)
    rng = np.random.default_rng(seed)
    remote = {k: v for k, v in HOST.items() if k != "jitbench_python"}  # as an SSH host reports
    hosts = {
        "x86": {**remote, "hostname": "bench-x86", "ssh": "bench-x86"},
        "arm": {
            **remote,
            "hostname": "bench-arm",
            "machine": "aarch64",
            "cpu_model": "Synthetic Neoverse",
            "ssh": "bench-arm",
        },
    }
    doc["hosts"] = {
        name: {
            "name": name,
            **facts,
            "interpreters": {
                f"cx@{name}": {
                    "implementation": "cpython",
                    "version": "3.14.0",
                    "version_full": "3.14.0 (main) [GCC 14]",
                    "executable": "/opt/cx/bin/python",
                    "machine": facts["machine"],
                }
            },
        }
        for name, facts in hosts.items()
    }
    for name, rec in doc["variants"].items():
        group, _, host = name.partition("@")
        rec.update(group=group, host=host, runtime=f"cx@{host}")
    for p in doc["processes"]:
        top = BUSY.get((p["variant"], p["round"]))
        p.update(
            host=doc["variants"][p["variant"]]["host"],
            host_load=_load(rng, top),
            contaminated=bool(top),
        )
    problem = first_error(doc)
    assert problem is None, problem
    return doc


def with_instructions(
    doc: dict, factors: dict[str, float], per_iteration: float = 1e6, instrument: str = "valgrind"
) -> dict:
    """``doc`` with one counted process per timed one (``instrument`` "valgrind": extra processes
    as valgrind runs them; "" : counts in the timed processes, as perf does). ``factors``: the
    instruction factor of each variant; counts are exact (no noise), as valgrind's are."""
    doc["design"]["measures"] = ["time", "instructions"]
    added = []
    for p in list(doc["processes"]):
        iterations = p["loops"] * p["inner_loops"]
        count = round(per_iteration * factors[p["variant"]] * iterations)
        counting = {
            "backend": "valgrind" if instrument else "perf",
            # A few instructions of jitter, as a real count has (a different path, once).
            "counts": {
                "instructions": [
                    count + 900 + (i + p["slot"]) % 3 for i, _ in enumerate(p["values_ns"])
                ]
            },
            "overhead": {"instructions": 900},
        }
        if not instrument:
            p["counting"] = counting
            continue
        slot = len(doc["processes"]) + len(added)
        # Times under valgrind are many times native: nothing may read them as timed values.
        slow = [v * 40 for v in p["values_ns"]]
        added.append(
            {**p, "slot": slot, "instrument": instrument, "values_ns": slow, "counting": counting}
        )
        doc["schedule"].append(
            {
                "slot": slot,
                "round": p["round"],
                "benchmark": p["benchmark"],
                "variant": p["variant"],
                "instrument": instrument,
            }
        )
    doc["processes"].extend(added)
    if instrument:
        doc["design"]["instruments"] = [instrument]
    problem = first_error(doc)
    assert problem is None, problem
    return doc
