"""Group rounds, privacy, weekly tables, web links.

Revision ID: 0004_rounds
Revises: 0003_teachers
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_rounds"
down_revision: str | Sequence[str] | None = "0003_teachers"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("answers") as batch_op:
        batch_op.add_column(sa.Column("points", sa.Integer(), server_default="0", nullable=False))
        batch_op.create_index("ix_answers_answered_at", ["answered_at"], unique=False)
    # Every answer so far was a solo quiz's: it was worth its correctness.
    op.execute("UPDATE answers SET points = CASE WHEN correct THEN 1 ELSE 0 END")
    with op.batch_alter_table("chats") as batch_op:
        batch_op.add_column(sa.Column("web_token", sa.String(length=32), nullable=True))
        batch_op.create_unique_constraint("uq_chats_web_token", ["web_token"])
    with op.batch_alter_table("quiz_items") as batch_op:
        batch_op.add_column(sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("quizzes") as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(length=16), server_default="solo", nullable=False)
        )
        batch_op.add_column(sa.Column("open_period", sa.Integer(), nullable=True))
    # A bank's report starts from its quizzes instead of reading every answer.
    op.create_index("ix_quizzes_bank_id", "quizzes", ["bank_id"])
    # Not in a batch block: that would rebuild the table on SQLite and lose ix_users_rank's DESC.
    op.add_column(
        "users", sa.Column("hidden", sa.Boolean(), server_default=sa.false(), nullable=False)
    )


def downgrade() -> None:
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("hidden")
    # SQLite rebuilt the table: the index must say DESC again.
    op.drop_index("ix_users_rank", table_name="users")
    op.create_index("ix_users_rank", "users", [sa.literal_column("points DESC"), "points_at", "id"])
    op.drop_index("ix_quizzes_bank_id", table_name="quizzes")
    with op.batch_alter_table("quizzes") as batch_op:
        batch_op.drop_column("open_period")
        batch_op.drop_column("kind")
    with op.batch_alter_table("quiz_items") as batch_op:
        batch_op.drop_column("closed_at")
    with op.batch_alter_table("chats") as batch_op:
        batch_op.drop_constraint("uq_chats_web_token", type_="unique")
        batch_op.drop_column("web_token")
    with op.batch_alter_table("answers") as batch_op:
        batch_op.drop_index("ix_answers_answered_at")
        batch_op.drop_column("points")
