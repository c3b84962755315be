"""Opening the results database and bringing its schema to the newest revision (Alembic).

Migrations ship inside the package and run programmatically on open; a database is upgraded in
place, never recreated. SQLite gets real transactions (``BEGIN IMMEDIATE``: concurrent writers
queue instead of failing) and foreign keys; PostgreSQL migrations hold an advisory lock so two
jitbench processes opening a fresh database cannot both create its tables.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy.engine import URL, Connection, Engine
from sqlalchemy.exc import DBAPIError, OperationalError

from ..errors import JitbenchError
from .schema import HEAD
from .url import shown, to_url

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
#: Key of the PostgreSQL advisory lock held while migrating ("jb" in ASCII).
ADVISORY_LOCK = 0x6A62
SQLITE_BUSY_TIMEOUT_S = 60


def _sqlite_transactions(engine: Engine) -> None:
    @sa.event.listens_for(engine, "connect")
    def _connect(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
        # The driver's own implicit transactions skip DDL; take over BEGIN (see the begin hook).
        dbapi_conn.isolation_level = None
        dbapi_conn.execute("PRAGMA foreign_keys=ON")

    @sa.event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def create_engine(url: str | URL) -> Engine:
    """An engine for a URL or SQLite path (the SQLite file's folder is created)."""
    u = to_url(url) if isinstance(url, str) else url
    if u.get_backend_name() == "sqlite":
        if u.database and u.database != ":memory:":
            Path(u.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(u, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S})
        _sqlite_transactions(engine)
        return engine
    return sa.create_engine(u, pool_pre_ping=True)


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config pointing at the packaged migrations, bound to ``connection``."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


def current_revision(conn: Connection) -> str | None:
    """The schema revision of the database behind ``conn`` (None: empty database)."""
    return MigrationContext.configure(conn).get_current_revision()


def known_revisions() -> list[str]:
    """Every revision this jitbench ships, oldest first."""
    script = ScriptDirectory.from_config(alembic_config())
    return [s.revision for s in reversed(list(script.walk_revisions()))]


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate the database to ``revision`` (default: the newest), keeping its data."""
    name = shown(engine.url)
    try:
        with engine.begin() as conn:
            if engine.dialect.name == "postgresql":
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK})
            rev = current_revision(conn)
            if revision == "head" and rev == HEAD:
                return
            if rev is not None and rev not in known_revisions():
                raise JitbenchError(
                    f"results database {name} has schema revision {rev}, newer than this "
                    f"jitbench knows ({HEAD}); upgrade jitbench or pass another --db"
                )
            command.upgrade(alembic_config(conn), revision)
    except CommandError as exc:
        raise JitbenchError(
            f"results database {name}: cannot migrate: {exc}; pass another --db"
        ) from None
    except (OperationalError, DBAPIError) as exc:
        raise connection_error(engine, exc) from None


def connection_error(engine: Engine, exc: Exception) -> JitbenchError:
    """One line for a database that cannot be reached or written."""
    detail = str(getattr(exc, "orig", exc)).strip().splitlines()
    first = detail[0] if detail else type(exc).__name__
    return JitbenchError(
        f"results database {shown(engine.url)}: {first}; check --db, "
        '$JITBENCH_DB or results.db in jitbench.toml ("off" disables it)'
    )


def open_database(url: str | URL) -> Engine:
    """An engine on an up-to-date database; JitbenchError naming the database otherwise."""
    engine = create_engine(url)
    upgrade(engine)
    return engine
