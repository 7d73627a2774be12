"""Daily review reminders: when each is next due, and who sends it.

A reminder is a minute of the learner's day in a zone; `next_at` (UTC, indexed) is the moment
it is next due. A sweep claims the due ones with one conditional UPDATE that takes a lease, as
rounds are leased: with several processes on one database exactly one sends each. After the
send the reminder moves on to the same wall-clock minute of the next day.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import Enum
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, bindparam, delete, select, update
from sqlalchemy.orm import Session

from storage.db import table_of, zone_of
from storage.learning import current_streak, due_summary, learner_zone
from storage.models import ChatLanguage, Reminder, User

# A reminder found more than this late (the bot was down at its minute) is not sent: a morning
# reminder arriving at night helps nobody. It moves on to its next minute instead.
LATEST = timedelta(hours=12)

_REMINDERS, _USERS, _LANGUAGES = table_of(Reminder), table_of(User), table_of(ChatLanguage)


def next_at(minute: int, zone: ZoneInfo, after: datetime) -> datetime:
    """The first moment after `after` at which the clock in `zone` shows `minute`, in UTC.

    The wall-clock minute is kept across daylight saving (zoneinfo): 08:00 stays 08:00. A
    minute the clocks skip in spring comes an hour later by the clock; one they show twice in
    autumn, the first time.
    """
    today = after.astimezone(zone).date()
    moment = _at(today, minute, zone)
    # Tomorrow's minute is always later: `after` falls before tomorrow's first moment.
    return moment if moment > after else _at(today + timedelta(days=1), minute, zone)


def _at(day: date, minute: int, zone: ZoneInfo) -> datetime:
    local = datetime.combine(day, time(minute // 60, minute % 60), tzinfo=zone)
    return local.astimezone(UTC)


def too_late(due_at: datetime, now: datetime) -> bool:
    """Whether a reminder due at `due_at` is too late to send at `now` (LATEST)."""
    return now - due_at > LATEST


@dataclass(frozen=True)
class Schedule:
    """A learner's reminder: the minute of their day, its zone, and when it next comes."""

    minute: int  # 0..1439
    zone: str
    next_at: datetime


def reminder_of(session: Session, user_id: int) -> Schedule | None:
    """The learner's reminder, if they have one."""
    row = session.get(Reminder, user_id)
    return Schedule(row.minute, row.zone, row.next_at) if row is not None else None


def set_reminder(
    session: Session, user_id: int, minute: int, zone: str, now: datetime, language: str
) -> Schedule:
    """Remind the learner (their row exists) daily at `minute` in `zone`, from now on, in
    `language` unless they choose another with /language.

    Any lease is dropped: a send already under way for the old time then changes nothing.
    """
    schedule = Schedule(minute, zone, next_at(minute, ZoneInfo(zone), now))
    row = session.get(Reminder, user_id)
    if row is None:
        row = Reminder(user_id=user_id)
        session.add(row)
    row.minute, row.zone, row.next_at = schedule.minute, schedule.zone, schedule.next_at
    row.lease_owner = row.lease_until = None
    row.language = language
    return schedule


def remove_reminder(session: Session, user_id: int) -> bool:
    """End the learner's reminder; False when they had none."""
    result = session.execute(delete(_REMINDERS).where(_REMINDERS.c.user_id == user_id))
    return bool(result.rowcount)  # type: ignore[attr-defined]


def own_zone(session: Session, user_id: int) -> str | None:
    """The zone the learner gave (users.zone), if any."""
    return session.scalar(select(_USERS.c.zone).where(_USERS.c.id == user_id))


def set_own_zone(session: Session, user_id: int, zone: str) -> None:
    """The learner's own zone: their day streak and reminders count in it from now on."""
    session.execute(update(_USERS).where(_USERS.c.id == user_id).values(zone=zone))


@dataclass(frozen=True)
class Claimed:
    """A due reminder this process holds the lease of."""

    user_id: int
    minute: int
    zone: str
    due_at: datetime  # the minute it was due, in UTC
    language: str | None  # the learner's when they set it


def _free(now: datetime) -> ColumnElement[bool]:
    return _REMINDERS.c.lease_owner.is_(None) | (_REMINDERS.c.lease_until < now)


