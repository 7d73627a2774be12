"""Banks built and edited in chat: drafts, what a teacher's next message is for, quotes kept.

Revision ID: 0010_drafts
Revises: 0009_learning
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_drafts"
down_revision: str | Sequence[str] | None = "0009_learning"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "drafts",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("source_title", sa.String(length=200), nullable=True),
        sa.Column("source_text", sa.Text(), server_default="", nullable=False),
        sa.Column("questions", sa.JSON(), nullable=False),
        sa.Column("proposals", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("user_id"),
    )
    op.create_table(
        "waits",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("what", sa.String(length=16), nullable=False),
        sa.Column("bank_id", sa.String(length=48), nullable=True),
        sa.Column("question_key", sa.String(length=48), nullable=True),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("user_id"),
    )
    # In place (no table rebuild): earlier questions' quotes are not known, only their passages.
    op.add_column("questions", sa.Column("quote", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("questions", "quote")
    op.drop_table("waits")
    op.drop_table("drafts")
