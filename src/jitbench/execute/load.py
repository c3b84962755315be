"""How busy a host is around a measured process: load average, CPU used by other processes, and
who used it — read from the host's own /proc.

Locally the files are read directly (the host's /proc, even when the runtime runs in a chroot
that has none); on an SSH host one fixed command (``SAMPLE_SCRIPT``, no user data in it) prints
the same files. A sample is taken before and after every process; the difference says how many
cores other processes kept busy meanwhile (``foreign_cores``). Above the threshold the process
is ``contaminated``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .host import split_sections

DEFAULT_THRESHOLD = 0.5  # cores of other work during a process before it counts as contaminated
TOP = 5  # foreign consumers named per process
MIN_NAMED_CORES = 0.05  # below this a consumer is noise (the sampling command itself, sshd)

# Fixed: it runs as ``sh -c SAMPLE_SCRIPT`` on the host. /proc/[0-9]*/stat gives every process's
# name and CPU time; the glob stays unexpanded (and cat fails quietly) where /proc is missing.
SAMPLE_SCRIPT = (
    "echo @hz; getconf CLK_TCK 2>/dev/null || echo 100; "
    "echo @uptime; cat /proc/uptime 2>/dev/null; "
    "echo @loadavg; cat /proc/loadavg 2>/dev/null; "
    "echo @stat; cat /proc/stat 2>/dev/null; "
    "echo @meminfo; cat /proc/meminfo 2>/dev/null; "
    "echo @procs; cat /proc/[0-9]*/stat 2>/dev/null; exit 0"
)


@dataclass
class Sample:
    """One reading of a host's /proc: clocks, CPU counters, memory and every process's CPU time."""

    hz: int  # clock ticks per second of the CPU counters
    uptime: float  # seconds since boot: the host's own clock
    cpu_total: int  # ticks of all CPUs, all states
    cpu_idle: int  # ticks idle or waiting for I/O
    ncpu: int
    loadavg: list[float]
    mem_total_kb: int | None = None
    mem_available_kb: int | None = None
    # (pid, start time in ticks) → (name, user+system ticks); the start time tells reused pids apart
    procs: dict[tuple[int, int], tuple[str, int]] = field(default_factory=dict)


def parse_sample(text: str) -> Sample | None:
    """A Sample from the output of SAMPLE_SCRIPT; None when the host has no readable /proc."""
    return _from_sections(split_sections(text))


def _from_sections(s: dict[str, list[str]]) -> Sample | None:
    try:
        hz = int((s.get("hz") or ["100"])[0])
        uptime = float(s["uptime"][0].split()[0])
        loadavg = [float(x) for x in s["loadavg"][0].split()[:3]]
        cpu = next(ln for ln in s["stat"] if ln.startswith("cpu "))
    except (KeyError, IndexError, ValueError, StopIteration):
        return None
    ticks = [int(x) for x in cpu.split()[1:]]
    ncpu = sum(1 for ln in s["stat"] if ln.startswith("cpu") and ln[3:4].isdigit())
    # user nice system idle iowait irq softirq steal; guest time is already inside user/nice.
    total = sum(ticks[:8])
    idle = ticks[3] + (ticks[4] if len(ticks) > 4 else 0)
    mem = {}
    for ln in s.get("meminfo", []):
        key, _, rest = ln.partition(":")
        if rest.split():
            mem[key] = int(rest.split()[0])
    procs = {}
    for ln in s.get("procs", []):
        parsed = _proc_stat(ln)
        if parsed is not None:
            pid, name, cpu_ticks, start = parsed
            procs[(pid, start)] = (name, cpu_ticks)
    return Sample(
        hz=hz,
        uptime=uptime,
        cpu_total=total,
        cpu_idle=idle,
        ncpu=max(ncpu, 1),
        loadavg=loadavg,
        mem_total_kb=mem.get("MemTotal"),
        mem_available_kb=mem.get("MemAvailable"),
        procs=procs,
    )


def _proc_stat(line: str) -> tuple[int, str, int, int] | None:
    """(pid, name, utime+stime, starttime) from one /proc/PID/stat line."""
    # The name is in parentheses and may itself hold spaces or ')': split at the last one.
    head, sep, rest = line.rpartition(")")
    if not sep:
        return None
    pid_text, _, name = head.partition(" (")
    fields = rest.split()
    try:
        # After the name: state(0) ppid(1) ... utime(11) stime(12) ... starttime(19)
        return int(pid_text), name, int(fields[11]) + int(fields[12]), int(fields[19])
    except (ValueError, IndexError):
        return None


def read_local(proc: Path = Path("/proc")) -> Sample | None:
    """A Sample of this machine, read from its /proc directly (no subprocess)."""

    def lines(name: str) -> list[str]:
        try:
            return (proc / name).read_text().splitlines()
        except OSError:
            return []

    sections = {
        "hz": [str(os.sysconf("SC_CLK_TCK"))],
        "uptime": lines("uptime"),
        "loadavg": lines("loadavg"),
        "stat": lines("stat"),
        "meminfo": lines("meminfo"),
    }
    me = os.getpid()
    stats = []
    try:
        pids = [e.name for e in os.scandir(proc) if e.name.isdigit()]
    except OSError:
        pids = []
    for pid in pids:
        if int(pid) == me:
            continue  # jitbench itself is not foreign work
        try:
            stats.append((proc / pid / "stat").read_text())
        except OSError:
            continue  # the process ended meanwhile
    sections["procs"] = stats
    return _from_sections(sections)


def measure(
    before: Sample | None, after: Sample | None, *, own_seconds: float, threshold: float
) -> dict:
    """The ``host_load`` record of one process: who else used the CPU while it ran.

    ``own_seconds`` is how long our own process ran inside the interval; it is counted as one
    busy core (a benchmark process is single-threaded in the main) and taken off the total.
    """
    if before is None or after is None or after.cpu_total <= before.cpu_total:
        return {
            "available": False,
            "threshold": threshold,
            "contaminated": False,
            "reason": "the host's /proc is not readable (e.g. a chroot without /proc)",
        }
    interval = max(after.uptime - before.uptime, 1e-3)
    ticks = after.cpu_total - before.cpu_total
    busy = (ticks - (after.cpu_idle - before.cpu_idle)) / ticks * after.ncpu
    per_name: dict[str, float] = {}
    persistent = 0.0
    for key, (name, cpu_after) in after.procs.items():
        if key in before.procs:
            used = cpu_after - before.procs[key][1]
        elif key[1] >= before.uptime * after.hz:
            used = cpu_after  # started during the interval: all its CPU time falls inside it
        else:
            continue  # existed before but was missed by the first sample
        if used <= 0:
            continue
        cores = used / after.hz / interval
        persistent += cores
        per_name[name] = per_name.get(name, 0.0) + cores
    own = min(1.0, own_seconds / interval) if own_seconds > 0 else 0.0
    # Short-lived processes (a compiler started and finished inside the interval) appear in no
    # sample: the CPU counters still saw them, so take busy cores minus our own as a floor.
    foreign = max(persistent, busy - own, 0.0)
    top = sorted(
        ((n, c) for n, c in per_name.items() if c >= MIN_NAMED_CORES), key=lambda item: -item[1]
    )[:TOP]
    return {
        "available": True,
        "interval_s": round(interval, 3),
        "loadavg_before": before.loadavg,
        "loadavg_after": after.loadavg,
        "cpus": after.ncpu,
        "busy_cores": round(busy, 3),
        "foreign_cores": round(foreign, 3),
        "top": [{"name": n, "cores": round(c, 3)} for n, c in top],
        "mem_available_mb": (
            None if after.mem_available_kb is None else after.mem_available_kb // 1024
        ),
        "threshold": threshold,
        "contaminated": foreign > threshold,
    }


def describe(load: dict) -> str:
    """``1.9 cores of other work (yes 1.0, rustc 0.8)`` for reports and messages."""
    if not load.get("available"):
        return "load unknown"
    names = ", ".join(f"{t['name']} {t['cores']:.1f}" for t in load.get("top", []))
    return f"{load['foreign_cores']:.1f} cores of other work" + (f" ({names})" if names else "")


IDLE_WINDOW_S = 1.0  # how long one quiet check watches the host


@dataclass(frozen=True)
class Quiet:
    """What the user asked about host load: the threshold, waiting for quiet, reruns."""

    threshold: float | None = None  # --load-threshold: overrides every host's own
    wait_idle: float | None = None  # --wait-idle: at most this many seconds before each process
    exclude_contaminated: bool = False  # --exclude-contaminated: run contaminated slots again

    def threshold_for(self, host_threshold: float | None) -> float:
        """The command line's threshold, else the host's ``load_threshold``, else the default."""
        for value in (self.threshold, host_threshold):
            if value is not None:
                return value
        return DEFAULT_THRESHOLD


def wait_idle(
    sample: Callable[[], Sample | None],
    *,
    threshold: float,
    limit: float,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> dict:
    """Wait until other processes use at most ``threshold`` cores over a 1 s window, or ``limit``.

    Returns what happened, for the process record: seconds waited, whether the host was quiet
    (None when its load cannot be read), and the last reading.
    """
    start = clock()
    before = sample()
    while True:
        sleep(IDLE_WINDOW_S)
        after = sample()
        reading = measure(before, after, own_seconds=0.0, threshold=threshold)
        waited = round(clock() - start, 1)
        if not reading["available"]:
            return {"waited_s": waited, "quiet": None}
        if not reading["contaminated"] or waited >= limit:
            return {
                "waited_s": waited,
                "quiet": not reading["contaminated"],
                "foreign_cores": reading["foreign_cores"],
                "top": reading["top"],
            }
        before = after
