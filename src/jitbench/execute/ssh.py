"""Reaching a host over SSH with the user's own OpenSSH client and configuration.

Every connection to one host shares a master connection (``ControlMaster``) whose socket lives in
a private temporary folder, so a process costs a session, not a handshake. ``BatchMode=yes``
means a missing key fails at once instead of prompting for a password mid-run; host keys are
checked as the user's configuration says (never ``StrictHostKeyChecking=no``).

A remote command is one string the remote shell parses: every piece of it is ``shlex.quote``d
here, and environment variables travel as ``env K=V ... argv``. Nothing else is ever spliced in.
"""

from __future__ import annotations

import contextlib
import shlex
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from ..errors import JitbenchError
from ..model import Host
from . import dropped
from .transport import Completed, communicate

SSH_FAILED = 255  # what ssh exits with when the connection (not the remote command) failed
CONNECT_TIMEOUT_S = 20
# The master stays this long after its last session; a killed jitbench leaves it no longer.
PERSIST_S = 120
# A remote process is killed by ``timeout`` on the host; the local clock waits this much longer,
# so the remote kill (and its exit status) normally wins.
LOCAL_GRACE_S = 30
SOCKET = "cm"  # one master per folder (per host), so a short fixed name suffices
TIMEOUT_STATUS = 124  # coreutils/busybox ``timeout`` when the command ran out of time


def quote_command(argv: list[str] | tuple[str, ...]) -> str:
    """One remote command line from an argv: every piece quoted for a POSIX shell."""
    return " ".join(shlex.quote(p) for p in argv)


class SshConnection:
    """ssh argv for one host, its shared master connection, and one-line connection errors."""

    def __init__(self, host: Host):
        self.host = host
        self._dir: Path | None = None
        self._lock = threading.Lock()

    # -- argv ------------------------------------------------------------------------------

    def _control_dir(self) -> Path:
        with self._lock:
            if self._dir is None:
                # A Unix socket path holds at most 107 bytes, and ssh appends a 17-byte suffix
                # while it creates the socket: fall back to /tmp when TMPDIR is long.
                base = tempfile.gettempdir()
                if len(base) > 60:
                    base = "/tmp"
                self._dir = Path(tempfile.mkdtemp(prefix="jb-ssh-", dir=base))  # mode 0700
            return self._dir

    def argv(self, remote: str | None, *, master: bool = False) -> list[str]:
        """The ssh argv that runs ``remote`` (a quoted command line) on the host."""
        h = self.host
        argv = ["ssh"]
        if h.ssh_config is not None:
            argv += ["-F", str(h.ssh_config)]
        # ssh keeps the first value it sees of an option: ours come first where they matter.
        argv += [
            "-o",
            "BatchMode=yes",
            "-o",
            f"ControlMaster={'auto' if master else 'no'}",
            "-o",
            f"ControlPath={self._control_dir()}/{SOCKET}",
            *h.ssh_options,
            "-o",
            f"ControlPersist={PERSIST_S}",
            "-o",
            f"ConnectTimeout={CONNECT_TIMEOUT_S}",
            "-o",
            "ServerAliveInterval=15",
            "-o",
            "ServerAliveCountMax=4",
            "-T",
            "--",
            h.ssh,
        ]
        if remote is not None:
            argv.append(remote)
        return argv

    # -- connection ------------------------------------------------------------------------

    def connect(self) -> None:
        """Open (or check) the master connection; a JitbenchError naming the host and the fix."""
        # Output goes to files, not pipes: the master forks into the background and a pipe it
        # inherited would keep communicate() waiting until the master exits.
        with tempfile.TemporaryFile() as err:
            try:
                status = subprocess.run(
                    self.argv("true", master=True),
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=err,
                    timeout=CONNECT_TIMEOUT_S * 3,
                    start_new_session=True,
                ).returncode
            except FileNotFoundError:
                raise JitbenchError(
                    f"host {self.host.name!r}: the ssh client is not installed "
                    "here; install OpenSSH (e.g. apt-get install "
                    "openssh-client)"
                ) from None
            except subprocess.TimeoutExpired:
                raise JitbenchError(
                    f"host {self.host.name!r}: ssh {self.host.ssh} did not answer "
                    f"within {CONNECT_TIMEOUT_S * 3} s; check that "
                    f"`ssh {self.host.ssh} true` works"
                ) from None
            err.seek(0)
            text = err.read().decode("utf-8", errors="replace")
        if status != 0:
            raise JitbenchError(connection_error(self.host, status, text))

    def reachable(self) -> str | None:
        """None when the host answers now, else the one-line reason (after a lost connection)."""
        try:
            self.connect()
        except JitbenchError as exc:
            return str(exc)
        return None

    def close(self) -> None:
        """Stop the master connection and remove the socket folder."""
        with self._lock:
            folder, self._dir = self._dir, None
        if folder is None:
            return
        if any(folder.iterdir()):
            argv = ["ssh"] + (["-F", str(self.host.ssh_config)] if self.host.ssh_config else [])
            argv += ["-o", f"ControlPath={folder}/{SOCKET}", "-O", "exit", "--", self.host.ssh]
            with contextlib.suppress(OSError, subprocess.TimeoutExpired):
                subprocess.run(
                    argv,
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    timeout=10,
                )
        shutil.rmtree(folder, ignore_errors=True)

    # -- commands --------------------------------------------------------------------------

    def run(
        self,
        remote: str,
        *,
        stdin: bytes = b"",
        timeout: float = 120.0,
        stdout=None,
        hold_stdin: bool = False,
    ) -> Completed:
        """Run a quoted command line on the host; its raw outcome (255 = connection failed).

        ``hold_stdin`` keeps the remote command's stdin open until it exits (a target process:
        end-of-file there means the connection or jitbench is gone).
        """
        t0 = time.perf_counter_ns()
        try:
            proc = subprocess.Popen(
                self.argv(remote),
                stdin=subprocess.PIPE,
                stdout=stdout if stdout is not None else subprocess.PIPE,
                stderr=subprocess.PIPE,
                start_new_session=True,
            )
        except FileNotFoundError:
            raise JitbenchError(
                f"host {self.host.name!r}: the ssh client is not installed here; "
                "install OpenSSH (e.g. apt-get install openssh-client)"
            ) from None
        done = communicate(proc, stdin, timeout, t0, hold_stdin=hold_stdin)
        done.connection_lost = done.returncode == SSH_FAILED
        return done

    def check_output(
        self, remote: str, *, what: str, timeout: float = 120.0, stdin: bytes = b""
    ) -> str:
        """stdout of a command that must succeed; JitbenchError naming the host otherwise."""
        done = self.run(remote, stdin=stdin, timeout=timeout)
        if done.returncode == 0:
            return done.stdout.decode("utf-8", errors="replace")
        if done.connection_lost:
            raise JitbenchError(
                connection_error(
                    self.host, SSH_FAILED, done.stderr.decode("utf-8", errors="replace")
                )
            )
        last = last_line(done.stderr) or f"exit status {done.returncode}"
        raise JitbenchError(f"host {self.host.name!r}: {what} failed ({last}); check the host")


