"""Processes a local target left behind: members of its session still running after it exited.

A target runs in a session of its own, so everything it started (unless that escaped with its own
``setsid``) carries the target's pid as its session id, even after the target itself is gone.
"""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Sequence
from pathlib import Path

PROC = Path("/proc")
FORK = "a fork of the benchmark process"
ARG_CHARS = 40


def _stat(entry: Path) -> tuple[str, int, int] | None:
    """(state, process group, session) of one /proc entry, or None when it is gone."""
    try:
        text = (entry / "stat").read_bytes()
    except OSError:
        return None
    fields = text[text.rindex(b")") + 2 :].split()
    return fields[0].decode(), int(fields[2]), int(fields[3])


def _command(entry: Path) -> str:
    try:
        raw = (entry / "cmdline").read_bytes()
    except OSError:
        return "?"
    return short_command(raw.decode("utf-8", errors="replace").split("\0"))


def short_command(argv: list[str]) -> str:
    """An argv on one short line: a long argument (a ``-c`` program) is cut."""
    parts = [" ".join(a.split()) for a in argv if a]
    parts = [p if len(p) <= ARG_CHARS else p[: ARG_CHARS - 1] + "…" for p in parts]
    return " ".join(parts)[:160] or "?"


def session_members(leader: int) -> list[tuple[int, str]]:
    """Running (not zombie) processes whose session or group is ``leader``'s: [(pid, command)]."""
    try:
        entries = [e for e in PROC.iterdir() if e.name.isdigit()]
    except OSError:
        return []
    found = []
    for entry in entries:
        st = _stat(entry)
        if st is None or st[0] in ("Z", "X"):
            continue
        if leader in (st[1], st[2]) and int(entry.name) != leader:
            found.append((int(entry.name), _command(entry)))
    return found


def name_forks(found: list[tuple[int, str]], argv: object) -> list[tuple[int, str]]:
    """A process showing the target's own command line is a fork that did not exec: say so."""
    own = short_command([str(a) for a in argv]) if isinstance(argv, list | tuple) else None
    return [(pid, FORK if command == own else command) for pid, command in found]


def end_session(leader: int) -> list[tuple[int, str]]:
    """SIGKILL what is left of ``leader``'s session and group; return what was found running."""
    found = session_members(leader)
    for pid, _ in found:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(leader, signal.SIGKILL)
    return found


def describe(found: Sequence[tuple[object, object]]) -> str:
    """'pid 123: sleep 600' (and how many more) for a one-line message."""
    pid, command = found[0]
    more = f" and {len(found) - 1} more" if len(found) > 1 else ""
    return f"pid {pid}: {command}{more}"
