"""The result artifact as types: one dataclass per part, and its one JSON round trip.

``Result.from_json(doc)`` and ``Result.to_json()`` are the only code that maps the artifact's
keys to fields. A key the model does not name (a runtime kind's extra facts, a section a later
version adds, ``sweep``, ``pyperf``...) is kept in the part's ``extra`` and written back as it
was, so reading and writing an artifact never loses anything. The schema version is defined
here, once; ``tests/results/test_model.py`` checks the published JSON Schema against these types:
a field added to the schema is added here too, with its type.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, ClassVar, TypeVar

SCHEMA_NAME = "jitbench.result"
SCHEMA_VERSION = 1

Json = dict[str, Any]
P = TypeVar("P", bound="Part")


@dataclass
class Part:
    """A JSON object with typed fields; keys it does not model stay in ``extra``."""

    # Fields a part built in code writes only when set: an absent key and None mean the same.
    OPTIONAL: ClassVar[frozenset[str]] = frozenset()

    extra: Json = field(default_factory=dict, kw_only=True)

    # The keys a part read from JSON had (None: built in code). A None field is written back
    # exactly when its key was there, so a file round-trips with its nulls and absences as read.
    _read: ClassVar[frozenset[str] | None] = None

    @classmethod
    def from_json(cls: type[P], data: Json) -> P:
        """The part of one JSON object; unknown keys go to ``extra``."""
        known, extra = _split(cls, data)
        return _reading(cls(**known, extra=extra), data)

    def to_json(self) -> Json:
        """The JSON object: modelled fields in declaration order, then ``extra`` as read."""
        out: Json = {}
        for f in fields(self):
            if f.name == "extra":
                continue
            value = getattr(self, f.name)
            if value is None and not self._writes_none(f.name):
                continue
            out[f.name] = value
        out.update(self.extra)
        return out

    def _writes_none(self, name: str) -> bool:
        """Whether a None field is written as null (else its key is left out)."""
        return name in self._read if self._read is not None else name not in self.OPTIONAL


def _reading(part: P, data: Json) -> P:
    part._read = frozenset(data)  # type: ignore[misc]  # per instance, not a dataclass field
    return part


def _split(cls: type, data: Json) -> tuple[Json, Json]:
    """(the keys ``cls`` models, the others)."""
    names = {f.name for f in fields(cls)} - {"extra"}
    return (
        {k: v for k, v in data.items() if k in names},
        {k: v for k, v in data.items() if k not in names},
    )


@dataclass
class DesignRecord(Part):
    """How the experiment was run: ``interleaved`` (jitbench) or ``sequential`` (imported)."""

    OPTIONAL: ClassVar[frozenset[str]] = frozenset(
        {
            "min_time",
            "instruments",
            "instrumented_rounds",
            "instrumented_values",
            "instrumented_benchmarks",
            "measures",
            "instrumented_variants",
        }
    )

    kind: str
    processes: int
    values: int
    warmups: int
    timeout: float | None  # None: no timeout was applied (imported runs)
    min_time: float | None = None
    loops: int | None = None
    instruments: list[str] | None = None
    instrumented_rounds: int | None = None  # only the first N rounds hold instrumented processes
    instrumented_values: int | None = None  # values of an instrumented process, when not ``values``
    instrumented_benchmarks: list[str] | None = None  # the benchmarks that have them (None: all)
    measures: list[str] | None = None  # what the values record: time, instructions... (None: time)
    instrumented_variants: list[str] | None = None  # the variants that have them (None: all)


@dataclass
class VariantRecord(Part):
    """A variant as it ran: the env and args its mode resolved to, and the interpreter's facts."""

    OPTIONAL: ClassVar[frozenset[str]] = frozenset(
        {"kind", "pre_import", "jit_options", "facts", "against"}
    )

    runtime: str
    command: list[str]
    env: dict[str, str]
    args: list[str]
    kind: str | None = None
    pre_import: list[str] | None = None
    mode: str | None = None
    jit_options: dict[str, Any] | None = None
    facts: Json | None = None
    against: str | None = None  # the variant it is compared with, when not the baseline
    rev: str | None = None  # the revision it was built from (ab, bisect)
    sha: str | None = None
    build: Json | None = None
    host: str | None = None  # the configured host it ran on (None: this machine)
    group: str | None = None  # the same variant on several hosts shares its group


