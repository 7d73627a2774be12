"""Typed SQLAlchemy models: users, chats, banks, questions, quizzes, answers, scores."""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    DDL,
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    event,
    false,
    text,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


class AwareDateTime(TypeDecorator[datetime]):
    """Stores UTC and always hands back aware datetimes (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetimes are not stored")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    type_annotation_map = {  # noqa: RUF012 - SQLAlchemy's documented class attribute
        datetime: AwareDateTime(),
        dict[str, Any]: JSON(),
        list[dict[str, Any]]: JSON(),
        list[int]: JSON(),
        list[str]: JSON(),
    }


class WeekTotals:
    """This week's points, kept with every answer like the all-time ones.

    Weekly tables read them through an index instead of counting the week's answers. `week` is
    the Monday (a date in the bot's time zone) they count from: a row of an older week has no
    points this week, and its next answer starts the new week afresh.
    """

    week: Mapped[date | None] = mapped_column(Date)
    week_points: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    week_points_at: Mapped[datetime | None]  # when week_points last grew: earlier wins a tie


class User(WeekTotals, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    first_name: Mapped[str] = mapped_column(String(256))
    username: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Running totals so the leaderboard never re-scans answers.
    points: Mapped[int] = mapped_column(Integer, default=0)
    answered: Mapped[int] = mapped_column(Integer, default=0)
    correct: Mapped[int] = mapped_column(Integer, default=0)
    points_at: Mapped[datetime | None]  # when `points` last grew: earlier wins a tie
    # /privacy: shown as "anonymous learner" on global, per-bank and web tables.
    hidden: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The learner's own time zone (set with /remind), else the bot's: where their days start.
    zone: Mapped[str | None] = mapped_column(String(64))
    # Days in a row with an answer, up to `streak_day` (a date in the learner's zone): kept
    # with every answer, so /progress reads it instead of the answers.
    streak: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    streak_day: Mapped[date | None] = mapped_column(Date)

    __table_args__ = (Index("ix_users_rank", points.desc(), "points_at", "id"),)


# Declared after the class: its week columns come from WeekTotals, and DESC needs the column.
Index("ix_users_week_rank", User.week, User.week_points.desc(), User.week_points_at, User.id)


class PointCount(Base):
    """How many users have each overall points total, so a caller's rank is a short sum.

    Kept by triggers on users.points (POINT_COUNT_TRIGGERS): the answer path runs no statement
    more.
    """

    __tablename__ = "point_counts"

    points: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    users: Mapped[int] = mapped_column(Integer)


class WeekPointCount(Base):
    """How many users have each overall points total in a week, for a caller's weekly rank.

    Kept like PointCount, by triggers on users.week_points (WEEK_POINT_COUNT_TRIGGERS).
    """

    __tablename__ = "week_point_counts"

    week: Mapped[date] = mapped_column(Date, primary_key=True)
    points: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    users: Mapped[int] = mapped_column(Integer)


class Chat(Base):
    __tablename__ = "chats"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    type: Mapped[str] = mapped_column(String(16))
    title: Mapped[str | None] = mapped_column(String(256))
    # The unguessable part of the group's web leaderboard address (/g/<token>); None: none yet.
    web_token: Mapped[str | None] = mapped_column(String(32))

    __table_args__ = (UniqueConstraint("web_token", name="uq_chats_web_token"),)


class BankRow(Base):
    __tablename__ = "banks"

    id: Mapped[str] = mapped_column(String(48), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    language: Mapped[str | None] = mapped_column(String(16))
    source_title: Mapped[str | None] = mapped_column(String(200))  # None: no source material
    source_url: Mapped[str | None] = mapped_column(Text)
    source_text: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    uploaded_by: Mapped[int | None] = mapped_column(BigInteger)  # the owner; None: shipped
    question_count: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # Private banks are not listed: learners reach them through the share link's code.
    visibility: Mapped[str] = mapped_column(String(16), default="public", server_default="public")
    share_code: Mapped[str | None] = mapped_column(String(32))
    deleted_at: Mapped[datetime | None]  # hidden; its answers stay in history and scores

    __table_args__ = (UniqueConstraint("share_code", name="uq_banks_share_code"),)


class BankAccess(Base):
    """A learner who opened a private bank's share link may play it from then on."""

    __tablename__ = "bank_access"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    bank_id: Mapped[str] = mapped_column(ForeignKey("banks.id"), primary_key=True)
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)


