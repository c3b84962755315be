"""The sweep that ends what a dropped connection left running: real processes, found by marker."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from jitbench.execute import dropped

# A process that forks a child into a session of its own, then both sleep.
FORKS = (
    "import os, subprocess, sys, time\n"
    "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)', 'escaped-sleeper'],"
    " start_new_session=True)\n"
    "print('ready', flush=True)\n"
    "time.sleep(600)\n"
)


def _start(marker: str) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-c", FORKS],
        env={**os.environ, dropped.MARKER_VAR: marker},
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout.readline() == "ready\n"
    return proc


def _sweep(markers: list[str]) -> dropped.Sweep:
    out = subprocess.run(dropped.script_args(markers), capture_output=True, text=True, check=True)
    return dropped.parse(out.stdout)


def test_sweep_ends_the_marked_process_and_its_escaped_child_and_nothing_else():
    mine, other = dropped.new_marker(), dropped.new_marker()
    target, bystander = _start(mine), _start(other)
    try:
        sweep = _sweep([mine])
        assert target.wait(timeout=30) == -9
        assert len(sweep.found) == 2 and sweep.left == []
        assert any("escaped-sleeper" in cmd for _, cmd in sweep.found)
        assert target.pid in dict(sweep.found)
        assert _sweep([mine]).found == []
        # The control: another marker's processes were not touched, and the same sweep finds them.
        assert bystander.poll() is None
        assert len(_sweep([other]).found) == 2
        assert bystander.wait(timeout=30) == -9
    finally:
        for proc in (target, bystander):
            proc.kill()
            proc.wait()


# A process that starts a child with an emptied environment (no marker) in its own group.
UNMARKED_CHILD = (
    "import subprocess, sys, time\n"
    "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)', 'unmarked-sleeper'],"
    " env={})\n"
    "print('ready', flush=True)\n"
    "time.sleep(600)\n"
)


def _under_timeout(marker: str) -> subprocess.Popen:
    """As jitbench starts a target on an SSH host: ``timeout ... env MARKER=... python``."""
    proc = subprocess.Popen(
        [
            "timeout", "-k", "5", "600",
            "env", f"{dropped.MARKER_VAR}={marker}", sys.executable, "-c", UNMARKED_CHILD,
        ],
        stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    assert proc.stdout.readline() == "ready\n"
    return proc


def _group(pgid: int) -> list[int]:
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.getpgid(int(entry)) == pgid:
                    out.append(int(entry))
            except ProcessLookupError:
                pass
    return out


def test_a_child_with_an_emptied_environment_ends_with_the_timeout_group():
    target = _under_timeout(dropped.new_marker())
    mine = _read_marker(target.pid)
    try:
        members = _group(target.pid)  # timeout leads the group: itself, python, the child
        assert len(members) == 3
        sweep = _sweep([mine])
        assert target.wait(timeout=30) == -9
        assert sweep.left == [] and any(c.endswith(" unmarked-sleeper") for _, c in sweep.found)
        assert {pid for pid, _ in sweep.found} >= set(members)
        assert _wait_gone(members) == []
    finally:
        target.kill()
        target.wait()


def test_a_marked_process_in_a_group_of_something_else_ends_alone():
    # Negative control: the marked process shares this test's process group (its leader is not
    # a timeout), so its unmarked child and the group live on; only the marked one ends.
    proc = subprocess.Popen(
        [sys.executable, "-c", UNMARKED_CHILD],
        env={**os.environ, dropped.MARKER_VAR: (marker := dropped.new_marker())},
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout.readline() == "ready\n"
    child = [int(e) for e in os.listdir("/proc") if e.isdigit() and _ppid(int(e)) == proc.pid]
    try:
        sweep = _sweep([marker])
        assert [pid for pid, _ in sweep.found] == [proc.pid]
        assert proc.wait(timeout=30) == -9
        assert len(child) == 1 and _cmdline(child[0]).endswith(" unmarked-sleeper ")
        assert _state(child[0]) not in ("Z", "gone")  # its group was not this sweep's to end
    finally:
        for pid in child:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, 9)
        proc.kill()
        proc.wait()


def _read_marker(timeout_pid: int) -> str:
    """The marker of the python under ``timeout`` (its only child)."""
    for entry in os.listdir("/proc"):
        if entry.isdigit() and _ppid(int(entry)) == timeout_pid:
            env = Path(f"/proc/{entry}/environ").read_bytes().split(b"\0")
            prefix = f"{dropped.MARKER_VAR}=".encode()
            return next(e[len(prefix) :].decode() for e in env if e.startswith(prefix))
    raise AssertionError("no child of timeout")


def _ppid(pid: int) -> int | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_bytes()
    except OSError:
        return None
    return int(text[text.rindex(b")") + 2 :].split()[1])


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _wait_gone(pids: list[int]) -> list[int]:
    for _ in range(100):
        alive = [p for p in pids if os.path.exists(f"/proc/{p}") and _state(p) != "Z"]
        if not alive:
            return []
        time.sleep(0.1)
    return alive


def _state(pid: int) -> str:
    try:
        text = Path(f"/proc/{pid}/stat").read_bytes()
    except OSError:
        return "gone"
    return text[text.rindex(b")") + 2 :].split()[0].decode()


def test_what_sigkill_did_not_end_is_named_in_one_line():
    sweep = dropped.parse("found 41 python3 -c x\nfound 42 sleep 600\nleft 42\n")
    assert sweep.found == [(41, "python3 -c x"), (42, "sleep 600")]
    assert sweep.left == [(42, "sleep 600")]
    line = dropped.still_running("arm1", sweep)
    assert "\n" not in line
    assert line.startswith("host 'arm1': 1 process of a dropped connection still runs there")
    assert "pid 42: sleep 600" in line
    assert dropped.parse("noproc\n").checked is False


def test_markers_are_arguments_never_script_text():
    with pytest.raises(ValueError, match="not a process marker"):
        dropped.script_args(["$(reboot)"])
    argv = dropped.script_args(["ab" * 16])
    assert argv[:2] == ["sh", "-c"] and argv[-1] == "ab" * 16 and "ab" * 16 not in argv[2]
