"""A /proc for processes started in a chroot.

A chroot made from a root file system has an empty ``/proc``: psutil, ``os.cpu_count`` fallbacks,
``/proc/self/status`` readers (pyperformance's ``dask``) and valgrind then fail. jitbench starts
such a process in a private mount namespace with ``proc`` mounted at ``ROOT/proc`` for it alone
(``unshare --mount-proc``): the mount goes away with the process and the host never sees it.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
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
    this host cannot mount one (no ``unshare``, or no right to mount): it then runs without /proc.
    """
    root = chroot_root(argv)
    if root is None:
        return argv
    proc = Path(root) / "proc"
    if not proc.is_dir() or (proc / "self").exists():
        return argv
    unshare = _unshare_works(root)
    if unshare is None:
        return argv
    return [unshare, *proc_prefix(root)[1:], *argv]


@functools.cache
def _unshare_works(root: str) -> str | None:
    """``unshare``'s path when it can mount proc for ``root`` here, else None (asked once):
    a container without CAP_SYS_ADMIN may chroot but not mount."""
    unshare = shutil.which("unshare")
    true = shutil.which("true")
    if unshare is None or true is None:
        return None
    try:
        done = subprocess.run(
            [unshare, *proc_prefix(root)[1:], true], capture_output=True, timeout=30
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return unshare if done.returncode == 0 else None
