"""multiprocessing's forkserver and resource tracker end with the benchmark process, as they do
when it exits, and are not reported as children it left running; a real leftover still is."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from .conftest import Cli, write

CONFIG = f"""\
[runtimes.host]
command = [{json.dumps(sys.executable)}]
kind = "cpython"

[benchmarks.pool]
path = "bench/pool.py"
function = "main"

[variants.helpers]
runtime = "host"

[variants.leftover]
runtime = "host"
env = {{ LEAVE_ONE = "1" }}
"""

# A pool started through the forkserver (Python 3.14's default on Linux): a forkserver and a
# resource tracker serve this process until it exits. LEAVE_ONE also leaves a real child behind.
POOL_PY = """\
import multiprocessing
import os
import subprocess


def main():
    with multiprocessing.get_context("forkserver").Pool(1) as pool:
        assert pool.map(abs, [-1, -2]) == [1, 2]
    if os.environ.get("LEAVE_ONE") and not os.environ.get("LEFT"):
        os.environ["LEFT"] = "1"
        subprocess.Popen(["sleep", "60"])
"""


@pytest.mark.slow
def test_forkserver_helpers_are_not_leftovers_but_a_sleeping_child_is(tmp_path: Path):
    write(tmp_path / "jitbench.toml", CONFIG)
    write(tmp_path / "bench" / "pool.py", POOL_PY)
    design = ["--bench", "pool", "-p", "1", "-n", "1", "-w", "0", "--loops", "1", "--db", "off"]
    cli = Cli(tmp_path)
    cli("run", "helpers", *design, check=0)
    # Negative control: the same benchmark leaving a real child fails, naming that child only.
    proc = cli("run", "leftover", *design, check=2)
    assert "a child process of the benchmark was still running (pid" in proc.stderr
    assert "sleep 60" in proc.stderr and "forkserver" not in proc.stderr
