"""A link to an SSH host that drops silently leaves the benchmark running there: after reconnecting,
jitbench ends it (and the child it forked) before the next process on that host starts."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from jitbench.execute import dropped
from jitbench.execute.ssh import SshConnection, SshTransport
from jitbench.model import Host

from ..conftest import write
from ..marked import check_complete, run_as_printed, start, wait_gone
from .conftest import HOSTS, Servers, children, hosts_toml

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
    # An emptied environment: the child carries no process marker, only the process group.
    child = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(600)", "remote-sleeper"], env={}
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


def _kill_local_master(jitbench: int, alias: str) -> list[int]:
    """SIGKILL jitbench's ssh master connection to the host (the client side of the link)."""
    procs = _cmdlines()
    ours = set(children(jitbench))
    # The ssh client of the running process names the master's socket; the master, which runs
    # in the background, shows that path in its title.
    sockets = {
        arg.removeprefix(b"ControlPath=")
        for pid, argv in procs.items()
        if pid in ours and alias.encode() in argv
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


class SilentDrop:
    """A run whose first process forks a child and waits; then its link goes silent."""

    def __init__(self, servers: Servers, tmp_path: Path, alias: str):
        self.alias = alias
        self.server = servers.servers.get(alias) or servers.add(alias, [])
        self.cwd, self.mark, self.folder = tmp_path, uuid.uuid4().hex, tmp_path / "evidence"
        self.folder.mkdir()
        write(
            tmp_path / "jitbench.toml",
            CONFIG.replace(ALIAS, alias).format(
                **hosts_toml(servers, tmp_path / "w"),
                mark=json.dumps(self.mark),
                folder=json.dumps(str(self.folder)),
            ),
        )
        write(tmp_path / "bench" / "holds.py", HOLDS_PY)
        self.out = tmp_path / "result.json"
        self.frozen: list[int] = []
        self.old: list[int] = []

    def start(self) -> subprocess.Popen:
        """Start the run; return once its first process and that one's child run."""
        design = ["-p", "3", "--loops", "1", "--values", "2", "--warmups", "0", "--timeout", "600"]
        args = ["run", "base", "other", "--bench", "holds", *design, "--out", str(self.out)]
        proc = start(self.cwd, *args)
        deadline = time.monotonic() + 120
        while not (self.folder / "control").exists():
            assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
            time.sleep(0.02)
        self.old = [int(p) for p in (self.folder / "pids").read_text().split()]
        return proc

    def kill_local_master(self, jitbench: int) -> list[int]:
        return _kill_local_master(jitbench, self.alias)

    def freeze(self) -> None:
        self.frozen = _freeze_link(self.server.proc.pid, self.old[0])
        assert self.frozen, "no sshd process serves the benchmark"

    def old_running(self) -> bool:
        return all(_state(p) not in ("Z", "X", "gone") for p in self.old)

    def still_frozen(self) -> bool:
        """The host side never told the benchmark anything: only jitbench could have ended it."""
        return all(_state(p) == "T" for p in self.frozen)

    def thaw(self) -> None:
        for pid in self.frozen:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)

    def seen(self) -> list[str]:
        """What each later process saw when it started: whether the old process, its child ran."""
        return (self.folder / "seen").read_text().splitlines()


def _ended_with_their_timeout(left_running: list[dict], old: list[int]) -> None:
    """What the sweep ended: the benchmark, its unmarked child, and the host's ``timeout`` whose
    process group held both."""
    by_pid = {e["pid"]: e["command"] for e in left_running}
    assert set(old) < set(by_pid) and len(by_pid) == 3, left_running
    assert by_pid[old[1]].endswith("remote-sleeper")
    (extra,) = set(by_pid) - set(old)
    assert by_pid[extra].startswith("timeout "), left_running


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.kill()
        proc.communicate()


