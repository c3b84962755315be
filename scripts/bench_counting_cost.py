#!/usr/bin/env python3
"""What counting costs per process: wall time of one runner process, native vs counted.

Runs the real runner on a benchmark (default: the bundled richards) with the same task three
ways -- native, counting task-clock through perf_event_open, counting instructions under
callgrind -- and prints each one's wall time as a multiple of native.

    python scripts/bench_counting_cost.py [--python PATH] [--chroot ROOT] [--values N] [--repeat R]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path

from jitbench.execute import valgrind
from jitbench.execute.payload import BOOTSTRAP, build_payload
from jitbench.execute.process import interpret
from jitbench.execute.transport import LocalTransport

BENCH = Path(__file__).resolve().parent.parent / "src" / "jitbench" / "benchmarks" / "richards.py"


def task(loops: int, values: int, warmups: int, counting: dict | None) -> dict:
    out = {
        "action": "run",
        "loops": loops,
        "warmups": warmups,
        "values": values,
        "pre_import": [],
        "probes": ["cpython", "pypy"],
        "mode": None,
        "jit_options": {},
        "benchmark": {
            "name": "richards",
            "kind": "plain",
            "file": "bench/richards.py",
            "function": "run",
            "bench_name": None,
        },
    }
    if counting is not None:
        out["counting"] = counting
    return out


def one(command: list[str], executable: str, t: dict, under_valgrind: bool) -> float:
    argv = [*command, "-c", BOOTSTRAP]
    if under_valgrind:
        argv = valgrind.wrap_argv(argv, command, executable)
    payload = build_payload(t, {"bench/richards.py": BENCH.read_bytes()})
    done = LocalTransport().run(argv, {"PYTHONHASHSEED": "0"}, payload, 1800)
    rec = interpret(done, 1800)
    if rec["status"] != "ok":
        sys.exit(f"bench_counting_cost: process failed: {rec['error']}\n{rec['stderr_tail']}")
    return done.wall_ns / 1e9


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--python", default=os.path.realpath(sys.executable))
    p.add_argument("--chroot", default=None, help="run the interpreter inside this root")
    p.add_argument("--loops", type=int, default=1)
    p.add_argument("--values", type=int, default=5)
    p.add_argument("--warmups", type=int, default=2)
    p.add_argument("--repeat", type=int, default=3)
    a = p.parse_args()
    command = ["chroot", a.chroot, a.python] if a.chroot else [a.python]
    ways = {
        "native": (None, False),
        "perf task-clock": ({"backend": "perf", "events": ["task-clock"]}, False),
        "valgrind instructions": (valgrind.counting_task()["counting"], True),
    }
    walls = {}
    for name, (counting, under) in ways.items():
        t = task(a.loops, a.values, a.warmups, counting)
        walls[name] = statistics.median(one(command, a.python, t, under) for _ in range(a.repeat))
    base = walls["native"]
    print(
        f"richards, {a.values} values of {a.loops} loop(s), {a.warmups} warmups; median of "
        f"{a.repeat} processes; {' '.join(command)}"
    )
    for name, wall in walls.items():
        print(f"  {name:<22} {wall:8.2f} s per process  {wall / base:6.1f} x native")


if __name__ == "__main__":
    main()
