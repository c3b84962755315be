"""A target process lives no longer than its link to jitbench, and leaves no children behind.

Standard library only; CPython 3.9+ and PyPy. jitbench keeps the target's stdin open until the
process has exited. ``tie_to_stdin`` asks the kernel to SIGKILL the process group when that pipe
reaches end-of-file: jitbench died (even by ``kill -9``), or the SSH connection carrying it dropped.
No thread and no signal handler is involved, so the measurement is untouched, and a benchmark stuck
in C code dies as surely as one running Python.

``children`` finds processes the benchmark started that are still running when it is done; the
runner reports and ends them, so they cannot disturb the next measurement.
"""

import contextlib
import os
import select
import signal
import sys
import time

# fcntl constants of Linux (F_SETSIG is Linux-only and absent from older fcntl modules).
F_SETOWN = 8
F_SETSIG = 10
FORK = "a fork of the benchmark process"


def tie_to_stdin():
    """SIGKILL this process group when stdin reaches EOF; stdin becomes /dev/null for the benchmark.

    Returns the descriptor that keeps the watched pipe open, or None where this is not possible.
    """
    if not sys.platform.startswith("linux"):
        return None
    import fcntl

    try:
        watched = os.dup(0)  # not inherited by programs the benchmark executes
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.close(null)
        fcntl.fcntl(watched, F_SETOWN, -os.getpgrp())
        fcntl.fcntl(watched, F_SETSIG, signal.SIGKILL)
        fcntl.fcntl(watched, fcntl.F_SETFL, fcntl.fcntl(watched, fcntl.F_GETFL) | os.O_ASYNC)
    except OSError:
        return None
    # jitbench may have gone before the kernel was watching: the pipe is then already at EOF.
    readable, _, _ = select.select([watched], [], [], 0)
    if readable and not os.read(watched, 1):
        os.killpg(os.getpgrp(), signal.SIGKILL)
    return watched


def _stat(pid):
    """(state, ppid, pgrp, session) of a process from /proc, or None when it is gone."""
    try:
        with open("/proc/%d/stat" % pid, "rb") as f:
            text = f.read()
    except OSError:
        return None
    fields = text[text.rindex(b")") + 2 :].split()
    return fields[0].decode(), int(fields[1]), int(fields[2]), int(fields[3])


def _command(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            raw = f.read()
    except OSError:
        return "?"
    # One short line: a long argument (a -c program) is cut.
    parts = [" ".join(a.split()) for a in raw.decode("utf-8", "replace").split("\0") if a]
    parts = [p if len(p) <= 40 else p[:39] + "\u2026" for p in parts]
    return " ".join(parts)[:160] or "?"


def _ancestors(pid):
    out = set()
    while pid > 1 and pid not in out:
        out.add(pid)
        st = _stat(pid)
        if st is None:
            break
        pid = st[1]
    return out


def children():
    """Running processes of this process's group or session, or its own children: [(pid, cmd)]."""
    me = os.getpid()
    try:
        pids = [int(n) for n in os.listdir("/proc") if n.isdigit()]
    except OSError:
        return []  # no /proc (e.g. a chroot without it): jitbench checks from outside
    mine = _ancestors(me)  # the wrappers that started this process share its group
    group, session = os.getpgrp(), os.getsid(0)
    own = _command(me)
    found = []
    for pid in pids:
        if pid in mine:
            continue
        st = _stat(pid)
        if st is None or st[0] in ("Z", "X"):
            continue
        if st[1] == me or st[2] == group or st[3] == session:
            command = _command(pid)
            # A fork that did not exec shows this process's own command line: say what it is.
            found.append((pid, FORK if command == own else command))
    return found


def end(found):
    """SIGKILL the given processes and wait (briefly) until they are gone."""
    for pid, _ in found:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 5.0
    for pid, _ in found:
        while time.monotonic() < deadline:
            try:
                done, _status = os.waitpid(pid, os.WNOHANG)  # our own child: reap it
                if done:
                    break
            except ChildProcessError:
                st = _stat(pid)
                if st is None or st[0] in ("Z", "X"):
                    break
            time.sleep(0.01)