@pytest.mark.slow
def test_after_a_silent_drop_the_next_process_waits_until_the_old_one_is_gone(servers, tmp_path):
    drop = SilentDrop(servers, tmp_path, ALIAS)
    proc = drop.start()
    try:
        drop.freeze()
        assert drop.kill_local_master(proc.pid), "no ssh master connection to kill"
        assert drop.old_running()  # the drop left both running
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 2, err
        assert drop.still_frozen()
    finally:
        _stop(proc)
        drop.thaw()
    # The control: the same check, run by the old process itself, saw both running.
    assert (drop.folder / "control").read_text().split() == ["True", "True"]
    assert drop.seen() == ["False False"] * 5
    partial = json.loads(drop.out.read_text())
    (lost,) = [p for p in partial["processes"] if p.get("connection_lost")]
    _ended_with_their_timeout(lost["left_running"], drop.old)
    assert "ended 3 process(es) a dropped connection left running there" in err
    assert wait_gone(drop.mark) == []
    resumed = run_as_printed(tmp_path, err, "run them again with:")
    assert resumed.returncode == 0, resumed.stderr
    check_complete(partial, json.loads(drop.out.read_text()))
    assert drop.seen()[5:] == ["False False"]


@pytest.mark.slow
def test_a_resume_ends_what_a_silent_drop_left_running_when_the_host_was_gone(servers, tmp_path):
    drop = SilentDrop(servers, tmp_path, "lo-silent-gone")
    proc = drop.start()
    try:
        drop.freeze()
        # The host stops answering too: jitbench cannot reconnect and stops with the resume hint.
        drop.server.proc.terminate()
        drop.server.proc.wait(timeout=30)
        assert drop.kill_local_master(proc.pid), "no ssh master connection to kill"
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 2, err
        assert "connection lost mid-run" in err
        partial = json.loads(drop.out.read_text())
        (lost,) = [p for p in partial["processes"] if p.get("connection_lost")]
        assert "left_running" not in lost and lost["marker"]
        # The control: nothing ended them while the host was gone.
        assert drop.old_running()
        drop.server.proc = None
        drop.server.start()  # the host answers again
        resumed = run_as_printed(tmp_path, err, "when the host answers again:")
        assert resumed.returncode == 0, resumed.stderr
        assert drop.still_frozen()
    finally:
        _stop(proc)
        drop.thaw()
    assert "ended 3 process(es) a dropped connection left running there" in resumed.stderr
    assert drop.seen() == ["False False"] * 6  # every slot, the lost one too, after the resume
    after = json.loads(drop.out.read_text())
    check_complete(partial, after)
    (noted,) = [p for p in after["replaced"] if p["slot"] == lost["slot"]]
    _ended_with_their_timeout(noted["left_running"], drop.old)
    assert wait_gone(drop.mark) == []


# Says whether the process named by its first argument still runs, as it starts.
SEES = (
    "import sys\n"
    "try:\n"
    "    state = open('/proc/%s/stat' % sys.argv[1]).read().rpartition(')')[2].split()[0]\n"
    "except OSError:\n"
    "    state = 'gone'\n"
    "print(state not in ('Z', 'X', 'gone'))\n"
)


def test_any_next_process_on_the_host_waits_for_what_a_dropped_one_left(servers, tmp_path):
    """Not only the run's next slot: whatever starts the next process there (the transport)."""
    host = Host(name="lo", ssh="lo", ssh_config=servers.ssh_config)
    connection = SshConnection(host)
    transport = SshTransport(connection)
    mine = dropped.new_marker()
    left = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(600)"],
        env={**os.environ, dropped.MARKER_VAR: mine},
    )
    try:
        connection.connect()
        argv = [sys.executable, "-c", SEES, str(left.pid)]
        # The control: while no dropped connection is known, the next process sees it running.
        assert transport.run(argv, {}, b"", 60).stdout.split() == [b"True"]
        transport.dropped.append(mine)  # as when its connection had dropped
        assert transport.run(argv, {}, b"", 60).stdout.split() == [b"False"]
        assert left.wait(timeout=30) == -9 and transport.dropped == []
    finally:
        left.kill()
        left.wait()
        connection.close()
