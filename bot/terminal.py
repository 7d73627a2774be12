"""`quizbot try`: the same quiz in a terminal, for newcomers and for teachers previewing a bank."""

from __future__ import annotations

import random
import textwrap
from collections.abc import Callable
from pathlib import Path

from quiz.bank import Bank, BankError, Question, QuestionKind, load_bank_file, load_banks_dir
from quiz.explain import passages_for
from quiz.grading import MAX_REPLY_CHARS, Refusal, TypedGrade, grade_typed
from quiz.play import PlannedQuestion, is_correct, plan_quiz, to_original

Ask = Callable[[str], str]
Say = Callable[[str], None]

_QUIT = ("q", "quit", "exit")
_VERDICTS = {True: "✅ Correct!", False: "❌ Not quite."}
_TYPE_IT = {QuestionKind.SHORT_ANSWER: "(type the answer)", QuestionKind.NUMERIC: "(type a number)"}
_ASK_AGAIN = {
    Refusal.EMPTY: "Type the answer in letters or digits, or q to quit.",
    Refusal.TOO_LONG: f"Type just the answer, at most {MAX_REPLY_CHARS} characters, or q to quit.",
    Refusal.NO_NUMBER: "Type a number, such as 42 or 3.5, or q to quit.",
    Refusal.SEVERAL_NUMBERS: "Type one number only, or q to quit.",
    Refusal.WRONG_SCRIPT: (
        "That is not the alphabet of the answer: switch the keyboard layout or the language,"
        " or q to quit."
    ),
}


def play(
    questions_dir: Path,
    choice: str | None,
    count: int | None,
    *,
    ask: Ask = input,
    say: Say = print,
    rng: random.Random | None = None,
) -> int:
    """Pick a bank, ask its questions, explain each answer; returns an exit status."""
    try:
        bank = _pick_bank(questions_dir, choice, ask, say)
    except (EOFError, KeyboardInterrupt):
        return 0
    if bank is None:
        return 1
    passages = passages_for(bank)
    plan = plan_quiz(
        [len(q.options) for q in bank.questions],
        count,
        shuffle_options=[q.kind is QuestionKind.CHOICE for q in bank.questions],
        rng=rng,
    )
    say(f"\n{bank.title} — {len(plan)} questions. {_how_to_answer(bank, plan)}; q quits.\n")
    score = 0
    for number, planned in enumerate(plan, 1):
        question = bank.questions[planned.index]
        say(f"[{number}/{len(plan)}] {question.text}")
        try:
            verdict = _answer(question, planned, ask, say)
        except (EOFError, KeyboardInterrupt):
            verdict = None
        if verdict is None:
            say(f"\nStopped. Score: {score}/{number - 1}")
            return 0
        correct, line = verdict
        score += correct
        say(line)
        say(f"Answer: {'; '.join(question.correct_texts)}")
        if question.explanation:
            say(question.explanation)
        passage = passages[question.id]
        if passage:
            say(textwrap.indent(textwrap.fill(f"“{passage}”", 76), "  │ "))
            if bank.source_title:
                link = f" ({bank.source_url})" if bank.source_url else ""
                say(f"  — {bank.source_title}{link}")
        say("")
    say(f"🏁 Finished: {score}/{len(plan)}")
    return 0


def _how_to_answer(bank: Bank, plan: list[PlannedQuestion]) -> str:
    typed = [bank.questions[planned.index].kind.typed for planned in plan]
    if typed and all(typed):
        return "Type the answers"
    if any(typed):
        return "Answer with the option's number, or type the answer"
    return "Answer with the option's number"


def _pick_bank(directory: Path, choice: str | None, ask: Ask, say: Say) -> Bank | None:
    if choice and Path(choice).suffix.lower() in (".yaml", ".yml"):
        try:
            return load_bank_file(Path(choice))
        except BankError as error:
            say(f"{choice} is not a valid bank:\n{error}")
            return None
    banks, _errors = load_banks_dir(directory) if directory.is_dir() else ([], [])
    if not banks:
        say(f"No valid banks in {directory}/. Pass a bank file: quizbot try path/to/bank.yaml")
        return None
    by_id = {b.id: b for b in banks}
    if choice:
        if choice in by_id:
            return by_id[choice]
        say(f"There is no bank {choice!r}. Banks: {', '.join(sorted(by_id))}")
        return None
    if len(banks) == 1:
        return banks[0]
    for i, bank in enumerate(banks, 1):
        say(f"  {i}. {bank.title} ({bank.id}, {len(bank.questions)} questions)")
    while True:
        picked = ask("Which bank? ").strip()
        if picked.isdigit() and 1 <= int(picked) <= len(banks):
            return banks[int(picked) - 1]
        if picked in by_id:
            return by_id[picked]
        say(f"Type a number from 1 to {len(banks)}.")


def _answer(
    question: Question, planned: PlannedQuestion, ask: Ask, say: Say
) -> tuple[bool, str] | None:
    """Ask for the answer: whether it is right and the line that says so; None to stop."""
    if question.kind.typed:
        say(f"  {_TYPE_IT[question.kind]}")
        grade = _read_typed(question, ask, say)
        return None if grade is None else (grade.correct, _typed_verdict(grade))
    options = [question.options[i] for i in planned.option_order]
    for i, option in enumerate(options, 1):
        say(f"  {i}. {option}")
    shown = _read_choice(len(options), len(question.correct) > 1, ask, say)
    if shown is None:
        return None
    correct = is_correct(question.correct, to_original(planned.option_order, shown))
    return correct, _VERDICTS[correct]


def _typed_verdict(grade: TypedGrade) -> str:
    if not grade.typo_forgiven:
        return _VERDICTS[grade.correct]
    typos = "a typo" if grade.typos == 1 else f"{grade.typos} typos"
    return f"✅ Correct, {typos} forgiven: it is spelt “{grade.matched}”."


def _read_typed(question: Question, ask: Ask, say: Say) -> TypedGrade | None:
    """A reply that is an answer, graded; replies that are not are asked again."""
    while True:
        reply = ask("Your answer: ")
        if reply.strip().lower() in _QUIT:
            return None
        grade = grade_typed(question, reply)
        if grade.refusal is None:
            return grade
        say(_ASK_AGAIN[grade.refusal])


def _read_choice(count: int, multiple: bool, ask: Ask, say: Say) -> list[int] | None:
    prompt = "Your answers (e.g. 1,3): " if multiple else "Your answer: "
    while True:
        text = ask(prompt).strip().lower()
        if text in _QUIT:
            return None
        parts = [p for p in text.replace(",", " ").split() if p]
        valid = parts and all(p.isdigit() and 1 <= int(p) <= count for p in parts)
        if valid and (multiple or len(parts) == 1):
            return sorted({int(p) - 1 for p in parts})
        say(f"Type {'numbers' if multiple else 'a number'} from 1 to {count}, or q to quit.")
