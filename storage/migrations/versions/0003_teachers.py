"""Teachers: roles, bank owners, visibility, share codes, versions.

Revision ID: 0003_teachers
Revises: 0002_durable_updates
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_teachers"
down_revision: str | Sequence[str] | None = "0002_durable_updates"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The first revision left the (bank_id, key) constraint unnamed; SQLite's batch mode names it
# with this convention so it can be dropped (PostgreSQL gave it a name of its own).
_NAMING = {"uq": "uq_%(table_name)s_%(column_0_name)s_%(column_1_name)s"}


def _question_key_constraint() -> str:
    for constraint in sa.inspect(op.get_bind()).get_unique_constraints("questions"):
        if constraint["column_names"] == ["bank_id", "key"] and constraint["name"]:
            return constraint["name"]
    return "uq_questions_bank_id_key"


def upgrade() -> None:
    op.create_table(
        "roles",
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("granted_by", sa.BigInteger(), nullable=True),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user_id"),
    )
    op.create_table(
        "bank_access",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("bank_id", sa.String(length=48), nullable=False),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["bank_id"], ["banks.id"]),
        sa.PrimaryKeyConstraint("user_id", "bank_id"),
    )
    with op.batch_alter_table("banks") as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))
        # Banks from before were shipped or uploaded for everyone: they stay listed.
        batch_op.add_column(
            sa.Column("visibility", sa.String(length=16), server_default="public", nullable=False)
        )
        batch_op.add_column(sa.Column("share_code", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.alter_column("source_title", existing_type=sa.String(length=200), nullable=True)
        batch_op.create_unique_constraint("uq_banks_share_code", ["share_code"])

    # A changed question gets a new row under the same id: only current rows stay unique.
    key_constraint = _question_key_constraint()
    with op.batch_alter_table("questions", naming_convention=_NAMING) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))
        batch_op.drop_constraint(key_constraint, type_="unique")
        batch_op.create_index(
            "ux_questions_current_key",
            ["bank_id", "key"],
            unique=True,
            sqlite_where=sa.text("NOT retired"),
            postgresql_where=sa.text("NOT retired"),
        )


def downgrade() -> None:
    # Older revisions keep one row per question id: the history of changed questions goes.
    op.execute(
        "DELETE FROM questions WHERE retired AND EXISTS (SELECT 1 FROM questions AS q"
        " WHERE q.bank_id = questions.bank_id AND q.key = questions.key AND q.id > questions.id)"
    )
    op.drop_index("ux_questions_current_key", table_name="questions")
    if op.get_bind().dialect.name == "sqlite":
        # Rebuilt with the constraint unnamed, as the first revision made it.
        unique_key = (sa.UniqueConstraint("bank_id", "key"),)
        with op.batch_alter_table("questions", recreate="always", table_args=unique_key) as batch:
            batch.drop_column("version")
    else:
        op.drop_column("questions", "version")
        # The name PostgreSQL gave the first revision's unnamed constraint.
        op.create_unique_constraint("questions_bank_id_key_key", "questions", ["bank_id", "key"])
    op.execute("UPDATE banks SET source_title = title WHERE source_title IS NULL")
    with op.batch_alter_table("banks") as batch_op:
        batch_op.drop_constraint("uq_banks_share_code", type_="unique")
        batch_op.alter_column("source_title", existing_type=sa.String(length=200), nullable=False)
        batch_op.drop_column("deleted_at")
        batch_op.drop_column("share_code")
        batch_op.drop_column("visibility")
        batch_op.drop_column("version")
    op.drop_table("bank_access")
    op.drop_table("roles")
