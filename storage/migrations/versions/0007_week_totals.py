"""This week's totals kept with every answer (users, scores), groups' round points (chat_scores).

Weekly and group tables counted answers on every call; they now read kept totals through an
index, like the all-time ones, and the caller's weekly rank adds up users per weekly total
(week_point_counts, kept by triggers). The current week is back-filled from the answers, in
the time zone the upgrade runs with (QUIZBOT_TIMEZONE).

Revision ID: 0007_week_totals
Revises: 0006_round_leases
Create Date: 2026-12-06
"""

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import context, op

revision: str = "0007_week_totals"
down_revision: str | Sequence[str] | None = "0006_round_leases"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SQLITE_TRIGGERS = [
    """CREATE TRIGGER tr_users_week_points_insert AFTER INSERT ON users
    WHEN NEW.week_points > 0
    BEGIN
      INSERT INTO week_point_counts (week, points, users) VALUES (NEW.week, NEW.week_points, 1)
      ON CONFLICT (week, points) DO UPDATE SET users = users + 1;
    END""",
    """CREATE TRIGGER tr_users_week_points_update AFTER UPDATE OF week, week_points ON users
    WHEN OLD.week IS NOT NEW.week OR OLD.week_points != NEW.week_points
    BEGIN
      UPDATE week_point_counts SET users = users - 1
      WHERE week = OLD.week AND points = OLD.week_points;
      INSERT INTO week_point_counts (week, points, users)
      SELECT NEW.week, NEW.week_points, 1 WHERE NEW.week_points > 0
      ON CONFLICT (week, points) DO UPDATE SET users = users + 1;
    END""",
    """CREATE TRIGGER tr_users_week_points_delete AFTER DELETE ON users
    WHEN OLD.week_points > 0
    BEGIN
      UPDATE week_point_counts SET users = users - 1
      WHERE week = OLD.week AND points = OLD.week_points;
    END""",
]
POSTGRESQL_TRIGGERS = [
    """CREATE OR REPLACE FUNCTION quizbot_count_week_points() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'UPDATE' AND OLD.week IS NOT DISTINCT FROM NEW.week
         AND OLD.week_points = NEW.week_points THEN
        RETURN NULL;
      END IF;
      IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.week_points > 0 THEN
        UPDATE week_point_counts SET users = users - 1
        WHERE week = OLD.week AND points = OLD.week_points;
      END IF;
      IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.week_points > 0 THEN
        INSERT INTO week_point_counts (week, points, users) VALUES (NEW.week, NEW.week_points, 1)
        ON CONFLICT (week, points) DO UPDATE SET users = week_point_counts.users + 1;
      END IF;
      RETURN NULL;
    END $$""",
    """CREATE TRIGGER tr_users_week_points
    AFTER INSERT OR DELETE OR UPDATE OF week, week_points ON users
    FOR EACH ROW EXECUTE FUNCTION quizbot_count_week_points()""",
]

# The tables as this revision knows them, for the back-fill.
Stamp = sa.DateTime(timezone=True)
answers = sa.table(
    "answers",
    sa.column("item_id", sa.Integer),
    sa.column("user_id", sa.BigInteger),
    sa.column("question_id", sa.Integer),
    sa.column("correct", sa.Boolean),
    sa.column("points", sa.Integer),
    sa.column("answered_at", Stamp),
)
questions = sa.table("questions", sa.column("id", sa.Integer), sa.column("bank_id", sa.String))
items = sa.table("quiz_items", sa.column("id", sa.Integer), sa.column("quiz_id", sa.Integer))
quizzes = sa.table(
    "quizzes", sa.column("id", sa.Integer), sa.column("chat_id", sa.BigInteger), sa.column("kind")
)
users = sa.table(
    "users",
    sa.column("id", sa.BigInteger),
    sa.column("week", sa.Date),
    sa.column("week_points", sa.Integer),
    sa.column("week_points_at", Stamp),
)
scores = sa.table(
    "scores",
    sa.column("user_id", sa.BigInteger),
    sa.column("bank_id", sa.String),
    sa.column("week", sa.Date),
    sa.column("week_points", sa.Integer),
    sa.column("week_points_at", Stamp),
)
chat_scores = sa.table(
    "chat_scores",
    sa.column("chat_id", sa.BigInteger),
    sa.column("user_id", sa.BigInteger),
    sa.column("points", sa.Integer),
    sa.column("points_at", Stamp),
    sa.column("week", sa.Date),
    sa.column("week_points", sa.Integer),
    sa.column("week_points_at", Stamp),
)


