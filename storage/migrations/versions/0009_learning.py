"""Spaced review (cards, the answers' ratings and times), typed answers, streaks and reminders.

Revision ID: 0009_learning
Revises: 0008_group_access
Create Date: 2026-12-06
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0009_learning"
down_revision: str | Sequence[str] | None = "0008_group_access"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Columns added in place (ALTER TABLE ADD/DROP COLUMN, SQLite 3.35+ too), never by rebuilding
# a table: users carries the point-count triggers, which a rebuild would drop.
ADDED: dict[str, list[sa.Column[Any]]] = {
    "users": [
        sa.Column("zone", sa.String(length=64), nullable=True),
        sa.Column("streak", sa.Integer(), server_default="0", nullable=False),
        sa.Column("streak_day", sa.Date(), nullable=True),
    ],
    "questions": [
        sa.Column("numeric_low", sa.Float(), nullable=True),
        sa.Column("numeric_high", sa.Float(), nullable=True),
    ],
    "answers": [
        sa.Column("rating", sa.SmallInteger(), nullable=True),
        sa.Column("seconds", sa.Float(), nullable=True),
        sa.Column("typed", sa.Text(), nullable=True),
    ],
}


def upgrade() -> None:
    for table, columns in ADDED.items():
        for column in columns:
            op.add_column(table, column)
    # A review draws from every bank. On SQLite this rebuilds quizzes (no trigger there).
    with op.batch_alter_table("quizzes") as batch_op:
        batch_op.alter_column("bank_id", existing_type=sa.String(length=48), nullable=True)
    op.create_table(
        "cards",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.SmallInteger(), nullable=False),
        sa.Column("step", sa.Integer(), nullable=True),
        sa.Column("stability", sa.Float(), nullable=True),
        sa.Column("difficulty", sa.Float(), nullable=True),
        sa.Column("due", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_review", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_right", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.ForeignKeyConstraint(["question_id"], ["questions.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("user_id", "question_id"),
    )
    op.create_index("ix_cards_question", "cards", ["question_id"])
    op.create_table(
        "question_times",
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("timed_answers", sa.Integer(), nullable=False),
        sa.Column("answer_seconds", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["question_id"], ["questions.id"]),
        sa.PrimaryKeyConstraint("question_id"),
    )
    active = sa.text("active")
    op.create_index(
        "ix_cards_queue",
        "cards",
        ["user_id", "due"],
        sqlite_where=active,
        postgresql_where=active,
    )
    op.create_table(
        "reminders",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("minute", sa.Integer(), nullable=False),
        sa.Column("zone", sa.String(length=64), nullable=False),
        sa.Column("next_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lease_owner", sa.String(length=32), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("user_id"),
    )
    op.create_index("ix_reminders_next_at", "reminders", ["next_at"])
    # Earlier answers keep no rating or time: their cards start with the next answer.


def downgrade() -> None:
    op.drop_table("reminders")
    op.drop_table("question_times")
    op.drop_table("cards")
    # A review drew from every bank; where a quiz has one bank, it goes by its first question's,
    # so that no answer is lost.
    op.execute(
        """UPDATE quizzes SET bank_id = (
            SELECT questions.bank_id FROM quiz_items
            JOIN questions ON questions.id = quiz_items.question_id
            WHERE quiz_items.quiz_id = quizzes.id ORDER BY quiz_items.position LIMIT 1
        ) WHERE bank_id IS NULL"""
    )
    with op.batch_alter_table("quizzes") as batch_op:
        batch_op.alter_column("bank_id", existing_type=sa.String(length=48), nullable=False)
    for table, columns in ADDED.items():
        for column in reversed(columns):
            op.drop_column(table, column.name)
