"""Run one target process and turn whatever came back into a process record.

A process that crashes, hangs past the timeout, or answers with something that is not a result
document becomes a ``failed`` record with the reason and the tail of its stderr; nothing raises
except a missing interpreter or a runner speaking another protocol version, which no later
process could overcome either.
"""

from __future__ import annotations

import datetime as dt
import json
import threading

from ..errors import JitbenchError
from ..model import Benchmark, Variant
from ..runner import jitbench_protocol as protocol
from ..runner.jitbench_protocol import Benchmark as BenchKey
from ..runner.jitbench_protocol import Counting, Result, Task
from ..runtimes import Launch, jit_idle, launch_for, probes_for, verify_activity
from .leftovers import describe
from .payload import (
    BOOTSTRAP,
    MISSING_STATUS,
    Bundle,
    benchmark_files,
    bundles_for,
    encode,
    missing_digests,
)
from .transport import Completed, LocalTransport, Transport

RESULT_MARKER = protocol.RESULT_MARKER.encode("ascii")
CONNECTION_LOST = "connection lost"
STDERR_TAIL = 2000

# Bundles each target holds in its cache, as far as this jitbench process knows: those travel as
# their hash alone. A target that lost one says so and gets it whole.
_held: dict[tuple, set[str]] = {}
_held_lock = threading.Lock()


def benchmark_task(bench: Benchmark) -> dict:
    """The part of a runner task that says what to load."""
    return {
        BenchKey.NAME: bench.name,
        BenchKey.KIND: bench.kind,
        BenchKey.FILE: f"bench/{bench.path.name}",
        BenchKey.FUNCTION: bench.function,
        BenchKey.BENCH_NAME: bench.bench_name,
        BenchKey.ARGS: list(bench.args),
    }


def argv_for(variant: Variant) -> list[str]:
    """The full argv of a target process: runtime prefix, interpreter args, the bootstrap."""
    launch = launch_for(variant)
    return [*variant.runtime.command, *launch.args, "-c", BOOTSTRAP]


def run_process(
    transport: Transport, variant: Variant, bench: Benchmark | None, task: dict, timeout: float
) -> dict:
    """Start one process of ``variant`` doing ``task``; return its record (status ok or failed)."""
    launch = launch_for(variant)
    full_task = _variant_task(task, variant, launch)
    host = variant.runtime.host
    if host is not None and isinstance(transport, LocalTransport):
        # A runtime on an SSH host runs there, whichever feature asked for the process.
        from .hosts import access_for

        transport = access_for(host).transport
    files = {}
    extra: list[Bundle] = []
    env_record = None
    if bench is not None:
        full_task[Task.BENCHMARK] = benchmark_task(bench)
        files = benchmark_files(bench.path, bench.data_files)
        prepared = _environment(transport, variant, bench, timeout)
        if isinstance(prepared, str):
            return _environment_failed(prepared)
        if prepared is not None:
            bundle, env_record = prepared
            extra.append(bundle)
            full_task[Task.SITE] = bundle.mount
    bundles = bundles_for(files, extra)
    started = _now()
    done = _start(transport, variant, launch, full_task, bundles, timeout)
    record = interpret(done, timeout)
    if host is not None:
        record["host"] = host.name
    if env_record is not None:
        record["environment"] = env_record
    record["started"] = started
    if record["status"] == "ok":
        _check_activity(record, variant, bench)
    return record


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


def _variant_task(task: dict, variant: Variant, launch: Launch) -> dict:
    """``task`` with what the runner needs of the variant: pre-imports, probes, mode, options."""
    full_task = dict(task)
    full_task[Task.PRE_IMPORT] = list(launch.pre_import)
    full_task[Task.PROBES] = probes_for(variant)
    full_task[Task.MODE] = variant.mode
    full_task[Task.JIT_OPTIONS] = dict(variant.jit_options)
    return full_task


def _environment(
    transport: Transport, variant: Variant, bench: Benchmark, timeout: float
) -> tuple[Bundle, dict] | str | None:
    """The package environment the benchmark requires (bundle, record), one line why not, or
    None when it requires none."""
    if not bench.requirements:
        return None
    from ..suites import environments

    return environments.for_benchmark(transport, variant.runtime, bench, timeout)


