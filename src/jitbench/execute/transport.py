"""Transports start a target process and hand back its raw outcome; one interface for all of them."""

from __future__ import annotations

import os
import selectors
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import IO, Protocol

from .chroot import with_proc
from .leftovers import end_session, name_forks


@dataclass
class Completed:
    """What came back from one target process."""

    returncode: int | None  # None when it was killed for running past the timeout
    stdout: bytes
    stderr: bytes
    wall_ns: int  # spawn to exit, measured on the host
    timed_out: bool = False
    connection_lost: bool = False  # the transport's link to the host broke (ssh exit 255)
    # Processes the target started that still ran after it exited (pid, command); killed.
    children: list[tuple[int, str]] = field(default_factory=list)
    # The environment marker of a process whose connection dropped (execute.dropped).
    marker: str | None = None


class Transport(Protocol):
    """Starts ``argv`` with ``env`` added to the target's environment and ``stdin`` as its input.

    stdin stays open until the process has exited: its end-of-file tells the target that jitbench
    is gone (see the runner's ``jitbench_lifetime``).
    """

    def run(
        self, argv: list[str], env: dict[str, str], stdin: bytes, timeout: float
    ) -> Completed: ...


class LocalTransport:
    """Runs the argv as a local subprocess (this also covers chroot and container prefixes; a
    chroot gets a /proc of its own, see :mod:`.chroot`)."""

    def run(self, argv: list[str], env: dict[str, str], stdin: bytes, timeout: float) -> Completed:
        full_env = dict(os.environ)
        full_env.update(env)
        argv = with_proc(argv)
        t0 = time.perf_counter_ns()
        # A new session lets a timeout kill the whole process tree (chroot, shell wrappers,
        # children), and tells what the target left running after it exited.
        proc = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=full_env,
            start_new_session=True,
        )
        return communicate(proc, stdin, timeout, t0, hold_stdin=True, session=True)


# After the process exited, its output pipes get this long to reach end-of-file; when they are
# still open then, a child holds them. A process killed by jitbench gets as long to let go of them.
PIPE_GRACE_S = 0.5
DRAIN_S = 5.0


def communicate(
    proc: subprocess.Popen,
    stdin: bytes,
    timeout: float,
    t0: int,
    *,
    hold_stdin: bool = False,
    session: bool = False,
) -> Completed:
    """Feed stdin, collect the output, wait at most ``timeout``; kill the tree on a timeout/Ctrl-C.

    ``hold_stdin`` keeps stdin open until the process has exited. ``session``: the process leads
    a session of its own here, and anything of that session still running after it exited is
    killed and reported in ``children`` (also when it kept the output pipes open).
    """
    with tracked(proc):
        try:
            return _communicate(proc, stdin, timeout, t0, hold_stdin, session)
        except BaseException:
            kill_tree(proc)
            _reap(proc)
            raise
        finally:
            _close(proc.stdin)


def _communicate(
    proc: subprocess.Popen, stdin: bytes, timeout: float, t0: int, hold_stdin: bool, session: bool
) -> Completed:
    deadline = time.monotonic() + timeout
    sel = selectors.DefaultSelector()
    out, pending = _register(proc, sel, stdin, hold_stdin)
    exit_fd = _exit_watch(proc, sel)
    timed_out, children = _pump(proc, sel, out, pending, deadline, exit_fd, hold_stdin, session)
    if exit_fd is not None:
        if exit_fd in sel.get_map():
            sel.unregister(exit_fd)
        os.close(exit_fd)
    if timed_out or children:
        kill_tree(proc)
        if session:
            children += end_session(proc.pid)
    _drain(sel, out)
    returncode = _reap(proc)
    wall = time.perf_counter_ns() - t0
    if session and not timed_out:
        # What it started and left running without holding the pipes.
        children += end_session(proc.pid)
    sel.close()
    stdout = bytes(out[proc.stdout.fileno()]) if proc.stdout is not None else b""
    stderr = bytes(out[proc.stderr.fileno()]) if proc.stderr is not None else b""
    _close(proc.stdout)
    _close(proc.stderr)
    if timed_out:
        return Completed(None, stdout, stderr, wall, timed_out=True)
    found = name_forks(_unique(children), proc.args) if children else []
    return Completed(returncode, stdout, stderr, wall, children=found)


def _register(
    proc: subprocess.Popen, sel: selectors.BaseSelector, stdin: bytes, hold_stdin: bool
) -> tuple[dict[int, bytearray], memoryview]:
    """Watch the output pipes (and stdin while there is input to feed): (buffers, input left)."""
    out: dict[int, bytearray] = {}
    for pipe in (proc.stdout, proc.stderr):
        if pipe is not None:
            out[pipe.fileno()] = bytearray()
            sel.register(pipe, selectors.EVENT_READ)
    pending = memoryview(stdin)
    if proc.stdin is not None:
        if pending:
            os.set_blocking(proc.stdin.fileno(), False)
            sel.register(proc.stdin, selectors.EVENT_WRITE)
        elif not hold_stdin:
            _close(proc.stdin)
    return out, pending


