"""Run an experiment: preflight each variant, calibrate loops once per benchmark, then run the
interleaved schedule, saving the artifact after every process so nothing finished is ever lost.

Variants may live on several hosts: each host runs one process at a time, hosts run at once
(``execute.parallel``), and every process record says how busy its host was (``load``).
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import secrets
import shlex
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from .. import __version__, config
from ..errors import JitbenchError
from ..measures import counted
from ..model import Benchmark, Design, Experiment, Slot, Variant
from ..plan import estimate
from ..plan.schedule import interleaved
from ..results import artifact
from ..results.artifact import SCHEMA_NAME, SCHEMA_VERSION, write_atomic
from ..results.lock import writing
from ..results.model import (
    BenchmarkRecord,
    DesignRecord,
    ProcessRecord,
    Result,
    SlotRecord,
    VariantRecord,
    split_sections,
)
from ..runner import jitbench_protocol as protocol
from ..runtimes import launch_for, preflight_problem, prepare_variant
from . import counting, load
from .dropped import Sweep, still_running
from .emulation import emulation_of, refusal
from .host import host_facts
from .hosts import HostAccess, access_for
from .instruments import Instrument, InstrumentedProcess, InstrumentedTransport, resolve
from .leftovers import describe
from .parallel import run_per_host
from .process import run_process
from .transport import LocalTransport, Transport

CONTAMINATED_RERUNS = 2  # passes over contaminated slots with --exclude-contaminated


def resume_hint(path: Path | str) -> str:
    """The command that resumes the result at ``path``, ready to paste into a shell."""
    return f"jitbench run --resume {shlex.quote(str(path))}"


def nothing_to_resume(path: Path | str) -> str:
    """Why a complete result cannot be resumed."""
    return f"{path}: this result is complete; nothing to resume (start a new run instead)"


class Interrupted(JitbenchError):
    """Ctrl-C during a run; the partial artifact has been saved."""


class HostLost(JitbenchError):
    """A host stopped answering mid-run; the partial artifact is saved and can be resumed."""


@dataclass
class Progress:
    """Callbacks the CLI uses to draw progress; all optional."""

    start: Callable[[int], None] = lambda total: None
    grow: Callable[[int], None] = lambda more: None
    advance: Callable[[ProcessRecord], None] = lambda record: None
    message: Callable[[str], None] = lambda text: None


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _design_record(d: Design) -> DesignRecord:
    """The design as the artifact records it: interleaved, with its counts and instruments."""
    return DesignRecord(
        kind="interleaved",
        processes=d.processes,
        values=d.values,
        warmups=d.warmups,
        timeout=d.timeout,
        min_time=d.min_time,
        loops=d.loops,
        measures=list(d.measures),
        instruments=list(d.instruments) or None,
        instrumented_rounds=d.instrumented_rounds,
        instrumented_values=d.instrumented_values,
        instrumented_benchmarks=(
            list(d.instrumented_benchmarks) if d.instrumented_benchmarks is not None else None
        ),
        instrumented_variants=(
            list(d.instrumented_variants) if d.instrumented_variants is not None else None
        ),
    )


def _runtime_record(v: Variant) -> dict:
    """A variant's runtime as the artifact records it: its command, kind and host."""
    return {
        "command": list(v.runtime.command),
        "kind": v.runtime.kind,
        "host": v.runtime.host_name,
    }


def _benchmark_record(b: Benchmark) -> BenchmarkRecord:
    """A benchmark as the artifact records it before calibration (no loops yet)."""
    return BenchmarkRecord(
        kind=b.kind,
        source=str(b.path),
        function=b.function,
        bench_name=b.bench_name,
        loops=None,
    )


def new_artifact(exp: Experiment, argv: list[str]) -> Result:
    """The artifact skeleton: design, host, variants as run; no processes yet."""
    d = exp.design
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
    sections, extra = split_sections(exp.extra)
    return Result(
        schema=SCHEMA_NAME,
        schema_version=SCHEMA_VERSION,
        tool_version=__version__,
        id=f"{stamp}-{secrets.token_hex(3)}",
        created=_now(),
        finished=None,
        complete=False,
        interrupted=False,
        command=list(argv),
        # Where the configuration was and what it held: resume finds and checks it by these.
        config=str(exp.config_path.resolve()) if exp.config_path else None,
        config_sha256=config.digest(exp.config_path) if exp.config_path else None,
        seed=d.seed,
        baseline=exp.variants[0].name,
        design=_design_record(d),
        host=host_facts(),
        # Every machine the variants ran on, by the name the user gave it ("local" = this one).
        hosts={},
        runtimes={v.runtime.name: _runtime_record(v) for v in exp.variants},
        variants={v.name: variant_record(v) for v in exp.variants},
        benchmarks={b.name: _benchmark_record(b) for b in exp.benchmarks},
        schedule=[],
        processes=[],
        # Design-specific sections, e.g. "sweep" (which variant is which point of a parameter).
        **sections,
        extra=extra,
    )


