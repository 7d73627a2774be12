"""Every reply the bot sends, in one place so it can be reviewed and translated (HTML)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape

from quiz.explain import clip
from storage.banks import BankSummary
from storage.quizzes import AnsweredQuestion
from storage.scores import Entry, Leaderboard, UserStats

MESSAGE_LIMIT = 4096
# Room for a long answer list next to a 1000-character explanation and passage.
ANSWERS_LIMIT = 1500

COMMANDS: list[tuple[str, str]] = [
    ("quiz", "Start a quiz: /quiz <bank-id> [number of questions]"),
    ("banks", "List the question banks"),
    ("stop", "End the quiz in progress"),
    ("score", "Your points and accuracy"),
    ("leaderboard", "Top learners: /leaderboard [bank-id]"),
    ("help", "What I can do"),
    ("start", "Welcome and how it works"),
]


def welcome(first_name: str) -> str:
    return (
        f"👋 Hi {escape(first_name)}! I quiz you on what you read. After every answer I show "
        "the right answer and <b>the passage of the source that proves it</b>.\n\n"
        "Tap a bank below or send /quiz to start. /help lists everything I can do."
    )


def help_text(is_teacher: bool) -> str:
    lines = ["<b>What I can do</b>"]
    lines += [f"/{name} — {escape(description)}" for name, description in COMMANDS]
    lines.append(
        "\nQuestions come as quiz polls (or buttons when they are too long for a poll). "
        "Your points last: every right answer is one point."
    )
    if is_teacher:
        lines.append(
            "\n<b>For teachers:</b> send me a question bank as a <code>.yaml</code> file to "
            "add it, or send it again with the same id to replace its questions "
            "(scores earned so far are kept)."
        )
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
    return f"There is no bank called <code>{escape(bank_id)}</code>. /banks lists them."


def bad_count(text: str) -> str:
    return (
        f"“{escape(clip(text, 40))}” is not a number of questions. "
        "Try /quiz &lt;bank-id&gt; 5, or leave the number out for 10."
    )


def bank_empty(title: str) -> str:
    return f"“{escape(title)}” has no questions to ask right now."


def quiz_started(title: str, count: int, available: int, replaced: bool) -> str:
    note = ""
    if count < available:
        note = f" (of {available})"
    lines = [f"📚 <b>{escape(title)}</b>: {plural(count, 'question')}{note}. Good luck!"]
    if replaced:
        lines.append("Your previous quiz here was stopped.")
    return "\n".join(lines)


def count_capped(requested: int, available: int) -> str:
    return f"The bank has only {plural(available, 'question')}, so you get all of them."


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


def option_label(index: int) -> str:
    return "ABCDEFGHIJKL"[index]


def feedback(
    *,
    correct: bool,
    answers: Sequence[str],
    explanation: str | None,
    passage: str | None,
    source_title: str,
    source_url: str | None,
    score: int,
    answered: int,
) -> str:
    verdict = "✅ <b>Correct!</b>" if correct else "❌ <b>Not quite.</b>"
    label = "Answer" if len(answers) == 1 else "Answers"
    lines = [verdict, f"{label}: <b>{escape(clip('; '.join(answers), ANSWERS_LIMIT))}</b>"]
    if explanation:
        lines.append(escape(explanation))
    if passage:
        source = escape(source_title)
        if source_url:
            source = f'<a href="{escape(source_url, quote=True)}">{source}</a>'
        lines.append(f"\n<blockquote>{escape(passage)}</blockquote>\n— {source}")
    lines.append(f"\nScore so far: {score}/{answered}")
    return "\n".join(lines)


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


def nothing_to_stop() -> str:
    return "No quiz is running. /quiz starts one."


def answer_with_buttons() -> str:
    return "Answer the question above by tapping an option, or /stop to end the quiz."


def idle_hint() -> str:
    return "Send /quiz to start a quiz, /banks to see what there is, or /help."


def unknown_command(command: str) -> str:
    return f"I don't know {escape(clip(command, 40))}. /help lists what I can do."


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


def leaderboard_text(board: Leaderboard, scope: str | None) -> str:
    title = "🏆 <b>Leaderboard</b>" + (f" — {escape(scope)}" if scope else "")
    if not board.top:
        return f"{title}\nNobody has scored here yet. /quiz and be the first!"
    lines = [title]
    lines += [_entry_line(e) for e in board.top]
    if board.me is None:
        lines.append("\nYou have no points here yet. /quiz to get on the board.")
    else:
        lines.append(f"\nYou: #{board.me.rank} with {plural(board.me.points, 'point')}")
    return "\n".join(lines)


def _entry_line(entry: Entry) -> str:
    medal = {1: "🥇", 2: "🥈", 3: "🥉"}.get(entry.rank, f"{entry.rank}.")
    return f"{medal} {escape(display_name(entry.first_name, entry.username))} — {entry.points}"


def display_name(first_name: str, username: str | None) -> str:
    """A user's first name, or @username when the name is blank."""
    name = clip(first_name.strip(), 64)
    return name or (f"@{username}" if username else "anonymous learner")


def upload_not_teacher() -> str:
    return (
        "Thanks! Only teachers can add question banks, so I did not store this file. "
        "Ask the bot's administrator to add you as a teacher."
    )


def upload_wrong_type(file_name: str) -> str:
    return (
        f"I can't read {escape(clip(file_name, 60))}: send a question bank as a "
        "<code>.yaml</code> or <code>.yml</code> file."
    )


def upload_too_large(size: int, limit: int) -> str:
    return f"That file is {size / 1_000_000:.1f} MB; a bank may be at most {limit // 1_000_000} MB."


def upload_loaded(
    bank_id: str, questions: int, added: int, updated: int, retired: int, unchanged: bool
) -> str:
    lines = [f"✅ Loaded bank <code>{escape(bank_id)}</code> with {plural(questions, 'question')}."]
    if unchanged:
        lines.append("It is the same as the copy I already had.")
    elif updated or retired:
        lines.append(
            f"Replaced an earlier version: {added} new, {updated} kept, {retired} retired. "
            "Scores earned so far are kept."
        )
    lines.append(f"Try it: /quiz {escape(bank_id)}")
    return "\n".join(lines)


def upload_problems(file_name: str, problems: Sequence[str]) -> str:
    head = (
        f"❌ {escape(clip(file_name, 60))} was not loaded: "
        f"{plural(len(problems), 'problem')} to fix."
    )
    return "\n".join([head, *(f"• {escape(p)}" for p in problems)])


def something_went_wrong() -> str:
    return "Sorry, something went wrong on my side. Please try again in a moment."


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def percent(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else "–"


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
    return "Tick at least one answer first."


def not_your_quiz_to_stop() -> str:
    return "Only the person who started the quiz here can stop it."