def claim_due(
    session: Session, owner: str, now: datetime, until: datetime, limit: int
) -> list[Claimed]:
    """Lease up to `limit` due reminders no live process holds, most overdue first.

    One conditional UPDATE through the `next_at` index: two processes cannot both take one.
    On PostgreSQL a reminder another process is taking is skipped, not waited for.
    """
    due = (_REMINDERS.c.next_at <= now) & _free(now)
    chosen = (
        select(_REMINDERS.c.user_id)
        .where(due)
        .order_by(_REMINDERS.c.next_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    rows = session.execute(
        update(_REMINDERS)
        .where(_REMINDERS.c.user_id.in_(chosen.scalar_subquery()), due)
        .values(lease_owner=owner, lease_until=until)
        .returning(
            _REMINDERS.c.user_id,
            _REMINDERS.c.minute,
            _REMINDERS.c.zone,
            _REMINDERS.c.next_at,
            _REMINDERS.c.language,
        )
    )
    return sorted((Claimed(*row) for row in rows), key=lambda c: (c.due_at, c.user_id))


@dataclass(frozen=True)
class Nudge:
    """A claimed reminder to send now: how many questions are due, the day streak, and the
    language to say it in (the one chosen with /language, else the reminder's)."""

    reminder: Claimed
    due: int
    streak: int
    language: str | None


def nudges(session: Session, claimed: Sequence[Claimed], owner: str, now: datetime) -> list[Nudge]:
    """The claimed reminders worth sending: not too late, and something is due.

    The others move on to their next minute at once, and are let go.
    """
    if not claimed:
        return []
    learners = {
        user_id: (streak, day, zone)
        for user_id, streak, day, zone in session.execute(
            select(_USERS.c.id, _USERS.c.streak, _USERS.c.streak_day, _USERS.c.zone).where(
                _USERS.c.id.in_([c.user_id for c in claimed])
            )
        )
    }
    chosen = {
        chat_id: language
        for chat_id, language in session.execute(
            select(_LANGUAGES.c.chat_id, _LANGUAGES.c.language).where(
                _LANGUAGES.c.chat_id.in_([c.user_id for c in claimed])
            )
        )
    }
    default = zone_of(session)
    sending, quiet = [], []
    for reminder in claimed:
        late = too_late(reminder.due_at, now)
        due = 0 if late else due_summary(session, reminder.user_id, now).due
        if not due:
            quiet.append(reminder)
            continue
        streak, day, zone = learners[reminder.user_id]
        today = now.astimezone(learner_zone(zone, default)).date()
        language = chosen.get(reminder.user_id, reminder.language)
        sending.append(Nudge(reminder, due, current_streak(streak, day, today), language))
    if quiet:
        session.execute(_MOVE_ON, [_moved_on(r, owner, now, default) for r in quiet])
    return sending


class Outcome(Enum):
    """What became of a reminder's send."""

    SENT = "sent"  # on to the next day's minute
    BLOCKED = "blocked"  # the learner blocked the bot: the reminder is switched off
    FAILED = "failed"  # Telegram could not take it now: tried again at the next sweep


# Each statement touches a reminder only while this process leases it: one that its learner
# changed or ended meanwhile stays as they left it.
_HELD = (_REMINDERS.c.user_id == bindparam("user")) & (
    _REMINDERS.c.lease_owner == bindparam("owner")
)
_MOVE_ON = (
    update(_REMINDERS)
    .where(_HELD)
    .values(next_at=bindparam("next"), lease_owner=None, lease_until=None)
)
# Free again at the next sweep (a later `now`), not in this one, which would retry it at once.
_RETRY = update(_REMINDERS).where(_HELD).values(lease_until=bindparam("now"))
_SWITCH_OFF = delete(_REMINDERS).where(_HELD)


def _moved_on(reminder: Claimed, owner: str, now: datetime, default: ZoneInfo) -> dict[str, object]:
    zone = learner_zone(reminder.zone, default)
    return {"user": reminder.user_id, "owner": owner, "next": next_at(reminder.minute, zone, now)}


def settle(
    session: Session, reminder: Claimed, outcome: Outcome, owner: str, now: datetime
) -> bool:
    """Record what became of the send; False when the reminder was no longer this process's
    (its learner changed or ended it, or the lease ran out and another process took it)."""
    if outcome is Outcome.SENT:
        result = session.execute(_MOVE_ON, _moved_on(reminder, owner, now, zone_of(session)))
    elif outcome is Outcome.BLOCKED:
        result = session.execute(_SWITCH_OFF, {"user": reminder.user_id, "owner": owner})
    else:
        result = session.execute(_RETRY, {"user": reminder.user_id, "owner": owner, "now": now})
    return bool(result.rowcount)  # type: ignore[attr-defined]


def release(session: Session, user_ids: Sequence[int], owner: str) -> None:
    """Let go of reminders claimed but not sent (a clean stop): the next sweep sends them."""
    if user_ids:
        session.execute(
            update(_REMINDERS)
            .where(_REMINDERS.c.user_id.in_(user_ids), _REMINDERS.c.lease_owner == owner)
            .values(lease_owner=None, lease_until=None)
        )
