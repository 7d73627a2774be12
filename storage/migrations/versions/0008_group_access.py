"""Private banks opened in a group belong to that group, never to Telegram's pseudo-users.

Revision ID: 0008_group_access
Revises: 0007_week_totals
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_group_access"
down_revision: str | Sequence[str] | None = "0007_week_totals"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# GroupAnonymousBot, Channel_Bot, Telegram: accounts that strangers share. Written out here,
# not imported: a migration is history, and must do the same whatever the code says later.
PSEUDO_USERS = (1087968824, 136817688, 777000)


def upgrade() -> None:
    op.create_table(
        "group_access",
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("bank_id", sa.String(length=48), nullable=False),
        sa.Column("granted_by", sa.BigInteger(), nullable=True),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["bank_id"], ["banks.id"]),
        sa.ForeignKeyConstraint(["chat_id"], ["chats.id"]),
        sa.PrimaryKeyConstraint("chat_id", "bank_id"),
    )
    # Access an anonymous admin's share link gave every anonymous admin of every group.
    bank_access = sa.table("bank_access", sa.column("user_id", sa.BigInteger()))
    op.execute(bank_access.delete().where(bank_access.c.user_id.in_(PSEUDO_USERS)))


def downgrade() -> None:
    op.drop_table("group_access")
