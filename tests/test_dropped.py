"""The sweep that ends what a dropped connection left running: real processes, found by marker."""

from __future__ import annotations

import os
import subprocess
import sys

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