class SshTransport:
    """The ``Transport`` of a host: the same argv, env and payload as locally, through ssh.

    Each process carries a marker in its environment; the markers of processes whose connection
    dropped wait in ``dropped`` until ``end_dropped`` has ended what they left running.
    """

    def __init__(self, connection: SshConnection):
        self.connection = connection
        self.dropped: list[str] = []
        self._lock = threading.Lock()

    def run(self, argv: list[str], env: dict[str, str], stdin: bytes, timeout: float) -> Completed:
        if self.dropped:
            # No process starts beside one a dropped connection may have left running.
            sweep = self.end_dropped()
            if sweep.left:
                raise JitbenchError(dropped.still_running(self.connection.host.name, sweep))
        marker = dropped.new_marker()
        # ``timeout`` on the host kills the process there; killing only the local ssh client would
        # leave a hung benchmark running on the host.
        limit = f"{max(1, round(timeout))}"
        env = {dropped.MARKER_VAR: marker, **env}
        remote = quote_command(["timeout", "-k", "5", limit, *env_prefix(env), *argv])
        done = self.connection.run(
            remote, stdin=stdin, timeout=timeout + LOCAL_GRACE_S, hold_stdin=True
        )
        if done.connection_lost:
            done.marker = marker
            with self._lock:
                self.dropped.append(marker)
        if done.returncode == TIMEOUT_STATUS and not done.stdout.strip():
            done.timed_out = True
            done.returncode = None
        if done.returncode in (126, 127) and not done.stdout.strip():
            _raise_not_started(self.connection.host, argv, done)
        return done

    def end_dropped(self, markers: list[str] | None = None) -> dropped.Sweep:
        """End what processes of dropped connections left running on the host; wait until gone.

        ``markers`` defaults to those of this jitbench's own dropped processes; a JitbenchError
        naming the host when it cannot be reached.
        """
        with self._lock:
            if markers is None:
                markers = list(self.dropped)
            if not markers:
                return dropped.Sweep()
            out = self.connection.check_output(
                quote_command(dropped.script_args(markers)),
                what="ending processes of the dropped connection",
                timeout=60 + dropped.WAIT_STEPS * 0.2,
            )
            sweep = dropped.parse(out)
            if not sweep.left:
                self.dropped = [m for m in self.dropped if m not in markers]
        return sweep


