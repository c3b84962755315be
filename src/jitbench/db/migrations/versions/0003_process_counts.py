"""What each process counted: processes.instrument and processes.counting.

``instrument`` names the tool a process ran under (``valgrind`` for counted processes; NULL for
timed ones), so a history of time reads timed processes only; ``counting`` is the process's
counting record as the artifact holds it (counts per measured value, the harness overhead).
Rows recorded before this revision have neither: recording their result again
(``jitbench import RESULT``) adds them.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("processes") as batch:
        batch.add_column(sa.Column("instrument", sa.String(32)))
        batch.add_column(sa.Column("counting", JSON))


def downgrade() -> None:
    with op.batch_alter_table("processes") as batch:
        batch.drop_column("counting")
        batch.drop_column("instrument")
