"""One profiled process outside an experiment, through the same instrument the engine uses."""

from __future__ import annotations

from ..execute.instruments import InstrumentedTransport
from ..execute.process import run_process
from ..execute.transport import Transport
from ..model import Benchmark, Variant
from .instrument import NAME, profiled_process


def run_profiled(
    transport: Transport,
    variant: Variant,
    bench: Benchmark,
    task: dict,
    timeout: float,
    *,
    windowed: bool = True,
) -> dict:
    """Run ``task`` in one process under perf; the record has ``instrument`` and ``profile``."""
    process = profiled_process(variant, windowed=windowed)
    try:
        record = run_process(
            InstrumentedTransport(transport, process),
            variant,
            bench,
            {**task, **process.task},
            timeout,
        )
        record["instrument"] = NAME
        process.collect(record)
        return record
    finally:
        process.close()