class GroupAccess(Base):
    """A group that may play a private bank: its share link was opened there, or one who may
    play the bank started a round of it there.

    Access in a group belongs to the group, not to whoever sent the command: anonymous admins
    all speak as one account that every group shares.
    """

    __tablename__ = "group_access"

    chat_id: Mapped[int] = mapped_column(ForeignKey("chats.id"), primary_key=True)
    bank_id: Mapped[str] = mapped_column(ForeignKey("banks.id"), primary_key=True)
    granted_by: Mapped[int | None] = mapped_column(BigInteger)  # None: Telegram's pseudo-user
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)


class Role(Base):
    """A role given in chat by an admin (admins themselves come from the settings)."""

    __tablename__ = "roles"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    role: Mapped[str] = mapped_column(String(16))  # "teacher"
    granted_by: Mapped[int | None] = mapped_column(BigInteger)
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)


_CURRENT = text("NOT retired")  # outside the class: its `text` column would shadow the function


class QuestionRow(Base):
    __tablename__ = "questions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    bank_id: Mapped[str] = mapped_column(ForeignKey("banks.id"))
    key: Mapped[str] = mapped_column(String(48))  # the id written in the bank file
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    options: Mapped[list[str]]
    correct: Mapped[list[int]]
    explanation: Mapped[str | None] = mapped_column(Text)
    passage: Mapped[str | None] = mapped_column(Text)  # the quote, or the retrieved sentences
    quote: Mapped[str | None] = mapped_column(Text)  # as the bank file wrote it: /bankfile
    tags: Mapped[list[str]]
    # Removed from the bank file, or changed (a new row replaces it), but kept: answers given
    # to it still count.
    retired: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")  # bank version
    # A numeric question's accepted range (tolerance included); None for the other kinds.
    numeric_low: Mapped[float | None] = mapped_column(Float)
    numeric_high: Mapped[float | None] = mapped_column(Float)

    __table_args__ = (
        # One current row per question id; retired rows of the same id are its history.
        Index(
            "ux_questions_current_key",
            "bank_id",
            "key",
            unique=True,
            sqlite_where=_CURRENT,
            postgresql_where=_CURRENT,
        ),
    )


class QuizKind(StrEnum):
    """What a quiz is (stored as its value)."""

    SOLO = "solo"  # one learner in a private chat
    ROUND = "round"  # a live round in a group: everyone answers, scored by time
    REVIEW = "review"  # one learner's due questions, a wrong one asked again later in it


class QuizStatus(StrEnum):
    """Where a quiz stands (stored as its value)."""

    ACTIVE = "active"
    FINISHED = "finished"  # every question answered (a round: every question's time is up)
    STOPPED = "stopped"  # ended early: /stop, or a new quiz in the chat


class Quiz(Base):
    __tablename__ = "quizzes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("chats.id"))
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"))
    # Teachers' reports count attempts by bank; None: a review, drawn from every bank.
    bank_id: Mapped[str | None] = mapped_column(ForeignKey("banks.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default=QuizStatus.ACTIVE.value)  # QuizStatus
    kind: Mapped[str] = mapped_column(  # QuizKind
        String(16), default=QuizKind.SOLO.value, server_default=QuizKind.SOLO.value
    )
    open_period: Mapped[int | None] = mapped_column(Integer)  # a round's seconds per question
    # The language it was started in (bot.i18n): what a restart still owes is said in it.
    language: Mapped[str | None] = mapped_column(String(8))
    position: Mapped[int] = mapped_column(Integer, default=0)  # index of the current item
    total: Mapped[int] = mapped_column(Integer)
    score: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    summary_sent_at: Mapped[datetime | None]  # unset on a finished quiz: summary still owed
    # Which bot process runs a round's timer, and until when unless it renews: with several
    # processes on one database exactly one runs each round, and another takes over a dead one.
    lease_owner: Mapped[str | None] = mapped_column(String(32))
    lease_until: Mapped[datetime | None]

    __table_args__ = (
        # At most one running quiz per chat, enforced by the database itself.
        Index(
            "ux_quizzes_active_chat",
            "chat_id",
            unique=True,
            sqlite_where=text("status = 'active'"),
            postgresql_where=text("status = 'active'"),
        ),
    )


class QuizItem(Base):
    """One planned question of a quiz, with its option order and where it was sent."""

    __tablename__ = "quiz_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quizzes.id"))
    position: Mapped[int] = mapped_column(Integer)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"))
    option_order: Mapped[list[int]]  # shown option i is the question's option option_order[i]
    poll_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    sent_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]  # a round's question: time is up, results posted

    __table_args__ = (UniqueConstraint("quiz_id", "position"),)


