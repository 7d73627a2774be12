"""Which bot process runs each round's timer, and until when unless it renews its lease.

Revision ID: 0006_round_leases
Revises: 0005_point_counts
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_round_leases"
down_revision: str | Sequence[str] | None = "0005_point_counts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN on both databases: rounds running at the upgrade have no owner yet,
    # so the first process to start takes them.
    op.add_column("quizzes", sa.Column("lease_owner", sa.String(length=32), nullable=True))
    op.add_column("quizzes", sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("quizzes") as batch_op:
        batch_op.drop_column("lease_until")
        batch_op.drop_column("lease_owner")