def variant_record(v: Variant) -> VariantRecord:
    """A variant as it will run: the env and args its mode resolves to, not just what was typed."""
    launch = launch_for(v)
    return VariantRecord(
        runtime=v.runtime.name,
        kind=v.runtime.kind,
        command=list(v.runtime.command),
        env=launch.env,
        args=list(launch.args),
        pre_import=list(launch.pre_import),
        mode=v.mode,
        jit_options=dict(v.jit_options),
        facts={},
        against=v.against or None,
        rev=v.rev,
        sha=(v.build or {}).get("sha"),
        build=v.build,
        host=v.runtime.host_name,
        group=v.group,
    )


def _writing_the_result(method: Callable) -> Callable:
    """Run ``method`` holding the lock of the runner's result file (one writer per result)."""

    @functools.wraps(method)
    def holding(self: Runner, *args, **kwargs):
        with writing(self.out_path):
            return method(self, *args, **kwargs)

    return holding


class Runner:
    """Executes one experiment and keeps its artifact on disk up to date."""

    def __init__(
        self,
        exp: Experiment,
        out: Path,
        *,
        argv: list[str],
        transport: Transport | None = None,
        progress: Progress | None = None,
        quiet: load.Quiet | None = None,
        result: Result | None = None,
    ):
        self.exp = exp
        self.transport = transport or LocalTransport()
        self.progress = progress or Progress()
        self.quiet = quiet or load.Quiet()
        # ``result`` is a partial artifact being resumed; a new run starts a new one.
        self.result = result if result is not None else new_artifact(exp, argv)
        # --out may name the file itself or the folder that collects artifacts.
        self.out_path = out if out.suffix == ".json" else out / f"{self.result.id}.json"
        self.variants = {v.name: v for v in exp.variants}
        self.benchmarks = {b.name: b for b in exp.benchmarks}
        self._lock = threading.RLock()  # host workers append records and save concurrently
        self._stop = threading.Event()
        self._lost: dict[str, str] = {}  # hosts given up on mid-run → why
        self.instruments: dict[str, Instrument] = resolve(exp.design.instruments)
        self._probes: dict[str, dict] = {}  # variant → what its runner can count
        self.hosts: dict[str, HostAccess] = {}
        self.counting: counting.Counting | None = None
        for v in exp.variants:
            if v.runtime.host_name not in self.hosts:
                self.hosts[v.runtime.host_name] = access_for(v.runtime.host, self.transport)

    def save(self) -> None:
        with self._lock:
            write_atomic(self.out_path, self.result)

    @_writing_the_result
    def run(self, extend: Callable[[Runner], int] | None = None) -> Result:
        """Preflight, calibrate, run every slot; return the finished artifact.

        ``extend`` (adaptive designs) is asked after the planned rounds how many more rounds each
        benchmark still needs; it returns 0 to stop.
        """
        try:
            self._open_hosts()
            self._preflight()
            self._prepare()
            d = self.exp.design
            variants = len(self.variants)
            counted = len(estimate.instrumented_variants(self.variants, d))
            planned = estimate.process_count(len(self.benchmarks), variants, d) + len(
                self.instruments
            ) * estimate.instrumented_count(self.benchmarks, counted, d)
            if d.loops is None:
                self.progress.message(
                    f"{planned} processes planned; calibrating loops first "
                    f"({len(self.benchmarks)} processes)"
                )
            self._calibrate()
            runnable = self.runnable()
            timed = estimate.process_count(len(runnable), variants, d)
            each = estimate.instrumented_count(runnable, counted, d)
            seconds = estimate.run_seconds(
                {b: self.result.benchmarks[b] for b in runnable},
                variants,
                d,
                {name: inst.cost for name, inst in self.instruments.items()},
                counted,
            )
            self.progress.message(
                estimate.describe(seconds, timed, dict.fromkeys(self.instruments, each))
            )
            self.progress.start(timed + len(self.instruments) * each)
            self.run_rounds(0, self.exp.design.processes, self.runnable())
            while extend is not None and not self._lost:
                more = extend(self)
                if not more:
                    break
            self._rerun_contaminated()
        except KeyboardInterrupt:
            self._interrupted()
        return self._finish()

    @_writing_the_result
    def resume(self, extend: Callable[[Runner], int] | None = None) -> Result:
        """Complete a partial artifact: run its slots that have no result, in schedule order.

        Slots whose connection was lost count as never run; with --exclude-contaminated, so do
        contaminated ones. Loops and the schedule are the artifact's: same seed, same work.
        ``extend`` continues an adaptive run that had not stopped, as in ``run``.
        """
        # Read again under the lock: another resume may have finished slots meanwhile.
        self.result = artifact.load_result(self.out_path)
        if self.result.complete:
            raise JitbenchError(nothing_to_resume(self.out_path))
        self.result.interrupted = False
        self.result.resumed = [*(self.result.resumed or []), _now()]
        try:
            self._open_hosts()
            self._end_dropped_earlier()
            self._preflight(record=False)
            self._calibrate(only_missing=True)
            slots = self.missing_slots()
            self.progress.start(len(slots))
            self._run_slots(slots)
            while extend is not None and not self._lost:
                if not extend(self):
                    break
            self._rerun_contaminated()
        except KeyboardInterrupt:
            self._interrupted()
        return self._finish()

    def runnable(self) -> list[str]:
        """Benchmarks whose calibration succeeded."""
        return [b for b in self.benchmarks if self.result.benchmarks[b].error is None]

    def rounds_done(self) -> int:
        """How many interleaved rounds the schedule holds so far."""
        return 1 + max((s.round for s in self.result.schedule), default=-1)

    def run_rounds(
        self,
        first_round: int,
        rounds: int,
        benchmarks: list[str],
        kinds: dict[str, tuple[str | None, ...]] | None = None,
    ) -> None:
        """Schedule and run ``rounds`` more interleaved rounds of the given benchmarks (``kinds``:
        which processes each benchmark's rounds hold, see :func:`plan.schedule.interleaved`)."""
        d = self.exp.design
        offset = len(self.result.schedule)
        slots = interleaved(
            list(self.variants),
            benchmarks,
            rounds,
            d.seed,
            first_round=first_round,
            instruments=tuple(self.instruments),
            instrumented_rounds=d.instrumented_rounds,
            instrumented_benchmarks=d.instrumented_benchmarks,
            kinds=kinds,
            instrumented_variants=d.instrumented_variants,
        )
        slots = [replace(s, index=s.index + offset) for s in slots]
        self.result.schedule.extend(slot_record(s) for s in slots)
        self.save()
        self._run_slots(slots)

    def missing_slots(self) -> list[Slot]:
        """Scheduled slots still to run: never run, connection lost, or (if asked) contaminated."""
        latest = {p.slot: p for p in self.result.processes}
        runnable = set(self.runnable())
        out = []
        for s in self.result.schedule:
            p = latest.get(s.slot)
            if s.benchmark not in runnable or s.variant not in self.variants:
                continue
            if (
                p is None
                or p.connection_lost
                or (self.quiet.exclude_contaminated and p.contaminated)
            ):
                out.append(
                    Slot(
                        index=s.slot,
                        round=s.round,
                        benchmark=s.benchmark,
                        variant=s.variant,
                        instrument=s.instrument,
                    )
                )
        return out

    def _interrupted(self) -> None:
        self._stop.set()
        self.result.interrupted = True
        self.save()
        kept = sum(1 for p in self.result.processes if p.ok)
        raise Interrupted(
            f"interrupted: {kept} finished processes kept in {self.out_path}; "
            f"nothing finished was lost; finish with: "
            f"{resume_hint(self.out_path)}"
        ) from None

    def _finish(self) -> Result:
        if self._lost:
            self.result.complete = False
            self.save()
            host, reason = next(iter(self._lost.items()))
            left = len(self.missing_slots())
            why = reason.removeprefix(f"host {host!r}: ")
            raise HostLost(
                f"host {host!r}: connection lost mid-run, now {why}; {left} of "
                f"{len(self.result.schedule)} processes still to run, finished ones "
                f"are kept in {self.out_path}; when the host answers again: "
                f"{resume_hint(self.out_path)}"
            )
        # A slot whose connection was lost is still to run: ``--resume`` must take the result.
        self.result.complete = not any(p.connection_lost for p in self.result.processes)
        self.result.finished = _now()
        self.save()
        return self.result

    def _access(self, variant: Variant) -> HostAccess:
        return self.hosts[variant.runtime.host_name]

    def _run(self, variant: Variant, bench: Benchmark | None, task: dict) -> dict:
        return run_process(
            self._access(variant).transport, variant, bench, task, self.exp.design.timeout
        )

    def _open_hosts(self) -> None:
        """Connect to every SSH host first (one-line errors before any work) and record facts."""
        for name, access in self.hosts.items():
            if access.host is not None:
                self.progress.message(f"connecting to host {name} ({access.host.ssh})")
            access.connect()
            if self.result.hosts is None:  # absent in artifacts of older versions
                self.result.hosts = {}
            hosts = self.result.hosts
            if name not in hosts:
                hosts[name] = {"name": name, **access.facts(), "interpreters": {}}
        self.save()

    def _preflight(self, record: bool = True) -> None:
        """Start each variant once without a benchmark: the interpreter exists and starts."""
        for v in self.exp.variants:
            self.progress.message(f"checking variant {v.name}")
            wanted = counted(self.exp.design.measures)
            rec = self._run(v, None, protocol.facts_task(wanted))
            problem = preflight_problem(v, rec)  # the runtime kind's own diagnosis, e.g. no cinderx
            if problem is not None:
                raise JitbenchError(problem)
            # Code of another architecture than its host's runs emulated: no time or counts.
            facts = rec.get(protocol.Result.FACTS, {})
            facts["emulation"] = emulation_of(
                facts.get("machine"),
                (self.result.hosts or {})[v.runtime.host_name].get("machine"),
                self._access(v),
            )
            # A --jit-only result draws no time verdict; an instrument (perf, counters) still
            # measures the emulator.
            if facts["emulation"] and (not self.result.jit_only or self.instruments):
                raise JitbenchError(refusal(v.name, facts["emulation"]))
            for instrument in self.instruments.values():
                problem = instrument.check(v, self._access(v))
                if problem is not None:
                    raise JitbenchError(
                        f"instrument {instrument.name!r}, variant {v.name!r}: {problem}"
                    )
            if rec["status"] != "ok":
                tail = _last_line(rec.get("stderr_tail"))
                where = f" on host {v.runtime.host_name!r}" if v.runtime.host else ""
                raise JitbenchError(
                    f"variant {v.name!r} does not start{where}: {rec['error']}"
                    + (f" ({tail})" if tail else "")
                    + f"; check runtimes.{v.runtime.name.split('@')[0]}.command and the "
                    "variant's args/env"
                )
            if record:
                self.result.variants[v.name].facts = facts
                interpreters = (self.result.hosts or {})[v.runtime.host_name]["interpreters"]
                interpreters[v.runtime.name] = {
                    k: facts.get(k)
                    for k in (
                        "implementation",
                        "version",
                        "version_full",
                        "executable",
                        "machine",
                        "emulation",
                    )
                }
            self._probes[v.name] = rec.get(protocol.Result.COUNTING_PROBE) or {}
        self._choose_counting()
        self.save()

    def _choose_counting(self) -> None:
        """One counting backend for the whole experiment (both sides counted alike)."""
        d = self.exp.design
        if not counted(d.measures):
            return
        backend, note = counting.choose(d.measures, d.counter, self._probes)
        version = None
        if backend == "valgrind":
            # Counted processes are the valgrind instrument's: extra slots of every round.
            self.instruments.update(resolve(("valgrind",)))
            self.result.design.instruments = list(self.instruments)
            for v in self.exp.variants:
                version = counting.check_valgrind(self._access(v).transport, v)
        self.counting = counting.Counting(
            backend=backend,
            measures=tuple(counted(d.measures)),
            note=note,
            valgrind_version=version,
            env=counting.counted_env(self.exp.variants),
        )
        self.result.counting = self.counting.record()
        self.progress.message(note)

    def _prepare(self) -> None:
        """Runs a runtime kind needs before calibration (CinderX jitlist=auto profiles first)."""
        for i, v in enumerate(self.exp.variants):
            prepared = prepare_variant(v, self.exp.benchmarks, self._run, self.exp.design.min_time)
            if prepared is None:
                continue
            self.progress.message(f"prepared variant {v.name}")
            new, note = prepared
            self.exp.variants[i] = self.variants[v.name] = new
            rec = variant_record(new)
            rec.facts = self.result.variants[v.name].facts
            rec.extra.update(note)  # what the preparation found, e.g. the JIT list it wrote
            self.result.variants[v.name] = rec
        self.save()

    def _calibrate(self, only_missing: bool = False) -> None:
        """Loops are found once per benchmark, with the baseline, and reused by every variant."""
        d = self.exp.design
        baseline = self.exp.variants[0]
        for bench in self.exp.benchmarks:
            entry = self.result.benchmarks[bench.name]
            if only_missing and (entry.loops is not None or entry.error):
                continue
            if d.loops is not None:
                entry.loops, entry.calibration = d.loops, {"fixed": True}
                continue
            self.progress.message(f"calibrating {bench.name} with {baseline.name}")
            rec = self._run(baseline, bench, protocol.calibrate_task(d.min_time * 1e9))
            if rec["status"] != "ok":
                entry.error = f"calibration failed: {rec['error']}"
                entry.calibration = {
                    "variant": baseline.name,
                    "stderr_tail": rec.get("stderr_tail"),
                }
                self.progress.message(f"{bench.name}: {entry.error}")
                continue
            entry.loops = rec[protocol.Result.LOOPS]
            entry.inner_loops = rec[protocol.Result.INNER_LOOPS]
            entry.calibration = {
                "variant": baseline.name,
                "min_time": d.min_time,
                "steps": rec.get(protocol.Result.STEPS, []),
                "wall_ns": rec["wall_ns"],
            }
        self.save()
        if all(e.error for e in self.result.benchmarks.values()):
            name, first = next(iter(self.result.benchmarks.items()))
            raise JitbenchError(f"benchmark {name!r}: {first.error}")

    def _run_slots(self, slots: list[Slot]) -> None:
        """Each host's slots in schedule order; hosts at the same time."""
        groups: dict[str, list[Slot]] = {}
        for slot in slots:
            groups.setdefault(self.variants[slot.variant].runtime.host_name, []).append(slot)
        run_per_host(groups, self._run_slot, self._stop)

    def _rerun_contaminated(self) -> None:
        """--exclude-contaminated: run slots measured under load again (a bounded number of times)."""
        if not self.quiet.exclude_contaminated:
            return
        for _ in range(CONTAMINATED_RERUNS):
            again = [s for s in self.missing_slots() if s.index in self._contaminated()]
            if not again or self._lost:
                return
            self.progress.message(f"running {len(again)} contaminated process(es) again")
            self.progress.grow(len(again))
            self._run_slots(again)

    def _contaminated(self) -> set[int]:
        return {p.slot for p in self.result.processes if p.contaminated}

    def _run_slot(self, host: str, slot: Slot) -> bool:
        """Run one slot on its host and record it; False when the host is lost."""
        if host in self._lost:
            return False
        access = self.hosts[host]
        bench: Benchmark = self.benchmarks[slot.benchmark]
        variant = self.variants[slot.variant]
        threshold = self.quiet.threshold_for(access.host.load_threshold if access.host else None)
        waited = None
        if self.quiet.wait_idle:
            waited = load.wait_idle(access.sample, threshold=threshold, limit=self.quiet.wait_idle)
        # The canary times the host the process is about to run on; the load is read after it
        # (never an older sample), so the canary's own work is no load beside the process.
        canary_ns = access.canary()
        before = access.sample()
        instrumented = self._start_instrument(variant, slot.instrument)
        try:
            transport: Transport = access.transport
            if instrumented is not None:
                transport = InstrumentedTransport(transport, instrumented)
            task = self._slot_task(bench, instrumented)
            rec = run_process(transport, variant, bench, task, self.exp.design.timeout)
            if self._stop.is_set():
                return False  # killed because jitbench is stopping: not a measurement
            after = access.sample()
            host_load = load.measure(
                before, after, own_seconds=(rec.get("wall_ns") or 0) / 1e9, threshold=threshold
            )
            if waited is not None:
                host_load["wait_idle"] = waited
            process = process_record(slot, rec, host, host_load, canary_ns)
            if instrumented is not None:
                # Read after the host's load was sampled: the instrument's own work (perf
                # script) is not load beside the process.
                process.profile = instrumented.collect(process)
        finally:
            if instrumented is not None:
                instrumented.close()
        if process.connection_lost:
            reason = access.reachable() or self._end_dropped(access, process)
            if reason is not None:
                with self._lock:
                    self._lost.setdefault(host, reason)
        self._record(process)
        return host not in self._lost

    def _start_instrument(self, variant: Variant, name: str | None) -> InstrumentedProcess | None:
        """The process ``name`` runs ``variant`` under; None for a timed process."""
        if name is None:
            return None
        facts = self.result.variants[variant.name].facts or {}
        return self.instruments[name].start(variant, facts)

    def _slot_task(self, bench: Benchmark, instrumented: InstrumentedProcess | None) -> dict:
        """The runner task of one process of ``bench``: timed, or under its instrument."""
        d = self.exp.design
        task = protocol.run_task(self.result.benchmarks[bench.name].loops, d.warmups, d.values)
        if instrumented is None:
            if self.counting is not None and self.counting.backend == "perf":
                task.update(self.counting.task())  # perf counts inside the timed processes
            return task
        task[protocol.Task.VALUES] = d.instrumented_values or d.values
        return {**task, **instrumented.task}

    def _end_dropped_earlier(self) -> None:
        """Before resuming: end what processes whose connection dropped, and which were not
        checked then (the host did not answer), left running on their host."""
        for rec in self.result.processes:
            access = self.hosts.get(rec.host or "")
            if access is None or rec.left_running is not None or not rec.marker:
                continue
            try:
                sweep = access.end_dropped([rec.marker])
            except JitbenchError:
                continue  # the host does not answer: its slots will say so
            reason = self._note_dropped(access, rec, sweep)
            self.save()
            if reason is not None:
                raise JitbenchError(reason)

    def _end_dropped(self, access: HostAccess, rec: ProcessRecord) -> str | None:
        """After a reconnect: end what the dropped process left running there, note it in its
        record; the reason the host cannot take the next process, if it cannot."""
        try:
            sweep = access.end_dropped()
        except JitbenchError as exc:
            return str(exc)
        return self._note_dropped(access, rec, sweep)

    def _note_dropped(self, access: HostAccess, rec: ProcessRecord, sweep: Sweep) -> str | None:
        """Say and record what a sweep ended; the one-line reason if something outlived it."""
        if not sweep.checked:
            self.progress.message(
                f"host {access.name}: no /proc there; processes of the dropped connection "
                "could not be checked"
            )
            return None
        rec.left_running = [{"pid": pid, "command": cmd} for pid, cmd in sweep.found]
        if sweep.found:
            self.progress.message(
                f"host {access.name}: ended {len(sweep.found)} process(es) a dropped "
                f"connection left running there ({describe(sweep.found)})"
            )
        return still_running(access.name, sweep) if sweep.left else None

    def _record(self, rec: ProcessRecord) -> None:
        """Add a process record in slot order (replacing an earlier try of its slot) and save."""
        with self._lock:
            procs = self.result.processes
            earlier = [p for p in procs if p.slot == rec.slot]
            if earlier:
                # Kept for the record: a lost connection or a contaminated try is history too.
                self.result.replaced = [*(self.result.replaced or []), *earlier]
                procs[:] = [p for p in procs if p.slot != rec.slot]
            bisect.insort(procs, rec, key=lambda p: p.slot)
            self.save()
            self.progress.advance(rec)


def process_record(
    slot: Slot, rec: dict, host: str, host_load: dict, canary_ns: list[int] | None
) -> ProcessRecord:
    """The runner's record of ``slot`` as the artifact keeps it, with where and how it ran."""
    # The model reads the protocol's keys: a record read back from a file is built the same way.
    return ProcessRecord.from_json(
        {
            **slot_record(slot).to_json(),
            **rec,
            "host": host,
            "host_load": host_load,
            "contaminated": host_load["contaminated"],
            **({"canary_ns": canary_ns} if canary_ns else {}),
        }
    )


def slot_record(slot: Slot) -> SlotRecord:
    """A planned slot as the artifact's schedule keeps it."""
    return SlotRecord(
        slot=slot.index,
        round=slot.round,
        benchmark=slot.benchmark,
        variant=slot.variant,
        instrument=slot.instrument,
    )


def _last_line(text: str | None) -> str:
    lines = [ln.strip() for ln in (text or "").splitlines() if ln.strip()]
    return lines[-1][:200] if lines else ""
