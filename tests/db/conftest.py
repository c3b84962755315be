"""A real PostgreSQL server for the database tests, started on loopback in a temporary folder.

Debian's ``postgresql`` package provides the binaries (``scripts/provision-services``). The
server refuses to run as root, so as root it runs as the ``postgres`` user (``runuser``). No
package-managed cluster is touched: ``initdb`` makes a fresh data folder, ``pg_ctl`` starts the
server on a free port with its socket in that folder and stops it at the end.
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from ..conftest import in_ci

USER = "jitbench"


def _unavailable(reason: str) -> None:
    if in_ci():
        pytest.fail(f"CI=true but PostgreSQL cannot be used: {reason}")
    pytest.skip(reason)


def _bindir() -> Path | None:
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    # Debian keeps the server binaries out of PATH, one folder per major version.
    dirs = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parent.parent.name)
    )
    return Path(dirs[-1]).parent if dirs else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PostgresServer:
    """One private server; ``url(db)`` names a database on it."""

    def __init__(self, bindir: Path, as_user: list[str], base: Path):
        self.bindir, self.as_user, self.base = bindir, as_user, base
        self.data, self.port = base / "data", _free_port()
        self.log = base / "server.log"
        self._names = itertools.count()

    def _run(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run([*self.as_user, *args], capture_output=True, text=True, timeout=120)

    def start(self) -> None:
        init = self._run(
            str(self.bindir / "initdb"),
            "-D",
            str(self.data),
            "-U",
            USER,
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-sync",
        )
        if init.returncode:
            raise RuntimeError(f"initdb failed: {init.stderr.strip()[-500:]}")
        opts = (
            f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off"
        )
        started = self._run(
            str(self.bindir / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.log),
            "-o",
            opts,
            "-w",
            "-t",
            "60",
            "start",
        )
        if started.returncode:
            raise RuntimeError(
                f"pg_ctl start failed: {started.stderr.strip()[-300:]} "
                f"{self.log.read_text(errors='replace')[-500:]}"
            )

    def stop(self) -> None:
        self._run(
            str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop"
        )

    def new_database(self) -> str:
        """Create an empty database; its URL."""
        import psycopg

        name = f"t{next(self._names)}"
        with psycopg.connect(
            host="127.0.0.1", port=self.port, user=USER, dbname="postgres", autocommit=True
        ) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return f"postgresql://{USER}@127.0.0.1:{self.port}/{name}"


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A PostgreSQL server for this test session (skipped, or failed in CI, when impossible)."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        _unavailable("the psycopg package is not installed")
    bindir = _bindir()
    if bindir is None:
        _unavailable(
            "PostgreSQL server binaries (initdb) are not installed; "
            "scripts/provision-services installs them"
        )
    as_user: list[str] = []
    base = Path(tempfile.mkdtemp(prefix="jitbench-pg-"))
    if os.geteuid() == 0:
        try:
            pg = pwd.getpwnam("postgres")
        except KeyError:
            shutil.rmtree(base, ignore_errors=True)
            _unavailable("running as root and there is no 'postgres' user to run the server as")
        os.chown(base, pg.pw_uid, pg.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]
    server = PostgresServer(bindir, as_user, base)  # type: ignore[arg-type]
    try:
        server.start()
    except RuntimeError as exc:
        shutil.rmtree(base, ignore_errors=True)
        _unavailable(str(exc))
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def pg_url(postgres_server: PostgresServer) -> str:
    """A fresh, empty database on the session's server."""
    return postgres_server.new_database()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The same test on an SQLite file and on the real PostgreSQL server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'results.db'}"
    return request.getfixturevalue("pg_url")