def _environment_failed(why: str) -> dict:
    """The record of a process that never started: its package environment could not be made."""
    return {
        "status": "failed",
        "error": why,
        "wall_ns": 0,
        "returncode": None,
        "stderr_tail": "",
        "environment_error": True,
        "started": _now(),
    }


def _start(
    transport: Transport,
    variant: Variant,
    launch: Launch,
    full_task: dict,
    bundles: list[Bundle],
    timeout: float,
) -> Completed:
    """Run the process with its bundles; one line naming the fix when its interpreter cannot start."""
    runtime = variant.runtime
    argv = [*runtime.command, *launch.args, "-c", BOOTSTRAP]
    where = f" on host {runtime.host.name!r}" if runtime.host is not None else ""
    fix = f"runtimes.{runtime.name.split('@')[0]}.command"
    try:
        return _run_with_bundles(
            transport,
            argv,
            launch.env,
            full_task,
            bundles,
            timeout,
            (runtime.host_name, runtime.command, launch.env.get("TMPDIR")),
        )
    except FileNotFoundError:
        raise JitbenchError(
            f"runtime {runtime.name!r}: interpreter {runtime.command[0]!r} not "
            f"found{where}; install it{' there' if runtime.host else ''} or fix {fix}"
        ) from None
    except PermissionError:
        raise JitbenchError(
            f"runtime {runtime.name!r}: {runtime.command[0]!r} is not executable{where}; fix {fix}"
        ) from None


def _check_activity(record: dict, variant: Variant, bench: Benchmark | None) -> None:
    """Fail a finished process whose JIT mode did not take effect; note why when it may not."""
    jit = record.get(Result.JIT, {})
    if "command" in (record.get(Result.METADATA) or {}):
        # A whole-process benchmark times the commands it starts: this process runs no hot code,
        # so its own JIT state proves nothing; the interpreters it started tell what they loaded.
        problem = _command_mode_problem(jit.get(Result.CHILD_INTERPRETER))
        if problem is None:
            record["activity"] = _command_activity(variant, jit.get(Result.CHILD_INTERPRETER))
            return
        record["status"] = "failed"
        record["activity_error"] = problem
        record["error"] = f"mode {variant.mode!r} did not reach the commands it timed: {problem}"
        return
    problem = verify_activity(variant, jit)
    if problem is None:
        return
    if bench is not None and bench.jit_idle_ok and jit_idle(variant, jit):
        record["activity"] = f"idle: {problem}"
        return
    record["status"] = "failed"
    record["activity_error"] = problem
    record["error"] = f"mode {variant.mode!r} did not activate: {problem}"


def _command_mode_problem(child: dict | None) -> str | None:
    """Why the interpreters a whole-process benchmark started lack the mode's pre-imports."""
    if child is None:
        return None  # none ran Python's site (e.g. ``python -S``): nothing reached them
    for name, state in (child.get("modules") or {}).items():
        if not state.get("loaded"):
            return f"import {name} failed in the started interpreter: {state.get('error')}"
        if state.get("initialized") is False:
            return f"{name} was imported in the started interpreter but did not initialise"
    return None


def _command_activity(variant: Variant, child: dict | None) -> str:
    """What the record says about the mode of the commands a whole-process benchmark timed."""
    wanted = launch_for(variant).pre_import
    if child is not None and child.get("modules"):
        names = ", ".join(sorted(child["modules"]))
        return f"whole-process benchmark: its commands' interpreters loaded {names}"
    if wanted:
        return (
            "whole-process benchmark: its commands did not run Python's site (python -S or -I), "
            f"so they ran without {', '.join(wanted)}"
        )
    return (
        "whole-process benchmark: its commands run the runtime as it is (the mode imports nothing)"
    )


def _run_with_bundles(
    transport: Transport,
    argv: list[str],
    env: dict[str, str],
    task: dict,
    bundles: list[Bundle],
    timeout: float,
    target: tuple,
) -> Completed:
    """Run once sending only the bundles the target lacks; send them all if its cache lost some."""
    with _held_lock:
        held = set(_held.get(target, ()))
    done = transport.run(argv, env, encode(task, bundles, held), timeout)
    lost = done.returncode == MISSING_STATUS and missing_digests(done.stdout) is not None
    if lost:
        done = transport.run(argv, env, encode(task, bundles), timeout)
    if done.connection_lost or missing_digests(done.stdout) is not None:
        return done
    with _held_lock:
        if lost:  # the cache was emptied: what it holds now is what was just sent
            _held[target] = set()
        _held.setdefault(target, set()).update(b.digest for b in bundles)
    return done


