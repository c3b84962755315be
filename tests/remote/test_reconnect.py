"""A link to an SSH host that drops silently leaves the benchmark running there: after reconnecting,
jitbench ends it (and the child it forked) before the next process on that host starts."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import time
import uuid
from pathlib import Path

import pytest

from ..conftest import write
from ..marked import check_complete, run_as_printed, start, wait_gone
from .conftest import HOSTS, children, hosts_toml

ALIAS = "lo-silent"

CONFIG = (
    HOSTS.replace("[hosts.lo]", f"[hosts.{ALIAS}]").replace('ssh = "lo"\n', f'ssh = "{ALIAS}"\n', 1)
    + f"""
[runtimes.remote]
host = "{ALIAS}"
command = [{{python}}]

[benchmarks.holds]
path = "bench/holds.py"
function = "main"

[variants.base]
runtime = "remote"
env = {{{{ JB_MARK = {{mark}}, JB_DIR = {{folder}} }}}}

[variants.other]
runtime = "remote"
env = {{{{ JB_MARK = {{mark}}, JB_DIR = {{folder}}, OTHER = "1" }}}}
"""
)

# The first process forks a child that sleeps, says so, and waits on it for ten minutes. Every later
# process writes down, when it starts, whether the first process or its child still runs.
HOLDS_PY = """\
import os, subprocess, sys, time

DIR = os.environ["JB_DIR"]
_seen = []


def _alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            state = f.read().rpartition(")")[2].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def _pids():
    with open(os.path.join(DIR, "pids")) as f:
        return [int(p) for p in f.read().split()]


def _note(name, text):
    with open(os.path.join(DIR, name), "a") as f:
        f.write(text + "\\n")


def main():
    if _seen:
        return sum(range(20000))
    _seen.append(1)
    try:
        os.mkdir(os.path.join(DIR, "first"))
    except FileExistsError:
        _note("seen", " ".join(str(_alive(p)) for p in _pids()))
        return sum(range(20000))
    child = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(600)", "remote-sleeper"]
    )
    with open(os.path.join(DIR, "pids.tmp"), "w") as f:
        f.write("%d %d" % (os.getpid(), child.pid))
    os.rename(os.path.join(DIR, "pids.tmp"), os.path.join(DIR, "pids"))
    # The control: the same check, from the same benchmark, sees both running.
    _note("control", " ".join(str(_alive(p)) for p in _pids()))
    child.wait()
    return 0
"""


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return "gone"


def _ancestors(pid: int) -> list[int]:
    out = []
    while pid > 1:
        try:
            pid = int(Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[1])
        except OSError:
            break
        out.append(pid)
    return out


def _freeze_link(listener: int, benchmark: int) -> list[int]:
    """Stop the sshd processes serving the benchmark's connection: the host side goes silent, as
    when the network stops answering; the benchmark keeps its stdin open and runs on."""
    frozen = []
    for pid in _ancestors(benchmark):
        if pid == listener:
            break
        if Path(f"/proc/{pid}/comm").read_text().startswith("sshd"):
            os.kill(pid, signal.SIGSTOP)
            frozen.append(pid)
    return frozen


def _cmdlines() -> dict[int, list[bytes]]:
    out = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                out[int(entry.name)] = (entry / "cmdline").read_bytes().split(b"\0")
    return out


def _kill_local_master(jitbench: int) -> list[int]:
    """SIGKILL jitbench's ssh master connection to the host (the client side of the link)."""
    procs = _cmdlines()
    ours = set(children(jitbench))
    # The ssh client of the running process names the master's socket; the master, which runs
    # in the background, shows that path in its title.
    sockets = {
        arg.removeprefix(b"ControlPath=")
        for pid, argv in procs.items()
        if pid in ours and ALIAS.encode() in argv
        for arg in argv
        if arg.startswith(b"ControlPath=")
    }
    killed = []
    for pid, argv in procs.items():
        if argv and argv[0].startswith(b"ssh: ") and argv[0].split()[1] in sockets:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
    return killed


@pytest.mark.slow
def test_after_a_silent_drop_the_next_process_waits_until_the_old_one_is_gone(servers, tmp_path):
    server = servers.servers.get(ALIAS) or servers.add(ALIAS, [])
    mark, folder = uuid.uuid4().hex, tmp_path / "evidence"
    folder.mkdir()
    write(
        tmp_path / "jitbench.toml",
        CONFIG.format(
            **hosts_toml(servers, tmp_path / "w"),
            mark=json.dumps(mark),
            folder=json.dumps(str(folder)),
        ),
    )
    write(tmp_path / "bench" / "holds.py", HOLDS_PY)
    out = tmp_path / "result.json"
    design = ["-p", "3", "--loops", "1", "--values", "2", "--warmups", "0", "--timeout", "600"]
    proc = start(tmp_path, "run", "base", "other", "--bench", "holds", *design, "--out", str(out))
    frozen: list[int] = []
    try:
        deadline = time.monotonic() + 120
        while not (folder / "control").exists():
            assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
            time.sleep(0.02)
        old = [int(p) for p in (folder / "pids").read_text().split()]
        frozen = _freeze_link(server.proc.pid, old[0])
        assert frozen, "no sshd process serves the benchmark"
        assert _kill_local_master(proc.pid), "no ssh master connection to kill"
        # The drop left both running: nothing on the host side can end them now.
        assert all(_state(p) not in ("Z", "X", "gone") for p in old)
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 2, err
        # Still frozen: the link never told the benchmark anything; jitbench ended it.
        assert all(_state(p) == "T" for p in frozen)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
        for pid in frozen:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)
    assert (folder / "control").read_text().split() == ["True", "True"]
    seen = (folder / "seen").read_text().splitlines()
    assert len(seen) == 5 and all(line.split() == ["False", "False"] for line in seen), seen
    partial = json.loads(out.read_text())
    (lost,) = [p for p in partial["processes"] if p.get("connection_lost")]
    assert sorted(e["pid"] for e in lost["left_running"]) == sorted(old)
    assert any("remote-sleeper" in e["command"] for e in lost["left_running"])
    assert "reconnected; ended 2 process(es) the dropped connection left running" in err
    assert wait_gone(mark) == []
    resumed = run_as_printed(tmp_path, err, "run them again with:")
    assert resumed.returncode == 0, resumed.stderr
    check_complete(partial, json.loads(out.read_text()))
    assert (folder / "seen").read_text().splitlines()[5:] == ["False False"]
