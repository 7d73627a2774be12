"""Durable updates: the inbox of fetched updates, and feedback and summaries still owed.

Revision ID: 0002_durable_updates
Revises: 0001_initial
Create Date: 2025-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_durable_updates"
down_revision: str | Sequence[str] | None = "0001_initial"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("quizzes") as batch_op:
        batch_op.add_column(sa.Column("summary_sent_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("answers") as batch_op:
        batch_op.add_column(
            sa.Column("feedback_sent_at", sa.DateTime(timezone=True), nullable=True)
        )
    # The bot before this revision sent feedback and summaries at once, so everything already
    # in the database was delivered: the upgraded bot must not send it again.
    op.execute(
        "UPDATE quizzes SET summary_sent_at = COALESCE(finished_at, created_at)"
        " WHERE status != 'active'"
    )
    op.execute("UPDATE answers SET feedback_sent_at = answered_at")
    op.create_index(
        "ix_answers_feedback_owed",
        "answers",
        ["id"],
        sqlite_where=sa.text("feedback_sent_at IS NULL"),
        postgresql_where=sa.text("feedback_sent_at IS NULL"),
    )
    op.create_table(
        "updates",
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("handled_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("update_id"),
    )
    op.create_index("ix_updates_handled_at", "updates", ["handled_at"])


def downgrade() -> None:
    op.drop_index("ix_updates_handled_at", table_name="updates")
    op.drop_table("updates")
    op.drop_index("ix_answers_feedback_owed", table_name="answers")
    with op.batch_alter_table("answers") as batch_op:
        batch_op.drop_column("feedback_sent_at")
    with op.batch_alter_table("quizzes") as batch_op:
        batch_op.drop_column("summary_sent_at")
