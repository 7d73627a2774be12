"""Every reply the bot sends, in one place so it can be reviewed and translated (HTML)."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from html import escape
from typing import TYPE_CHECKING, Any

from bot.i18n import Language, t
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

COMMANDS: list[tuple[str, str]] = [
    ("quiz", "Start a quiz: /quiz <bank-id> [number of questions]"),
    ("banks", "List the question banks"),
    ("stop", "End the quiz in progress"),
    ("score", "Your points and accuracy"),
    ("leaderboard", "Top learners: /leaderboard [week] [bank-id]"),
    ("review", "Review the questions you are due to see again: /review [bank-id]"),
    ("progress", "What you have learned, what is due, and your day streak"),
    ("privacy", "Hide or show your name on the leaderboards"),
    ("remind", "A daily reminder to review: /remind HH:MM [Area/City], or off"),
    ("language", "Choose my language: English, Русский, فارسی"),
    ("help", "What I can do"),
    ("start", "Welcome and how it works"),
]

TEACHER_COMMANDS: list[tuple[str, str]] = [
    ("newbank", "Build a bank in chat: /newbank <title>, then send quiz polls"),
    ("edit", "Delete or replace a bank's questions: /edit <bank-id>"),
    ("bankfile", "A bank's file to edit offline: /bankfile <bank-id> [gift]"),
    ("mybanks", "Your banks: version, questions, learners, average score"),
    ("share", "A bank's share link: /share <bank-id> [revoke]"),
    ("publish", "List a bank in /banks for everyone: /publish <bank-id>"),
    ("unpublish", "Make a bank private again: /unpublish <bank-id>"),
    ("source", "Attach the source text to a bank: /source <bank-id>, then the file"),
    ("report", "How your class did: /report <bank-id>"),
    ("export", "Every answer as CSV: /export <bank-id>"),
    ("deletebank", "Hide a bank (answers stay in history): /deletebank <bank-id>"),
    ("weblink", "In a group: its live leaderboard on the web: /weblink [revoke]"),
]
ADMIN_COMMANDS: list[tuple[str, str]] = [
    ("teacher", "Make a teacher: /teacher add|remove <user id>, or reply to their message"),
]


NAME_CHARS = 64  # Telegram's own limit for a first name; a forged update can carry more


def user_text(text: str, limit: int = NAME_CHARS) -> str:
    """Text a user chose (a name, a group's title), clipped and escaped for HTML: the one
    way such text enters a message, so that none can outgrow Telegram's limits."""
    return escape(clip(text.strip(), limit))


def welcome(first_name: str) -> str:
    return (
        f"👋 Hi {user_text(first_name)}! I quiz you on what you read. After every answer I show "
        "the right answer and <b>the passage of the source that proves it</b>.\n\n"
        "Tap a bank below or send /quiz to start. /help lists everything I can do."
    )


def help_text(is_teacher: bool, is_admin: bool = False) -> str:
    lines = ["<b>What I can do</b>"]
    lines += [f"/{name} — {escape(description)}" for name, description in COMMANDS]
    lines.append(
        "\nQuestions come as quiz polls (or buttons when they are too long for a poll). "
        "Your points last: every right answer is one point (/score). I remember what you got "
        "wrong and when each question is due again: /review brings them back, spaced out "
        "until you know them.\n"
        "In a group, an admin or a teacher starts a live round for everyone with "
        "/quiz &lt;bank-id&gt; [questions] [seconds]s: the faster a right answer, the more "
        "<i>round points</i> it earns on the group's own table (/leaderboard there)."
    )
    lines.append(
        "\n⏰ /remind 08:00 reminds you every day at 08:00 when questions are due for review; "
        "/remind 08:00 Europe/Berlin counts in your own time zone."
    )
    if is_teacher:
        lines.append(
            "\n<b>For teachers</b>\n"
            "Send a question bank as a <code>.yaml</code> file (Moodle <code>.gift</code> and "
            "Aiken <code>.txt</code> work too). Send it again with the same id for a new "
            "version: unchanged questions keep their statistics."
        )
        lines += [f"/{name} — {escape(description)}" for name, description in TEACHER_COMMANDS]
    if is_admin:
        lines.append("\n<b>For admins</b>")
        lines += [f"/{name} — {escape(description)}" for name, description in ADMIN_COMMANDS]
    return "\n".join(lines)


def bank_list(banks: Sequence[BankSummary]) -> str:
    if not banks:
        return "There are no question banks yet. A teacher can add one by sending a .yaml file."
    lines = ["<b>Question banks</b>"]
    lines += [
        f"• <code>{escape(b.id)}</code> — {escape(b.title)} ({plural(b.questions, 'question')})"
        for b in banks
    ]
    lines.append("\nStart one with /quiz &lt;bank-id&gt; [questions], or tap it below.")
    return "\n".join(lines)


def choose_bank() -> str:
    return "Which bank would you like to be quizzed on?"


def no_banks() -> str:
    return "There are no question banks yet, so there is nothing to quiz you on."


def unknown_bank(bank_id: str) -> str:
    shown = escape(clip(bank_id, 60))  # ids have 48 characters at most; a user's text any
    text = f"There is no bank called <code>{shown}</code>. /banks lists them."
    if bank_id.isdigit():  # "/quiz 5": a number of questions, without the bank
        text += f" For {shown} questions of a bank: /quiz &lt;bank-id&gt; {shown}"
    return text


def leaderboard_unknown(word: str) -> str:
    return (
        f"There is no bank called <code>{escape(clip(word, 48))}</code>. Try /leaderboard week, "
        "/leaderboard all or /leaderboard &lt;bank-id&gt;; /banks lists the banks."
    )


def quiz_usage() -> str:
    return (
        "Send /quiz &lt;bank-id&gt; [number of questions], e.g. /quiz &lt;bank-id&gt; 5. "
        "Seconds per question are for live rounds in groups. /banks lists the banks."
    )


def bad_count(text: str) -> str:
    return (
        f"“{escape(clip(text, 40))}” is not a number of questions. "
        "Try /quiz &lt;bank-id&gt; 5, or leave the number out for 10."
    )


def bank_empty(title: str, no_polls: bool = False) -> str:
    if no_polls:  # a live round asks only what fits a poll
        return (
            f"No question of “{escape(title)}” can be a poll (too long, or asking for a typed "
            "answer), so it can't be a live round. Learners can still take it in a private "
            "chat with me."
        )
    return f"“{escape(title)}” has no questions to ask right now."


def quiz_started(title: str, count: int, available: int, replaced: tuple[int, int] | None) -> str:
    """`replaced`: the right answers and questions answered of the quiz this one replaces."""
    note = ""
    if count < available:
        note = f" (of {available})"
    lines = [f"📚 <b>{escape(title)}</b>: {plural(count, 'question')}{note}. Good luck!"]
    if replaced is not None:
        right, answered = replaced
        lines.append(f"Your previous quiz here was stopped at {right}/{answered} right.")
    return "\n".join(lines)


def count_capped(available: int, too_long: int = 0) -> str:
    if too_long:
        return (
            f"Only {plural(available, 'question')} of the bank fit a poll "
            f"({too_long} too long for a live round), so you get all of them."
        )
    return f"The bank has only {plural(available, 'question')}, so you get all of them."


def length_capped(longest: int) -> str:
    return f"A quiz has at most {longest} questions, so you get {longest}."


def question_header(position: int, total: int) -> str:
    return f"[{position}/{total}] "


def question_message(
    position: int, total: int, text: str, options: Sequence[str], multiple: bool
) -> str:
    # Twelve long options can outgrow one message: shorten the options, never the question.
    room = (MESSAGE_LIMIT - 300 - len(escape(text))) // max(len(options), 1) - 12
    lines = [f"<b>Question {position}/{total}</b>", escape(text), ""]
    lines += [f"<b>{option_label(i)}.</b> {escape(clip(o, room))}" for i, o in enumerate(options)]
    if multiple:
        lines.append("\n<i>Several answers are right: tick them all, then press Done.</i>")
    return "\n".join(lines)


def typed_question(position: int, total: int, text: str, numeric: bool) -> str:
    how = "Type the number and send it." if numeric else "Type your answer and send it."
    return f"<b>Question {position}/{total}</b>\n{escape(text)}\n\n✍️ <i>{how}</i>"


def typed_placeholder(numeric: bool) -> str:
    return "A number" if numeric else "Your answer"


def typo_forgiven(spelling: str, typos: int) -> str:
    what = "a typo" if typos == 1 else f"{typos} typos"
    return f"✍️ Right, with {what} forgiven: it is spelt “{escape(spelling)}”."


def not_an_answer(refusal: Refusal) -> str:
    return {
        Refusal.EMPTY: "That has no letters or digits to check. Type your answer as words.",
        Refusal.TOO_LONG: (
            f"That is too long for an answer (over {MAX_REPLY_CHARS} characters). "
            "Type just the answer."
        ),
        Refusal.NO_NUMBER: "I see no number in that. Type the number, e.g. 2013.",
        Refusal.SEVERAL_NUMBERS: "I see more than one number in that. Type just one.",
        Refusal.WRONG_SCRIPT: (
            "That is written in another alphabet than the answer: check your keyboard "
            "layout and type it again."
        ),
    }[refusal]


def option_label(index: int) -> str:
    return "ABCDEFGHIJKL"[index]


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
) -> str:
    """`note`: a line of its own under the score (when a review question comes back);
    `asked`: the question answered, named on the verdict's line (the feedback travels with
    the next question, so it says which one it is about)."""
    verdict = "✅ <b>Correct!</b>" if correct else "❌ <b>Not quite.</b>"
    if asked:
        verdict += f" <i>{answered}. {escape(clip(asked, ASKED_CHARS))}</i>"
    label = "Answer" if len(answers) == 1 else "Answers"
    lines = [verdict, f"{label}: <b>{escape(clip('; '.join(answers), answers_limit))}</b>"]
    lines += explained(explanation, passage, source_title, source_url)
    lines.append(f"\nScore so far: {score}/{answered}")
    if note:
        lines.append(note)
    return "\n".join(lines)


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