@dataclass
class BenchmarkRecord(Part):
    """A benchmark and the loops calibrated once for every variant (``error`` if that failed)."""

    OPTIONAL: ClassVar[frozenset[str]] = frozenset({"pyperf_metadata"})

    kind: str
    source: str
    loops: int | None
    function: str | None = None
    bench_name: str | None = None
    inner_loops: int | None = None
    calibration: Json | None = None
    error: str | None = None
    pyperf_metadata: Json | None = None  # an imported pyperf benchmark's own metadata


@dataclass
class SlotRecord(Part):
    """One planned process: which benchmark and variant, in which round, under which instrument."""

    OPTIONAL: ClassVar[frozenset[str]] = frozenset({"instrument"})

    slot: int
    round: int
    benchmark: str
    variant: str
    instrument: str | None = None


@dataclass
class ProfileRecord(Part):
    """A profiled process's perf samples of its measured values: folded stacks, compressed."""

    OPTIONAL: ClassVar[frozenset[str]] = frozenset({"code"})

    event: str
    samples: int
    window_ns: int
    encoding: str  # zlib+base64
    folded: str
    code: str | None = None  # the JIT code it dumped (asm, hir, lir); None: asm


@dataclass
class ProcessRecord(Part):
    """One process as it ran: integer nanoseconds for ``loops × inner_loops`` iterations."""

    OPTIONAL: ClassVar[frozenset[str]] = frozenset(
        {
            "error",
            "stderr_tail",
            "returncode",
            "started",
            "wall_ns",
            "loops",
            "inner_loops",
            "first_ns",
            "warmups_ns",
            "values_ns",
            "facts",
            "jit",
            "activity_error",
            "host_load",
            "contaminated",
            "host",
            "connection_lost",
            "marker",
            "left_running",
            "instrument",
            "events",
            "profile",
            "canary_ns",
            "pyperf",
            "counting",
        }
    )

    slot: int
    round: int
    benchmark: str
    variant: str
    status: str  # ok | failed
    error: str | None = None
    stderr_tail: str | None = None
    returncode: int | None = None
    started: str | None = None
    wall_ns: int | None = None
    loops: int | None = None
    inner_loops: int | None = None
    first_ns: int | None = None
    warmups_ns: list[int] | None = None
    values_ns: list[int] | None = None
    facts: Json | None = None
    jit: Json | None = None
    activity_error: str | None = None
    host_load: Json | None = None
    contaminated: bool | None = None
    host: str | None = None
    connection_lost: bool | None = None
    marker: str | None = None  # a dropped process's environment marker (execute.dropped)
    left_running: list[Json] | None = None  # what it left running on the host; ended
    instrument: str | None = None  # None: a timed process; only those give time verdicts
    events: Json | None = None  # JIT and GC counters between values (runtimes/)
    profile: ProfileRecord | None = None  # perf samples of the measured values (instrument perf)
    canary_ns: list[int] | None = None  # the host's own speed just before the process
    pyperf: Json | None = None  # an imported pyperf run's own metadata and warmups
    counting: Json | None = None  # counts per value and the harness overhead, by measure

    @classmethod
    def from_json(cls, data: Json) -> ProcessRecord:
        """The process of one JSON object; its ``profile`` typed."""
        record = super().from_json(data)
        if data.get("profile") is not None:
            record.profile = ProfileRecord.from_json(data["profile"])
        return record

    def to_json(self) -> Json:
        """The JSON object, its ``profile`` written back as read."""
        out = super().to_json()
        if self.profile is not None:
            out["profile"] = self.profile.to_json()
        return out

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    @property
    def timed(self) -> bool:
        """A process whose times may enter a time verdict (not run under an instrument)."""
        return self.instrument is None