class Answer(Base):
    __tablename__ = "answers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("quiz_items.id"))
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"))
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"))
    chosen: Mapped[list[int]]  # indices into the question's own options
    correct: Mapped[bool] = mapped_column(Boolean)
    answered_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)  # weekly tables
    feedback_sent_at: Mapped[datetime | None]  # unset: the feedback message is still owed
    # A round's speed points (with any streak bonus); solo answers count their correctness.
    points: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # With the time, the review log the scheduler's parameters can be fitted to: the rating it
    # was given (FSRS: 1 Again, 3 Good, 4 Easy) and the seconds from question to answer.
    rating: Mapped[int | None] = mapped_column(SmallInteger)
    seconds: Mapped[float | None] = mapped_column(Float)
    typed: Mapped[str | None] = mapped_column(Text)  # what was typed, for typed questions

    __table_args__ = (
        # Telegram redelivers updates: the same answer must count once.
        UniqueConstraint("item_id", "user_id"),
        # Finds the feedback still owed after a crash without scanning every answer.
        Index(
            "ix_answers_feedback_owed",
            "id",
            sqlite_where=text("feedback_sent_at IS NULL"),
            postgresql_where=text("feedback_sent_at IS NULL"),
        ),
    )


class Score(WeekTotals, Base):
    __tablename__ = "scores"

    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"), primary_key=True)
    bank_id: Mapped[str] = mapped_column(ForeignKey("banks.id"), primary_key=True)
    points: Mapped[int] = mapped_column(Integer, default=0)
    answered: Mapped[int] = mapped_column(Integer, default=0)
    correct: Mapped[int] = mapped_column(Integer, default=0)
    points_at: Mapped[datetime | None]

    __table_args__ = (Index("ix_scores_rank", "bank_id", points.desc(), "points_at", "user_id"),)


Index(
    "ix_scores_week_rank",
    Score.bank_id,
    Score.week,
    Score.week_points.desc(),
    Score.week_points_at,
    Score.user_id,
)


class ChatScore(WeekTotals, Base):
    """A member's round points in a group, all time and this week: the group's own table."""

    __tablename__ = "chat_scores"

    chat_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("chats.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"), primary_key=True)
    points: Mapped[int] = mapped_column(Integer, default=0)
    points_at: Mapped[datetime | None]

    __table_args__ = (
        Index("ix_chat_scores_rank", "chat_id", points.desc(), "points_at", "user_id"),
    )


Index(
    "ix_chat_scores_week_rank",
    ChatScore.chat_id,
    ChatScore.week,
    ChatScore.week_points.desc(),
    ChatScore.week_points_at,
    ChatScore.user_id,
)


class QuestionTime(Base):
    """How long learners take to answer a question, summed: a right answer in under a third
    of the usual time is rated Easy for spaced review.

    A row of its own, not columns of `questions`: every answer adds to it, and rewriting a
    question's row (its text, options, passage) at every answer cost a fifth of the answer's CPU.
    """

    __tablename__ = "question_times"

    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), primary_key=True)
    timed_answers: Mapped[int] = mapped_column(Integer)
    answer_seconds: Mapped[float] = mapped_column(Float)


class Card(Base):
    """A learner's memory of one question, scheduled by FSRS (the `fsrs` package's Card).

    Kept by every answer to the question, in any quiz or round; a question retired by a new
    version of its bank takes its cards out of the review queue (`active`).
    """

    __tablename__ = "cards"

    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"), primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), primary_key=True)
    state: Mapped[int] = mapped_column(
        SmallInteger
    )  # fsrs.State: 1 learning, 2 review, 3 relearning
    step: Mapped[int | None] = mapped_column(Integer)
    stability: Mapped[float | None] = mapped_column(Float)
    difficulty: Mapped[float | None] = mapped_column(Float)
    due: Mapped[datetime]
    last_review: Mapped[datetime | None]
    last_right: Mapped[bool] = mapped_column(Boolean)
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())

    __table_args__ = (
        # The review queue: a learner's due cards, most overdue first.
        Index(
            "ix_cards_queue",
            "user_id",
            "due",
            sqlite_where=text("active"),
            postgresql_where=text("active"),
        ),
        Index("ix_cards_question", "question_id"),  # retiring a question; teachers' reports
    )


