"""The results database: every experiment recorded, queried over time (SQLite or PostgreSQL).

Public API: :func:`record` (store one artifact; called after every run and import),
:func:`open_database`, :func:`history`, :func:`resolve` / :func:`validate_results_table` (where the
database is), :data:`DEFAULT_PATH`. The schema is versioned with Alembic and migrated on open.
"""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, OperationalError

from ..results.model import Result
from .engine import connection_error, open_database, upgrade
from .history import HistoryRow, benchmark_names, history
from .store import store
from .url import DEFAULT_PATH, ResultsSettings, resolve, shown, validate_results_table

__all__ = [
    "DEFAULT_PATH",
    "HistoryRow",
    "ResultsSettings",
    "benchmark_names",
    "history",
    "open_database",
    "record",
    "record_into",
    "resolve",
    "settings_of",
    "shown",
    "upgrade",
    "validate_results_table",
]


def record_into(engine: Engine, result: Result, path: str | None) -> None:
    """Store one artifact through an open engine (one transaction)."""
    try:
        with engine.begin() as conn:
            store(conn, result, path)
    except (OperationalError, DBAPIError) as exc:
        raise connection_error(engine, exc) from None


def record(result: Result, path: str | None, url: str | None = None) -> None:
    """Record one result artifact (``path``: where it was written) in the results database.

    ``url``: a database URL or SQLite path; None means $JITBENCH_DB, else ``.jitbench/results.db``.
    Recording the same result again replaces the earlier copy. JitbenchError (one line, naming
    the database) when the database cannot be opened or written.
    """
    target = url if url is not None else resolve()
    if target is None:
        return
    engine = open_database(target)
    try:
        record_into(engine, result, path)
    finally:
        engine.dispose()


def settings_of(config: object | None) -> ResultsSettings:
    """The validated ``[results]`` table of a loaded ``jitbench.config.Config`` (or defaults)."""
    if config is None:
        return ResultsSettings()
    raw = getattr(config, "raw", {}) or {}
    return validate_results_table(raw.get("results", {}), getattr(config, "path", None))
