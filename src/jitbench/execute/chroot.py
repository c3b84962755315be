"""A /proc for processes started in a chroot.

A chroot made from a root file system has an empty ``/proc``: psutil, ``os.cpu_count`` fallbacks,
``/proc/self/status`` readers (pyperformance's ``dask``) and valgrind then fail. jitbench starts
such a process in a private mount namespace with ``proc`` mounted at ``ROOT/proc`` for it alone
(``unshare --mount-proc``): the mount goes away with the process and the host never sees it.
"""

from __future__ import annotations

import shutil
from pathlib import Path, PurePosixPath

# chroot's options that take a separate value (``--userspec U:G`` as well as ``--userspec=U:G``).
_VALUED = ("--userspec", "--groups")


def proc_prefix(root: str) -> list[str]:
    """The argv prefix that runs a command with ``proc`` mounted at ``ROOT/proc``, privately."""
    return ["unshare", f"--mount-proc={root.rstrip('/')}/proc"]


def chroot_root(argv: list[str]) -> str | None:
    """The new root of a ``chroot [OPTION]... ROOT COMMAND`` argv, else None."""
    if not argv or PurePosixPath(argv[0]).name != "chroot":
        return None
    i = 1
    while i < len(argv) and argv[i].startswith("-"):
        i += 2 if argv[i] in _VALUED else 1
    return argv[i] if i < len(argv) else None


def with_proc(argv: list[str]) -> list[str]:
    """``argv`` given a /proc of its own when it starts a chroot whose /proc is empty.

    Left as it is when the root already has a mounted /proc, has no /proc folder to mount on, or
    this host has no ``unshare`` (then the process runs as before, without /proc).
    """
    root = chroot_root(argv)
    if root is None:
        return argv
    proc = Path(root) / "proc"
    if not proc.is_dir() or (proc / "self").exists():
        return argv
    unshare = shutil.which("unshare")
    if unshare is None:
        return argv
    return [unshare, *proc_prefix(root)[1:], *argv]
