"""Every reply the bot sends, in one place so it can be reviewed and translated (HTML)."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from html import escape
from typing import TYPE_CHECKING, Any

from babel.dates import format_date, format_skeleton, format_time
from babel.numbers import format_decimal

from bot.i18n import DEFAULT, N_, Language, current, isolate, nt, t
from quiz.explain import clip
from quiz.grading import MAX_REPLY_CHARS, Refusal

if TYPE_CHECKING:  # the types of what the texts format; `quizbot import` loads none of them
    from storage.banks import BankSummary, SaveResult
    from storage.learning import BankProgress
    from storage.models import BankRow
    from storage.quizzes import AnsweredQuestion
    from storage.reports import BankReport, BankStats, QuestionStats
    from storage.rounds import QuestionResult, Standing
    from storage.scores import Entry, Leaderboard, UserStats

MESSAGE_LIMIT = 4096
# Room for a long answer list next to a 1000-character explanation and passage.
ANSWERS_LIMIT = 1500
ASKED_CHARS = 60  # of the answered question, named at the top of its feedback

# The descriptions are translated where shown: t(description) (help_text, bot/menus.py).
COMMANDS: list[tuple[str, str]] = [
    ("quiz", N_("Start a quiz: /quiz <bank-id> [number of questions]")),
    ("banks", N_("List the question banks")),
    ("stop", N_("End the quiz in progress")),
    ("score", N_("Your points and accuracy")),
    ("leaderboard", N_("Top learners: /leaderboard [week] [bank-id]")),
    ("review", N_("Review the questions you are due to see again: /review [bank-id]")),
    ("progress", N_("What you have learned, what is due, and your day streak")),
    ("privacy", N_("Hide or show your name on the leaderboards")),
    ("remind", N_("A daily reminder to review: /remind HH:MM [Area/City], or off")),
    ("language", N_("Choose my language: English, Русский, فارسی")),
    ("help", N_("What I can do")),
    ("start", N_("Welcome and how it works")),
]

TEACHER_COMMANDS: list[tuple[str, str]] = [
    ("newbank", N_("Build a bank in chat: /newbank <title>, then send quiz polls")),
    ("edit", N_("Delete or replace a bank's questions: /edit <bank-id>")),
    ("bankfile", N_("A bank's file to edit offline: /bankfile <bank-id> [gift]")),
    ("mybanks", N_("Your banks: version, questions, learners, average score")),
    ("share", N_("A bank's share link: /share <bank-id> [revoke]")),
    ("publish", N_("List a bank in /banks for everyone: /publish <bank-id>")),
    ("unpublish", N_("Make a bank private again: /unpublish <bank-id>")),
    ("source", N_("Attach the source text to a bank: /source <bank-id>, then the file")),
    ("report", N_("How your class did: /report <bank-id>")),
    ("export", N_("Every answer as CSV: /export <bank-id>")),
    ("deletebank", N_("Hide a bank (answers stay in history): /deletebank <bank-id>")),
    ("weblink", N_("In a group: its live leaderboard on the web: /weblink [revoke]")),
]
# What works in a group (its own menu, and /help there): the rest is for a private chat.
GROUP_COMMANDS: list[tuple[str, str]] = [
    ("quiz", N_("A live round for everyone: /quiz <bank-id> [questions] [seconds]s")),
    ("stop", N_("End the round in progress")),
    ("leaderboard", N_("This group's table of round points: /leaderboard [week]")),
    ("banks", N_("The banks this group can play")),
    ("language", N_("This group's language: English, Русский, فارسی")),
    ("weblink", N_("This group's live leaderboard on the web: /weblink [revoke]")),
    ("help", N_("What I can do here")),
]
ADMIN_COMMANDS: list[tuple[str, str]] = [
    ("teacher", N_("Make a teacher: /teacher add|remove <user id>, or reply to their message")),
]


NAME_CHARS = 64  # Telegram's own limit for a first name; a forged update can carry more


def user_text(text: str, limit: int = NAME_CHARS) -> str:
    """Text a user chose (a name, a group's title), clipped and escaped for HTML: the one
    way such text enters a message, so that none can outgrow Telegram's limits."""
    return escape(clip(text.strip(), limit))


def welcome(first_name: str) -> str:
    return t(
        "👋 Hi {name}! I quiz you on what you read. After every answer I show "
        "the right answer and <b>the passage of the source that proves it</b>.\n\n"
        "Tap a bank below or send /quiz to start. /help lists everything I can do.",
        name=user_text(first_name),
    )


def _command_lines(commands: Sequence[tuple[str, str]]) -> list[str]:
    return [f"/{name} — {escape(t(description))}" for name, description in commands]


def group_help() -> str:
    """/help in a group: what works there, and who may do it."""
    lines = [t("<b>What I can do in this group</b>"), *_command_lines(GROUP_COMMANDS)]
    lines.append(
        "\n"
        + t(
            "A group's admins and teachers start and stop rounds, choose its language and its "
            "web leaderboard. Your own quizzes, /review, /progress, /score and /remind are in a "
            "private chat with me."
        )
    )
    return "\n".join(lines)


def help_text(is_teacher: bool, is_admin: bool = False) -> str:
    lines = [t("<b>What I can do</b>"), *_command_lines(COMMANDS)]
    lines.append(
        "\n"
        + t(
            "Questions come as quiz polls (or buttons when they are too long for a poll). "
            "Your points last: every right answer is one point (/score). I remember what you "
            "got wrong and when each question is due again: /review brings them back, spaced "
            "out until you know them."
        )
    )
    lines.append(
        t(
            "In a group, an admin or a teacher starts a live round for everyone with "
            "/quiz &lt;bank-id&gt; [questions] [seconds]s: the faster a right answer, the more "
            "<i>round points</i> it earns on the group's own table (/leaderboard there)."
        )
    )
    lines.append(
        "\n"
        + t(
            "⏰ /remind 08:00 reminds you every day at 08:00 when questions are due for review; "
            "/remind 08:00 Europe/Berlin counts in your own time zone."
        )
    )
    if is_teacher:
        lines.append("\n" + t("<b>For teachers</b>"))
        lines.append(
            t(
                "Send a question bank as a <code>.yaml</code> file (Moodle <code>.gift</code> "
                "and Aiken <code>.txt</code> work too). Send it again with the same id for a new "
                "version: unchanged questions keep their statistics."
            )
        )
        lines += _command_lines(TEACHER_COMMANDS)
    if is_admin:
        lines.append("\n" + t("<b>For admins</b>"))
        lines += _command_lines(ADMIN_COMMANDS)
    return "\n".join(lines)


def bank_list(banks: Sequence[BankSummary]) -> str:
    if not banks:
        return t("There are no question banks yet. A teacher can add one by sending a .yaml file.")
    lines = [t("<b>Question banks</b>")]
    lines += [
        nt(
            "• <code>{bank}</code> — {title} ({n} question)",
            "• <code>{bank}</code> — {title} ({n} questions)",
            b.questions,
            bank=escape(b.id),
            title=escape(b.title),
        )
        for b in banks
    ]
    lines.append("\n" + t("Start one with /quiz &lt;bank-id&gt; [questions], or tap it below."))
    return "\n".join(lines)


def choose_bank() -> str:
    return t("Which bank would you like to be quizzed on?")


def no_banks() -> str:
    return t("There are no question banks yet, so there is nothing to quiz you on.")


def unknown_bank(bank_id: str) -> str:
    shown = escape(clip(bank_id, 60))  # ids have 48 characters at most; a user's text any
    text = t("There is no bank called <code>{bank}</code>. /banks lists them.", bank=shown)
    if bank_id.isdecimal():  # "/quiz 5": a number of questions, without the bank
        text += " " + nt(
            "For {n} question of a bank: /quiz &lt;bank-id&gt; {n}",
            "For {n} questions of a bank: /quiz &lt;bank-id&gt; {n}",
            int(bank_id),
            n=shown,
        )
    return text


def leaderboard_unknown(word: str) -> str:
    return t(
        "There is no bank called <code>{bank}</code>. Try /leaderboard week, "
        "/leaderboard all or /leaderboard &lt;bank-id&gt;; /banks lists the banks.",
        bank=escape(clip(word, 48)),
    )


def quiz_usage() -> str:
    return t(
        "Send /quiz &lt;bank-id&gt; [number of questions], e.g. /quiz &lt;bank-id&gt; 5. "
        "Seconds per question are for live rounds in groups. /banks lists the banks."
    )


def bad_count(text: str) -> str:
    return t(
        "“{text}” is not a number of questions. "
        "Try /quiz &lt;bank-id&gt; 5, or leave the number out for 10.",
        text=escape(clip(text, 40)),
    )


def bank_empty(title: str, no_polls: bool = False) -> str:
    if no_polls:  # a live round asks only what fits a poll
        return t(
            "No question of “{title}” can be a poll (too long, or asking for a typed "
            "answer), so it can't be a live round. Learners can still take it in a private "
            "chat with me.",
            title=escape(title),
        )
    return t("“{title}” has no questions to ask right now.", title=escape(title))


def _replaced(replaced: tuple[int, int]) -> str:
    right, answered = replaced
    return t(
        "Your previous quiz here was stopped at {right}/{answered} right.",
        right=right,
        answered=answered,
    )


def quiz_started(title: str, count: int, available: int, replaced: tuple[int, int] | None) -> str:
    """`replaced`: the right answers and questions answered of the quiz this one replaces."""
    if count < available:
        started = nt(
            "📚 <b>{title}</b>: {n} question (of {available}). Good luck!",
            "📚 <b>{title}</b>: {n} questions (of {available}). Good luck!",
            count,
            title=escape(title),
            available=available,
        )
    else:
        started = nt(
            "📚 <b>{title}</b>: {n} question. Good luck!",
            "📚 <b>{title}</b>: {n} questions. Good luck!",
            count,
            title=escape(title),
        )
    lines = [started]
    if replaced is not None:
        lines.append(_replaced(replaced))
    return "\n".join(lines)


def count_capped(available: int, too_long: int = 0) -> str:
    if too_long:
        return nt(
            "Only {n} question of the bank fit a poll ({too_long} too long for a live round), "
            "so you get all of them.",
            "Only {n} questions of the bank fit a poll ({too_long} too long for a live round), "
            "so you get all of them.",
            available,
            too_long=too_long,
        )
    return nt(
        "The bank has only {n} question, so you get all of them.",
        "The bank has only {n} questions, so you get all of them.",
        available,
    )


def length_capped(longest: int) -> str:
    return nt(
        "A quiz has at most {n} question, so you get {n}.",
        "A quiz has at most {n} questions, so you get {n}.",
        longest,
    )


def question_header(position: int, total: int) -> str:
    """Before a poll's question: its place in the quiz, the same in every language (and as
    long: rounds check a question fits a poll with the longest one)."""
    return f"[{position}/{total}] "


def _question_title(position: int, total: int) -> str:
    return t("<b>Question {position}/{total}</b>", position=position, total=total)


def question_message(
    position: int, total: int, text: str, options: Sequence[str], multiple: bool
) -> str:
    # Twelve long options can outgrow one message: shorten the options, never the question.
    room = (MESSAGE_LIMIT - 300 - len(escape(text))) // max(len(options), 1) - 12
    lines = [_question_title(position, total), escape(text), ""]
    lines += [f"<b>{option_label(i)}.</b> {escape(clip(o, room))}" for i, o in enumerate(options)]
    if multiple:
        lines.append("\n" + t("<i>Several answers are right: tick them all, then press Done.</i>"))
    return "\n".join(lines)


def typed_question(position: int, total: int, text: str, numeric: bool) -> str:
    how = t("Type the number and send it.") if numeric else t("Type your answer and send it.")
    return f"{_question_title(position, total)}\n{escape(text)}\n\n✍️ <i>{how}</i>"


def typed_placeholder(numeric: bool) -> str:
    return t("A number") if numeric else t("Your answer")


def typo_forgiven(spelling: str, typos: int) -> str:
    return nt(
        "✍️ Right, with a typo forgiven: it is spelt “{spelling}”.",
        "✍️ Right, with {n} typos forgiven: it is spelt “{spelling}”.",
        typos,
        spelling=escape(spelling),
    )


def not_an_answer(refusal: Refusal) -> str:
    if refusal is Refusal.TOO_LONG:
        return nt(
            "That is too long for an answer (over {n} character). Type just the answer.",
            "That is too long for an answer (over {n} characters). Type just the answer.",
            MAX_REPLY_CHARS,
        )
    return {
        Refusal.EMPTY: t("That has no letters or digits to check. Type your answer as words."),
        # No example number: one could be the very answer asked for.
        Refusal.NO_NUMBER: t("I see no number in that. Type the number in digits."),
        Refusal.SEVERAL_NUMBERS: t("I see more than one number in that. Type just one."),
        Refusal.WRONG_SCRIPT: t(
            "That is written in another alphabet than the answer: check your keyboard "
            "layout and type it again."
        ),
    }[refusal]


LETTERS = "ABCDEFGHIJKL"  # one per option: a question has twelve at most


def option_label(index: int) -> str:
    """The letter of an option, in the alphabet of the language spoken."""
    # The letters, separated by spaces, are translated as one message: twelve of them.
    letters = t("A B C D E F G H I J K L").split()
    return letters[index] if index < len(letters) else LETTERS[index]


def feedback(
    *,
    correct: bool,
    answers: Sequence[str],
    explanation: str | None,
    passage: str | None,
    source_title: str | None,
    source_url: str | None,
    score: int,
    answered: int,
    note: str | None = None,
    answers_limit: int = ANSWERS_LIMIT,
    asked: str | None = None,
    typo: str | None = None,
) -> str:
    """`note`: a line of its own under the score (when a review question comes back);
    `asked`: the question answered, named on the verdict's line (the feedback travels with
    the next question, so it says which one it is about); `typo`: a typo forgiven, said
    under the answer it was forgiven in."""
    verdict = t("✅ <b>Correct!</b>") if correct else t("❌ <b>Not quite.</b>")
    if asked:
        verdict += f" <i>{answered}. {escape(clip(asked, ASKED_CHARS))}</i>"
    lines = [verdict, answers_line(answers, answers_limit)]
    if typo:
        lines.append(typo)
    lines += explained(explanation, passage, source_title, source_url)
    lines.append("\n" + t("Score so far: {score}/{answered}", score=score, answered=answered))
    if note:
        lines.append(note)
    return "\n".join(lines)


def answers_line(answers: Sequence[str], limit: int = ANSWERS_LIMIT) -> str:
    """The right answer, or answers, of a question (within `limit` characters)."""
    return nt(
        "Answer: <b>{answers}</b>",
        "Answers: <b>{answers}</b>",
        len(answers),
        answers=escape(clip("; ".join(answers), limit)),
    )


def explained(
    explanation: str | None, passage: str | None, source_title: str | None, source_url: str | None
) -> list[str]:
    """The explanation, then the source's passage that proves the answer, and its title."""
    lines = [escape(explanation)] if explanation else []
    if passage:
        lines.append(f"\n<blockquote>{escape(passage)}</blockquote>")
        if source_title:
            source = escape(source_title)
            if source_url:
                source = f'<a href="{escape(source_url, quote=True)}">{source}</a>'
            lines.append(f"— {source}")
    return lines


def summary(
    title: str,
    score: int,
    results: Sequence[AnsweredQuestion],
    stopped: bool,
    room: int = MESSAGE_LIMIT,
) -> str:
    """The score and a line per question; when that takes more than `room` visible
    characters (a long quiz), only the questions to go over again, as many as fit."""
    if stopped:
        head = t("⏹ <b>Quiz stopped</b> — {title}", title=escape(title))
    else:
        head = t("🏁 <b>Quiz finished</b> — {title}", title=escape(title))
    answered = sum(r.correct is not None for r in results)
    top = [head, t("Score: <b>{score}/{answered}</b>", score=score, answered=answered), ""]
    tail = "\n" + t("/quiz to play again · /score · /leaderboard")
    marks = {True: "✅", False: "❌", None: "▫️"}
    lines = [
        f"{marks[r.correct]} {i}. {escape(clip(r.text, 70))}" for i, r in enumerate(results, 1)
    ]
    whole = "\n".join([*top, *lines, tail])
    if visible_length(whole) <= room:
        return whole
    missed = [line for line, r in zip(lines, results, strict=True) if r.correct is not True]
    if not missed:
        return "\n".join([*top, t("Every answer right."), tail])
    top.append(
        nt(
            "{count} question to go over again (/review asks it):",
            "{count} questions to go over again (/review asks them):",
            len(missed),
            count=len(missed),
        )
    )
    more = visible_length(more_lines(len(missed))) + 1  # room kept for "… and N more"
    shown = _fitting(missed, room - visible_length("\n".join([*top, tail])) - more)
    if len(shown) < len(missed):
        shown.append(more_lines(len(missed) - len(shown)))
    return "\n".join([*top, *shown, tail])


def _fitting(lines: Sequence[str], room: int) -> list[str]:
    """The first lines that fit in `room` visible characters, each with its line feed."""
    taken: list[str] = []
    for line in lines:
        room -= visible_length(line) + 1
        if room < 0:
            break
        taken.append(line)
    return taken


def progress_text(banks: Sequence[BankProgress], streak: int) -> str:
    lines = [t("<b>Your progress</b>"), _streak(streak)]
    if not banks:
        lines.append(t("Nothing to show yet: /quiz starts a quiz, and I keep track from there."))
    for bank in banks:
        lines += [
            f"\n<b>{escape(bank.title)}</b> (<code>{isolate(escape(bank.bank_id))}</code>)",
            t(
                "Learned: {learned} · in progress: {in_progress} · due now: {due} · "
                "not seen yet: {unseen}",
                learned=bank.learned,
                in_progress=bank.in_progress,
                due=bank.due,
                unseen=bank.unseen,
            ),
        ]
    if any(bank.due for bank in banks):
        lines.append("\n" + t("/review asks what is due."))
    return "\n".join(lines)


def _streak(days: int) -> str:
    if not days:
        return t("Day streak: none yet. Answer a question today to start one.")
    return nt(
        "🔥 Day streak: <b>{n} day</b> in a row.", "🔥 Day streak: <b>{n} days</b> in a row.", days
    )


def review_title() -> str:
    return t("Review of your due questions")


def review_started(count: int, more: int, replaced: tuple[int, int] | None) -> str:
    lines = [
        nt(
            "🔁 <b>Review</b>: {n} question due, the most overdue first.",
            "🔁 <b>Review</b>: {n} questions due, the most overdue first.",
            count,
        )
    ]
    if more:
        lines.append(
            nt(
                "{n} more question will be due after these: /review again.",
                "{n} more questions will be due after these: /review again.",
                more,
            )
        )
    lines.append(t("A question you get wrong comes back later in this review."))
    if replaced is not None:
        lines.append(_replaced(replaced))
    return "\n".join(lines)


def nothing_due(next_in: timedelta | None) -> str:
    if next_in is None:
        return t(
            "🎉 Nothing to review: every question you answered is learned. /quiz for new ones."
        )
    return t(
        "🎉 Nothing is due for review now. The next question is due in {duration}. "
        "/quiz meanwhile?",
        duration=duration(next_in),
    )


def review_never_answered() -> str:
    return t(
        "You have nothing to review yet: I schedule reviews of the questions you answer. "
        "Start with /quiz."
    )


def review_in_private() -> str:
    return t("Reviews are your own: send /review to me in a private chat.")


def next_review(comes_back_in: timedelta) -> str:
    return t("🔁 Next review of this question in {duration}.", duration=duration(comes_back_in))


def asked_again_later() -> str:
    return t("🔁 It comes back later in this review.")


def review_button() -> str:
    return t("🔁 Review now")


def reminder(due: int, streak: int) -> str:
    lines = [
        nt(
            "⏰ <b>Time to review</b>: {n} question is due.",
            "⏰ <b>Time to review</b>: {n} questions are due.",
            due,
        )
    ]
    if streak:
        lines.append(
            nt(
                "🔥 Your day streak: {n} day in a row.",
                "🔥 Your day streak: {n} days in a row.",
                streak,
            )
        )
    else:
        lines.append(t("Answer one today to start a day streak."))
    return "\n".join(lines)


def reminder_set(minute: int, zone: str, next_local: datetime, next_in: timedelta) -> str:
    return t(
        "⏰ Reminder set: every day at {time} ({zone}), when questions are due for review. "
        "Next: {day} at {next_time}, in {duration}. /remind off ends it.",
        **_reminder_times(minute, zone, next_local, next_in),
    )


def reminder_shown(minute: int, zone: str, next_local: datetime, next_in: timedelta) -> str:
    return t(
        "⏰ Your reminder: every day at {time} ({zone}), when questions are due for review. "
        "Next: {day} at {next_time}, in {duration}. "
        "/remind HH:MM changes it, /remind off ends it.",
        **_reminder_times(minute, zone, next_local, next_in),
    )


def _reminder_times(
    minute: int, zone: str, next_local: datetime, next_in: timedelta
) -> dict[str, str]:
    """The values of a reminder's sentence: its time, zone, next day and time, how soon."""
    return {
        "time": clock_time(minute),
        "zone": escape(zone),
        "day": short_date(next_local),
        "next_time": format_time(next_local, "HH:mm", locale=current().value),
        "duration": duration(next_in),
    }


def short_date(moment: datetime) -> str:
    """A day as in "Mon 5 Feb", in the language spoken."""
    locale = current().value
    if current() is DEFAULT:
        return format_date(moment, "EEE d MMM", locale=locale)
    return format_skeleton("MMMEd", moment, locale=locale)


def clock_time(minute: int) -> str:
    """A minute of the day as a 24-hour clock shows it."""
    return f"{minute // 60:02d}:{minute % 60:02d}"


def no_reminder() -> str:
    return t(
        "You have no reminder. /remind 08:00 reminds you every day at 08:00 when questions are "
        "due for review, /remind 08:00 Europe/Berlin in your own time zone."
    )


def reminder_off(had_one: bool) -> str:
    if had_one:
        return t("⏰ Reminder off: no more reminders. /remind HH:MM sets a new one.")
    return t("You had no reminder. /remind HH:MM sets one.")


def remind_bad_time(word: str) -> str:
    return t(
        "“{word}” is not a time of day: send /remind HH:MM on the 24-hour "
        "clock, e.g. /remind 08:00 or /remind 19:30.",
        word=escape(clip(word, 40)),
    )


def remind_unknown_zone(word: str) -> str:
    return t(
        "“{word}” is not a time zone I know: give it as Area/City, "
        "e.g. /remind 08:00 Europe/Berlin.",
        word=escape(clip(word, 70)),
    )


def remind_usage(words: str) -> str:
    return t(
        "“{words}” is more than /remind takes: send /remind HH:MM "
        "[Area/City] for a daily reminder, /remind off to end it, or /remind alone to see it.",
        words=escape(clip(words, 70)),
    )


def remind_in_private() -> str:
    return t("Reminders are your own: send /remind to me in a private chat.")


def duration(span: timedelta) -> str:
    """A span as people say it: the largest unit that fits, rounded down ("in {duration}")."""
    seconds = max(0, int(span.total_seconds()))
    if seconds >= 365 * 86400:
        return nt("{n} year", "{n} years", seconds // (365 * 86400))
    if seconds >= 30 * 86400:
        return nt("{n} month", "{n} months", seconds // (30 * 86400))
    if seconds >= 86400:
        return nt("{n} day", "{n} days", seconds // 86400)
    if seconds >= 3600:
        return nt("{n} hour", "{n} hours", seconds // 3600)
    if seconds >= 60:
        return nt("{n} minute", "{n} minutes", seconds // 60)
    return t("less than a minute")


def nothing_to_stop(in_group: bool = False) -> str:
    if in_group:
        return t(
            "No round is running. A group admin or a teacher starts one with /quiz &lt;bank-id&gt;."
        )
    return t("No quiz is running. /quiz starts one.")


def answer_with_buttons() -> str:
    return t("Answer the question above by tapping an option, or /stop to end the quiz.")


def idle_hint() -> str:
    return t("Send /quiz to start a quiz, /banks to see what there is, or /help.")


def unknown_command(command: str) -> str:
    return t(
        "I don't know {command}. /help lists what I can do.", command=escape(clip(command, 40))
    )


def slow_down() -> str:
    return t(
        "⏳ Slow down a little: you are sending faster than I can answer, so I skipped some of"
        " your messages. Answers to questions always count. Try again in a few seconds."
    )


def stale_question() -> str:
    return t("That question is no longer open.")


def not_your_quiz() -> str:
    return t("That question belongs to someone else's quiz.")


def score_text(stats: UserStats | None) -> str:
    if stats is None:
        return t("You have no points yet. /quiz starts a quiz.")
    lines = [
        t("<b>Your score</b>"),
        t("Points: <b>{points}</b>", points=stats.points),
        nt(
            "Accuracy: {percent} ({correct} of {n} answer right)",
            "Accuracy: {percent} ({correct} of {n} answers right)",
            stats.answered,
            percent=percent(stats.correct, stats.answered),
            correct=stats.correct,
        ),
    ]
    if stats.banks:
        lines.append("\n" + t("<b>By bank</b>"))
        lines += [
            nt(
                "• {bank}: {n} point, {percent} ({correct}/{answered})",
                "• {bank}: {n} points, {percent} ({correct}/{answered})",
                b.points,
                bank=escape(b.bank_title),
                percent=percent(b.correct, b.answered),
                correct=b.correct,
                answered=b.answered,
            )
            for b in stats.banks
        ]
    return "\n".join(lines)


def leaderboard_text(
    board: Leaderboard, scope: str | None, weekly: bool = False, round_points: bool = False
) -> str:
    """A table; a group's counts round points (speed), the others one point a right answer."""
    if scope:
        parts = [t("🏆 <b>Leaderboard</b> — {scope}", scope=user_text(scope, 128))]
    else:
        parts = [t("🏆 <b>Leaderboard</b>")]
    parts.append(t("this week") if weekly else t("all time"))
    if round_points:
        parts.append(t("round points"))
    title = " · ".join(parts)
    if not board.top:
        if round_points:
            return f"{title}\n" + t(
                "No round points here yet: /quiz &lt;bank-id&gt; starts a round."
            )
        return f"{title}\n" + t("Nobody has scored here yet. /quiz and be the first!")
    lines = [title]
    lines += [entry_line(e) for e in board.top]
    if board.me is None:
        lines.append("\n" + t("You have no points here yet. /quiz to get on the board."))
    elif round_points:
        lines.append(
            "\n"
            + nt(
                "You: #{rank} with {n} round point",
                "You: #{rank} with {n} round points",
                board.me.points,
                rank=board.me.rank,
            )
        )
    else:
        lines.append(
            "\n"
            + nt(
                "You: #{rank} with {n} point",
                "You: #{rank} with {n} points",
                board.me.points,
                rank=board.me.rank,
            )
        )
    return "\n".join(lines)


def entry_line(entry: Entry) -> str:
    """A learner's line in a leaderboard: medal or rank, name, points."""
    medal = {1: "🥇", 2: "🥈", 3: "🥉"}.get(entry.rank, f"{entry.rank}.")
    name = escape(display_name(entry.first_name, entry.username))
    return f"{medal} {isolate(name)} — {isolate(entry.points)}"


def display_name(first_name: str, username: str | None) -> str:
    """A user's first name, or @username when the name is blank."""
    name = clip(first_name.strip(), NAME_CHARS)
    return name or (f"@{username}" if username else t("anonymous learner"))


def leaderboard_usage(argument: str) -> str:
    return t(
        "I don't know “{argument}” here. Try /leaderboard, "
        "/leaderboard week, /leaderboard &lt;bank-id&gt; or /leaderboard week &lt;bank-id&gt;.",
        argument=escape(clip(argument, 40)),
    )


def privacy_state(hidden: bool) -> str:
    if hidden:
        return t(
            "🙈 Your name is now hidden: global, per-bank and web tables show you as "
            "“anonymous learner”. Your points still count, and your groups still see your name "
            "in their own tables. The teacher of a bank you play still sees your name in its "
            "results (/report, /export): they need it to follow their class. "
            "/privacy off shows it again."
        )
    return t("👀 Your name is shown on the leaderboards. /privacy on hides it.")


def nobody_named() -> str:
    return t(
        "You are writing anonymously, as the group or as a channel, so I cannot tell whose "
        "score this is. Send it from your own account, or in a private chat with me."
    )


def privacy_usage() -> str:
    return t("Send /privacy to switch, or /privacy on (hide my name) / /privacy off (show it).")


def upload_not_teacher() -> str:
    return t(
        "Thanks! Only teachers can add question banks, so I did not store this file. "
        "Ask the bot's administrator to add you as a teacher."
    )


def upload_wrong_type(file_name: str) -> str:
    return t(
        "I can't read {name}: send a question bank as a "
        "<code>.yaml</code> file, or a Moodle <code>.gift</code> or Aiken <code>.txt</code> "
        "file (a source text goes after /source &lt;bank-id&gt;).",
        name=escape(clip(file_name, 60)),
    )


def upload_too_large(size: int, limit: int) -> str:
    return t(
        "That file is {size} MB, and I take files of at most {limit} MB: nothing was stored.",
        size=format_decimal(size / 1_000_000, "0.0", locale=current().value),
        limit=limit // 1_000_000,
    )


def bank_changes(saved: SaveResult) -> str:
    """What an upload changed, in plain words (the command line prints it too)."""
    if saved.unchanged_bank:
        return t("unchanged, still version {version}", version=saved.version)
    if saved.version == 1:
        return t("new, version 1")
    return t(
        "version {version}: {added} added, {changed} changed, {kept} kept, {retired} retired",
        version=saved.version,
        added=saved.added,
        changed=saved.changed,
        kept=saved.kept,
        retired=saved.retired,
    )


def upload_loaded(saved: SaveResult) -> str:
    bank_id = escape(saved.bank_id)
    lines = [
        nt(
            "✅ Loaded bank <code>{bank}</code> with {n} question ({changes}).",
            "✅ Loaded bank <code>{bank}</code> with {n} questions ({changes}).",
            saved.questions,
            bank=bank_id,
            changes=escape(bank_changes(saved)),
        )
    ]
    if saved.changed:
        lines.append(t("Unchanged questions keep their statistics; changed ones count as new."))
    if saved.visibility == "private":
        lines.append(
            t(
                "It is <b>private</b>: learners reach it through its link, "
                "/share {bank}. /publish {bank} lists it for everyone.",
                bank=bank_id,
            )
        )
    else:
        lines.append(t("It is <b>public</b>: everyone sees it in /banks."))
    lines.append(t("Try it: /quiz {bank}", bank=bank_id))
    return "\n".join(lines)


def _form(amount: float) -> int:
    """The number that picks a plural form for `amount`: a fraction takes the form of 2
    (English "1.5 seconds", Russian "1,5 секунды")."""
    return int(amount) if float(amount).is_integer() else 2


def upload_too_slow(file_name: str, seconds: float) -> str:
    return nt(
        "⏳ {name} took longer than {n} second to read, so I "
        "stopped and stored nothing. Send it again in smaller files.",
        "⏳ {name} took longer than {n} seconds to read, so I "
        "stopped and stored nothing. Send it again in smaller files.",
        _form(seconds),
        name=escape(clip(file_name, 60)),
        n=format_decimal(seconds, locale=current().value),
    )


def upload_not_yours(bank_id: str) -> str:
    return t(
        "The id <code>{bank}</code> belongs to another teacher's bank, so I did not "
        "store this file. Give your bank another <code>id:</code> and send it again.",
        bank=escape(bank_id),
    )


def upload_problems(file_name: str, count: int) -> str:
    return nt(
        "❌ {name} was not loaded: {n} problem to fix.",
        "❌ {name} was not loaded: {n} problems to fix.",
        count,
        name=escape(clip(file_name, 60)),
    )


def bullets(head: str, lines: Sequence[str]) -> str:
    """A heading (HTML) over a bullet per line (plain text)."""
    return "\n".join([head, *(f"• {escape(line)}" for line in lines)])


def more_lines(count: int) -> str:
    """The last bullet of a list cut short: how many more there are (plain text)."""
    return nt("… and {n} more", "… and {n} more", count)


def conversion_skipped(file_name: str, count: int) -> str:
    return nt(
        "⚠️ {n} question in {name} could not be converted, and why:",
        "⚠️ {n} questions in {name} could not be converted, and why:",
        count,
        name=escape(clip(file_name, 60)),
    )


def nothing_converted(file_name: str, skipped: Sequence[str]) -> str:
    lines = [
        t(
            "❌ {name} holds no question I can ask, and why:",
            name=clip(file_name, 60),
        )
    ]
    lines += [f"• {line}" for line in skipped[:10]]
    return escape("\n".join(lines))


def not_a_question_file(file_name: str) -> str:
    return t(
        "I can't read {name} as questions: a <code>.txt</code> file "
        "must be in Aiken format (options <code>A.</code> … and an <code>ANSWER:</code> line) "
        "or GIFT format. To attach a source text, send /source &lt;bank-id&gt; first.",
        name=escape(clip(file_name, 60)),
    )


def not_utf8(file_name: str) -> str:
    return t(
        "{name} is not UTF-8 text; save it as UTF-8 and send it again.",
        name=escape(clip(file_name, 60)),
    )


def source_without_command(file_name: str) -> str:
    return t(
        "To use {name} as a bank's source text, send /source &lt;bank-id&gt; first, then the file.",
        name=escape(clip(file_name, 60)),
    )


def source_usage() -> str:
    return t(
        "Send /source &lt;bank-id&gt;, then the source material as a <code>.txt</code> or "
        "<code>.md</code> file: explanations will quote it."
    )


def source_too_short(length: int, minimum: int) -> str:
    short = nt(
        "That is short for a source text ({n} character).",
        "That is short for a source text ({n} characters).",
        length,
    )
    wanted = nt(
        "Paste {n} character or more, or send the text as a <code>.txt</code> or "
        "<code>.md</code> file.",
        "Paste {n} characters or more, or send the text as a <code>.txt</code> or "
        "<code>.md</code> file.",
        minimum,
    )
    return f"{short} {wanted}"


def source_waiting(bank_id: str) -> str:
    return t(
        "Send the source text for <code>{bank}</code> now: a <code>.txt</code> or "
        "<code>.md</code> file, or paste it as a message.",
        bank=escape(bank_id),
    )


# --- banks built in chat ---


def newbank_usage() -> str:
    return t(
        "Give the bank a title: /newbank &lt;title&gt;, e.g. <code>/newbank The water cycle</code>."
    )


def newbank_in_private() -> str:
    return t("Banks are built in our private chat: send /newbank to me there.")


def newbank_started(title: str) -> str:
    return t(
        "📝 New bank: <b>{title}</b>. Now send me its questions:\n"
        "• a <b>quiz poll</b> (attach → Poll → switch on Quiz mode, mark the right answer);\n"
        "• or questions as text in Aiken form: the question, options <code>A.</code>, "
        "<code>B.</code> …, then <code>ANSWER: B</code>.\n"
        "/source, then a file or the pasted text, gives it its source: every question then "
        "quotes the passage that proves it, and /draft proposes questions from it.\n"
        "/done saves the bank, /cancel drops it.",
        title=escape(title),
    )


def draft_already_open(title: str, questions: int) -> str:
    return nt(
        "Your bank <b>{title}</b> is still open ({n} question). "
        "/done saves it, /cancel drops it; then /newbank starts another.",
        "Your bank <b>{title}</b> is still open ({n} questions). "
        "/done saves it, /cancel drops it; then /newbank starts another.",
        questions,
        title=escape(title),
    )


def no_draft() -> str:
    return t("You have no bank open. /newbank &lt;title&gt; starts one.")


def question_added(number: int, text: str) -> str:
    return t("✅ Question {number} added: {text}", number=number, text=escape(clip(text, 120)))


def delete_button() -> str:
    return t("🗑 Delete")


def keep_bank_button() -> str:
    return t("Keep it")


def done_button() -> str:
    return t("Done")


def undo_button() -> str:
    return t("↩️ Undo")


def question_undone(text: str) -> str:
    return t("↩️ Removed: {text}", text=escape(clip(text, 120)))


def already_undone() -> str:
    return t("That question is no longer in the bank.")


def questions_refused(problems: Sequence[str]) -> str:
    lines = [t("I did not add that: the bank would refuse it.")]
    lines += [f"• {escape(clip(p, 300))}" for p in problems[:10]]
    return "\n".join(lines)


def poll_not_a_quiz() -> str:
    return t(
        "That is a regular poll: nothing in it is the right answer. Make it again with "
        "<b>Quiz mode</b> switched on, and mark the right option."
    )


def poll_answer_hidden() -> str:
    return t(
        "Telegram does not tell bots the right answer of a forwarded quiz. Create the quiz "
        "here in our chat instead (attach → Poll → Quiz mode)."
    )


def poll_without_draft() -> str:
    return t("To turn quiz polls into a bank, start one first: /newbank &lt;title&gt;.")


def poll_for_teachers() -> str:
    return t("Thanks! Only teachers build banks from polls, so I did not keep this one.")


def draft_text_help() -> str:
    return t(
        "Your bank is open: send a quiz poll, or questions as Aiken text (options "
        "<code>A.</code>, <code>B.</code> …, then <code>ANSWER: B</code>). /done saves it."
    )


def draft_source_waiting(title: str) -> str:
    return t(
        "Send the source of <b>{title}</b> now: a <code>.txt</code> or <code>.md</code> "
        "file, or paste the text as a message.",
        title=escape(title),
    )


def draft_source_set(title: str, length: int, questions: int) -> str:
    return nt(
        "📎 “{title}” ({characters}) is the source of your bank: its {n} question, and those "
        "you add, will quote it. /draft proposes questions from it.",
        "📎 “{title}” ({characters}) is the source of your bank: its {n} questions, and those "
        "you add, will quote it. /draft proposes questions from it.",
        questions,
        title=escape(clip(title, 60)),
        characters=nt("{n} character", "{n} characters", length),
    )


def edit_usage() -> str:
    return t("Send /edit &lt;bank-id&gt; to change a bank's questions; /mybanks lists yours.")


def edit_page(bank_id: str, title: str, version: int, questions: Sequence[tuple[int, str]]) -> str:
    lines = [
        t(
            "✏️ <b>{title}</b> (<code>{bank_id}</code>, version {version})",
            title=escape(title),
            bank_id=escape(bank_id),
            version=version,
        ),
        t(
            "🗑 deletes a question; ✏️ replaces it with the next quiz poll or Aiken text you "
            "send. Each change is a new version: learners' answers and scores stay."
        ),
        "",
    ]
    lines += [f"{n}. {escape(clip(text, 90))}" for n, text in questions]
    return "\n".join(lines)


def delete_question_button(number: int) -> str:
    return f"🗑 {number}"


def replace_question_button(number: int) -> str:
    return f"✏️ {number}"


def replace_waiting(text: str) -> str:
    return t(
        "Send the question that replaces “{text}”: a quiz poll, or the question as Aiken "
        "text. /cancel keeps it as it is.",
        text=escape(clip(text, 100)),
    )


def replace_help() -> str:
    return t(
        "I am waiting for the question that replaces one of your bank's: send a quiz poll, or "
        "Aiken text (options <code>A.</code>, <code>B.</code> …, then "
        "<code>ANSWER: B</code>). /cancel keeps it as it is."
    )


def replacement_refused(problems: Sequence[str]) -> str:
    if not problems:
        return t("Send one question to replace it, not several. It is unchanged for now.")
    return questions_refused(problems)


def edit_last_question() -> str:
    return t(
        "That is the bank's last question: a bank needs one. Replace it instead, or "
        "/deletebank to remove the bank."
    )


def edit_question_gone() -> str:
    return t("That question is no longer in the bank (a newer version changed it). /edit again?")


def edit_saved(result: SaveResult) -> str:
    return t(
        "💾 <code>{bank_id}</code> is now version {version}: {added} added, {changed} changed, "
        "{kept} kept, {retired} retired. Answers given before stay in history and scores.",
        bank_id=escape(result.bank_id),
        version=result.version,
        added=result.added,
        changed=result.changed,
        kept=result.kept,
        retired=result.retired,
    )


def bankfile_usage() -> str:
    return t(
        "Send /bankfile &lt;bank-id&gt; for the bank's YAML file, or /bankfile &lt;bank-id&gt; "
        "gift for Moodle GIFT."
    )


def bankfile_caption(bank_id: str, questions: int, gift: bool) -> str:
    return nt(
        "📄 <code>{bank_id}</code> as {format}, {n} question. Edit it and send it back: that is "
        "a new version.",
        "📄 <code>{bank_id}</code> as {format}, {n} questions. Edit it and send it back: that is "
        "a new version.",
        questions,
        bank_id=escape(bank_id),
        format="Moodle GIFT" if gift else "YAML",
    )


def draft_needs_source() -> str:
    return t(
        "/draft writes questions from your bank's source, and it has none yet: send /source, "
        "then the text (a file, or pasted)."
    )


def proposals_intro(count: int) -> str:
    if not count:
        return t(
            "I found nothing more to ask in that source: no sentence with a year, a date, a "
            "number or a name that makes a fair question."
        )
    return nt(
        "✍️ {n} question proposed from your source, one at a time here. Keep the ones you "
        "want: only those join the bank, each quoting its sentence.",
        "✍️ {n} questions proposed from your source, one at a time here. Keep the ones you "
        "want: only those join the bank, each quoting its sentence.",
        count,
    )


def proposal(question: Mapping[str, Any], left: int) -> str:
    """A proposed question; `left`: how many more wait after it."""
    options = " · ".join(escape(str(o)) for o in question.get("options", []))
    after = (
        nt("{n} more after this one.", "{n} more after this one.", left)
        if left
        else t("The last one.")
    )
    return "\n".join(
        [
            f"❓ {escape(str(question['question']))}",
            t("Options: {options}", options=options),
            t("Answer: <b>{answer}</b>", answer=escape(str(question.get("answer", "")))),
            f"<i>{after}</i>",
        ]
    )


def proposals_done(questions: int) -> str:
    return nt(
        "That was the last proposal. Your bank has {n} question: /done saves it, /draft "
        "proposes again from the source.",
        "That was the last proposal. Your bank has {n} questions: /done saves it, /draft "
        "proposes again from the source.",
        questions,
    )


def keep_button() -> str:
    return t("✅ Keep")


def drop_button() -> str:
    return t("✖️ Drop")


def proposal_kept(question: Mapping[str, Any]) -> str:
    return t("✅ Kept: {question}", question=escape(clip(str(question["question"]), 200)))


def proposal_dropped(question: Mapping[str, Any]) -> str:
    return t("✖️ Dropped: {question}", question=escape(clip(str(question["question"]), 200)))


def already_settled() -> str:
    return t("That proposal was kept or dropped already.")


def draft_empty() -> str:
    return t("Your bank has no question yet: send a quiz poll or Aiken text first, then /done.")


def draft_saved(result: SaveResult, links: tuple[str, str]) -> str:
    learner, group = links
    bank_id = escape(result.bank_id)
    return "\n".join(
        [
            nt(
                "💾 Saved the bank <code>{bank_id}</code> with {n} question: private, "
                "version {version}.",
                "💾 Saved the bank <code>{bank_id}</code> with {n} questions: private, "
                "version {version}.",
                result.questions,
                bank_id=bank_id,
                version=result.version,
            ),
            t("Your class opens it with {link}", link=escape(learner)),
            t("A live round in a group: {link}", link=escape(group)),
            t(
                "/report {bank_id} shows how they did; send /edit {bank_id} to change it.",
                bank_id=bank_id,
            ),
        ]
    )


def pasted_source_title() -> str:
    return t("Pasted text")


def nothing_to_cancel() -> str:
    return t("There is nothing to cancel: no bank is open, and I am waiting for nothing.")


def wait_cancelled() -> str:
    return t("All right: I am no longer waiting for that.")


def draft_cancelled(title: str, questions: int) -> str:
    return nt(
        "🗑 Dropped the bank <b>{title}</b> and its {n} question.",
        "🗑 Dropped the bank <b>{title}</b> and its {n} questions.",
        questions,
        title=escape(title),
    )


def source_refused(problem: str) -> str:
    return t(
        "I did not attach that source: {problem}. Fix it and send it again.",
        problem=escape(clip(problem, 300)),
    )


def source_attached(bank_id: str, file_name: str, passages: int) -> str:
    return nt(
        "📎 {file} is now the source of <code>{bank_id}</code>: {n} question now shows a "
        "supporting passage after the answer.",
        "📎 {file} is now the source of <code>{bank_id}</code>: {n} questions now show a "
        "supporting passage after the answer.",
        passages,
        file=escape(clip(file_name, 60)),
        bank_id=escape(bank_id),
    )


def my_banks(owned: Sequence[BankRow], stats: Mapping[str, BankStats]) -> str:
    if not owned:
        return t(
            "You have no banks yet. Send me a question bank as a <code>.yaml</code> file "
            "(or Moodle <code>.gift</code> / Aiken <code>.txt</code>) to add one."
        )
    lines = [t("<b>Your banks</b>")]
    for bank in owned:
        numbers = stats.get(bank.id)
        average = (
            f"{numbers.average:.0%}" if numbers is not None and numbers.average is not None else "—"
        )
        learners = numbers.learners if numbers is not None else 0
        lock = t("🔒 private") if bank.visibility == "private" else t("🌐 public")
        lines.append(
            f"\n<code>{isolate(escape(bank.id))}</code> — {escape(bank.title)}\n"
            + t(
                "{visibility} · version {version} · {questions} · {learners} · "
                "average score {average}",
                visibility=lock,
                version=bank.version,
                questions=nt("{n} question", "{n} questions", bank.question_count),
                learners=nt("{n} learner", "{n} learners", learners),
                average=average,
            )
        )
    lines.append("\n/report &lt;bank-id&gt; · /share &lt;bank-id&gt; · /deletebank &lt;bank-id&gt;")
    return "\n".join(lines)


def share_usage() -> str:
    return t(
        "Send /share &lt;bank-id&gt; for its link, or /share &lt;bank-id&gt; revoke for a new one."
    )


def share_link(
    bank_id: str, title: str, links: tuple[str, str], renewed: bool, visibility: str
) -> str:
    learner_link, group_link = links
    lines = []
    if renewed:
        lines.append(
            t("🔁 The old links no longer work. Learners who already joined keep the bank.")
        )
    lines.append(
        t(
            "Share this link to <b>{title}</b> with your class:\n{link}",
            title=escape(title),
            link=escape(learner_link),
        )
    )
    lines.append(
        t(
            "To play it as a live round in your class group, open this one and pick the group "
            "(I join it if I am not there yet):\n{link}",
            link=escape(group_link),
        )
    )
    if visibility == "private":
        lines.append(t("The bank is private: only the link reaches it."))
    lines.append(t("Replace it with /share {bank_id} revoke.", bank_id=escape(bank_id)))
    return "\n".join(lines)


def visibility_usage(visibility: str) -> str:
    if visibility == "public":
        return t("Send /publish &lt;bank-id&gt;. /mybanks lists your banks.")
    return t("Send /unpublish &lt;bank-id&gt;. /mybanks lists your banks.")


def visibility_set(bank_id: str, visibility: str, changed: bool) -> str:
    bank = escape(bank_id)
    if visibility == "public":
        if changed:
            return t("<code>{bank_id}</code> is public: everyone sees it in /banks.", bank_id=bank)
        return t(
            "Already so: <code>{bank_id}</code> is public: everyone sees it in /banks.",
            bank_id=bank,
        )
    if changed:
        return t("<code>{bank_id}</code> is private: only its share link reaches it.", bank_id=bank)
    return t(
        "Already so: <code>{bank_id}</code> is private: only its share link reaches it.",
        bank_id=bank,
    )


def delete_usage() -> str:
    return t("Send /deletebank &lt;bank-id&gt;. /mybanks lists your banks.")


def confirm_delete(bank_id: str, title: str) -> str:
    return t(
        "Delete <code>{bank_id}</code> — {title}? It disappears from /banks and its link stops "
        "working; answers already given stay in history and scores.",
        bank_id=escape(bank_id),
        title=escape(title),
    )


def bank_deleted(bank_id: str, title: str) -> str:
    return t(
        "🗑 Deleted <code>{bank_id}</code> — {title}. Send the bank file again to bring it back.",
        bank_id=escape(bank_id),
        title=escape(title),
    )


def bank_kept(bank_id: str) -> str:
    return t("Kept <code>{bank_id}</code>; nothing changed.", bank_id=escape(bank_id))


def bank_already_deleted(bank_id: str) -> str:
    return t(
        "🗑 <code>{bank_id}</code> is already deleted. Send the bank file again to bring it back.",
        bank_id=escape(bank_id),
    )


def teacher_not_a_person() -> str:
    return t(
        "That account is not a person: Telegram shows it for every anonymous group admin or "
        "every channel, so it cannot be a teacher. Ask them to write from their own account."
    )


def teacher_usage() -> str:
    return t(
        "Send /teacher add &lt;user id&gt; or /teacher remove &lt;user id&gt; — or the same "
        "without the id as a reply to their message. /teacher alone lists the teachers."
    )


def teacher_list(granted: Sequence[int], configured: Sequence[int]) -> str:
    lines = [t("<b>Teachers</b>")]
    lines += [f"• <code>{user_id}</code>" for user_id in granted]
    lines += [f"• <code>{user_id}</code> (QUIZBOT_TEACHERS)" for user_id in configured]
    if len(lines) == 1:
        lines.append(t("None yet. /teacher add &lt;user id&gt; makes one."))
    return "\n".join(lines)


def teacher_changed(user_id: int, added: bool, changed: bool, configured: bool) -> str:
    if added:
        if changed:
            return t("✅ <code>{user_id}</code> is now a teacher.", user_id=user_id)
        return t("<code>{user_id}</code> already is a teacher.", user_id=user_id)
    if changed:
        text = t("<code>{user_id}</code> is no longer a teacher.", user_id=user_id)
    else:
        text = t("<code>{user_id}</code> was not made a teacher here.", user_id=user_id)
    if configured:
        text += " " + t(
            "They stay one through the bot's settings (QUIZBOT_TEACHERS or QUIZBOT_ADMINS)."
        )
    return text


def not_yours_alert() -> str:
    return t("That button is not yours to press.")


def teachers_only() -> str:
    return t("That is for teachers. Ask the bot's administrator to make you one.")


def admins_only() -> str:
    return t("That is for the bot's administrators.")


def not_your_bank(bank_id: str) -> str:
    return t(
        "You have no bank called <code>{bank_id}</code>. /mybanks lists yours.",
        bank_id=escape(clip(bank_id, 60)),
    )


def something_went_wrong() -> str:
    return t("Sorry, something went wrong on my side. Please try again in a moment.")


def percent(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else "–"


_TAG = re.compile(r"<[^<>]*>")  # the bot's own tags: user text inside is always escaped


def visible_length(text: str) -> int:
    """The length Telegram counts for an HTML text: after entity parsing, in UTF-16 units."""
    shown = html.unescape(_TAG.sub("", text))
    return len(shown.encode("utf-16-le")) // 2


def split_message(lines: Iterable[str], limit: int = MESSAGE_LIMIT) -> list[str]:
    """Pack lines into as few messages as fit Telegram's length limit."""
    chunks: list[str] = []
    current = ""
    for line in lines:
        line = clip(line, limit)
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            chunks.append(current)
            candidate = line
        current = candidate
    if current:
        chunks.append(current)
    return chunks


def tick_something() -> str:
    return t("Tick at least one answer first.")


def not_your_quiz_to_stop() -> str:
    return t("Only the person who started the quiz here can stop it.")


# --- results: /report and /export ---

REPORT_QUESTION_LIMIT = 120  # characters of a question's text in a report
REPORT_OPTION_LIMIT = 60


def results_usage(command: str) -> str:
    """How to ask for a bank's results; `command`: "report" or "export"."""
    if command == "export":
        return t("Send /export &lt;bank-id&gt; for one of your banks. /mybanks lists them.")
    return t("Send /report &lt;bank-id&gt; for one of your banks. /mybanks lists them.")


def results_none_yet(bank_id: str, title: str) -> str:
    return t(
        "Nobody has answered <b>{title}</b> (<code>{bank_id}</code>) yet, so there is nothing "
        "to show. Share it with your class: /share {bank_id}",
        title=escape(title),
        bank_id=escape(bank_id),
    )


def report_lines(bank_id: str, title: str, report: BankReport) -> list[str]:
    """The report as lines (one per question) for split_message."""
    stats = report.stats
    lines = [
        t(
            "📊 <b>Results — {title}</b> (<code>{bank_id}</code>)",
            title=escape(title),
            bank_id=escape(bank_id),
        ),
        t(
            "Learners: <b>{learners}</b> · attempts: <b>{attempts}</b> · "
            "average score: <b>{average}</b>",
            learners=stats.learners,
            attempts=stats.attempts,
            average=_share(stats.average),
        ),
        "\n" + t("<b>Questions, hardest first</b>"),
    ]
    lines += [_report_question(n, q) for n, q in enumerate(report.questions, 1)]
    return lines


def _report_question(number: int, question: QuestionStats) -> str:
    key = escape(question.key)
    if question.right is None:
        head = t("{number}. <code>{key}</code> — not answered yet", number=number, key=key)
    else:
        head = nt(
            "{number}. <code>{key}</code> — <b>{share}</b> right of {n} answer",
            "{number}. <code>{key}</code> — <b>{share}</b> right of {n} answers",
            question.answers,
            number=number,
            key=key,
            share=_share(question.right),
        )
    lines = [head, f"    {escape(clip(question.text, REPORT_QUESTION_LIMIT))}"]
    if question.wrong_option is not None:
        lines.append(
            "    "
            + t(
                "Most chosen wrong: “{option}” ({count}×)",
                option=escape(clip(question.wrong_option, REPORT_OPTION_LIMIT)),
                count=question.wrong_count,
            )
        )
    if question.learned is not None:
        lines.append(
            "    " + t("Learned by {share} of its learners", share=_share(question.learned))
        )
    return "\n".join(lines)


def _share(fraction: float | None) -> str:
    return "–" if fraction is None else f"{fraction:.0%}"


def report_chart_caption(title: str) -> str:
    return t(
        "Share answered right per question, hardest at the top — {title}",
        title=escape(clip(title, 200)),
    )


def export_caption(bank_id: str, answers: int) -> str:
    return nt(
        "📄 {n} answer to <code>{bank_id}</code>, oldest first; times in UTC.",
        "📄 {n} answers to <code>{bank_id}</code>, oldest first; times in UTC.",
        answers,
        bank_id=escape(bank_id),
    )


def mybanks_in_private() -> str:
    return t("Your banks, private ones too, are for our private chat: send /mybanks to me there.")


def export_in_private() -> str:
    return t("The export names every learner, so I send it only in our private chat: ask me there.")


def export_too_large(bank_id: str, size: int, limit: int) -> str:
    return t(
        "The answers to <code>{bank_id}</code> make {size} MB, more than the {limit} MB a bot "
        "may send. Whoever runs the bot can write them to a file with "
        "<code>quizbot export --bank {bank_id}</code>.",
        bank_id=escape(bank_id),
        size=format(size / 1_000_000, ".0f"),
        limit=limit // 1_000_000,
    )


# --- web leaderboard ---


def weblink(link: str, group: str | None, renewed: bool) -> str:
    if group:
        head = t(
            "🌐 The live leaderboard of <b>{group}</b> on the web:",
            group=user_text(group, 128),  # Telegram's limit for a chat's title
        )
    else:
        head = t("🌐 The live leaderboard of <b>this group</b> on the web:")
    lines = [head, escape(link)]
    if renewed:
        lines.append("\n" + t("This is a new address: the old one no longer works."))
    lines.append(
        "\n"
        + t(
            "Anyone with the address sees the group's table (names and points), so share it "
            "with the class only. /weblink revoke makes a new one and retires this one."
        )
    )
    return "\n".join(lines)


def weblink_in_groups_only() -> str:
    return t(
        "Each group has its own web leaderboard: send /weblink in the group (as one of its "
        "admins or a teacher) and I'll answer there with its address."
    )


def weblink_not_allowed(renew: bool) -> str:
    if renew:
        return t("Only the group's admins can renew its web leaderboard address.")
    return t("Only the group's admins and teachers can get its web leaderboard address.")


def weblink_not_configured() -> str:
    return t(
        "The web leaderboard is not set up for this bot. Whoever runs it sets "
        "<code>QUIZBOT_WEB_URL</code> and serves the pages (<code>quizbot web</code>)."
    )


def weblink_usage() -> str:
    return t(
        "Send /weblink for the group's web leaderboard address, /weblink revoke for a new one."
    )


# --- group rounds ---

ROUND_EXAMPLE = "<code>/quiz russia-iran-partnership 5 15s</code>"


def group_hello() -> str:
    return t(
        "👋 Hello! I run live quiz rounds: one question at a time as a quiz poll with a "
        "countdown, everyone answers, and faster right answers score more.\n\n"
        "A group admin or a teacher starts a round with /quiz &lt;bank-id&gt; [questions] "
        "[seconds]s, e.g. {example}. /banks lists the banks, /stop ends a round, "
        "/leaderboard shows the group's table.",
        example=ROUND_EXAMPLE,
    )


def round_usage() -> str:
    return t(
        "Start a live round with /quiz &lt;bank-id&gt; [questions] [seconds per question]s, "
        "e.g. {example} (by default 10 questions, 20 seconds each). /banks lists the banks.",
        example=ROUND_EXAMPLE,
    )


def bad_round_seconds(text: str, shortest: int, longest: int) -> str:
    return nt(
        "“{text}” is not a time per question: give {shortest} to {n} second, like "
        "<code>20s</code>.",
        "“{text}” is not a time per question: give {shortest} to {n} seconds, like "
        "<code>20s</code>.",
        longest,
        text=escape(clip(text, 40)),
        shortest=shortest,
    )


def round_leaders_only() -> str:
    return t(
        "Only the group's admins and teachers can start a round. Ask one of them, or send me "
        "/quiz in a private chat to play on your own."
    )


def round_already_running() -> str:
    return t("A quiz is already running here: let it finish, or /stop it first.")


def round_stop_refused() -> str:
    return t("Only the group's admins and whoever started the round can stop it.")


def round_skips_typed(count: int) -> str:
    return nt(
        "{n} question asking for a typed answer left out: a live round asks polls only.",
        "{n} questions asking for a typed answer left out: a live round asks polls only.",
        count,
    )


def round_started(title: str, count: int, seconds: int) -> str:
    head = t("🎯 <b>Live round: {title}</b>", title=escape(title))
    pace = nt(
        "{n} question, {seconds_each}.",
        "{n} questions, {seconds_each}.",
        count,
        seconds_each=nt("{n} second each", "{n} seconds each", seconds),
    )
    rules = t(
        "Everyone can answer, and your first answer counts: a right one scores 1000 round "
        "points at once, down to 500 at the buzzer, plus a bonus for right answers in a row. Go!"
    )
    return f"{head}\n{pace} {rules}"


def round_question_result(
    position: int, total: int, answers: Sequence[str], result: QuestionResult
) -> list[str]:
    lines = [
        t("⏰ <b>Time's up!</b> Question {position}/{total}", position=position, total=total),
        nt(
            "Answer: <b>{answers}</b>",
            "Answers: <b>{answers}</b>",
            len(answers),
            answers=escape(clip("; ".join(answers), ANSWERS_LIMIT)),
        ),
        nt(
            "{n} answer, {right} right",
            "{n} answers, {right} right",
            result.answered,
            right=result.right,
        )
        if result.answered
        else t("Nobody answered."),
    ]
    if result.fastest is not None:
        name = display_name(result.fastest.first_name, result.fastest.username)
        lines.append(
            t(
                "⚡ Fastest: {name} ({seconds} s)",
                name=escape(name),
                seconds=format(result.fastest.seconds, ".1f"),
            )
        )
    return lines


def round_table(title: str, standings: Sequence[Standing], stopped: bool) -> list[str]:
    if stopped:
        head = t("⏹ <b>Round stopped</b> — {title}", title=escape(title))
    else:
        head = t("🏁 <b>Round over</b> — {title}", title=escape(title))
    lines = [head]
    if not standings:
        return [*lines, t("Nobody answered in this round.")]
    names = [escape(display_name(s.first_name, s.username)) for s in standings]
    lines += [
        f"{medal} {isolate(name)} — {isolate(s.points)}"
        for medal, name, s in zip("🥇🥈🥉", names, standings, strict=False)
    ]
    lines.append("\n" + t("<b>Everyone</b>"))
    lines += [
        t(
            "{rank}. {name} — {points} ({right}/{answered} right)",
            rank=rank,
            name=name,
            points=s.points,
            right=s.right,
            answered=s.answered,
        )
        for rank, (name, s) in enumerate(zip(names, standings, strict=True), 1)
    ]
    lines.append("\n" + t("/leaderboard shows this group's table over all its rounds."))
    return lines


# /language


def language_menu(now: Language, group: bool) -> str:
    if group:
        return t(
            "🌐 Choose this group's language: its rounds and tables speak it. Now: {language}.",
            language=now.native_name,
        )
    return t("🌐 Choose the language I speak with you. Now: {language}.", language=now.native_name)


def language_chosen(group: bool) -> str:
    """Said in the language just chosen."""
    if group:
        return t("✅ This group's rounds and tables are in English now.")
    return t("✅ I speak English with you now. /help lists what I can do.")


def language_admins_only() -> str:
    return t("Only this group's admins can choose its language.")


def language_not_spoken(asked: str, menu: str) -> str:
    return t("I do not speak “{asked}”.", asked=user_text(asked, 16)) + (
        f"\n{menu}" if menu else ""
    )
