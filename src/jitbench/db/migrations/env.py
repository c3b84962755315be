"""Alembic environment: jitbench runs migrations on a connection it opened itself."""

from __future__ import annotations

from alembic import context

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError(
        "jitbench's migrations run through jitbench.db.engine.upgrade(), "
        "which passes an open connection"
    )
context.configure(connection=connection, render_as_batch=True, transaction_per_migration=False)
with context.begin_transaction():
    context.run_migrations()
