"""Users per overall points total, kept by triggers, for the caller's rank on /leaderboard.

Revision ID: 0005_point_counts
Revises: 0004_rounds
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_point_counts"
down_revision: str | Sequence[str] | None = "0004_rounds"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Triggers rather than statements in the bot: counting runs inside the database, so an answer
# costs no extra round trip, and every way users.points changes is covered.
SQLITE_TRIGGERS = [
    """CREATE TRIGGER tr_users_points_insert AFTER INSERT ON users WHEN NEW.points > 0
    BEGIN
      INSERT INTO point_counts (points, users) VALUES (NEW.points, 1)
      ON CONFLICT (points) DO UPDATE SET users = users + 1;
    END""",
    """CREATE TRIGGER tr_users_points_update AFTER UPDATE OF points ON users
    WHEN OLD.points != NEW.points
    BEGIN
      UPDATE point_counts SET users = users - 1 WHERE points = OLD.points;
      INSERT INTO point_counts (points, users) SELECT NEW.points, 1 WHERE NEW.points > 0
      ON CONFLICT (points) DO UPDATE SET users = users + 1;
    END""",
    """CREATE TRIGGER tr_users_points_delete AFTER DELETE ON users WHEN OLD.points > 0
    BEGIN
      UPDATE point_counts SET users = users - 1 WHERE points = OLD.points;
    END""",
]
POSTGRESQL_TRIGGERS = [
    """CREATE FUNCTION quizbot_count_points() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'UPDATE' AND OLD.points = NEW.points THEN
        RETURN NULL;
      END IF;
      IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.points > 0 THEN
        UPDATE point_counts SET users = users - 1 WHERE points = OLD.points;
      END IF;
      IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.points > 0 THEN
        INSERT INTO point_counts (points, users) VALUES (NEW.points, 1)
        ON CONFLICT (points) DO UPDATE SET users = point_counts.users + 1;
      END IF;
      RETURN NULL;
    END $$""",
    """CREATE TRIGGER tr_users_points AFTER INSERT OR DELETE OR UPDATE OF points ON users
    FOR EACH ROW EXECUTE FUNCTION quizbot_count_points()""",
]


def upgrade() -> None:
    op.create_table(
        "point_counts",
        sa.Column("points", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("users", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("points"),
    )
    op.execute(
        "INSERT INTO point_counts (points, users)"
        " SELECT points, COUNT(*) FROM users WHERE points > 0 GROUP BY points"
    )
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in SQLITE_TRIGGERS if sqlite else POSTGRESQL_TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER tr_users_points_{name}")
    else:
        op.execute("DROP TRIGGER tr_users_points ON users")
        op.execute("DROP FUNCTION quizbot_count_points()")
    op.drop_table("point_counts")