def _pump(
    proc: subprocess.Popen,
    sel: selectors.BaseSelector,
    out: dict[int, bytearray],
    pending: memoryview,
    deadline: float,
    exit_fd: int | None,
    hold_stdin: bool,
    session: bool,
) -> tuple[bool, list[tuple[int, str]]]:
    """Feed and read until the process exited and its output ended, or the deadline passed:
    (timed out, what of its session held the pipes after it exited)."""
    exited_at: float | None = None
    while True:
        now = time.monotonic()
        if exited_at is None and proc.poll() is not None:
            exited_at = now
        if exited_at is not None and not _reading(sel, out):
            return False, []  # the usual end: exited, and its output ended
        if now >= deadline:
            return True, []
        if exited_at is not None and now - exited_at >= PIPE_GRACE_S:
            # It exited, yet its output pipes are still open: something it started holds them.
            children = end_session(proc.pid) if session else []
            if children:
                return False, children
            exited_at = now  # nothing of its session is left to blame: wait on
        wait = deadline - now
        if exited_at is not None:
            wait = min(wait, PIPE_GRACE_S)
        elif exit_fd is None:
            wait = min(wait, 0.1)  # no pidfd: poll for the exit
        for key, _ in sel.select(wait):
            if key.fd == exit_fd:
                sel.unregister(exit_fd)
            elif proc.stdin is not None and key.fileobj is proc.stdin:
                pending = _feed(proc.stdin, sel, pending, hold_stdin)
            else:
                _read(sel, key.fileobj, out)


def _unique(found: list[tuple[int, str]]) -> list[tuple[int, str]]:
    return list(dict.fromkeys(found))


def _exit_watch(proc: subprocess.Popen, sel: selectors.BaseSelector) -> int | None:
    """A pidfd that becomes readable when ``proc`` exits (None where the kernel has none)."""
    try:
        fd = os.pidfd_open(proc.pid)
    except (AttributeError, OSError):
        return None
    sel.register(fd, selectors.EVENT_READ)
    return fd


def _reading(sel: selectors.BaseSelector, out: dict[int, bytearray]) -> bool:
    """Whether an output pipe is still open (has not reached end-of-file)."""
    return any(key.fd in out for key in sel.get_map().values())


def _feed(
    stdin: IO[bytes], sel: selectors.BaseSelector, pending: memoryview, hold_stdin: bool
) -> memoryview:
    """Write what the pipe takes now; when all is written, stop watching (and maybe close)."""
    try:
        n = os.write(stdin.fileno(), pending[:65536])
    except BlockingIOError:
        return pending
    except BrokenPipeError:
        n = len(pending)  # it stopped reading: its exit status and output will say why
    pending = pending[n:]
    if not pending:
        sel.unregister(stdin)
        if not hold_stdin:
            _close(stdin)
    return pending


def _read(sel: selectors.BaseSelector, pipe, out: dict[int, bytearray]) -> None:
    data = os.read(pipe.fileno(), 65536)
    if data:
        out[pipe.fileno()] += data
    else:
        sel.unregister(pipe)


def _drain(sel: selectors.BaseSelector, out: dict[int, bytearray]) -> None:
    """Read what is left in the output pipes until they end, for at most DRAIN_S."""
    deadline = time.monotonic() + DRAIN_S
    while True:
        keys = [k for k in sel.get_map().values() if k.fd in out]
        remaining = deadline - time.monotonic()
        if not keys or remaining <= 0:
            return
        for key, _ in sel.select(remaining):
            if key.fd in out:
                _read(sel, key.fileobj, out)


def _reap(proc: subprocess.Popen) -> int | None:
    try:
        return proc.wait(timeout=DRAIN_S)
    except subprocess.TimeoutExpired:
        kill_tree(proc)
        return proc.wait()


def _close(pipe) -> None:
    if pipe is not None and not pipe.closed:
        with suppress(OSError):
            pipe.close()


def kill_tree(proc: subprocess.Popen) -> None:
    """Kill a process started with ``start_new_session`` and everything it started."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        proc.kill()


# Processes started by worker threads (one per host): Ctrl-C reaches the main thread only, which
# then kills these so no benchmark keeps running after jitbench stopped.
_live: set[subprocess.Popen] = set()
_live_lock = threading.Lock()


@contextmanager
def tracked(proc: subprocess.Popen) -> Iterator[None]:
    """Keep ``proc`` in the set ``kill_all`` kills while it runs."""
    with _live_lock:
        _live.add(proc)
    try:
        yield
    finally:
        with _live_lock:
            _live.discard(proc)


def kill_all() -> None:
    """Kill every target process still running (after Ctrl-C, from the main thread)."""
    with _live_lock:
        procs = list(_live)
    for proc in procs:
        kill_tree(proc)