def _tail(data: bytes) -> str:
    return data[-STDERR_TAIL:].decode("utf-8", errors="replace")


def interpret(done: Completed, timeout: float) -> dict:
    """Classify a finished process: a good result, or a failure with its reason."""
    base = {
        "wall_ns": done.wall_ns,
        "returncode": done.returncode,
        "stderr_tail": _tail(done.stderr),
    }
    if done.timed_out:
        return {**base, "status": "failed", "error": f"timed out after {timeout:g} s (killed)"}
    doc = _find_result(done.stdout)
    if doc is not None and doc.get(protocol.VERSION_KEY) != protocol.VERSION:
        raise JitbenchError(
            f"the runner in the target speaks protocol {doc.get(protocol.VERSION_KEY)!r}, this "
            f"jitbench speaks {protocol.VERSION}; reinstall jitbench so both come from one release"
        )
    children = [
        (c.get("pid"), c.get("command"))
        for c in (doc or {}).get(protocol.CHILDREN_KEY) or []
        if isinstance(c, dict)
    ] or done.children
    if children:
        # Not a timeout, not a crash: the benchmark left a process running, which would disturb
        # the next measurement; it has been killed.
        return {
            **base,
            "status": "failed",
            "children": [list(c) for c in children],
            "error": f"a child process of the benchmark was still running "
            f"({describe(children)}); killed",
        }
    if doc is None and done.connection_lost:
        # Not the benchmark's fault: ``jitbench run --resume`` runs this slot again.
        lost = {**base, "status": "failed", "error": CONNECTION_LOST, "connection_lost": True}
        if done.marker is not None:
            lost["marker"] = done.marker  # to find what it left running on the host
        return lost
    if doc is None:
        what = (
            "no result" if not done.stdout.strip() else "unreadable output (not a jitbench result)"
        )
        return {**base, "status": "failed", "error": f"{what}; exit status {done.returncode}"}
    if not doc.get(protocol.OK_KEY):
        return {
            **base,
            "status": "failed",
            "error": str(doc.get(protocol.ERROR_KEY, "unknown error")),
            "traceback": doc.get(protocol.TRACEBACK_KEY),
        }
    shape = _shape_error(doc)
    if shape is not None:
        return {**base, "status": "failed", "error": f"malformed result: {shape}"}
    record = {**base, "status": "ok"}
    for key in Result.KEPT:
        if key in doc:
            record[key] = doc[key]
    if done.returncode != 0:
        record["status"] = "failed"
        record["error"] = f"exit status {done.returncode} after writing its result"
    return record


def _find_result(stdout: bytes) -> dict | None:
    for line in reversed(stdout.splitlines()):
        if line.startswith(RESULT_MARKER):
            try:
                doc = json.loads(line[len(RESULT_MARKER) :])
            except ValueError:
                return None
            return doc if isinstance(doc, dict) else None
    return None


def _shape_error(doc: dict) -> str | None:
    if Result.VALUES_NS not in doc and Result.STEPS not in doc:
        return None  # a facts-only answer

    def ints(key: str) -> bool:
        v = doc.get(key)
        return isinstance(v, list) and all(isinstance(x, int) and x >= 0 for x in v)

    if Result.VALUES_NS in doc and not (ints(Result.VALUES_NS) and ints(Result.WARMUPS_NS)):
        return "values are not lists of non-negative integers"
    if not isinstance(doc.get(Result.LOOPS), int) or doc[Result.LOOPS] < 1:
        return "loops is not a positive integer"
    counting = doc.get(Result.COUNTING)
    if counting is not None:
        counts = counting.get(Counting.COUNTS) if isinstance(counting, dict) else None
        if not isinstance(counts, dict) or not all(
            isinstance(v, list)
            and len(v) == len(doc[Result.VALUES_NS])
            and all(isinstance(x, int) and x >= 0 for x in v)
            for v in counts.values()
        ):
            return "counts are not one non-negative integer per measured value"
    return None
