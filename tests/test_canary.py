"""The canary's shell form, timed on SSH hosts by their own ``sh``: run here by the real shell."""

from __future__ import annotations

import subprocess

from jitbench.execute import canary


def _sh(script: str) -> str:
    return subprocess.run(["sh", "-c", script], capture_output=True, text=True, check=True).stdout


def test_one_timing_between_processes() -> None:
    (ns,) = canary.parse_sh(_sh(canary.sh_script()))
    assert ns > 0


def test_back_to_back_for_the_seconds_asked() -> None:
    lines = _sh(canary.sh_script(1)).splitlines()
    timings = canary.parse_sh("\n".join(lines))
    assert len(timings) == len(lines) >= 2
    starts = [int(ln.split()[0]) for ln in lines]
    ends = [int(ln.split()[1]) for ln in lines]
    # Back to back: each timing starts after the one before it ended, and the last one ends
    # a second or more after the first started (the loop stops only then).
    assert all(s >= e for s, e in zip(starts[1:], ends, strict=False))
    assert ends[-1] - starts[0] >= 1_000_000_000


def test_a_date_without_nanoseconds_gives_no_timing(tmp_path) -> None:
    # A date that prints "%N" literally (busybox's): the script fails instead of timing.
    fake = tmp_path / "date"
    fake.write_text('#!/bin/sh\necho "$(/bin/date +%s)%N"\n')
    fake.chmod(0o755)
    env = {"PATH": f"{tmp_path}:/usr/bin:/bin"}
    done = subprocess.run(["sh", "-c", canary.sh_script()], capture_output=True, text=True, env=env)
    assert done.returncode != 0 and canary.parse_sh(done.stdout) == []
    # busybox's date prints "%N" literally: no number, so no canary (not a wrong one).
    assert canary.parse_sh("1764561600%N 1764561600%N\n") == []
    assert canary.parse_sh("") == []
    assert canary.parse_sh("5 3\njunk\n") == []  # a clock going back is no timing either
