"""Initial schema: hosts, experiments, benchmarks, variants, processes with their raw values.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "hosts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("fingerprint", sa.String(64), nullable=False, unique=True),
        sa.Column("hostname", sa.String(255)),
        sa.Column("machine", sa.String(64)),
        sa.Column("cpu_model", sa.String(255)),
        sa.Column("cpu_count", sa.Integer),
        sa.Column("os", sa.String(255)),
        sa.Column("kernel", sa.String(255)),
        sa.Column("facts", JSON),
    )
    op.create_table(
        "experiments",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("result_id", sa.String(128), nullable=False, unique=True),
        sa.Column("created", sa.DateTime, nullable=False),
        sa.Column("finished", sa.DateTime),
        sa.Column("complete", sa.Boolean, nullable=False),
        sa.Column("tool_version", sa.String(64)),
        sa.Column("seed", sa.BigInteger),
        sa.Column("baseline", sa.String(255)),
        sa.Column("design", JSON),
        sa.Column("command", JSON),
        sa.Column("artifact_path", sa.Text),
        sa.Column("host_id", sa.Integer, sa.ForeignKey("hosts.id"), nullable=False),
        sa.Column("host_facts", JSON),
        sa.Column("extra", JSON),
        sa.Column("recorded", sa.DateTime, nullable=False),
    )
    op.create_table(
        "benchmarks",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(255), nullable=False, unique=True),
    )
    op.create_table(
        "experiment_benchmarks",
        sa.Column(
            "experiment_id",
            sa.Integer,
            sa.ForeignKey("experiments.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("benchmark_id", sa.Integer, sa.ForeignKey("benchmarks.id"), primary_key=True),
        sa.Column("kind", sa.String(32)),
        sa.Column("source", sa.Text),
        sa.Column("loops", sa.Integer),
        sa.Column("inner_loops", sa.Integer),
        sa.Column("spec", JSON),
    )
    op.create_table(
        "variants",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "experiment_id",
            sa.Integer,
            sa.ForeignKey("experiments.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("runtime", sa.String(255)),
        sa.Column("kind", sa.String(64)),
        sa.Column("mode", sa.String(255)),
        sa.Column("command", JSON),
        sa.Column("env", JSON),
        sa.Column("args", JSON),
        sa.Column("facts", JSON),
        sa.Column("spec", JSON),
        sa.UniqueConstraint("experiment_id", "name", name="uq_variants_experiment_name"),
    )
    op.create_table(
        "processes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "experiment_id",
            sa.Integer,
            sa.ForeignKey("experiments.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "variant_id",
            sa.Integer,
            sa.ForeignKey("variants.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("benchmark_id", sa.Integer, sa.ForeignKey("benchmarks.id"), nullable=False),
        sa.Column("slot", sa.Integer, nullable=False),
        sa.Column("round", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("error", sa.Text),
        sa.Column("loops", sa.Integer),
        sa.Column("inner_loops", sa.Integer),
        sa.Column("first_ns", sa.BigInteger),
        sa.Column("wall_ns", sa.BigInteger),
        sa.Column("warmups_ns", JSON),
        sa.Column("values_ns", JSON),
        sa.Column("jit", JSON),
        sa.Column("facts", JSON),
        sa.Column("n_values", sa.Integer),
        sa.UniqueConstraint("experiment_id", "slot", name="uq_processes_experiment_slot"),
    )


def downgrade() -> None:
    for table in (
        "processes",
        "variants",
        "experiment_benchmarks",
        "benchmarks",
        "experiments",
        "hosts",
    ):
        op.drop_table(table)
