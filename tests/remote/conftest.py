"""Real OpenSSH servers on loopback, started by the tests themselves, and projects using them.

Each server is Debian's ``sshd -D`` with a throwaway host key, listening on 127.0.0.1 at a free
port, accepting one throwaway user key. The client side is a generated ssh config file that
jitbench receives through ``[hosts.NAME] ssh_config``; the user's own ~/.ssh is never read or
written. Aliases:

- ``lo``: this machine as an SSH host.
- ``lo-slow``: the same, but its sessions get ``WORK=3.0`` (sshd ``SetEnv``): the bench does
  three times the work there, a cross-host effect no host noise can hide, nothing else different.

Every session gets an empty ``HOME``, so the account's shell start-up files do not run.
- ``cx``: sessions chrooted (``ChrootDirectory``) into the provisioned CinderX root, a different
  OS and Python: the "other architecture" host. Only where that root is provisioned.
- ``lo-wrongkey`` / ``lo-refused``: a key the server does not accept / a port nothing listens on.

No sshd installed: the tests skip with the reason, except in CI (CI=true), where they fail.
"""

from __future__ import annotations

import contextlib
import getpass
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from jitbench.runtimes import provisioned

from ..conftest import WORK_PY, Cli, in_ci, write

SBIN_PATH = os.pathsep.join([os.environ.get("PATH", os.defpath), "/usr/sbin", "/usr/local/sbin"])
FAST = ["--values", "4", "--warmups", "1", "--min-time", "0.01"]


def need(ok: object, reason: str) -> None:
    """Skip with ``reason`` unless ``ok`` — but in CI a missing prerequisite is a failure."""
    if ok:
        return
    if in_ci():
        pytest.fail(f"{reason} (CI needs it: run scripts/provision-ssh)")
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def children(pid: int) -> list[int]:
    """Every descendant of ``pid`` (from /proc), deepest last."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            text = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(text.rpartition(")")[2].split()[1])
        parents.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def benchmark_processes(server: Sshd, seconds: float = 0.0) -> list[int]:
    """Target processes (and their children) running under ``server``'s sessions, after waiting up
    to ``seconds`` for them to be gone: every one carries jitbench's process marker."""
    deadline = time.monotonic() + seconds
    while True:
        found = []
        for pid in children(server.proc.pid) if server.proc is not None else []:
            try:
                env = Path(f"/proc/{pid}/environ").read_bytes()
                state = Path(f"/proc/{pid}/stat").read_bytes().rpartition(b")")[2].split()[0]
            except OSError:
                continue
            if b"JITBENCH_PROCESS=" in env and state not in (b"Z", b"X"):
                found.append(pid)
        if not found or time.monotonic() >= deadline:
            return found
        time.sleep(0.05)


