"""Run an experiment: preflight each variant, calibrate loops once per benchmark, then run the
interleaved schedule, saving the artifact after every process so nothing finished is ever lost."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from . import __version__
from .errors import JitbenchError
from .execute.process import run_process
from .execute.transport import LocalTransport, Transport
from .host import host_facts
from .model import Benchmark, Experiment, Slot, Variant
from .plan import interleaved
from .results import SCHEMA_NAME, SCHEMA_VERSION, write_atomic
from .runtimes import launch_for


class Interrupted(JitbenchError):
    """Ctrl-C during a run; the partial artifact has been saved."""


@dataclass
class Progress:
    """Callbacks the CLI uses to draw progress; all optional."""

    start: Callable[[int], None] = lambda total: None
    grow: Callable[[int], None] = lambda more: None
    advance: Callable[[dict], None] = lambda record: None
    message: Callable[[str], None] = lambda text: None


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def new_artifact(exp: Experiment, argv: list[str]) -> dict:
    """The artifact skeleton: design, host, variants as run; no processes yet."""
    d = exp.design
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
    return {
        "schema": SCHEMA_NAME,
        "schema_version": SCHEMA_VERSION,
        "tool_version": __version__,
        "id": f"{stamp}-{secrets.token_hex(3)}",
        "created": _now(),
        "finished": None,
        "complete": False,
        "interrupted": False,
        "command": list(argv),
        "config": str(exp.config_path) if exp.config_path else None,
        "seed": d.seed,
        "baseline": exp.variants[0].name,
        "design": {"kind": "interleaved", "processes": d.processes, "values": d.values,
                   "warmups": d.warmups, "timeout": d.timeout, "min_time": d.min_time,
                   "loops": d.loops},
        "host": host_facts(),
        "runtimes": {v.runtime.name: {"command": list(v.runtime.command), "kind": v.runtime.kind}
                     for v in exp.variants},
        "variants": {v.name: variant_record(v) for v in exp.variants},
        "benchmarks": {b.name: {"kind": b.kind, "source": str(b.path), "function": b.function,
                                "bench_name": b.bench_name, "loops": None, "inner_loops": None,
                                "calibration": None, "error": None}
                       for b in exp.benchmarks},
        "schedule": [],
        "processes": [],
        # Design-specific sections, e.g. "sweep" (which variant is which point of a parameter).
        **exp.extra,
    }


def variant_record(v: Variant) -> dict:
    """A variant as it will run: the env and args its mode resolves to, not just what was typed."""
    launch = launch_for(v)
    return {"runtime": v.runtime.name, "kind": v.runtime.kind, "command": list(v.runtime.command),
            "env": launch.env, "args": list(launch.args), "pre_import": list(launch.pre_import),
            "mode": v.mode, "jit_options": dict(v.jit_options), "facts": {},
            "rev": v.rev, "sha": (v.build or {}).get("sha"), "build": v.build}


class Runner:
    """Executes one experiment and keeps its artifact on disk up to date."""

    def __init__(self, exp: Experiment, out: Path, *, argv: list[str],
                 transport: Transport | None = None, progress: Progress | None = None):
        self.exp = exp
        self.transport = transport or LocalTransport()
        self.progress = progress or Progress()
        self.doc = new_artifact(exp, argv)
        # --out may name the file itself or the folder that collects artifacts.
        self.out_path = out if out.suffix == ".json" else out / f"{self.doc['id']}.json"
        self.variants = {v.name: v for v in exp.variants}
        self.benchmarks = {b.name: b for b in exp.benchmarks}

    def save(self) -> None:
        write_atomic(self.out_path, self.doc)

    def run(self, extend: Callable[[Runner], int] | None = None) -> dict:
        """Preflight, calibrate, run every slot; return the finished artifact.

        ``extend`` (adaptive designs) is asked after the planned rounds how many more rounds each
        benchmark still needs; it returns 0 to stop.
        """
        try:
            self._preflight()
            self._calibrate()
            self.progress.start(len(self.runnable()) * len(self.variants)
                                * self.exp.design.processes)
            self.run_rounds(0, self.exp.design.processes, self.runnable())
            while extend is not None:
                more = extend(self)
                if not more:
                    break
        except KeyboardInterrupt:
            self.doc["interrupted"] = True
            self.save()
            kept = sum(1 for p in self.doc["processes"] if p["status"] == "ok")
            raise Interrupted(f"interrupted: {kept} finished processes kept in {self.out_path}; "
                              "nothing finished was lost") from None
        self.doc["complete"] = True
        self.doc["finished"] = _now()
        self.save()
        return self.doc

    def runnable(self) -> list[str]:
        """Benchmarks whose calibration succeeded."""
        return [b for b in self.benchmarks if self.doc["benchmarks"][b]["error"] is None]

    def rounds_done(self) -> int:
        """How many interleaved rounds the schedule holds so far."""
        return 1 + max((s["round"] for s in self.doc["schedule"]), default=-1)

    def run_rounds(self, first_round: int, rounds: int, benchmarks: list[str]) -> None:
        """Schedule and run ``rounds`` more interleaved rounds of the given benchmarks."""
        d = self.exp.design
        offset = len(self.doc["schedule"])
        slots = interleaved(list(self.variants), benchmarks, rounds, d.seed, first_round=first_round)
        slots = [replace(s, index=s.index + offset) for s in slots]
        self.doc["schedule"].extend(slot_record(s) for s in slots)
        self.save()
        for slot in slots:
            self._run_slot(slot)

    def _preflight(self) -> None:
        """Start each variant once without a benchmark: the interpreter exists and starts."""
        for v in self.exp.variants:
            self.progress.message(f"checking variant {v.name}")
            rec = run_process(self.transport, v, None, {"action": "facts"}, self.exp.design.timeout)
            if rec["status"] != "ok":
                tail = _last_line(rec.get("stderr_tail"))
                raise JitbenchError(
                    f"variant {v.name!r} does not start: {rec['error']}"
                    + (f" ({tail})" if tail else "")
                    + f"; check runtimes.{v.runtime.name}.command and the variant's args/env")
            self.doc["variants"][v.name]["facts"] = rec.get("facts", {})
        self.save()

    def _calibrate(self) -> None:
        """Loops are found once per benchmark, with the baseline, and reused by every variant."""
        d = self.exp.design
        baseline = self.exp.variants[0]
        for bench in self.exp.benchmarks:
            entry = self.doc["benchmarks"][bench.name]
            if d.loops is not None:
                entry.update(loops=d.loops, calibration={"fixed": True})
                continue
            self.progress.message(f"calibrating {bench.name} with {baseline.name}")
            task = {"action": "calibrate", "min_time_ns": int(d.min_time * 1e9)}
            rec = run_process(self.transport, baseline, bench, task, d.timeout)
            if rec["status"] != "ok":
                entry["error"] = f"calibration failed: {rec['error']}"
                entry["calibration"] = {"variant": baseline.name, "stderr_tail": rec.get("stderr_tail")}
                self.progress.message(f"{bench.name}: {entry['error']}")
                continue
            entry.update(loops=rec["loops"], inner_loops=rec["inner_loops"],
                         calibration={"variant": baseline.name, "min_time": d.min_time,
                                      "steps": rec.get("steps", [])})
        self.save()
        if all(e["error"] for e in self.doc["benchmarks"].values()):
            first = next(iter(self.doc["benchmarks"].items()))
            raise JitbenchError(f"benchmark {first[0]!r}: {first[1]['error']}")

    def _run_slot(self, slot: Slot) -> None:
        d = self.exp.design
        bench: Benchmark = self.benchmarks[slot.benchmark]
        variant = self.variants[slot.variant]
        task = {"action": "run", "loops": self.doc["benchmarks"][bench.name]["loops"],
                "warmups": d.warmups, "values": d.values}
        rec = run_process(self.transport, variant, bench, task, d.timeout)
        rec = {**slot_record(slot), **rec}
        self.doc["processes"].append(rec)
        self.save()
        self.progress.advance(rec)


def slot_record(slot: Slot) -> dict:
    return {"slot": slot.index, "round": slot.round, "benchmark": slot.benchmark,
            "variant": slot.variant}


def _last_line(text: str | None) -> str:
    lines = [ln.strip() for ln in (text or "").splitlines() if ln.strip()]
    return lines[-1][:200] if lines else ""