def env_prefix(env: dict[str, str]) -> list[str]:
    """``["env", "K=V", ...]`` or nothing: the remote shell's environment plus the variant's."""
    return ["env", *(f"{k}={v}" for k, v in env.items())] if env else []


def _raise_not_started(host: Host, argv: list[str], done: Completed) -> None:
    """The remote ``timeout``/``env`` could not start the interpreter: say so as locally.

    Anything else that exited 126/127 without a result (a benchmark's own exit status) returns
    and is recorded as a failed process.
    """
    text = done.stderr.decode("utf-8", errors="replace")
    if argv[0] in text:
        # ``env`` (or ``timeout``) names the program it could not run.
        error = FileNotFoundError if done.returncode == 127 else PermissionError
        raise error(done.returncode, last_line(done.stderr), argv[0])
    if "timeout" in text:
        raise JitbenchError(
            f"host {host.name!r}: the `timeout` command is missing there; "
            "install coreutils (or busybox) on the host"
        )


def last_line(data: bytes | str | None) -> str:
    """The last non-empty line of some output, shortened, for one-line messages."""
    text = data.decode("utf-8", errors="replace") if isinstance(data, bytes) else (data or "")
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    return lines[-1][:200] if lines else ""


# ssh's own words → what to do about them. Checked in order; the first match wins.
_DIAGNOSES = (
    (
        "Could not resolve hostname",
        "ssh cannot resolve {dest}",
        "fix hosts.{name}.ssh or add the alias to your ssh config",
    ),
    (
        "Name or service not known",
        "ssh cannot resolve {dest}",
        "fix hosts.{name}.ssh or add the alias to your ssh config",
    ),
    (
        "Connection refused",
        "connection refused by {dest}",
        'start sshd on the host or fix the port (ssh_options = ["-p", "PORT"] or your ssh config)',
    ),
    (
        "Permission denied",
        "login to {dest} refused",
        "put your public key in the host's ~/.ssh/authorized_keys or load it into ssh-agent "
        "(jitbench never asks for passwords)",
    ),
    (
        "Host key verification failed",
        "the host key of {dest} is not known or has changed",
        "connect once with `ssh {dest}` to check and accept its key",
    ),
    (
        "REMOTE HOST IDENTIFICATION HAS CHANGED",
        "the host key of {dest} has changed",
        "check the host, then fix its line in known_hosts",
    ),
    ("timed out", "{dest} did not answer", "check the address and that the host is up"),
    ("No route to host", "no route to {dest}", "check the address and the network"),
    ("Network is unreachable", "network unreachable for {dest}", "check the network"),
    ("Connection closed", "{dest} closed the connection", "check sshd's log on the host"),
    ("Connection reset", "{dest} reset the connection", "check sshd's log on the host"),
    ("Broken pipe", "the connection to {dest} broke", "check the network and the host"),
)


def connection_error(host: Host, status: int, stderr: str) -> str:
    """One line naming the host, what ssh said, and the fix."""
    dest = host.ssh
    said = last_line(stderr)
    if status != SSH_FAILED:
        return (
            f"host {host.name!r}: `ssh {dest} true` exited with {status} ({said or 'no output'}); "
            "the remote shell must run commands: check the account's shell and login files"
        )
    for needle, what, fix in _DIAGNOSES:
        if needle in stderr:
            return (
                f"host {host.name!r}: {what.format(dest=dest)} ({said}); "
                f"{fix.format(dest=dest, name=host.name)}"
            )
    return (
        f"host {host.name!r}: ssh {dest} failed ({said or 'exit status 255'}); "
        f"check that `ssh {dest} true` works from this machine"
    )
