"""The ``perf`` instrument (``--profile``): processes sampled by perf during their measured values.

Each profiled process runs under ``perf record`` with its events off; the runner opens the window
around each measured value (``profile_window``). The process's runtime names its JIT code in a
perf map, and CinderX also dumps each compiled function's final code into its JIT log, so that
``jitbench profile`` can diff the code of the hottest functions between variants.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..execute.instruments import InstrumentedProcess, register
from ..runner import jitbench_protocol as protocol
from ..runtimes import kind_named
from .code import KINDS
from .perf import PerfSession, problem

if TYPE_CHECKING:
    from ..execute.hosts import HostAccess
    from ..model import Variant
    from ..results.model import ProcessRecord, ProfileRecord

NAME = "perf"


def instrument_name(code: str = "asm") -> str:
    """``perf`` dumps final machine code; ``perf-hir`` / ``perf-lir`` dump HIR / LIR instead."""
    return NAME if code == "asm" else f"{NAME}-{code}"


def perf_map_env(kind: str) -> dict[str, str]:
    """Env vars that make a runtime of ``kind`` name its JIT code in ``/tmp/perf-PID.map``.

    Each kind says how (``PERF_MAP_ENV`` in ``runtimes/<kind>.py``); PyPy writes no perf map.
    """
    return dict(getattr(kind_named(kind), "PERF_MAP_ENV", {}))


def code_dump_env(kind: str, code: str = "asm") -> dict[str, str]:
    """Env vars that make a runtime of ``kind`` dump its ``code`` into the JIT log it ships."""
    dump = getattr(kind_named(kind), "code_dump_env", None)
    return dump(code) if dump is not None else {}


def profiled_process(
    variant: Variant, *, windowed: bool = True, code: str = "asm"
) -> InstrumentedProcess:
    """One process of ``variant`` under perf; it collects the profile of a process that succeeded.

    ``windowed=False`` samples the whole process instead (start-up, import and warmup too);
    ``code`` is what the JIT dumps for code diffs: ``asm``, ``hir`` or ``lir``.
    """
    from ..execute.hosts import access_for

    # perf runs where the process runs: this machine, or its SSH host.
    where = access_for(variant.runtime.host).transport
    session = PerfSession(list(variant.runtime.command), windowed=windowed, where=where)
    kind = variant.runtime.kind
    dumps = code_dump_env(kind, code)

    def collect(record: ProcessRecord) -> ProfileRecord | None:
        if not record.ok:
            return None
        window_ns = sum(record.values_ns or [])
        return session.collect(window_ns).to_record(code if dumps else None)

    window = session.window()
    return InstrumentedProcess(
        wrap=session.wrap,
        env={**perf_map_env(kind), **dumps},
        task={protocol.Task.PROFILE_WINDOW: window} if window else {},
        collect=collect,
        close=session.close,
    )


class PerfInstrument:
    """``--profile``: perf where the variant runs, sampling only the measured values."""

    # A profiled process of a 2 s benchmark took 2.3x a timed one, slot to slot: perf's start-up
    # and the stacks read back afterwards (`perf script`) add more than the sampling does.
    cost = 2.5

    def __init__(self, code: str = "asm"):
        self.code = code
        self.name = instrument_name(code)

    def check(self, variant: Variant, host: HostAccess) -> str | None:
        """perf must be installed and allowed to sample where the variant runs."""
        return problem(host.transport)

    def start(self, variant: Variant, facts: dict) -> InstrumentedProcess:
        return profiled_process(variant, code=self.code)


for _code in KINDS:
    register(PerfInstrument(_code))
