"""What on a host disturbs measurements, and the fix for each (``jitbench doctor [HOST]``).

Like ``pyperf system show``: CPU frequency governor, turbo, SMT, isolated CPUs, ASLR, the NMI
watchdog, load and free memory. The kernel's files are read directly here, and on an SSH host by
one fixed command built from the same list of files (no user data in it).
"""

from __future__ import annotations

import glob
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from . import load
from .host import split_sections
from .hosts import HostAccess, SshHostAccess

# section → the files it reads (a glob); the same list serves here and on a host.
FILES = {
    "governor": "/sys/devices/system/cpu/cpu[0-9]*/cpufreq/scaling_governor",
    "noturbo": "/sys/devices/system/cpu/intel_pstate/no_turbo",
    "boost": "/sys/devices/system/cpu/cpufreq/boost",
    "smt": "/sys/devices/system/cpu/smt/active",
    "isolated": "/sys/devices/system/cpu/isolated",
    "aslr": "/proc/sys/kernel/randomize_va_space",
    "nmi": "/proc/sys/kernel/nmi_watchdog",
}
SCRIPT = " ".join(f"echo @{name}; cat {pattern} 2>/dev/null;" for name, pattern in FILES.items())
SCRIPT += " echo @end; exit 0"
LOAD_WINDOW_S = 1.0
#: Seconds the canary runs back to back for the stability check.
STABILITY_S = 10.0
#: A host whose canary times stay within ± this (%) is stable enough for 1 % effects.
STABLE_PCT = 5.0


@dataclass(frozen=True)
class Check:
    """One knob: what it is now, whether that is good for benchmarking, and how to fix it."""

    name: str
    state: str
    ok: bool | None  # None: cannot tell on this host
    fix: str = ""


def read_local() -> dict[str, list[str]]:
    """The FILES of this machine, read directly."""
    out: dict[str, list[str]] = {}
    for name, pattern in FILES.items():
        lines: list[str] = []
        for path in sorted(glob.glob(pattern)):
            try:
                lines += [ln for ln in Path(path).read_text().splitlines() if ln.strip()]
            except OSError:
                continue
        out[name] = lines
    return out


def read_remote(access: SshHostAccess) -> dict[str, list[str]]:
    """The FILES of an SSH host, by one fixed command."""
    return split_sections(access.fixed(SCRIPT, "reading the kernel's settings"))


def diagnose(
    files: dict[str, list[str]],
    before: load.Sample | None,
    after: load.Sample | None,
    threshold: float,
) -> list[Check]:
    """Every check, from the files and two load samples a second apart."""
    return [
        _governor(files.get("governor", [])),
        _turbo(files),
        _smt(files.get("smt", [])),
        _isolated(files.get("isolated", [])),
        _aslr(files.get("aslr", [])),
        _nmi(files.get("nmi", [])),
        _load(before, after, threshold),
        _memory(after),
    ]


def examine(access: HostAccess, threshold: float, stability_s: float = STABILITY_S) -> list[Check]:
    """Read a host (here or over SSH) and diagnose it; time the canary for ``stability_s``."""
    access.connect()
    files = read_remote(access) if isinstance(access, SshHostAccess) else read_local()
    before = access.sample()
    time.sleep(LOAD_WINDOW_S)
    after = access.sample()
    checks = diagnose(files, before, after, threshold)
    if stability_s > 0:
        checks.append(_stability(access.stability(stability_s), stability_s))
    return checks


def _stability(timings_ns: list[int] | str, seconds: float) -> Check:
    """How much this machine's speed moves: a fixed workload timed back to back."""
    if isinstance(timings_ns, str):
        fix = (
            "install GNU coreutils on the host, or run jitbench doctor on the host itself"
            if "date" in timings_ns
            else "check the host answers (ssh), then run jitbench doctor again"
        )
        return Check("Host stability", f"not measured: {timings_ns}", None, fix)
    from ..stats.noise import stability_pct

    pct = stability_pct(timings_ns)
    state = (
        f"±{pct:.1f} % over {seconds:g} s ({len(timings_ns)} timings of a fixed "
        f"workload, median {sorted(timings_ns)[len(timings_ns) // 2] / 1e6:.2f} ms)"
    )
    if pct <= STABLE_PCT:
        return Check("Host stability", state, True)
    return Check(
        "Host stability",
        state,
        False,
        "the machine's own speed moves (frequency, a throttled cgroup, a busy "
        "hypervisor): use more processes, a quieter host, or a deterministic metric "
        "(instruction counts)",
    )


def counting_checks(access: HostAccess, variants: list) -> list[Check]:
    """Which counting backends each runtime on the host offers: perf events, valgrind."""
    from .counting import host_backends

    checks = []
    for v in variants:
        found = host_backends(access.transport, v)
        have = [m for m, why in found["perf"].items() if why is None]
        missing = {m: why for m, why in found["perf"].items() if why is not None}
        hw = "instructions" in have
        checks.append(
            Check(
                f"counters, perf_event_open ({v.runtime.name})",
                ", ".join(have) if have else "none",
                True if hw else None,
                ""
                if hw
                else (
                    f"no hardware counters ({missing.get('instructions')}); typical of "
                    "VMs: instructions are counted under valgrind instead"
                ),
            )
        )
        version = found.get("valgrind")
        checks.append(
            Check(
                f"valgrind ({v.runtime.name})",
                version or "not installed",
                True if version else (None if hw else False),
                ""
                if version
                else (
                    found.get("valgrind_error", "").split(": ", 1)[-1]
                    or "install valgrind where the interpreter runs"
                ),
            )
        )
    return checks


