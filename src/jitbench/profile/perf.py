"""Sampling one target process with ``perf record``, only while its measured values run.

perf starts with its events disabled (``--delay=-1``) and listens on a control fifo; the runner
writes ``enable``/``disable`` around each measured value and waits for perf's ``ack``. Afterwards
``perf script`` turns the samples into folded stacks, symbolised with the JIT's perf map
(``/tmp/perf-PID.map``) and, for a process in a chroot, with the binaries of that root.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from ..errors import JitbenchError
from . import folded as folding

ENABLE_HINT = "run as root or set kernel.perf_event_paranoid to 1 or lower (sysctl -w kernel.perf_event_paranoid=1)"
INSTALL_HINT = "install linux-perf (apt-get install linux-perf) or put perf on PATH"


def perf_binary() -> str | None:
    """The perf command on this host, if any."""
    return shutil.which("perf")


@functools.cache
def sampling_event() -> str:
    """``cycles`` where the CPU counts them, else the software clock (VMs, many CI hosts)."""
    perf = perf_binary()
    if perf is None:
        return "cpu-clock"
    probe = subprocess.run(
        [perf, "stat", "-x,", "-e", "cycles", "true"], capture_output=True, text=True, timeout=60
    )
    counted = (
        probe.returncode == 0
        and "<not supported>" not in probe.stderr
        and "<not counted>" not in probe.stderr
    )
    return "cycles" if counted else "cpu-clock"


@functools.cache
def problem() -> str | None:
    """One line saying why perf cannot profile here, with the fix; None when it can."""
    perf = perf_binary()
    if perf is None:
        return f"--profile needs perf, which is not installed: {INSTALL_HINT}"
    with tempfile.TemporaryDirectory(prefix="jitbench-perf-") as tmp:
        probe = subprocess.run(
            [
                perf,
                "record",
                "-q",
                "-e",
                "cpu-clock",
                "-o",
                os.path.join(tmp, "probe.data"),
                "--",
                "true",
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
    if probe.returncode != 0:
        paranoid = Path("/proc/sys/kernel/perf_event_paranoid")
        level = paranoid.read_text().strip() if paranoid.exists() else "?"
        return f"--profile: perf cannot sample here (perf_event_paranoid={level}); {ENABLE_HINT}"
    return None


def chroot_root(argv: list[str]) -> Path | None:
    """The root folder of a ``chroot ROOT …`` runtime command, else None."""
    if not argv or os.path.basename(argv[0]) != "chroot":
        return None
    args = [a for a in argv[1:] if not a.startswith("-")]
    return Path(args[0]) if args else None


@dataclass
class Profile:
    """What one profiled process left: its folded stacks and what sampling cost."""

    folded: Counter
    samples: int
    event: str
    window_ns: int  # time the events were enabled, summed over the measured values
    pids: list[int]

    def to_record(self) -> dict:
        """The process record's ``profile`` entry (folded stacks compressed)."""
        return {
            "event": self.event,
            "samples": self.samples,
            "window_ns": self.window_ns,
            "encoding": "zlib+base64",
            "folded": folding.encode(self.folded),
        }


class PerfSession:
    """One profiled process: wraps its argv in ``perf record`` and collects the samples."""

    def __init__(self, runtime_argv: list[str], *, windowed: bool = True):
        perf = perf_binary()
        if perf is None:
            raise JitbenchError(f"--profile needs perf, which is not installed: {INSTALL_HINT}")
        self.perf = perf
        self.root = chroot_root(runtime_argv)
        # The fifos must be reachable from inside a chroot: create them under its /tmp.
        base = (self.root / "tmp") if self.root is not None else Path(tempfile.gettempdir())
        self.dir = Path(tempfile.mkdtemp(prefix="jitbench-perf-", dir=base))
        self.data = self.dir / "perf.data"
        self.ctl, self.ack = self.dir / "ctl", self.dir / "ack"
        os.mkfifo(self.ctl, 0o600)
        os.mkfifo(self.ack, 0o600)
        self.event = sampling_event()
        # windowed=False samples the whole process (start-up and warmup included).
        self.windowed = windowed

    def _target_path(self, path: Path) -> str:
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
            self.perf,
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
        argv = [self.perf, "script", "-i", str(self.data), "-F", fields]
        if self.root is not None:
            argv += ["--symfs", str(self.root), "--kallsyms", "/proc/kallsyms"]
        done = subprocess.run(argv, capture_output=True, timeout=1800)
        if done.returncode != 0:
            tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["?"]
            raise JitbenchError(f"perf script failed on {self.data}: {tail[0]}")
        return done.stdout.decode("utf-8", "replace").splitlines()

    def collect(self, window_ns: int) -> Profile:
        """Fold the samples of the target process (perf's own excluded)."""
        if not self.data.exists():
            return Profile(Counter(), 0, self.event, window_ns, [])
        pids = folding.pids_of(self._script("pid"))
        with _perf_maps_on_host(self.root, pids):
            stacks = folding.parse(self._script(folding.SCRIPT_FIELDS), pids)
        return Profile(stacks, sum(stacks.values()), self.event, window_ns, sorted(pids))

    def close(self) -> None:
        """Remove the fifos, the data and the JIT maps the target left."""
        shutil.rmtree(self.dir, ignore_errors=True)


class _perf_maps_on_host:
    """perf reads ``/tmp/perf-PID.map`` on the host: copy a chrooted process's map there.

    PIDs are the same inside and outside a chroot (it shares the PID namespace). A map the target
    wrote is removed afterwards; a file that was already on the host is put back.
    """

    def __init__(self, root: Path | None, pids: set[int]):
        self.root, self.pids = root, pids
        self.moves: list[tuple[Path, Path | None]] = []
        self.remove: list[Path] = []

    def __enter__(self) -> _perf_maps_on_host:
        for pid in self.pids:
            host = Path(f"/tmp/perf-{pid}.map")
            if self.root is None:
                if host.exists():
                    self.remove.append(host)  # written by our target, which has exited
                continue
            inside = self.root / "tmp" / f"perf-{pid}.map"
            if not inside.exists():
                continue
            backup = None
            if host.exists():
                backup = host.with_name(f"{host.name}.jitbench-saved")
                os.replace(host, backup)
            shutil.copyfile(inside, host)
            self.moves.append((host, backup))
            self.remove.append(inside)
        return self

    def __exit__(self, *exc: object) -> None:
        for host, backup in self.moves:
            host.unlink(missing_ok=True)
            if backup is not None:
                os.replace(backup, host)
        for path in self.remove:
            path.unlink(missing_ok=True)
