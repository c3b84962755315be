"""A benchmark process on an SSH host lives no longer than its connection: when the link drops,
the process and every child it started there end at once, and the run resumes complete."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path

import pytest

from ..conftest import write
from ..marked import alive_with, check_complete, run_as_printed, start, wait_gone
from .conftest import HOSTS, hosts_toml

CONFIG = (
    HOSTS.replace("[hosts.lo]", "[hosts.lo-drop]").replace('ssh = "lo"\n', 'ssh = "lo-drop"\n', 1)
    + """
[runtimes.remote]
host = "lo-drop"
command = [{python}]

[benchmarks.hangs]
path = "bench/hangs.py"
function = "main"

[variants.base]
runtime = "remote"
env = {{ JB_MARK = {mark}, JB_FLAG = {flag} }}

[variants.other]
runtime = "remote"
env = {{ JB_MARK = {mark}, JB_FLAG = {flag}, OTHER = "1" }}
"""
)

# The first process of the run waits on a child that sleeps for ten minutes; the others are quick.
HANGS_PY = """\
import os, subprocess, sys

FLAG = os.environ["JB_FLAG"]


def main():
    if not os.path.exists(FLAG):
        open(FLAG, "w").close()
        subprocess.run([sys.executable, "-c", "import time; time.sleep(600)", "remote-sleeper"])
    return sum(range(20000))
"""


def _sleeper_running(mark: str) -> bool:
    for pid in alive_with(mark):
        try:
            if b"remote-sleeper" in Path(f"/proc/{pid}/cmdline").read_bytes():
                return True
        except OSError:
            pass
    return False


@pytest.mark.slow
def test_dropped_connection_ends_the_remote_benchmark_and_its_child(servers, tmp_path):
    server = servers.servers.get("lo-drop") or servers.add("lo-drop", [])
    mark, flag = uuid.uuid4().hex, tmp_path / "hung-once"
    write(
        tmp_path / "jitbench.toml",
        CONFIG.format(
            **hosts_toml(servers, tmp_path / "w"), mark=json.dumps(mark), flag=json.dumps(str(flag))
        ),
    )
    write(tmp_path / "bench" / "hangs.py", HANGS_PY)
    out = tmp_path / "result.json"
    design = ["-p", "3", "--loops", "1", "--values", "3", "--warmups", "1", "--timeout", "600"]
    proc = start(tmp_path, "run", "base", "other", "--bench", "hangs", *design, "--out", str(out))
    deadline = time.monotonic() + 120
    while not _sleeper_running(mark):  # the control: the check sees the process and its child
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
        time.sleep(0.02)
    server.drop_connections()
    assert wait_gone(mark) == []
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 2, err
    partial = json.loads(out.read_text())
    lost = [p for p in partial["processes"] if p.get("connection_lost")]
    assert len(lost) == 1 and not partial["complete"], partial["processes"]
    resumed = run_as_printed(tmp_path, err, "run them again with:")
    assert resumed.returncode == 0, resumed.stderr
    after = json.loads(out.read_text())
    check_complete(partial, after)
    assert [p["slot"] for p in after["replaced"]] == [lost[0]["slot"]]
    assert wait_gone(mark) == []