class Sshd:
    """One sshd on 127.0.0.1: start, stop, and cut every session it is serving."""

    def __init__(self, keys: Path, name: str, extra: list[str], setenv: dict[str, str]):
        self.keys = keys
        self.name = name
        self.port = free_port()
        self.dir = keys / name
        self.dir.mkdir()
        # Sessions get an empty HOME: the account's own shell start-up files (a ~/.bashrc that
        # runs pyenv, conda, ...) never run in, or get disturbed by, the tests.
        env = {"HOME": str(keys / "home"), **setenv}
        self.config = self.dir / "sshd_config"
        self.log = self.dir / "sshd.log"
        self.config.write_text(
            "\n".join(
                [
                    f"Port {self.port}",
                    "ListenAddress 127.0.0.1",
                    f"HostKey {keys / 'hostkey'}",
                    f"PidFile {self.dir / 'sshd.pid'}",
                    f"AuthorizedKeysFile {keys / 'authorized_keys'}",
                    "PasswordAuthentication no",
                    "KbdInteractiveAuthentication no",
                    "PubkeyAuthentication yes",
                    "StrictModes no",
                    "UsePAM no",
                    "PermitRootLogin prohibit-password",
                    "MaxSessions 100",
                    "MaxStartups 100",
                    "LogLevel ERROR",
                    "SetEnv " + " ".join(f"{k}={v}" for k, v in env.items()),
                    *extra,
                    "",
                ]
            )
        )
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        sshd = shutil.which("sshd", path=SBIN_PATH)
        self.proc = subprocess.Popen(
            [sshd, "-D", "-f", str(self.config), "-E", str(self.log)], stdin=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        log = self.log.read_text() if self.log.exists() else ""
        self.stop()
        need(False, f"sshd did not start: {log.strip()[-300:] or 'no log'}")

    def cut_sessions(self) -> None:
        """Kill the processes serving open connections: every client sees its link drop."""
        if self.proc is not None:
            for pid in reversed(children(self.proc.pid)):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)

    def drop_connections(self) -> None:
        """Kill only sshd's own processes serving open connections: each link drops as if the
        network failed, and the commands those sessions started are left to fend for themselves."""
        if self.proc is None:
            return
        for pid in children(self.proc.pid):
            try:
                comm = Path(f"/proc/{pid}/comm").read_text().strip()
            except OSError:
                continue
            if comm.startswith("sshd"):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)

    def stop(self) -> None:
        """Stop listening and drop every connection."""
        if self.proc is None:
            return
        self.cut_sessions()
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc = None


class Servers:
    """The keys, the servers and the client's ssh config file."""

    def __init__(self, root: Path):
        self.root = root
        self.servers: dict[str, Sshd] = {}
        for key in ("hostkey", "userkey", "otherkey"):
            subprocess.run(
                [
                    "ssh-keygen",
                    "-q",
                    "-t",
                    "ed25519",
                    "-N",
                    "",
                    "-C",
                    "jitbench-test",
                    "-f",
                    str(root / key),
                ],
                check=True,
            )
        (root / "authorized_keys").write_text((root / "userkey.pub").read_text())
        (root / "home").mkdir()
        host_key = (root / "hostkey.pub").read_text().split()
        (root / "known_hosts").write_text(f"jitbench-test-host {host_key[0]} {host_key[1]}\n")
        self.ssh_config = root / "ssh_config"
        self.refused_port = free_port()

    def add(self, name: str, extra: list[str], setenv: dict[str, str] | None = None) -> Sshd:
        server = Sshd(self.root, name, extra, setenv or {})
        server.start()
        self.servers[name] = server
        self._write_client_config()
        return server

    def _write_client_config(self) -> None:
        blocks = []

        def block(alias: str, port: int, key: str) -> None:
            blocks.append(
                "\n".join(
                    [
                        f"Host {alias}",
                        "  HostName 127.0.0.1",
                        f"  Port {port}",
                        f"  User {getpass.getuser()}",
                        f"  IdentityFile {self.root / key}",
                        "  IdentitiesOnly yes",
                        f"  UserKnownHostsFile {self.root / 'known_hosts'}",
                        "  GlobalKnownHostsFile /dev/null",
                        "  HostKeyAlias jitbench-test-host",
                        "  StrictHostKeyChecking yes",
                        "  LogLevel ERROR",
                        "",
                    ]
                )
            )

        for name, server in self.servers.items():
            block(name, server.port, "userkey")
        if "lo" in self.servers:
            block("lo-wrongkey", self.servers["lo"].port, "otherkey")
        block("lo-refused", self.refused_port, "userkey")
        self.ssh_config.write_text("\n".join(blocks))

    def stop_all(self) -> None:
        for server in self.servers.values():
            server.stop()


