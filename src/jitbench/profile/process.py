"""One process of a variant run under perf: the same task as a timed process, plus a profile."""

from __future__ import annotations

from ..execute.process import run_process
from ..execute.transport import Completed, Transport
from ..model import Benchmark, Variant
from .code import DUMP_ENV
from .perf import PerfSession

INSTRUMENT = "perf"


def perf_map_env(kind: str) -> dict[str, str]:
    """Env vars that make a runtime of ``kind`` name its JIT code in ``/tmp/perf-PID.map``.

    CinderX: ``__CINDER_JIT:module:qualname``. CPython 3.12+: ``py::`` trampolines (``-X perf``),
    which name every Python function, interpreted or not. PyPy writes no perf map: its JIT code
    stays unnamed (``[unknown]``) and is counted as "other".
    """
    if kind == "cinderx":
        return {"CINDERX_JIT_PERF_MAP": "1"}
    if kind in ("cpython", "python"):
        return {"PYTHONPERFSUPPORT": "1"}
    return {}


class _Wrapped:
    """A transport that starts every process under ``perf record``."""

    def __init__(self, inner: Transport, session: PerfSession, env: dict[str, str]):
        self.inner, self.session, self.extra_env = inner, session, env

    def run(self, argv: list[str], env: dict[str, str], stdin: bytes, timeout: float) -> Completed:
        return self.inner.run(self.session.wrap(argv), {**env, **self.extra_env}, stdin, timeout)


def code_dump_env(kind: str) -> dict[str, str]:
    """Env vars that make a runtime of ``kind`` dump its final code into the JIT log it ships."""
    if kind == "cinderx":
        from ..runtimes.cinderx import LOG_PATH

        return {**DUMP_ENV, "CINDERX_JIT_LOG_FILE": LOG_PATH}
    return {}


def run_profiled(
    transport: Transport,
    variant: Variant,
    bench: Benchmark,
    task: dict,
    timeout: float,
    *,
    windowed: bool = True,
    dump_code: bool = False,
) -> dict:
    """Run ``task`` in one process sampled during its measured values; the record has ``profile``.

    ``windowed=False`` samples the whole process instead (start-up, import and warmup too);
    ``dump_code`` also ships the JIT's final code of every compiled function in its JIT log.
    """
    session = PerfSession(list(variant.runtime.command), windowed=windowed)
    env = perf_map_env(variant.runtime.kind)
    if dump_code:
        env.update(code_dump_env(variant.runtime.kind))
    try:
        wrapped = _Wrapped(transport, session, env)
        record = run_process(
            wrapped, variant, bench, {**task, "profile_window": session.window()}, timeout
        )
        record["instrument"] = INSTRUMENT
        if record.get("status") == "ok":
            window_ns = sum(record.get("values_ns") or [])
            record["profile"] = session.collect(window_ns).to_record()
        return record
    finally:
        session.close()
