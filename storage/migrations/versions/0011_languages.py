"""The languages chosen with /language (per private chat or group); a reminder's, quiz's, draft's.

Revision ID: 0011_languages
Revises: 0010_drafts
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_languages"
down_revision: str | Sequence[str] | None = "0010_drafts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "chat_languages",
        sa.Column("chat_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("chosen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("chat_id"),
    )
    op.add_column("reminders", sa.Column("language", sa.String(length=8), nullable=True))
    op.add_column("quizzes", sa.Column("language", sa.String(length=8), nullable=True))
    op.add_column("drafts", sa.Column("language", sa.String(length=8), nullable=True))


def downgrade() -> None:
    op.drop_column("drafts", "language")
    op.drop_column("quizzes", "language")
    op.drop_column("reminders", "language")
    op.drop_table("chat_languages")
