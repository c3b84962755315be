"""One profiled process outside an experiment, through the same instrument the engine uses."""

from __future__ import annotations

from ..execute.instruments import InstrumentedTransport
from ..execute.process import run_process
from ..execute.transport import Transport
from ..model import Benchmark, Variant
from ..results.model import ProcessRecord, SlotRecord
from .instrument import NAME, profiled_process


def run_profiled(
    transport: Transport,
    variant: Variant,
    bench: Benchmark,
    task: dict,
    timeout: float,
    *,
    windowed: bool = True,
) -> ProcessRecord:
    """Run ``task`` in one process under perf: the first slot of a one-process experiment,
    its record typed, with its ``instrument`` and ``profile``."""
    process = profiled_process(variant, windowed=windowed)
    try:
        rec = run_process(
            InstrumentedTransport(transport, process),
            variant,
            bench,
            {**task, **process.task},
            timeout,
        )
        slot = SlotRecord(
            slot=0, round=0, benchmark=bench.name, variant=variant.name, instrument=NAME
        )
        record = ProcessRecord.from_json({**slot.to_json(), **rec})
        record.profile = process.collect(record)
        return record
    finally:
        process.close()
