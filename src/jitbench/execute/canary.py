"""A fixed workload that jitbench times on each host between processes.

Its time changes only when the machine's speed does (frequency, a throttled cgroup, a vCPU slowed
by its hypervisor), so its spread over a run is the host's own noise, which the guest's load
monitor cannot see. On this machine it is pure Python, timed in jitbench itself; on an SSH host,
where no interpreter of jitbench's own can be assumed, it is a loop of the POSIX shell timed
there with ``date +%s%N`` (:func:`sh_script`), one SSH call on the open master connection.
Timings of different hosts are never pooled: each host's are read against its own median.
"""

from __future__ import annotations

import time
from collections.abc import Callable

#: Iterations of the workload: about 35 ms of pure Python on a current core, longer than the
#: 100 ms CFS period's half, so a throttled cgroup or a slowed vCPU shows in one timing.
WORK = 400_000
#: Timings per measurement between two processes.
REPEATS = 1
#: Iterations of the shell loop on an SSH host: about 40 ms in dash on a current core.
SH_ITERATIONS = 40_000


def _work() -> int:
    """Integer arithmetic, a dict and a sort: the interpreter's bread and butter, no I/O."""
    counts: dict[int, int] = {}
    for i in range(WORK):
        key = i % 97
        counts[key] = counts.get(key, 0) + i * i
    return sorted(counts.values())[0]


def measure(repeats: int = REPEATS, clock: Callable[[], int] = time.perf_counter_ns) -> list[int]:
    """``repeats`` timings of the workload, in ns."""
    out = []
    for _ in range(repeats):
        start = clock()
        _work()
        out.append(clock() - start)
    return out


def stability(seconds: float, clock: Callable[[], float] = time.monotonic) -> list[int]:
    """Timings of the workload, back to back for ``seconds``, in ns (``jitbench doctor``)."""
    out: list[int] = []
    end = clock() + seconds
    while clock() < end or len(out) < 2:
        out += measure(1)
    return out


def sh_script(seconds: int = 0) -> str:
    """A fixed ``sh`` script timing the shell loop: once, or back to back for ``seconds`` (at
    least twice). It prints one ``START END`` line (ns) per timing; it fails where ``date``
    prints no nanoseconds."""
    return (
        "end=; n=0; "
        "while :; do "
        "s=$(date +%s%N); "
        f'[ -n "$end" ] || end=$((s + {int(seconds)} * 1000000000)); i=0; '
        f"while [ $i -lt {SH_ITERATIONS} ]; do i=$((i + 1)); done; "
        'e=$(date +%s%N); echo "$s $e"; n=$((n + 1)); '
        'if [ $n -ge 2 ] && [ "$e" -ge "$end" ] || [ '
        f"{int(seconds)} -eq 0 ]; then break; fi; "
        "done"
    )


def parse_sh(text: str) -> list[int]:
    """Timings (ns) from :func:`sh_script`'s output; none where ``date`` has no ``%N``."""
    out = []
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 2 and all(p.isdigit() for p in parts):
            ns = int(parts[1]) - int(parts[0])
            if ns > 0:
                out.append(ns)
    return out