@pytest.fixture(scope="session")
def servers(tmp_path_factory: pytest.TempPathFactory):
    """``lo`` and ``lo-slow`` running for the whole session (``cx`` is added on demand)."""
    need(
        shutil.which("sshd", path=SBIN_PATH),
        "sshd is not installed (scripts/provision-ssh installs openssh-server)",
    )
    need(
        shutil.which("ssh") and shutil.which("ssh-keygen"),
        "the OpenSSH client is not installed (scripts/provision-ssh installs it)",
    )
    if os.geteuid() == 0 and not Path("/run/sshd").is_dir():
        # sshd insists on its privilege-separation folder, which Debian's service creates.
        Path("/run/sshd").mkdir(mode=0o755, parents=True, exist_ok=True)
    # A short root: ssh control sockets and sshd's paths stay well within their length limits.
    root = Path(tmp_path_factory.mktemp("ssh"))
    srv = Servers(root)
    try:
        srv.add("lo", [])
        srv.add("lo-slow", [], {"WORK": "3.0"})
        yield srv
    finally:
        srv.stop_all()


@pytest.fixture(scope="session")
def cx_server(servers: Servers) -> Iterator[Sshd]:
    """The ``cx`` host: sessions run inside the provisioned CinderX root."""
    env = provisioned.provisioned()
    root = env.get("JITBENCH_CINDERX_ROOT")
    need(
        root and Path(root).is_dir() and os.geteuid() == 0,
        "the CinderX root is not provisioned (run scripts/provision-test-env as root)",
    )
    with _chroot_sshd_accepts(Path(root)) as chroot:
        if "cx" not in servers.servers:
            servers.add("cx", [f"ChrootDirectory {chroot}"])
        yield servers.servers["cx"]


def _writable_by_others(path: Path) -> bool:
    """sshd's ChrootDirectory takes only paths whose every folder is root's and only root's."""
    for folder in [path, *path.parents]:
        st = folder.stat()
        if st.st_uid != 0 or st.st_mode & 0o022:
            return True
    return False


@contextlib.contextmanager
def _chroot_sshd_accepts(root: Path):
    """The root itself, or where it lives under a folder others may write (a cache under /tmp),
    the same root bind-mounted at a private folder of root's."""
    if not _writable_by_others(root):
        yield root
        return
    mount = Path(tempfile.mkdtemp(prefix="jitbench-cx-root-", dir="/run"))
    subprocess.run(["mount", "--bind", str(root), str(mount)], check=True)
    try:
        yield mount
    finally:
        subprocess.run(["umount", "--lazy", str(mount)], check=False)
        mount.rmdir()


HOSTS = """\
[hosts.lo]
ssh = "lo"
ssh_config = {ssh_config}
workdir = {workdir}

[hosts.lo-slow]
ssh = "lo-slow"
ssh_config = {ssh_config}
workdir = {workdir}
"""

REMOTE_CONFIG = (
    HOSTS
    + """
[runtimes.remote]
host = "lo"
command = [{python}]

[benchmarks.work]
path = "bench/work.py"
function = "main"

[variants.base]
runtime = "remote"
env = {{ WORK = "1.00" }}

[variants.slower]
runtime = "remote"
env = {{ WORK = "1.30" }}

[variants.triple]
runtime = "remote"
env = {{ WORK = "3.00" }}
"""
)


def hosts_toml(servers: Servers, workdir: Path) -> dict[str, str]:
    """Values for the templates above (TOML strings)."""
    return {
        "ssh_config": json.dumps(str(servers.ssh_config)),
        "workdir": json.dumps(str(workdir)),
        "python": json.dumps(sys.executable),
    }


@pytest.fixture
def remote_project(tmp_path: Path, servers: Servers) -> Path:
    """The README's A/B example, with its runtime on the SSH host ``lo``."""
    write(
        tmp_path / "jitbench.toml",
        REMOTE_CONFIG.format(**hosts_toml(servers, tmp_path / "remote-work")),
    )
    write(tmp_path / "bench" / "work.py", WORK_PY)
    return tmp_path


@pytest.fixture
def rcli(remote_project: Path) -> Cli:
    return Cli(remote_project)


def artifact(doc: dict, cwd: Path) -> dict:
    """The saved artifact a ``--json`` output points to."""
    return json.loads(Path(cwd, doc["result"]).read_text())
