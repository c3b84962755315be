"""Finding benchmark processes by a marker in their environment, and checking resumed results."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import time
from pathlib import Path

from jitbench.results.artifact import first_error


def alive_with(mark: str) -> list[int]:
    """Processes (not zombies) whose environment carries the marker."""
    needle = f"JB_MARK={mark}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            env = (entry / "environ").read_bytes()
            state = (entry / "stat").read_bytes().rpartition(b")")[2].split()[0]
        except OSError:
            continue
        if needle in env.split(b"\0") and state not in (b"Z", b"X"):
            found.append(int(entry.name))
    return found


def wait_gone(mark: str, seconds: float = 10.0) -> list[int]:
    """The marked processes still alive after waiting up to ``seconds`` for them to end."""
    deadline = time.monotonic() + seconds
    while (left := alive_with(mark)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


def check_complete(before: dict, after: dict, *, extended: bool = False) -> None:
    """Every slot exactly once, ok; what was finished before kept as it was.

    ``extended``: the resumed run may add rounds (adaptive) after the schedule it had.
    """
    assert first_error(after) is None
    assert after["complete"] and after["seed"] == before["seed"]
    planned = after["schedule"][: len(before["schedule"])] if extended else after["schedule"]
    assert planned == before["schedule"]
    slots = [p["slot"] for p in after["processes"]]
    assert sorted(slots) == sorted(s["slot"] for s in after["schedule"])
    assert len(slots) == len(set(slots))
    assert all(p["status"] == "ok" for p in after["processes"])
    now = {p["slot"]: p for p in after["processes"]}
    for p in before["processes"]:
        if p["status"] == "ok":
            assert now[p["slot"]]["values_ns"] == p["values_ns"]


def start(cwd: Path, *args: str) -> subprocess.Popen:
    """``jitbench ARGS`` in the background in ``cwd``, as a user would type it there."""
    return subprocess.Popen(
        [sys.executable, "-m", "jitbench", *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ, COLUMNS="300"),
    )


def run_as_printed(
    cwd: Path, err: str, said: str, timeout: float = 300
) -> subprocess.CompletedProcess:
    """Run the jitbench command printed at the end of ``err`` after ``said``, exactly as printed."""
    match = re.search(re.escape(said) + r" (jitbench .+)$", err.strip())
    assert match, err
    return subprocess.run(
        [sys.executable, "-m", *shlex.split(match.group(1))],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