# Top-level keys after ``processes``, in the order writers add them; all but config_sha256
# (written null when a run had no configuration file) are written only when set.
_SECTIONS = (
    "config_sha256",
    "jit_only",
    "counting",
    "adaptive",
    "resumed",
    "replaced",
    "sweep",
    "pyperf",
)


@dataclass
class Result(Part):
    """One experiment: its design, where it ran, what ran, the planned order and every process."""

    OPTIONAL: ClassVar[frozenset[str]] = frozenset({"hosts", "runtimes", *_SECTIONS[1:]})

    schema: str
    schema_version: int
    tool_version: str
    id: str
    created: str
    complete: bool
    seed: int
    design: DesignRecord
    host: Json
    variants: dict[str, VariantRecord]
    benchmarks: dict[str, BenchmarkRecord]
    schedule: list[SlotRecord]
    processes: list[ProcessRecord]
    finished: str | None = None
    interrupted: bool = False
    command: list[str] = field(default_factory=list)
    config: str | None = None
    baseline: str | None = None
    hosts: Json | None = None
    runtimes: Json | None = None
    config_sha256: str | None = None  # what the configuration held: resume checks it
    jit_only: bool | None = None  # run for what the JIT compiled: no time verdict
    counting: Json | None = None  # the counting backend the counted measures came from
    adaptive: Json | None = None  # an adaptive run's target and where it stands
    resumed: list[str] | None = None  # when each resume started
    replaced: list[ProcessRecord] | None = None  # earlier tries of a slot that ran again
    sweep: Json | None = None  # which variant is which point of a swept parameter
    pyperf: Json | None = None  # an imported pyperf file's own version and metadata

    # The order schema-1 writers used, so that a round trip rewrites a file as it was.
    ORDER: ClassVar[tuple[str, ...]] = (
        "schema",
        "schema_version",
        "tool_version",
        "id",
        "created",
        "finished",
        "complete",
        "interrupted",
        "command",
        "config",
        "seed",
        "baseline",
        "design",
        "host",
        "hosts",
        "runtimes",
        "variants",
        "benchmarks",
        "schedule",
        "processes",
        *_SECTIONS,
    )

    @classmethod
    def from_json(cls, data: Json) -> Result:
        """The typed artifact of a JSON document (already checked against the schema)."""
        known, extra = _split(cls, data)
        known.update(
            design=DesignRecord.from_json(data["design"]),
            variants={k: VariantRecord.from_json(v) for k, v in data["variants"].items()},
            benchmarks={k: BenchmarkRecord.from_json(v) for k, v in data["benchmarks"].items()},
            schedule=[SlotRecord.from_json(s) for s in data["schedule"]],
            processes=[ProcessRecord.from_json(p) for p in data["processes"]],
        )
        if data.get("replaced") is not None:
            known["replaced"] = [ProcessRecord.from_json(p) for p in data["replaced"]]
        return _reading(cls(**known, extra=extra), data)

    def to_json(self) -> Json:
        """The JSON document; ``Result.from_json(r.to_json()) == r``."""
        flat = {
            **{f.name: getattr(self, f.name) for f in fields(self) if f.name != "extra"},
            "design": self.design.to_json(),
            "variants": {k: v.to_json() for k, v in self.variants.items()},
            "benchmarks": {k: b.to_json() for k, b in self.benchmarks.items()},
            "schedule": [s.to_json() for s in self.schedule],
            "processes": [p.to_json() for p in self.processes],
            "replaced": None if self.replaced is None else [p.to_json() for p in self.replaced],
        }
        out = {k: flat[k] for k in self.ORDER if flat[k] is not None or self._writes_none(k)}
        out.update(self.extra)
        return out

    def timed_processes(self) -> list[ProcessRecord]:
        """The processes whose times give verdicts: finished, and not run under an instrument."""
        return [p for p in self.processes if p.ok and p.timed]


def split_sections(data: Json) -> tuple[Json, Json]:
    """Top-level sections a design adds (``sweep``...): (those ``Result`` types, the others)."""
    return _split(Result, data)
