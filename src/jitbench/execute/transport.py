"""Transports start a target process and hand back its raw outcome; one interface for all of them."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Protocol


@dataclass
class Completed:
    """What came back from one target process."""

    returncode: int | None  # None when it was killed for running past the timeout
    stdout: bytes
    stderr: bytes
    wall_ns: int  # spawn to exit, measured on the host
    timed_out: bool = False
    connection_lost: bool = False  # the transport's link to the host broke (ssh exit 255)


class Transport(Protocol):
    """Starts ``argv`` with ``env`` added to the target's environment and ``stdin`` as its input."""

    def run(self, argv: list[str], env: dict[str, str], stdin: bytes, timeout: float) -> Completed: ...


class LocalTransport:
    """Runs the argv as a local subprocess (this also covers chroot and container prefixes)."""

    def run(self, argv: list[str], env: dict[str, str], stdin: bytes, timeout: float) -> Completed:
        full_env = dict(os.environ)
        full_env.update(env)
        t0 = time.perf_counter_ns()
        # A new session lets a timeout kill the whole process tree (chroot, shell wrappers, children).
        proc = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=full_env,
            start_new_session=True,
        )
        return communicate(proc, stdin, timeout, t0)


def communicate(proc: subprocess.Popen, stdin: bytes, timeout: float, t0: int) -> Completed:
    """Feed stdin, wait at most ``timeout``, and kill the whole tree on a timeout or Ctrl-C."""
    with tracked(proc):
        try:
            out, err = proc.communicate(stdin, timeout=timeout)
        except subprocess.TimeoutExpired:
            kill_tree(proc)
            out, err = proc.communicate()
            return Completed(None, out or b"", err, time.perf_counter_ns() - t0, timed_out=True)
        except BaseException:
            kill_tree(proc)
            proc.communicate()
            raise
    return Completed(proc.returncode, out or b"", err, time.perf_counter_ns() - t0)


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