def upgrade() -> None:
    op.create_table(
        "week_point_counts",
        sa.Column("week", sa.Date(), nullable=False),
        sa.Column("points", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("users", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("week", "points"),
    )
    op.create_table(
        "chat_scores",
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("points_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("week", sa.Date(), nullable=True),
        sa.Column("week_points", sa.Integer(), server_default="0", nullable=False),
        sa.Column("week_points_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["chat_id"], ["chats.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("chat_id", "user_id"),
    )
    op.create_index(
        "ix_chat_scores_rank",
        "chat_scores",
        ["chat_id", sa.literal_column("points DESC"), "points_at", "user_id"],
    )
    op.create_index(
        "ix_chat_scores_week_rank",
        "chat_scores",
        ["chat_id", "week", sa.literal_column("week_points DESC"), "week_points_at", "user_id"],
    )
    # Plain ADD COLUMN, not a batch block: that would rebuild the tables on SQLite and lose
    # their DESC indexes and the point_counts triggers.
    for table in ("users", "scores"):
        op.add_column(table, sa.Column("week", sa.Date(), nullable=True))
        op.add_column(
            table, sa.Column("week_points", sa.Integer(), server_default="0", nullable=False)
        )
        op.add_column(table, sa.Column("week_points_at", sa.DateTime(timezone=True)))
    op.create_index(
        "ix_users_week_rank",
        "users",
        ["week", sa.literal_column("week_points DESC"), "week_points_at", "id"],
    )
    op.create_index(
        "ix_scores_week_rank",
        "scores",
        ["bank_id", "week", sa.literal_column("week_points DESC"), "week_points_at", "user_id"],
    )
    monday, since = _this_week(context.config.attributes["zone"])
    _fill_weeks(monday, since)
    _fill_chat_scores(monday, since)
    op.execute(
        "INSERT INTO week_point_counts (week, points, users)"
        " SELECT week, week_points, COUNT(*) FROM users WHERE week_points > 0"
        " GROUP BY week, week_points"
    )
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in SQLITE_TRIGGERS if sqlite else POSTGRESQL_TRIGGERS:
        op.execute(statement)


def _this_week(zone: ZoneInfo) -> tuple[date, datetime]:
    """This week's Monday in `zone`, and its 00:00 in UTC."""
    today = datetime.now(zone).date()
    monday = today - timedelta(days=today.weekday())
    return monday, datetime.combine(monday, time(0), tzinfo=zone).astimezone(UTC)


def _fill_weeks(monday: date, since: datetime) -> None:
    """This week's right answers of each user, overall and per bank, as the bot keeps them."""
    this_week = answers.c.answered_at >= since
    right = sa.func.sum(sa.case((answers.c.correct, 1), else_=0))
    reached = sa.func.max(sa.case((answers.c.correct, answers.c.answered_at)))
    connection = op.get_bind()
    overall = connection.execute(
        sa.select(answers.c.user_id, right, reached).where(this_week).group_by(answers.c.user_id)
    ).all()
    if overall:  # one statement per row: portable, unlike UPDATE ... FROM
        connection.execute(
            users.update()
            .where(users.c.id == sa.bindparam("key"))
            .values(week=monday, week_points=sa.bindparam("n"), week_points_at=sa.bindparam("at")),
            [{"key": user, "n": n, "at": at} for user, n, at in overall],
        )
    per_bank = connection.execute(
        sa.select(answers.c.user_id, questions.c.bank_id, right, reached)
        .join(questions, questions.c.id == answers.c.question_id)
        .where(this_week)
        .group_by(answers.c.user_id, questions.c.bank_id)
    ).all()
    if per_bank:
        connection.execute(
            scores.update()
            .where(
                scores.c.user_id == sa.bindparam("key"), scores.c.bank_id == sa.bindparam("bank")
            )
            .values(week=monday, week_points=sa.bindparam("n"), week_points_at=sa.bindparam("at")),
            [{"key": user, "bank": bank, "n": n, "at": at} for user, bank, n, at in per_bank],
        )


def _fill_chat_scores(monday: date, since: datetime) -> None:
    """Every member's round points in each group, all time and this week."""
    this_week = answers.c.answered_at >= since
    scored = answers.c.points > 0
    rows = (
        sa.select(
            quizzes.c.chat_id,
            answers.c.user_id,
            sa.func.sum(answers.c.points),
            sa.func.max(sa.case((scored, answers.c.answered_at))),
            sa.case((sa.func.max(answers.c.answered_at) >= since, monday)),
            sa.func.sum(sa.case((this_week, answers.c.points), else_=0)),
            sa.func.max(sa.case((this_week & scored, answers.c.answered_at))),
        )
        .join(items, items.c.id == answers.c.item_id)
        .join(quizzes, quizzes.c.id == items.c.quiz_id)
        .where(quizzes.c.kind == "round")
        .group_by(quizzes.c.chat_id, answers.c.user_id)
    )
    op.execute(chat_scores.insert().from_select(list(chat_scores.c.keys()), rows))


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER tr_users_week_points_{name}")
    else:
        op.execute("DROP TRIGGER tr_users_week_points ON users")
        op.execute("DROP FUNCTION quizbot_count_week_points()")
    op.drop_index("ix_scores_week_rank", table_name="scores")
    op.drop_index("ix_users_week_rank", table_name="users")
    # In place (SQLite 3.35+ too), not by rebuilding the tables: their other indexes and
    # triggers stay as they are.
    for table in ("scores", "users"):
        for column in ("week_points_at", "week_points", "week"):
            op.drop_column(table, column)
    op.drop_table("chat_scores")
    op.drop_table("week_point_counts")
