"""Sampling one target process with ``perf record``, only while its measured values run.

perf starts with its events disabled (``--delay=-1``) and listens on a control fifo; the runner
writes ``enable``/``disable`` around each measured value and waits for perf's ``ack``. Afterwards
``perf script`` turns the samples into folded stacks, symbolised with the JIT's perf map
(``/tmp/perf-PID.map``) and, for a process in a chroot, with the binaries of that root.

Every command runs where the target runs, through its transport: on this machine, or on an SSH
host, where perf reads that host's perf maps and binaries.
"""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TypeVar

from ..errors import JitbenchError
from ..execute.transport import Completed, LocalTransport, Transport
from ..results.model import ProfileRecord
from . import folded as folding

ENABLE_HINT = (
    "run as root or set kernel.perf_event_paranoid to 1 or lower "
    "(sysctl -w kernel.perf_event_paranoid=1)"
)
INSTALL_HINT = "install linux-perf (apt-get install linux-perf) or put perf on PATH"
PERF = "perf"
HELPER_TIMEOUT_S = 120.0
T = TypeVar("T")
SCRIPT_TIMEOUT_S = 1800.0


def _run(where: Transport, argv: list[str], timeout: float = HELPER_TIMEOUT_S) -> Completed | None:
    """Run a helper command where the target runs; None when its program is not there."""
    try:
        return where.run(argv, {}, b"", timeout)
    except FileNotFoundError:
        return None


def _ok(where: Transport, argv: list[str]) -> bool:
    done = _run(where, argv)
    return done is not None and done.returncode == 0


def _once(fn: Callable[[Transport], T]) -> Callable[[Transport | None], T]:
    """Ask each machine once: every local transport is this machine, a remote one its host."""
    answers: dict[object, T] = {}

    def cached(where: Transport | None = None) -> T:
        where = where or LocalTransport()
        key = "local" if isinstance(where, LocalTransport) else where
        if key not in answers:
            answers[key] = fn(where)
        return answers[key]

    cached.__doc__ = fn.__doc__
    return cached


@_once
def sampling_event(where: Transport) -> str:
    """``cycles`` where the CPU counts them, else the software clock (VMs, many CI hosts)."""
    done = _run(where, [PERF, "stat", "-x,", "-e", "cycles", "true"])
    if done is None or done.returncode != 0:
        return "cpu-clock"
    err = done.stderr.decode("utf-8", "replace")
    return "cpu-clock" if "<not supported>" in err or "<not counted>" in err else "cycles"


@_once
def problem(where: Transport) -> str | None:
    """One line saying why perf cannot profile where ``where`` runs, with the fix; None if it can."""
    tmp = f"/tmp/jitbench-perf-probe-{secrets.token_hex(6)}.data"
    done = _run(where, [PERF, "record", "-q", "-e", "cpu-clock", "-o", tmp, "--", "true"])
    _run(where, ["rm", "-f", tmp])
    if done is None or (done.returncode == 127 and not done.stdout):
        return f"--profile needs perf, which is not installed: {INSTALL_HINT}"
    if done.returncode != 0:
        level = _run(where, ["cat", "/proc/sys/kernel/perf_event_paranoid"])
        paranoid = level.stdout.decode().strip() if level and level.returncode == 0 else "?"
        return f"--profile: perf cannot sample here (perf_event_paranoid={paranoid}); {ENABLE_HINT}"
    return None


def chroot_root(argv: list[str]) -> PurePosixPath | None:
    """The root folder of a ``chroot ROOT …`` runtime command, else None."""
    if not argv or PurePosixPath(argv[0]).name != "chroot":
        return None
    args = [a for a in argv[1:] if not a.startswith("-")]
    return PurePosixPath(args[0]) if args else None


@dataclass
class Profile:
    """What one profiled process left: its folded stacks and what sampling cost."""

    folded: Counter
    samples: int
    event: str
    window_ns: int  # time the events were enabled, summed over the measured values
    pids: list[int]

    def to_record(self, code: str | None = None) -> ProfileRecord:
        """The process record's ``profile`` (folded stacks compressed); ``code`` is the JIT code
        the process dumped for code diffs (None: none dumped)."""
        return ProfileRecord(
            event=self.event,
            samples=self.samples,
            window_ns=self.window_ns,
            encoding=folding.ENCODING,
            folded=folding.encode(self.folded),
            code=code,
        )


