"""Where the results database is: ``--db``, ``$JITBENCH_DB``, ``[results] db``, or the default.

A URL is anything SQLAlchemy accepts (``sqlite:///path.db``, ``postgresql://user@host/db``); a
plain path means an SQLite file. ``postgresql://`` uses psycopg (version 3). Passwords never
appear in messages; prefer ``PGPASSWORD`` or ``~/.pgpass`` over a password in the URL.
"""

from __future__ import annotations

import importlib.util
import os
import re
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from ..errors import ConfigError, JitbenchError

#: The default database, relative to the working directory (next to .jitbench/results/).
DEFAULT_PATH = Path(".jitbench") / "results.db"
ENV_VAR = "JITBENCH_DB"
RESULTS_KEYS = ("db", "record")
#: Values of ``--db`` / ``[results] db`` that turn recording off.
OFF = ("off", "none", "")


@dataclass(frozen=True)
class ResultsSettings:
    """The validated ``[results]`` table."""

    #: Database URL or path as written (None: not set, use the default).
    db: str | None = None
    #: Whether runs are recorded in the database at all.
    record: bool = True


def validate_results_table(table: object, config_path: Path | None = None) -> ResultsSettings:
    """Check a config's ``[results]`` table; ConfigError naming file, key and fix otherwise.

    ``db`` is a URL, or a path to an SQLite file (relative to the config file), or "off";
    ``record = false`` keeps runs out of the database.
    """
    where = config_path.name if config_path else "config"
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: results: expected a table with keys db and record")
    for key in table:
        if key not in RESULTS_KEYS:
            raise ConfigError(
                f"{where}: results.{key}: unknown key; allowed: {', '.join(RESULTS_KEYS)}"
            )
    db = table.get("db")
    if db is not None:
        if not isinstance(db, str):
            raise ConfigError(
                f"{where}: results.db: expected a string (a database URL, a path "
                'to an SQLite file, or "off")'
            )
        if db.strip().lower() not in OFF:
            if "://" not in db and config_path is not None:
                db = str((config_path.parent / db).resolve())
            try:
                to_url(db)
            except JitbenchError as exc:
                raise ConfigError(f"{where}: results.db: {exc}") from None
    record = table.get("record", True)
    if not isinstance(record, bool):
        raise ConfigError(f"{where}: results.record: expected true or false")
    if isinstance(db, str) and db.strip().lower() in OFF:
        return ResultsSettings(db=None, record=False)
    return ResultsSettings(db=db, record=record)


def resolve(cli: str | None = None, settings: ResultsSettings | None = None) -> str | None:
    """The database to use, or None when recording is off: --db, $JITBENCH_DB, config, default."""
    for candidate in (cli, os.environ.get(ENV_VAR)):
        if candidate is not None:
            return None if candidate.strip().lower() in OFF else candidate
    if settings is not None:
        if not settings.record:
            return None
        if settings.db:
            return settings.db
    return str(DEFAULT_PATH)


def _has(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def to_url(text: str) -> URL:
    """A SQLAlchemy URL from a URL or an SQLite path; JitbenchError when it is neither."""
    if "://" not in text:
        return URL.create("sqlite", database=str(Path(text).expanduser()))
    try:
        url = make_url(text)
    except ArgumentError:
        raise JitbenchError(
            f"{_mask(text)!r} is not a database URL; use sqlite:///FILE.db, "
            "postgresql://USER@HOST/DB or a path"
        ) from None
    if url.drivername in ("postgresql", "postgres") and not _has("psycopg2") and _has("psycopg"):
        url = url.set(drivername="postgresql+psycopg")
    backend = url.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise JitbenchError(
            f"{shown(url)}: unsupported database {backend!r}; use sqlite or postgresql"
        )
    return url


def _mask(text: str) -> str:
    """A URL-like string with its password replaced by ***."""
    return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", text)


def shown(url: URL | str) -> str:
    """The URL for messages, password hidden."""
    if isinstance(url, str):
        try:
            url = to_url(url) if "://" in url else URL.create("sqlite", database=url)
        except JitbenchError:
            return "<invalid database URL>"
    # The driver suffix (postgresql+psycopg) is ours, not what the user typed.
    return url.set(drivername=url.get_backend_name()).render_as_string(hide_password=True)
