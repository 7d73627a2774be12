"""/remind [HH:MM [Area/City] | off]: a daily reminder to review, sent when questions are due."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from enum import Enum
from zoneinfo import available_timezones

from sqlalchemy.orm import Session
from telegram import Update
from telegram.ext import CommandHandler

from bot import i18n, texts
from bot.access import person
from bot.context import Context, QuizApplication
from bot.handlers.common import in_group, note_sender, reply
from storage import reminders
from storage.learning import learner_zone

# Digits of any script (۰۸:۰۰ is 08:00), as the learner's keyboard types them.
_TIME = re.compile(r"(\d{1,2}):(\d{2})")
ZONE_LIMIT = 64  # characters: the longest zone name the database keeps (users.zone)


class Action(Enum):
    """A /remind without a time."""

    SHOW = "show"  # /remind alone: the reminder, and when it next comes
    OFF = "off"  # /remind off


@dataclass(frozen=True)
class Remind:
    """`/remind HH:MM [Area/City]`: remind daily at `minute` (of the day), in `zone` if given."""

    minute: int
    zone: str | None  # an IANA name as zoneinfo spells it; None: the learner's, else the bot's


class Problem(Enum):
    """Why a /remind could not be understood; `word` says which part."""

    TIME = "not a time of day"
    ZONE = "not a time zone"
    USAGE = "too many words"


@dataclass(frozen=True)
class Refused:
    """A /remind that cannot be done, and the word at fault."""

    problem: Problem
    word: str


Request = Action | Remind | Refused


def parse(args: list[str]) -> Request:
    """What `/remind ARGS` asks for."""
    if not args:
        return Action.SHOW
    if len(args) > 2:
        return Refused(Problem.USAGE, " ".join(args))
    if len(args) == 1 and args[0].lower() == Action.OFF.value:
        return Action.OFF
    minute = minute_of(args[0])
    if minute is None:
        return Refused(Problem.TIME, args[0])
    if len(args) == 1:
        return Remind(minute, None)
    zone = known_zone(args[1])
    return Remind(minute, zone) if zone is not None else Refused(Problem.ZONE, args[1])


def minute_of(word: str) -> int | None:
    """The minute of the day of a 24-hour `HH:MM` (or `H:MM`); None for anything else."""
    match = _TIME.fullmatch(word)
    if match is None:
        return None
    hours, minutes = int(match[1]), int(match[2])
    return hours * 60 + minutes if hours < 24 and minutes < 60 else None


def known_zone(word: str) -> str | None:
    """The IANA zone `word` names, in any case (`europe/berlin`), as zoneinfo spells it."""
    return _zones().get(word.casefold()) if len(word) <= ZONE_LIMIT else None


@functools.cache
def _zones() -> dict[str, str]:
    # Read once (a few hundred names): the zones that zoneinfo can load, by their lower case.
    return {name.casefold(): name for name in available_timezones()}


REFUSALS = {
    Problem.TIME: texts.remind_bad_time,
    Problem.ZONE: texts.remind_unknown_zone,
    Problem.USAGE: texts.remind_usage,
}


async def remind_command(update: Update, context: Context) -> None:
    """Set, show or end the learner's daily reminder."""
    if in_group(update):
        await reply(update, texts.remind_in_private())
        return
    learner = person(update)
    if learner is None:
        return
    request = parse(context.args or [])
    if isinstance(request, Refused):
        await reply(update, REFUSALS[request.problem](request.word))
        return
    now, bot_zone = context.bot_data.clock.now(), context.settings.timezone

    def act(session: Session) -> reminders.Schedule | bool | None:
        note_sender(session, update)
        if request is Action.OFF:
            return reminders.remove_reminder(session, learner.id)
        if request is Action.SHOW:
            return reminders.reminder_of(session, learner.id)
        if request.zone is not None:
            reminders.set_own_zone(session, learner.id, request.zone)
        zone = request.zone or reminders.own_zone(session, learner.id) or bot_zone
        return reminders.set_reminder(
            session, learner.id, request.minute, zone, now, i18n.current().value
        )

    done = await context.db.run(act)
    if isinstance(done, reminders.Schedule):
        shown = texts.reminder_set if isinstance(request, Remind) else texts.reminder_shown
        local = done.next_at.astimezone(learner_zone(done.zone, context.settings.zone))
        await reply(update, shown(done.minute, done.zone, local, done.next_at - now))
    elif request is Action.OFF:
        await reply(update, texts.reminder_off(had_one=bool(done)))
    else:
        await reply(update, texts.no_reminder())


def register(application: QuizApplication) -> None:
    """Add this module's handlers."""
    application.add_handler(CommandHandler("remind", remind_command))