def summary(title: str, score: int, results: Sequence[AnsweredQuestion], stopped: bool) -> str:
    head = "⏹ <b>Quiz stopped</b>" if stopped else "🏁 <b>Quiz finished</b>"
    answered = sum(r.correct is not None for r in results)
    lines = [f"{head} — {escape(title)}", f"Score: <b>{score}/{answered}</b>", ""]
    marks = {True: "✅", False: "❌", None: "▫️"}
    lines += [
        f"{marks[r.correct]} {i}. {escape(clip(r.text, 70))}" for i, r in enumerate(results, 1)
    ]
    lines.append("\n/quiz to play again · /score · /leaderboard")
    return "\n".join(lines)


def progress_text(banks: Sequence[BankProgress], streak: int) -> str:
    lines = ["<b>Your progress</b>", _streak(streak)]
    if not banks:
        lines.append("Nothing to show yet: /quiz starts a quiz, and I keep track from there.")
    for bank in banks:
        lines += [
            f"\n<b>{escape(bank.title)}</b> (<code>{escape(bank.bank_id)}</code>)",
            f"Learned: {bank.learned} · in progress: {bank.in_progress} · "
            f"due now: {bank.due} · not seen yet: {bank.unseen}",
        ]
    if any(bank.due for bank in banks):
        lines.append("\n/review asks what is due.")
    return "\n".join(lines)


