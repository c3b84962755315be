"""What a build yields (BuiltRuntime): plain data, no I/O. What it is asked for, ``BuildSpec``,
lives in :mod:`jitbench.model` with the other things a configuration names."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath

WORKTREE = "WORKTREE"
"""Pseudo-revision: the user's working tree as it is now, uncommitted changes included."""

GATE_OUTCOMES = ("passed", "failed", "skipped", "none")


@dataclass(frozen=True)
class BuiltRuntime:
    """A prepared environment for one revision: how to start its interpreter and where its logs are."""

    runtime: str
    rev: str  # as the user wrote it
    sha: str  # resolved commit, or "WORKTREE-<hash>" for the working tree
    build_hash: str  # hash of the build settings and the base interpreter's version
    command: tuple[str, ...]  # argv prefix that starts the built interpreter
    env_dir: PurePath
    cached: bool  # True when reused from the cache
    gate: str  # "passed" | "failed" | "skipped" | "none"
    build_log: PurePath  # on ``host`` when the build is remote
    gate_log: PurePath | None
    host: str | None = None  # the host the entry lives on; None = this machine

    def to_dict(self) -> dict:
        """A JSON-ready dict (paths as strings, the command as a list) for artifacts and reports."""
        return {
            "runtime": self.runtime,
            "rev": self.rev,
            "sha": self.sha,
            "build_hash": self.build_hash,
            "command": list(self.command),
            "env_dir": str(self.env_dir),
            "cached": self.cached,
            "gate": self.gate,
            "build_log": str(self.build_log),
            "gate_log": None if self.gate_log is None else str(self.gate_log),
            **({"host": self.host} if self.host is not None else {}),
        }


def short_sha(sha: str) -> str:
    """The 12-character form used in messages and cache folder names (keeps the WORKTREE- prefix)."""
    if sha.startswith(WORKTREE + "-"):
        return sha[: len(WORKTREE) + 1 + 12]
    return sha[:12]
