"""Per-process summaries, variant interpreter/revision columns, and the indexes history uses.

Adds processes.mean_s/median_s/steady_start/steady_value_s/steady_class and
variants.interpreter/rev/sha, then backfills them from the stored values and variant specs, so a
database written by revision 0001 answers ``jitbench history`` like a new one.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from jitbench.db.summaries import process_summary, variant_columns

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

PROCESS_COLUMNS = (
    ("mean_s", sa.Float),
    ("median_s", sa.Float),
    ("steady_start", sa.Integer),
    ("steady_value_s", sa.Float),
    ("steady_class", sa.String(32)),
)
VARIANT_COLUMNS = (
    ("interpreter", sa.String(255)),
    ("rev", sa.String(255)),
    ("sha", sa.String(64)),
)


def upgrade() -> None:
    with op.batch_alter_table("processes") as batch:
        for name, type_ in PROCESS_COLUMNS:
            batch.add_column(sa.Column(name, type_))
    with op.batch_alter_table("variants") as batch:
        for name, type_ in VARIANT_COLUMNS:
            batch.add_column(sa.Column(name, type_))
    op.create_index("ix_processes_benchmark_variant", "processes", ["benchmark_id", "variant_id"])
    op.create_index("ix_experiments_created", "experiments", ["created"])
    _backfill()


def _backfill() -> None:
    bind = op.get_bind()
    procs = sa.table(
        "processes",
        sa.column("id"),
        sa.column("status"),
        sa.column("values_ns", sa.JSON),
        sa.column("loops"),
        sa.column("inner_loops"),
        *(sa.column(name) for name, _ in PROCESS_COLUMNS),
    )
    rows = bind.execute(
        sa.select(procs.c.id, procs.c.values_ns, procs.c.loops, procs.c.inner_loops).where(
            procs.c.status == "ok"
        )
    ).all()
    for pid, values, loops, inner in rows:
        bind.execute(
            procs.update().where(procs.c.id == pid).values(**process_summary(values, loops, inner))
        )
    variants = sa.table(
        "variants",
        sa.column("id"),
        sa.column("spec", sa.JSON),
        *(sa.column(name) for name, _ in VARIANT_COLUMNS),
    )
    for vid, spec in bind.execute(sa.select(variants.c.id, variants.c.spec)).all():
        bind.execute(
            variants.update().where(variants.c.id == vid).values(**variant_columns(spec or {}))
        )


def downgrade() -> None:
    op.drop_index("ix_experiments_created", "experiments")
    op.drop_index("ix_processes_benchmark_variant", "processes")
    with op.batch_alter_table("variants") as batch:
        for name, _ in VARIANT_COLUMNS:
            batch.drop_column(name)
    with op.batch_alter_table("processes") as batch:
        for name, _ in PROCESS_COLUMNS:
            batch.drop_column(name)
