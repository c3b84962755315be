"""A fixed standard-library workload that jitbench times on this machine between processes.

Its time changes only when the machine's speed does (frequency, a throttled cgroup, a vCPU slowed
by its hypervisor), so its spread over a run is the host's own noise, which the guest's load
monitor cannot see.
"""

from __future__ import annotations

import time
from collections.abc import Callable

#: Iterations of the workload: about 35 ms of pure Python on a current core, longer than the
#: 100 ms CFS period's half, so a throttled cgroup or a slowed vCPU shows in one timing.
WORK = 400_000
#: Timings per measurement between two processes.
REPEATS = 1


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