def to_json(host: str, checks: list[Check]) -> dict:
    """The ``--json`` document."""
    return {
        "host": host,
        "checks": [asdict(c) for c in checks],
        "problems": sum(1 for c in checks if c.ok is False),
    }


def _first(lines: list[str]) -> str | None:
    return lines[0].strip() if lines else None


def _governor(values: list[str]) -> Check:
    if not values:
        return Check(
            "CPU frequency governor",
            "not exposed (no cpufreq: a virtual machine?)",
            None,
            "if you control the physical host, set its governor to performance",
        )
    kinds = sorted(set(v.strip() for v in values))
    if kinds == ["performance"]:
        return Check("CPU frequency governor", "performance on every CPU", True)
    return Check(
        "CPU frequency governor",
        ", ".join(kinds),
        False,
        "sudo cpupower frequency-set -g performance (or: pyperf system tune)",
    )


def _turbo(files: dict[str, list[str]]) -> Check:
    no_turbo, boost = _first(files.get("noturbo", [])), _first(files.get("boost", []))
    if no_turbo == "1" or boost == "0":
        return Check("Turbo boost", "off", True)
    if no_turbo == "0":
        return Check(
            "Turbo boost",
            "on (intel_pstate): the clock follows temperature and load",
            False,
            "echo 1 | sudo tee /sys/devices/system/cpu/intel_pstate/no_turbo",
        )
    if boost == "1":
        return Check(
            "Turbo boost",
            "on: the clock follows temperature and load",
            False,
            "echo 0 | sudo tee /sys/devices/system/cpu/cpufreq/boost",
        )
    return Check(
        "Turbo boost",
        "not exposed",
        None,
        "if you control the physical host, turn turbo off in its firmware or kernel",
    )


def _best_off(name: str, values: list[str], on: str, fix: str, unknown: str) -> Check:
    """A 0/1 switch that disturbs measurements when it is 1."""
    value = _first(values)
    if value == "0":
        return Check(name, "off", True)
    if value == "1":
        return Check(name, f"on: {on}", False, fix)
    return Check(name, unknown, None)


def _smt(values: list[str]) -> Check:
    return _best_off(
        "SMT (hyper-threading)",
        values,
        "a sibling thread can share the benchmark's core",
        "echo off | sudo tee /sys/devices/system/cpu/smt/control",
        "not exposed",
    )


def _isolated(values: list[str]) -> Check:
    cpus = _first(values)
    if cpus:
        return Check(
            "Isolated CPUs",
            f'{cpus} (pin targets there: command = ["taskset", '
            f'"-c", "{cpus.split(",")[0].split("-")[0]}", ...])',
            True,
        )
    return Check(
        "Isolated CPUs",
        "none: benchmarks share every CPU with the rest of the system",
        False,
        "boot with isolcpus=N nohz_full=N rcu_nocbs=N, then prefix the runtime's "
        "command with taskset -c N",
    )


def _aslr(values: list[str]) -> Check:
    value = _first(values)
    if value == "2":
        return Check(
            "ASLR",
            "full randomization (each process a new layout; jitbench compares many processes)",
            True,
        )
    if value in ("0", "1"):
        return Check(
            "ASLR",
            "off" if value == "0" else "partial",
            False,
            "sudo sysctl kernel.randomize_va_space=2 (one fixed layout's luck would be "
            "in every result)",
        )
    return Check("ASLR", "not readable", None)


def _nmi(values: list[str]) -> Check:
    return _best_off(
        "NMI watchdog",
        values,
        "periodic interrupts on every CPU",
        "sudo sysctl kernel.nmi_watchdog=0",
        "not readable",
    )


def _load(before: load.Sample | None, after: load.Sample | None, threshold: float) -> Check:
    reading = load.measure(before, after, own_seconds=0.0, threshold=threshold)
    if not reading["available"]:
        return Check(
            "Load",
            "unknown: /proc is not readable there (a chroot?)",
            None,
            "run doctor where /proc is mounted",
        )
    state = (
        f"{load.describe(reading)} over {reading['interval_s']:.0f} s; load average "
        f"{reading['loadavg_after'][0]:.2f} on {reading['cpus']} CPUs"
    )
    if reading["contaminated"]:
        return Check(
            "Load",
            state,
            False,
            "stop those processes, or run with --wait-idle (processes measured meanwhile "
            "are flagged contaminated)",
        )
    return Check("Load", state, True)


def _memory(sample: load.Sample | None) -> Check:
    if sample is None or sample.mem_available_kb is None or not sample.mem_total_kb:
        return Check("Free memory", "unknown", None)
    free_mb, total_mb = sample.mem_available_kb // 1024, sample.mem_total_kb // 1024
    state = f"{free_mb} MB available of {total_mb} MB"
    if free_mb < 512 or free_mb < total_mb * 0.1:
        return Check(
            "Free memory",
            state,
            False,
            "stop memory-hungry programs: paging and a shrinking page cache disturb timings",
        )
    return Check("Free memory", state, True)