class Draft(Base):
    """A bank a teacher builds in chat (/newbank … /done), or a saved one they edit (/edit).

    Stored, not held in memory: it survives a restart, and any process of the bot may get the
    teacher's next message. `questions` are written as the bank file writes them, so /done
    validates the whole bank the way an upload is validated.
    """

    __tablename__ = "drafts"

    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    # The teacher's language when they opened it: the bank's, which its source is read in.
    language: Mapped[str | None] = mapped_column(String(8))
    source_title: Mapped[str | None] = mapped_column(String(200))
    source_text: Mapped[str] = mapped_column(Text, default="", server_default="")
    questions: Mapped[list[dict[str, Any]]]
    # Questions /draft proposed from the source, waiting for Keep or Drop (same form).
    proposals: Mapped[list[dict[str, Any]]] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Wait(Base):
    """What a teacher's next message is for: a source text, or a question replacing one.

    One per teacher; stored so that the next message, after a restart or to another process,
    still goes where it was asked for.
    """

    __tablename__ = "waits"

    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"), primary_key=True)
    # "source": the bank's (or the draft's) source; "replace": a question of bank_id (key).
    what: Mapped[str] = mapped_column(String(16))
    bank_id: Mapped[str | None] = mapped_column(String(48))  # None: the teacher's draft
    question_key: Mapped[str | None] = mapped_column(String(48))
    since: Mapped[datetime] = mapped_column(default=utcnow)


class Reminder(Base):
    """A learner's daily reminder to review, at a minute of their day in a zone.

    `next_at` is when it is next due, in UTC; a process sending it takes a lease first, so with
    several processes on one database exactly one sends each.
    """

    __tablename__ = "reminders"

    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"), primary_key=True)
    minute: Mapped[int] = mapped_column(Integer)  # of the day, 0..1439
    zone: Mapped[str] = mapped_column(String(64))
    next_at: Mapped[datetime] = mapped_column(index=True)
    lease_owner: Mapped[str | None] = mapped_column(String(32))
    lease_until: Mapped[datetime | None]
    # The learner's language when they set it, for one who never chose one with /language.
    language: Mapped[str | None] = mapped_column(String(8))


class ChatLanguage(Base):
    """The language chosen with /language for a chat: a user's private chat (its id is the
    user's) or a group, chosen by its admins. None chosen: the user's Telegram language."""

    __tablename__ = "chat_languages"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    language: Mapped[str] = mapped_column(String(8))
    chosen_at: Mapped[datetime] = mapped_column(default=utcnow)


class InboxUpdate(Base):
    """An update as fetched from Telegram, stored before Telegram is told it arrived."""

    __tablename__ = "updates"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    payload: Mapped[dict[str, Any]]
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    handled_at: Mapped[datetime | None] = mapped_column(index=True)


# Triggers rather than statements in the bot: counting runs inside the database, so an answer
# costs no extra round trip, and every way users.points changes is covered. create_all adds them
# to a new database; migration 0005 added the same to older ones and keeps its own copy, as
# migrations are history: tests/test_migrations.py checks that both ways give one schema.
POINT_COUNT_TRIGGERS = {
    "sqlite": (
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
    ),
    "postgresql": (
        # OR REPLACE: dropping the tables leaves the function behind.
        """CREATE OR REPLACE FUNCTION quizbot_count_points() RETURNS trigger LANGUAGE plpgsql AS $$
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
    ),
}
# The same for this week's points (migration 0007 has its copy). A user's next answer in a new
# week moves them from their old week's count to the new one's; past weeks' counts stay, a few
# rows a week.
WEEK_POINT_COUNT_TRIGGERS = {
    "sqlite": (
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
    ),
    "postgresql": (
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
    ),
}
for _triggers in (POINT_COUNT_TRIGGERS, WEEK_POINT_COUNT_TRIGGERS):
    for _dialect, _statements in _triggers.items():
        for _statement in _statements:  # after every table: the triggers name two of them
            ddl = DDL(_statement).execute_if(dialect=_dialect)  # type: ignore[no-untyped-call]
            event.listen(Base.metadata, "after_create", ddl)
