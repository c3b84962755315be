#!/usr/bin/env python3
"""Measure what the jitbench runner itself costs, against a bare interpreter.

Per process start: wall time of a jitbench process (bootstrap, unpack, runner, a one-value run of
an empty benchmark) against ``python -c pass``. Per timed value: the runner's timing of an empty
function, i.e. the cost of the perf_counter_ns pair and the loop around each value.

    .venv/bin/python scripts/bench_runner_overhead.py [--python python3] [--repeat 30]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from jitbench.execute.process import run_process
from jitbench.execute.transport import LocalTransport
from jitbench.model import Benchmark, Runtime, Variant


def bare_start(python: str, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter_ns()
        subprocess.run([python, "-c", "pass"], check=True)
        out.append((time.perf_counter_ns() - t0) / 1e6)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--python", default=sys.executable)
    ap.add_argument("--repeat", type=int, default=30)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        bench_file = Path(d) / "empty.py"
        bench_file.write_text("def main():\n    pass\n")
        bench = Benchmark(name="empty", path=bench_file, function="main")
        variant = Variant(name="v", runtime=Runtime("r", (args.python,)))
        transport = LocalTransport()
        starts, per_value_1, per_iter = [], [], []
        for _ in range(args.repeat):
            rec = run_process(
                transport,
                variant,
                bench,
                {"action": "run", "loops": 1, "warmups": 0, "values": 1},
                60,
            )
            starts.append(rec["wall_ns"] / 1e6)
        rec = run_process(
            transport,
            variant,
            bench,
            {"action": "run", "loops": 1, "warmups": 5, "values": 200},
            60,
        )
        per_value_1 = rec["values_ns"]
        rec = run_process(
            transport,
            variant,
            bench,
            {"action": "run", "loops": 100_000, "warmups": 2, "values": 20},
            60,
        )
        per_iter = [v / 100_000 for v in rec["values_ns"]]
    bare = bare_start(args.python, args.repeat)
    med_start, med_bare = statistics.median(starts), statistics.median(bare)
    print(f"interpreter: {args.python}")
    print(f"process start, bare `-c pass`:        median {med_bare:7.1f} ms")
    print(
        f"process start, jitbench (1 value):    median {med_start:7.1f} ms "
        f"(+{med_start - med_bare:.1f} ms)"
    )
    print(f"timed value of 1 empty call:          median {statistics.median(per_value_1):7.0f} ns")
    print(f"per iteration (empty call, 1e5 loop): median {statistics.median(per_iter):7.1f} ns")


if __name__ == "__main__":
    main()
