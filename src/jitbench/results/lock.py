"""One writer per result file: a run or resume holds the file's lock until it has finished.

The artifact itself is replaced atomically on every save, so it cannot carry the lock; a hidden
``.NAME.lock`` beside it does, held with ``flock`` (released by the kernel when the holder dies,
even by ``kill -9``) and removed by the holder when it is done.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import JitbenchError


def lock_path(result: Path) -> Path:
    """The lock file of a result file."""
    return result.with_name(f".{result.name}.lock")


@contextmanager
def writing(result: Path) -> Iterator[None]:
    """Hold the lock of ``result`` for the block; a one-line error if another jitbench holds it."""
    path = lock_path(Path(result))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise JitbenchError(
            f"{result}: cannot write: {exc.strerror}; choose another output path"
        ) from None
    fd = _acquire(path, result)
    try:
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield
    finally:
        # Unlinked while still held: a waiter that opened this file sees it is gone and retries.
        with contextlib.suppress(OSError):
            path.unlink()
        os.close(fd)


def _acquire(path: Path, result: Path) -> int:
    while True:
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError as exc:
            raise JitbenchError(
                f"{result}: cannot create its lock file {path.name}: "
                f"{exc.strerror}; choose another output path"
            ) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(fd)
            os.close(fd)
            raise JitbenchError(
                f"{result}: another jitbench{holder} is writing this result (running or resuming "
                "it); wait until it has finished, then resume again if slots are still missing"
            ) from None
        try:
            same = os.fstat(fd).st_ino == os.stat(path).st_ino
        except FileNotFoundError:
            same = False
        if same:
            return fd
        os.close(fd)  # the holder removed it between our open and our lock: take the new one


def _holder(fd: int) -> str:
    try:
        text = os.pread(fd, 32, 0).decode("ascii", errors="replace").strip()
    except OSError:
        return ""
    return f" (pid {text})" if text.isdigit() else ""
