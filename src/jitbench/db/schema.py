"""The tables of the results database at the newest schema revision (SQLAlchemy Core).

Alembic migrations in ``migrations/versions`` create and evolve them; this module mirrors the head
revision for queries and inserts. A migration never imports this module (it must keep describing
its own revision after the tables here change).

- ``hosts``: one row per distinct machine (identity fingerprint), with its facts.
- ``experiments``: one row per result artifact (``result_id`` is the artifact's ``id``).
- ``benchmarks``: benchmark names; ``experiment_benchmarks``: their loops/source per experiment.
- ``variants``: the variants of an experiment as run, with interpreter, revision and facts.
- ``processes``: every process with its raw values (JSON, ns), a per-process summary, the
  instrument it ran under and its counts (``counting``: per measure, one count per value).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

#: The Alembic revision these tables describe.
HEAD = "0003"

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

metadata = sa.MetaData()

hosts = sa.Table(
    "hosts",
    metadata,
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

experiments = sa.Table(
    "experiments",
    metadata,
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

benchmarks = sa.Table(
    "benchmarks",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(255), nullable=False, unique=True),
)

experiment_benchmarks = sa.Table(
    "experiment_benchmarks",
    metadata,
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

variants = sa.Table(
    "variants",
    metadata,
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
    # revision 0002
    sa.Column("interpreter", sa.String(255)),
    sa.Column("rev", sa.String(255)),
    sa.Column("sha", sa.String(64)),
    sa.UniqueConstraint("experiment_id", "name", name="uq_variants_experiment_name"),
)

processes = sa.Table(
    "processes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "experiment_id",
        sa.Integer,
        sa.ForeignKey("experiments.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column(
        "variant_id", sa.Integer, sa.ForeignKey("variants.id", ondelete="CASCADE"), nullable=False
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
    # revision 0002: per-process summary (seconds per iteration)
    sa.Column("mean_s", sa.Float),
    sa.Column("median_s", sa.Float),
    sa.Column("steady_start", sa.Integer),
    sa.Column("steady_value_s", sa.Float),
    sa.Column("steady_class", sa.String(32)),
    # revision 0003: the tool a process ran under (valgrind: counted), and what it counted
    sa.Column("instrument", sa.String(32)),
    sa.Column("counting", JSON),
    sa.UniqueConstraint("experiment_id", "slot", name="uq_processes_experiment_slot"),
    sa.Index("ix_processes_benchmark_variant", "benchmark_id", "variant_id"),
)

sa.Index("ix_experiments_created", experiments.c.created)
