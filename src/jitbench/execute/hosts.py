"""One object per machine of an experiment: its transport, its load, its facts.

``access_for(host)`` returns the same object for the same host for the whole jitbench process,
so every feature that starts a process (runs, introspection, code size, builds) shares one SSH
master connection per host. Connections open on first use and close when jitbench exits.
"""

from __future__ import annotations

import atexit
import threading
from typing import overload

from ..model import LOCAL, Host
from . import canary, load
from .dropped import Sweep
from .host import FACTS_SCRIPT, host_facts, parse_facts
from .ssh import SshConnection, SshTransport, quote_command
from .transport import LocalTransport, Transport


class HostAccess:
    """This machine: local processes, /proc read directly."""

    name = LOCAL
    host: Host | None = None

    def __init__(self, transport: Transport | None = None):
        self._transport = transport or LocalTransport()
        self._sample_lock = threading.Lock()

    @property
    def transport(self) -> Transport:
        return self._transport

    def connect(self) -> None:
        """Nothing to open locally."""

    def reachable(self) -> str | None:
        """Always reachable."""
        return None

    def end_dropped(self, markers: list[str] | None = None) -> Sweep:
        """Nothing: a local process never loses its connection (its session ends with it)."""
        return Sweep()

    def facts(self) -> dict:
        return host_facts()

    def _read_sample(self) -> load.Sample | None:
        return load.read_local()

    def canary(self) -> list[int] | None:
        """The canary's timings (ns) on this host now, between two processes."""
        return canary.measure()

    def stability(self, seconds: float) -> list[int] | str:
        """The canary timed back to back for ``seconds`` (``jitbench doctor``), or why not."""
        return canary.stability(seconds)

    def sample(self) -> load.Sample | None:
        """The host's load now (one reader at a time)."""
        with self._sample_lock:
            return self._read_sample()

    def close(self) -> None:
        """Nothing to close locally."""


class SshHostAccess(HostAccess):
    """A host over SSH: processes through ``SshTransport``, /proc read by one fixed command."""

    host: Host
    _transport: SshTransport

    def __init__(self, host: Host):
        super().__init__()
        self.host = host
        self.name = host.name
        self.connection = SshConnection(host)
        self._transport = SshTransport(self.connection)
        self._connected = False
        self._connect_lock = threading.Lock()

    @property
    def transport(self) -> Transport:
        self.connect()
        return self._transport

    def connect(self) -> None:
        """Open the master connection once; a one-line error naming the host if it fails."""
        with self._connect_lock:
            if not self._connected:
                self.connection.connect()
                self._connected = True

    def reachable(self) -> str | None:
        """Reconnect after a lost connection; None if the host answers, else why not."""
        return self.connection.reachable()

    def end_dropped(self, markers: list[str] | None = None) -> Sweep:
        """End what processes of dropped connections left running there; wait until gone."""
        self.connect()
        return self._transport.end_dropped(markers)

    def facts(self) -> dict:
        return {**parse_facts(self.fixed(FACTS_SCRIPT, "reading host facts")), "ssh": self.host.ssh}

    def fixed(self, script: str, what: str) -> str:
        """The output of one of jitbench's fixed ``sh -c`` scripts on the host (no user data)."""
        self.connect()
        return self.connection.check_output(
            quote_command(["sh", "-c", script]), what=what, timeout=60
        )

    def _read_sample(self) -> load.Sample | None:
        done = self.connection.run(quote_command(["sh", "-c", load.SAMPLE_SCRIPT]), timeout=60)
        if done.returncode != 0:
            return None
        return load.parse_sample(done.stdout.decode("utf-8", errors="replace"))

    def canary(self) -> list[int] | None:
        """The shell canary timed on the host (None when it could not be timed)."""
        timings = self._sh_canary(0)
        return timings if isinstance(timings, list) else None

    def stability(self, seconds: float) -> list[int] | str:
        return self._sh_canary(max(1, round(seconds)))

    def _sh_canary(self, seconds: int) -> list[int] | str:
        """The shell canary's timings on the host, or why there are none."""
        script = canary.sh_script(seconds)
        done = self.connection.run(quote_command(["sh", "-c", script]), timeout=60 + seconds)
        if done.connection_lost or done.returncode == 255:
            return "the SSH connection failed while timing"
        if done.timed_out:
            return f"the timing did not end within {60 + seconds} s"
        timings = canary.parse_sh(done.stdout.decode("utf-8", errors="replace"))
        if done.returncode != 0 or not timings:
            return "the host's date prints no nanoseconds (date +%s%N)"
        return timings

    def close(self) -> None:
        self.connection.close()
        self._connected = False


_registry: dict[Host, SshHostAccess] = {}
_registry_lock = threading.Lock()


@overload
def access_for(host: Host, local: Transport | None = None) -> SshHostAccess: ...
@overload
def access_for(host: Host | None, local: Transport | None = None) -> HostAccess: ...
def access_for(host: Host | None, local: Transport | None = None) -> HostAccess:
    """The access object of a host (shared per jitbench process); a new local one for None."""
    if host is None:
        return HostAccess(local)
    with _registry_lock:
        if host not in _registry:
            _registry[host] = SshHostAccess(host)
        return _registry[host]


@atexit.register
def close_all() -> None:
    """Close every SSH master connection this jitbench process opened."""
    with _registry_lock:
        accesses = list(_registry.values())
        _registry.clear()
    for access in accesses:
        access.close()
