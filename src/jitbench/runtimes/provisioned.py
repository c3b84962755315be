"""Runtimes provisioned on this machine by ``scripts/provision-runtimes`` (CinderX roots, PyPy).

The script writes ``runtimes.env`` (KEY=VALUE lines) into jitbench's cache folder; the demo and the
tests read it to find the runtimes. Nothing here installs anything.
"""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir() -> Path:
    """jitbench's machine-wide cache: $JITBENCH_CACHE, else $XDG_CACHE_HOME/jitbench."""
    if os.environ.get("JITBENCH_CACHE"):
        return Path(os.environ["JITBENCH_CACHE"])
    xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(xdg) / "jitbench"


def provisioned() -> dict[str, str]:
    """The KEY=VALUE pairs of runtimes.env, or {} when nothing was provisioned."""
    path = cache_dir() / "runtimes.env"
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return {}
    out = {}
    for line in text.splitlines():
        key, sep, value = line.strip().partition("=")
        if sep and key.startswith("JITBENCH_"):
            out[key] = value.strip().strip("'\"")
    return out


def _chroot_command(python_key: str, root_key: str = "JITBENCH_CINDERX_ROOT") -> list[str] | None:
    """``chroot ROOT PYTHON`` for an interpreter of a provisioned root (needs root to run)."""
    env = provisioned()
    root, python = env.get(root_key), env.get(python_key)
    if root and python and Path(root).is_dir() and os.geteuid() == 0:
        return ["chroot", root, python]
    return None


def cinderx_command() -> list[str] | None:
    """argv prefix of the provisioned CinderX interpreter (inside its chroot), if present."""
    return _chroot_command("JITBENCH_CINDERX_PYTHON")


def py314_command() -> list[str] | None:
    """argv prefix of the chroot's stock CPython 3.14 (it has CPython's JIT), if present."""
    return _chroot_command("JITBENCH_PY314_PYTHON")


def cinderx_arm64_command() -> list[str] | None:
    """argv prefix of the provisioned aarch64 CinderX interpreter (emulated on other hosts)."""
    return _chroot_command("JITBENCH_CINDERX_ARM64_PYTHON", "JITBENCH_CINDERX_ARM64_ROOT")


def chroot_has(command: tuple[str, ...] | list[str], path: str) -> bool:
    """Whether the root of a ``chroot ROOT PYTHON`` command holds ``path`` (e.g. its valgrind)."""
    if len(command) < 3 or command[0] != "chroot":
        return True  # not a chroot: the host's own tools serve it
    return (Path(command[1]) / path.lstrip("/")).exists()
