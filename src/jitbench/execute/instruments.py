"""Instruments: processes run under a counter backend or a profiler, as extra slots of the engine.

An experiment's design names its instruments (``Design.instruments``). Every interleaved round
then holds, besides one timed process per variant, one process per variant *and* instrument,
shuffled together with the timed ones. The engine records such a process with its instrument's
name on its record (and its schedule entry); the analysis never uses those records for a time
verdict, since an instrument changes how fast the process runs.

To add an instrument, implement :class:`Instrument` and register it::

    class Valgrind:
        name = "valgrind"
        cost = 40.0  # a counted process takes ~40x a native one


        def check(self, variant, host):
            ...  # "valgrind not found on host 'arm'; apt-get install valgrind" or None

        def start(self, variant, facts):
            return InstrumentedProcess(wrap=..., env={"PYTHONHASHSEED": "0"}, task={...})

    register(Valgrind())

The engine calls ``check`` once per variant before any work (a problem is a one-line error),
``start`` once per instrumented process, runs the process through ``wrap``/``env``/``task``,
then calls ``collect`` with the finished, typed record and attaches what it returns (a profile)
to that record, and calls ``close`` whatever happened.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from ..errors import JitbenchError
from .transport import Completed, Transport

if TYPE_CHECKING:
    from ..model import Variant
    from ..results.model import ProcessRecord, ProfileRecord
    from .hosts import HostAccess


def _same(argv: list[str]) -> list[str]:
    return argv


def _nothing(record: ProcessRecord) -> ProfileRecord | None:
    return None


@dataclass
class InstrumentedProcess:
    """How one process starts under an instrument, and what to do with its record afterwards.

    ``wrap`` turns the process's full argv (runtime command, interpreter args, bootstrap) into the
    argv to start, e.g. ``["perf", "record", ..., "--", *argv]``, or valgrind inserted after a
    chroot prefix. ``env`` is added to the variant's env for this process only (e.g.
    ``PYTHONHASHSEED=0`` for deterministic counts). ``task`` is merged into the runner task (keys
    the runner understands, e.g. ``counting`` or ``profile_window``). ``collect`` reads what the
    instrument observed from outside the process and returns it as the record's ``profile`` (it
    also sees failed records: check ``record.ok``; None: nothing to attach). ``close`` releases
    what ``start`` acquired.
    """

    wrap: Callable[[list[str]], list[str]] = _same
    env: dict[str, str] = field(default_factory=dict)
    task: dict = field(default_factory=dict)
    collect: Callable[[ProcessRecord], ProfileRecord | None] = _nothing
    close: Callable[[], None] = lambda: None


class Instrument(Protocol):
    """A way of running a process that observes it: a counter backend, a profiler."""

    name: str
    """The word users type and records carry (``ProcessRecord.instrument``); unique."""

    cost: float
    """Wall time of one of its processes as a multiple of a native one (for the run's estimate)."""

    def check(self, variant: Variant, host: HostAccess) -> str | None:
        """Why this instrument cannot run ``variant`` on ``host`` (one line naming the fix), or None.

        ``host.transport`` runs commands where the variant runs (locally, or over SSH).
        """
        ...

    def start(self, variant: Variant, facts: dict) -> InstrumentedProcess:
        """Prepare one process of ``variant``; ``facts`` are the variant's preflight facts
        (``executable`` is the interpreter's real binary, ``implementation``, ``version``...)."""
        ...


_REGISTRY: dict[str, Instrument] = {}


def register(instrument: Instrument) -> None:
    """Make ``instrument`` available to designs by its name."""
    _REGISTRY[instrument.name] = instrument


def available() -> list[str]:
    """The names of every registered instrument."""
    return sorted(_REGISTRY)


# Instruments jitbench ships, by name → the module that registers it when imported.
BUILTIN = {name: "jitbench.profile.instrument" for name in ("perf", "perf-hir", "perf-lir")}
BUILTIN["valgrind"] = "jitbench.execute.valgrind"


def resolve(names: tuple[str, ...]) -> dict[str, Instrument]:
    """The instruments a design names; a one-line error for an unknown name."""
    import importlib

    out = {}
    for name in names:
        if name not in _REGISTRY and name in BUILTIN:
            importlib.import_module(BUILTIN[name])
        if name not in _REGISTRY:
            known = ", ".join(available()) or "none"
            raise JitbenchError(f"unknown instrument {name!r} (available: {known})")
        out[name] = _REGISTRY[name]
    return out


class InstrumentedTransport:
    """A transport that starts every process as ``process`` says: wrapped argv, extra env."""

    def __init__(self, inner: Transport, process: InstrumentedProcess):
        self.inner, self.process = inner, process

    def run(self, argv: list[str], env: dict[str, str], stdin: bytes, timeout: float) -> Completed:
        return self.inner.run(
            self.process.wrap(list(argv)), {**env, **self.process.env}, stdin, timeout
        )