def _streak(days: int) -> str:
    if not days:
        return "Day streak: none yet. Answer a question today to start one."
    return f"🔥 Day streak: <b>{plural(days, 'day')}</b> in a row."


def review_title() -> str:
    return "Review of your due questions"


def review_started(count: int, more: int, replaced: tuple[int, int] | None) -> str:
    lines = [f"🔁 <b>Review</b>: {plural(count, 'question')} due, the most overdue first."]
    if more:
        lines.append(f"{plural(more, 'more question')} will be due after these: /review again.")
    lines.append("A question you get wrong comes back later in this review.")
    if replaced is not None:
        right, answered = replaced
        lines.append(f"Your previous quiz here was stopped at {right}/{answered} right.")
    return "\n".join(lines)


def nothing_due(next_in: timedelta | None) -> str:
    if next_in is None:
        return "🎉 Nothing to review: every question you answered is learned. /quiz for new ones."
    return (
        f"🎉 Nothing is due for review now. The next question is due in {duration(next_in)}. "
        "/quiz meanwhile?"
    )


def review_never_answered() -> str:
    return (
        "You have nothing to review yet: I schedule reviews of the questions you answer. "
        "Start with /quiz."
    )


def review_in_private() -> str:
    return "Reviews are your own: send /review to me in a private chat."


