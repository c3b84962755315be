"""The in-target counters: perf_event_open through ctypes, and callgrind client requests.

These start the real runner in a real interpreter (under real valgrind where it counts), with
tiny benchmarks: valgrind costs several times native.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from jitbench.execute import valgrind
from jitbench.execute.payload import BOOTSTRAP, RUNNER_DIR, build_payload
from jitbench.execute.process import interpret
from jitbench.execute.transport import LocalTransport

from .conftest import write

# Deterministic work: WORK scales the loop; IMPORT_WORK adds work when the module is imported.
COUNTED_PY = """\
import os

N = int(20_000 * float(os.environ.get("WORK", "1.0")))
_extra = sum(range(int(os.environ.get("IMPORT_WORK", "0"))))
VALUE_WORK = int(os.environ.get("VALUE_WORK", "0"))


def main():
    total = sum(range(VALUE_WORK))
    for i in range(N):
        total += i % 7
    return total
"""

PY = os.path.realpath(sys.executable)
IMPORT_WORK = "2500000"  # iterations of sum(range()): more than 50 M instructions


def _needs_valgrind() -> None:
    # valgrind is part of the test environment on this machine (scripts/provision-test-env).
    assert shutil.which("valgrind"), "valgrind is not installed: apt-get install valgrind"


def run_runner(
    tmp_path: Path,
    counting: dict | None,
    *,
    env: dict | None = None,
    warmups: int = 1,
    values: int = 3,
    loops: int = 1,
    under_valgrind: bool = False,
) -> dict:
    """One real runner process doing a measured run of the tiny benchmark; its record."""
    bench = write(tmp_path / "bench" / "counted.py", COUNTED_PY)
    task = {
        "action": "run",
        "loops": loops,
        "warmups": warmups,
        "values": values,
        "pre_import": [],
        "probes": ["cpython", "pypy"],
        "mode": None,
        "jit_options": {},
        "benchmark": {
            "name": "counted",
            "kind": "plain",
            "file": "bench/counted.py",
            "function": "main",
            "bench_name": None,
        },
    }
    if counting is not None:
        task["counting"] = counting
    argv = [PY, "-c", BOOTSTRAP]
    if under_valgrind:
        argv = valgrind.wrap_argv(argv, [PY], PY)
    payload = build_payload(task, {"bench/counted.py": bench.read_bytes()})
    done = LocalTransport().run(argv, {"PYTHONHASHSEED": "0", **(env or {})}, payload, 300)
    return interpret(done, 300)


def _counts(rec: dict) -> list[int]:
    assert rec["status"] == "ok", rec
    return rec["counting"]["counts"]["instructions"]


def test_client_requests_are_a_no_op_natively():
    sys.path.insert(0, str(RUNNER_DIR))
    try:
        import jitbench_counters
    finally:
        sys.path.pop(0)
    requests = jitbench_counters.ClientRequests()
    assert requests.running_on_valgrind() == 0
    # The default comes back unchanged: the machine code ran and did nothing else.
    assert requests.request(jitbench_counters.CALLGRIND_ZERO_STATS, default=12345) == 12345


@pytest.mark.slow
def test_callgrind_counts_each_measured_value_identically(tmp_path):
    _needs_valgrind()
    a = _counts(
        run_runner(tmp_path / "a", valgrind.counting_task()["counting"], under_valgrind=True)
    )
    b = _counts(
        run_runner(tmp_path / "b", valgrind.counting_task()["counting"], under_valgrind=True)
    )
    assert len(a) == 3
    # Deterministic: two separate processes count the same instructions to a few parts in 10⁶
    # (address-dependent paths such as ASLR'd pointers hashed in sets remain).
    assert all(abs(x - y) <= 1e-5 * x for x, y in zip(a, b, strict=True))
    # Negative control: twice the work counts about twice the instructions.
    double = _counts(
        run_runner(
            tmp_path / "c",
            valgrind.counting_task()["counting"],
            env={"WORK": "2.0"},
            under_valgrind=True,
        )
    )
    assert 1.9 < double[-1] / a[-1] < 2.1
    # No dump is left behind by the finished processes but callgrind's end-of-process file.
    # Dumps of processes still alive belong to other runs on this host, which may count now.
    assert _dumps_of_ended_processes() == []


def _dumps_of_ended_processes() -> list[str]:
    """Per-value dumps (``jitbench-callgrind-PID.N``) in /tmp whose process has ended."""
    ended = []
    for name in os.listdir("/tmp"):
        stem, dot, _ = name.removeprefix("jitbench-callgrind-").partition(".")
        if name.startswith("jitbench-callgrind-") and dot and stem.isdigit():
            ended += [] if os.path.exists(f"/proc/{stem}") else [name]
    return ended


def test_a_dump_left_by_an_ended_process_is_found_and_a_live_ones_is_not():
    # Negative control of the leftover check above. PIDs stay below 2**22 on Linux.
    ended, live = "/tmp/jitbench-callgrind-4194999.1", f"/tmp/jitbench-callgrind-{os.getpid()}.1"
    for path in (ended, live):
        Path(path).write_text("")
    try:
        found = _dumps_of_ended_processes()
        assert os.path.basename(ended) in found and os.path.basename(live) not in found
    finally:
        for path in (ended, live):
            os.unlink(path)


@pytest.mark.slow
def test_callgrind_counts_leave_warmups_and_import_out(tmp_path):
    _needs_valgrind()
    base = _counts(
        run_runner(
            tmp_path / "a", valgrind.counting_task()["counting"], warmups=1, under_valgrind=True
        )
    )
    more_warmups = _counts(
        run_runner(
            tmp_path / "b", valgrind.counting_task()["counting"], warmups=5, under_valgrind=True
        )
    )
    heavy_import = _counts(
        run_runner(
            tmp_path / "c",
            valgrind.counting_task()["counting"],
            env={"IMPORT_WORK": IMPORT_WORK},
            under_valgrind=True,
        )
    )
    # The steady count does not move (by more than the allocator's few hundred instructions).
    assert abs(more_warmups[-1] - base[-1]) < 1e-4 * base[-1]
    assert abs(heavy_import[-1] - base[-1]) < 1e-4 * base[-1]
    # Negative control: the same work inside a value is counted, and it is more than 50 M.
    in_value = _counts(
        run_runner(
            tmp_path / "d",
            valgrind.counting_task()["counting"],
            env={"VALUE_WORK": IMPORT_WORK},
            under_valgrind=True,
        )
    )
    assert in_value[-1] - base[-1] > 50_000_000


def test_valgrind_counting_outside_valgrind_is_one_clear_failure(tmp_path):
    rec = run_runner(tmp_path, valgrind.counting_task()["counting"])
    assert rec["status"] == "failed"
    assert "not running under valgrind" in rec["error"]


def test_perf_event_open_counts_task_clock_through_ctypes(tmp_path):
    rec = run_runner(tmp_path, {"backend": "perf", "events": ["task-clock"]}, values=4)
    assert rec["status"] == "ok", rec
    clock = rec["counting"]["counts"]["task-clock"]
    assert rec["counting"]["backend"] == "perf"
    assert len(clock) == 4 and all(c > 0 for c in clock)
    # task-clock counts this thread's CPU time in ns: it cannot exceed the wall time around it
    # by more than the reading's own cost.
    for c, t in zip(clock, rec["values_ns"], strict=True):
        assert c < t * 1.5 + 1_000_000


def _has_hardware_counters() -> bool:
    probe = subprocess.run(
        ["perf", "stat", "-x,", "-e", "instructions:u", "true"], capture_output=True, text=True
    )
    return probe.returncode == 0 and "not supported" not in probe.stderr


def test_perf_event_open_hardware_instructions(tmp_path):
    if not shutil.which("perf") or not _has_hardware_counters():
        pytest.skip(
            "this machine has no hardware counters (perf stat -e instructions: not supported)"
        )
    rec = run_runner(tmp_path, {"backend": "perf", "events": ["instructions", "cycles"]})
    double = run_runner(
        tmp_path / "x", {"backend": "perf", "events": ["instructions"]}, env={"WORK": "2.0"}
    )
    one = rec["counting"]["counts"]["instructions"][-1]
    two = double["counting"]["counts"]["instructions"][-1]
    assert 1.8 < two / one < 2.2


def test_perf_event_open_without_hardware_counters_says_so(tmp_path):
    if _has_hardware_counters():
        pytest.skip("this machine has hardware counters")
    rec = run_runner(tmp_path, {"backend": "perf", "events": ["instructions"]})
    assert rec["status"] == "failed"
    assert "perf_event_open(instructions)" in rec["error"]


def test_valgrind_goes_inside_the_chroot_with_the_real_interpreter():
    cmd = ["chroot", "/srv/root", "/opt/cx/bin/python"]
    argv = [*cmd, "-X", "dev", "-c", "BOOT"]
    wrapped = valgrind.wrap_argv(argv, cmd, "/opt/cx/bin/python3.14")
    assert wrapped[:4] == ["unshare", "--mount-proc=/srv/root/proc", "chroot", "/srv/root"]
    assert wrapped[4] == "valgrind"
    assert wrapped[-5:] == ["/opt/cx/bin/python3.14", "-X", "dev", "-c", "BOOT"]
    # A plain interpreter: valgrind first, the shim replaced by the binary the target reported.
    plain = valgrind.wrap_argv(["python3", "-c", "BOOT"], ["python3"], "/usr/bin/python3.11")
    assert plain[0] == "valgrind" and plain[-3:] == ["/usr/bin/python3.11", "-c", "BOOT"]
    assert valgrind.split_command(["env", "A=1", "nice", "-n", "5", "py"]) == (
        ["env", "A=1", "nice", "-n", "5"],
        "py",
        [],
    )
