"""Alembic migrations of the results database, run programmatically by :mod:`jitbench.db.engine`."""