def next_review(comes_back_in: timedelta) -> str:
    return f"🔁 Next review of this question in {duration(comes_back_in)}."


def asked_again_later() -> str:
    return "🔁 It comes back later in this review."


def review_button() -> str:
    return "🔁 Review now"


def reminder(due: int, streak: int) -> str:
    verb = "is" if due == 1 else "are"
    lines = [f"⏰ <b>Time to review</b>: {plural(due, 'question')} {verb} due."]
    if streak:
        lines.append(f"🔥 Your day streak: {plural(streak, 'day')} in a row.")
    else:
        lines.append("Answer one today to start a day streak.")
    return "\n".join(lines)


def reminder_set(minute: int, zone: str, next_local: datetime, next_in: timedelta) -> str:
    times = _reminder_times(minute, zone, next_local, next_in)
    return f"⏰ Reminder set: {times} /remind off ends it."


def reminder_shown(minute: int, zone: str, next_local: datetime, next_in: timedelta) -> str:
    return (
        f"⏰ Your reminder: {_reminder_times(minute, zone, next_local, next_in)} "
        "/remind HH:MM changes it, /remind off ends it."
    )


def _reminder_times(minute: int, zone: str, next_local: datetime, next_in: timedelta) -> str:
    day = f"{next_local:%a} {next_local.day} {next_local:%b}"
    return (
        f"every day at {clock_time(minute)} ({escape(zone)}), when questions are due for review. "
        f"Next: {day} at {next_local:%H:%M}, in {duration(next_in)}."
    )


def clock_time(minute: int) -> str:
    """A minute of the day as a 24-hour clock shows it."""
    return f"{minute // 60:02d}:{minute % 60:02d}"


def no_reminder() -> str:
    return (
        "You have no reminder. /remind 08:00 reminds you every day at 08:00 when questions are "
        "due for review, /remind 08:00 Europe/Berlin in your own time zone."
    )


def reminder_off(had_one: bool) -> str:
    if had_one:
        return "⏰ Reminder off: no more reminders. /remind HH:MM sets a new one."
    return "You had no reminder. /remind HH:MM sets one."


def remind_bad_time(word: str) -> str:
    return (
        f"“{escape(clip(word, 40))}” is not a time of day: send /remind HH:MM on the 24-hour "
        "clock, e.g. /remind 08:00 or /remind 19:30."
    )


def remind_unknown_zone(word: str) -> str:
    return (
        f"“{escape(clip(word, 70))}” is not a time zone I know: give it as Area/City, "
        "e.g. /remind 08:00 Europe/Berlin."
    )


def remind_usage(words: str) -> str:
    return (
        f"“{escape(clip(words, 70))}” is more than /remind takes: send /remind HH:MM "
        "[Area/City] for a daily reminder, /remind off to end it, or /remind alone to see it."
    )


def remind_in_private() -> str:
    return "Reminders are your own: send /remind to me in a private chat."