class PerfSession:
    """One profiled process: wraps its argv in ``perf record`` and collects the samples."""

    def __init__(
        self, runtime_argv: list[str], *, windowed: bool = True, where: Transport | None = None
    ):
        self.where = where or LocalTransport()
        self.root = chroot_root(runtime_argv)
        # The fifos must be reachable from inside a chroot: create them under its /tmp.
        base = (self.root / "tmp") if self.root is not None else PurePosixPath("/tmp")
        self.dir = base / f"jitbench-perf-{secrets.token_hex(8)}"
        self.data = self.dir / "perf.data"
        self.ctl, self.ack = self.dir / "ctl", self.dir / "ack"
        if not (
            _ok(self.where, ["mkdir", "-m", "700", str(self.dir)])
            and _ok(self.where, ["mkfifo", "-m", "600", str(self.ctl), str(self.ack)])
        ):
            raise JitbenchError(
                f"--profile: cannot create the perf control fifos in {base}; "
                "check that it exists and is writable"
            )
        self.event = sampling_event(self.where)
        # windowed=False samples the whole process (start-up and warmup included).
        self.windowed = windowed

    def _target_path(self, path: PurePosixPath) -> str:
        if self.root is None:
            return str(path)
        return "/" + str(path.relative_to(self.root))

    def window(self) -> dict | None:
        """The runner's ``profile_window`` task entry: the fifos as the target sees them."""
        if not self.windowed:
            return None
        return {"ctl": self._target_path(self.ctl), "ack": self._target_path(self.ack)}

    def wrap(self, argv: list[str]) -> list[str]:
        """``perf record`` (events off until the runner opens the window) around ``argv``."""
        window = ["--delay=-1", "--control", f"fifo:{self.ctl},{self.ack}"] if self.windowed else []
        return [
            PERF,
            "record",
            "-q",
            "-e",
            self.event,
            "-g",
            *window,
            "-o",
            str(self.data),
            "--",
            *argv,
        ]

    def _script(self, fields: str) -> list[str]:
        argv = [PERF, "script", "-i", str(self.data), "-F", fields]
        if self.root is not None:
            argv += ["--symfs", str(self.root), "--kallsyms", "/proc/kallsyms"]
        done = _run(self.where, argv, SCRIPT_TIMEOUT_S)
        if done is None or done.returncode != 0:
            err = done.stderr.decode("utf-8", "replace") if done else "perf not found"
            tail = err.strip().splitlines()[-1:] or ["?"]
            raise JitbenchError(f"perf script failed on {self.data}: {tail[0]}")
        return done.stdout.decode("utf-8", "replace").splitlines()

    def collect(self, window_ns: int) -> Profile:
        """Fold the samples of the target process (perf's own excluded)."""
        if not _ok(self.where, ["test", "-s", str(self.data)]):
            return Profile(Counter(), 0, self.event, window_ns, [])
        pids = folding.pids_of(self._script("pid"))
        maps = _PerfMaps(self.where, self.root, pids)
        try:
            maps.place()
            stacks = folding.parse(self._script(folding.SCRIPT_FIELDS), pids)
        finally:
            maps.remove()
        return Profile(stacks, sum(stacks.values()), self.event, window_ns, sorted(pids))

    def close(self) -> None:
        """Remove the fifos and the data."""
        _run(self.where, ["rm", "-rf", str(self.dir)])


class _PerfMaps:
    """perf reads ``/tmp/perf-PID.map`` of its own root: copy a chrooted process's map there.

    PIDs are the same inside and outside a chroot (it shares the PID namespace). The maps the
    target wrote are removed afterwards; a stale map of the same PID is put back.
    """

    def __init__(self, where: Transport, root: PurePosixPath | None, pids: set[int]):
        self.where, self.root, self.pids = where, root, pids
        self.placed: list[tuple[str, bool]] = []  # (host map, a stale one was moved aside)
        self.written: list[str] = []

    def place(self) -> None:
        for pid in self.pids:
            host = f"/tmp/perf-{pid}.map"
            if self.root is None:
                self.written.append(host)  # the target's own map, now that it has exited
                continue
            inside = str(self.root / "tmp" / f"perf-{pid}.map")
            if not _ok(self.where, ["test", "-e", inside]):
                continue
            self.written.append(inside)
            stale = _ok(self.where, ["test", "-e", host])
            if stale:
                _run(self.where, ["mv", "-f", host, f"{host}.jitbench-saved"])
            _run(self.where, ["cp", inside, host])
            self.placed.append((host, stale))

    def remove(self) -> None:
        for host, stale in self.placed:
            _run(self.where, ["rm", "-f", host])
            if stale:
                _run(self.where, ["mv", "-f", f"{host}.jitbench-saved", host])
        if self.written:
            _run(self.where, ["rm", "-f", *self.written])