def duration(span: timedelta) -> str:
    """A span as people say it: the largest unit that fits, rounded down."""
    seconds = max(0, int(span.total_seconds()))
    for unit, size in (
        ("year", 365 * 86400),
        ("month", 30 * 86400),
        ("day", 86400),
        ("hour", 3600),
        ("minute", 60),
    ):
        if seconds >= size:
            return plural(seconds // size, unit)
    return "less than a minute"


def nothing_to_stop(in_group: bool = False) -> str:
    if in_group:
        return (
            "No round is running. A group admin or a teacher starts one with /quiz &lt;bank-id&gt;."
        )
    return "No quiz is running. /quiz starts one."


def answer_with_buttons() -> str:
    return "Answer the question above by tapping an option, or /stop to end the quiz."


def idle_hint() -> str:
    return "Send /quiz to start a quiz, /banks to see what there is, or /help."


def unknown_command(command: str) -> str:
    return f"I don't know {escape(clip(command, 40))}. /help lists what I can do."


def slow_down() -> str:
    return (
        "⏳ Slow down a little: you are sending faster than I can answer, so I skipped some of"
        " your messages. Answers to questions always count. Try again in a few seconds."
    )


def stale_question() -> str:
    return "That question is no longer open."


def not_your_quiz() -> str:
    return "That question belongs to someone else's quiz."


def score_text(stats: UserStats | None) -> str:
    if stats is None:
        return "You have no points yet. /quiz starts a quiz."
    lines = [
        "<b>Your score</b>",
        f"Points: <b>{stats.points}</b>",
        f"Accuracy: {percent(stats.correct, stats.answered)} "
        f"({stats.correct} of {plural(stats.answered, 'answer')} right)",
    ]
    if stats.banks:
        lines.append("\n<b>By bank</b>")
        lines += [
            f"• {escape(b.bank_title)}: {plural(b.points, 'point')}, "
            f"{percent(b.correct, b.answered)} ({b.correct}/{b.answered})"
            for b in stats.banks
        ]
    return "\n".join(lines)


def leaderboard_text(
    board: Leaderboard, scope: str | None, weekly: bool = False, round_points: bool = False
) -> str:
    """A table; a group's counts round points (speed), the others one point a right answer."""
    unit = "round point" if round_points else "point"
    title = "🏆 <b>Leaderboard</b>" + (f" — {user_text(scope, 128)}" if scope else "")
    title += " · this week" if weekly else " · all time"
    title += " · round points" if round_points else ""
    if not board.top:
        if round_points:
            return f"{title}\nNo round points here yet: /quiz &lt;bank-id&gt; starts a round."
        return f"{title}\nNobody has scored here yet. /quiz and be the first!"
    lines = [title]
    lines += [_entry_line(e) for e in board.top]
    if board.me is None:
        lines.append("\nYou have no points here yet. /quiz to get on the board.")
    else:
        lines.append(f"\nYou: #{board.me.rank} with {plural(board.me.points, unit)}")
    return "\n".join(lines)


def _entry_line(entry: Entry) -> str:
    medal = {1: "🥇", 2: "🥈", 3: "🥉"}.get(entry.rank, f"{entry.rank}.")
    return f"{medal} {escape(display_name(entry.first_name, entry.username))} — {entry.points}"


def display_name(first_name: str, username: str | None) -> str:
    """A user's first name, or @username when the name is blank."""
    name = clip(first_name.strip(), NAME_CHARS)
    return name or (f"@{username}" if username else "anonymous learner")


def leaderboard_usage(argument: str) -> str:
    return (
        f"I don't know “{escape(clip(argument, 40))}” here. Try /leaderboard, "
        "/leaderboard week, /leaderboard &lt;bank-id&gt; or /leaderboard week &lt;bank-id&gt;."
    )


def privacy_state(hidden: bool) -> str:
    if hidden:
        return (
            "🙈 Your name is now hidden: global, per-bank and web tables show you as "
            "“anonymous learner”. Your points still count, and your groups still see your name "
            "in their own tables. The teacher of a bank you play still sees your name in its "
            "results (/report, /export): they need it to follow their class. "
            "/privacy off shows it again."
        )
    return "👀 Your name is shown on the leaderboards. /privacy on hides it."


def nobody_named() -> str:
    return (
        "You are writing anonymously, as the group or as a channel, so I cannot tell whose "
        "score this is. Send it from your own account, or in a private chat with me."
    )


def privacy_usage() -> str:
    return "Send /privacy to switch, or /privacy on (hide my name) / /privacy off (show it)."


def upload_not_teacher() -> str:
    return (
        "Thanks! Only teachers can add question banks, so I did not store this file. "
        "Ask the bot's administrator to add you as a teacher."
    )


def upload_wrong_type(file_name: str) -> str:
    return (
        f"I can't read {escape(clip(file_name, 60))}: send a question bank as a "
        "<code>.yaml</code> file, or a Moodle <code>.gift</code> or Aiken <code>.txt</code> "
        "file (a source text goes after /source &lt;bank-id&gt;)."
    )


def upload_too_large(size: int, limit: int) -> str:
    return (
        f"That file is {size / 1_000_000:.1f} MB, and I take files of at most "
        f"{limit // 1_000_000} MB: nothing was stored."
    )


def bank_changes(saved: SaveResult) -> str:
    """What an upload changed, in plain words (the command line prints it too)."""
    if saved.unchanged_bank:
        return f"unchanged, still version {saved.version}"
    if saved.version == 1:
        return "new, version 1"
    return (
        f"version {saved.version}: {saved.added} added, {saved.changed} changed, "
        f"{saved.kept} kept, {saved.retired} retired"
    )


def upload_loaded(saved: SaveResult) -> str:
    bank_id = saved.bank_id
    lines = [
        f"✅ Loaded bank <code>{escape(bank_id)}</code> with "
        f"{plural(saved.questions, 'question')} ({escape(bank_changes(saved))})."
    ]
    if saved.changed:
        lines.append("Unchanged questions keep their statistics; changed ones count as new.")
    if saved.visibility == "private":
        lines.append(
            "It is <b>private</b>: learners reach it through its link, "
            f"/share {escape(bank_id)}. /publish {escape(bank_id)} lists it for everyone."
        )
    else:
        lines.append("It is <b>public</b>: everyone sees it in /banks.")
    lines.append(f"Try it: /quiz {escape(bank_id)}")
    return "\n".join(lines)


def upload_too_slow(file_name: str, seconds: float) -> str:
    return (
        f"⏳ {escape(clip(file_name, 60))} took longer than {seconds:g} seconds to read, so I "
        "stopped and stored nothing. Send it again in smaller files."
    )


def upload_not_yours(bank_id: str) -> str:
    return (
        f"The id <code>{escape(bank_id)}</code> belongs to another teacher's bank, so I did not "
        "store this file. Give your bank another <code>id:</code> and send it again."
    )


def upload_problems(file_name: str, count: int) -> str:
    return f"❌ {escape(clip(file_name, 60))} was not loaded: {plural(count, 'problem')} to fix."


def bullets(head: str, lines: Sequence[str]) -> str:
    """A heading (HTML) over a bullet per line (plain text)."""
    return "\n".join([head, *(f"• {escape(line)}" for line in lines)])


def conversion_skipped(file_name: str, count: int) -> str:
    return (
        f"⚠️ {plural(count, 'question')} in {escape(clip(file_name, 60))} could not be "
        "converted (I ask choice and true/false questions only):"
    )


def nothing_converted(file_name: str, skipped: Sequence[str]) -> str:
    lines = [f"❌ {clip(file_name, 60)} holds no question I can ask (choice or true/false)."]
    lines += [f"• {line}" for line in skipped[:10]]
    return escape("\n".join(lines))


def not_a_question_file(file_name: str) -> str:
    return (
        f"I can't read {escape(clip(file_name, 60))} as questions: a <code>.txt</code> file "
        "must be in Aiken format (options <code>A.</code> … and an <code>ANSWER:</code> line) "
        "or GIFT format. To attach a source text, send /source &lt;bank-id&gt; first."
    )


def not_utf8(file_name: str) -> str:
    return f"{escape(clip(file_name, 60))} is not UTF-8 text; save it as UTF-8 and send it again."


def source_without_command(file_name: str) -> str:
    return (
        f"To use {escape(clip(file_name, 60))} as a bank's source text, send "
        "/source &lt;bank-id&gt; first, then the file."
    )


def source_usage() -> str:
    return (
        "Send /source &lt;bank-id&gt;, then the source material as a <code>.txt</code> or "
        "<code>.md</code> file: explanations will quote it."
    )


def source_too_short(length: int, minimum: int) -> str:
    return (
        f"That is short for a source text ({plural(length, 'character')}). Paste {minimum} "
        "characters or more, or send the text as a <code>.txt</code> or <code>.md</code> file."
    )


def source_waiting(bank_id: str) -> str:
    return (
        f"Send the source text for <code>{escape(bank_id)}</code> now: a <code>.txt</code> or "
        "<code>.md</code> file, or paste it as a message."
    )


# --- banks built in chat ---


# The top import gains `nt` in the branch converting the texts above; drop this line then.
from bot.i18n import nt  # noqa: E402


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
            f"\n<code>{escape(bank.id)}</code> — {escape(bank.title)}\n"
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


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


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
        f"{medal} {name} — {s.points}"
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
