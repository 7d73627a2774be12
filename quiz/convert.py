"""Moodle question files (GIFT and Aiken) converted to our bank format; what cannot be is reported.

The bank comes back as plain data; every question in it passes the bank's validation, and every
question left out is reported with its line and the reason, never dropped silently.
"""

from __future__ import annotations

import html
import itertools
import math
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any, Literal

import yaml

from quiz.answertext import normalize_answer
from quiz.bank import (
    ID_PATTERN,
    MAX_EXPLANATION_CHARS,
    MAX_OPTION_CHARS,
    MAX_OPTIONS,
    MAX_QUESTION_CHARS,
    MAX_QUESTIONS,
    MAX_SHORT_ANSWER_CHARS,
    MAX_TITLE_CHARS,
    MIN_OPTIONS,
    TAG_PATTERN,
    QuestionKind,
    normalize_text,
)
from quiz.messages import N_, Message, nt, said
from quiz.yamlsource import Yaml12Resolver

MAX_ID_CHARS = 48  # as ID_PATTERN allows
MAX_TAG_CHARS = 32  # as TAG_PATTERN allows
# A question as written (markup, feedback and title included) is refused past this, before any
# pattern reads it: some four times what a question holds at most once read (5,600 characters).
MAX_RAW_QUESTION_CHARS = 20_000
_TOO_LONG = nt(
    "longer than {size} character as written",
    "longer than {size} characters as written",
    MAX_RAW_QUESTION_CHARS,
    size=format(MAX_RAW_QUESTION_CHARS, ","),
)
EXCERPT_CHARS = 60

# What the bank refuses in any text (C0 and C1 controls but tab and line feed), and lone
# surrogates, which cannot be encoded at all.
_BAD_CHARACTER = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


@dataclass(frozen=True)
class Unsupported:
    """A question that could not be converted, reported rather than dropped."""

    line: int  # 1-based line where the question starts
    # "essay", "matching", "description", or with the reason "malformed: <why>" and
    # "unsupported: <why>" (a kind of question that converts, but not this one)
    kind: str
    text: str  # the beginning of the question, on one line
    why: Message | None = field(default=None, compare=False)  # the <why>, as data to translate

    def said(self) -> Message:
        """What is wrong, to be shown in the reader's language: "line 3: essay question is not
        supported: Describe…"."""
        kind, _, why = self.kind.partition(": ")
        if kind in _UNSUPPORTED and not why:
            problem = said(_UNSUPPORTED[kind])
        elif kind in _WHY and why:
            problem = said(_WHY[kind], why=self.why or why)
        elif why:  # a kind this module does not make: in English only
            problem = said("{kind} question ({why})", kind=kind, why=why)
        else:
            problem = said("{kind} question is not supported", kind=kind)
        if self.text:
            return said(
                N_("line {line}: {problem}: {text}"),
                line=self.line,
                problem=problem,
                text=self.text,
            )
        return said(N_("line {line}: {problem}"), line=self.line, problem=problem)

    def __str__(self) -> str:
        return str(self.said())


_UNSUPPORTED = {
    "essay": N_("essay question is not supported"),
    "matching": N_("matching question is not supported"),
    "description": N_("description question is not supported"),
}
_WHY = {
    "malformed": N_("malformed question ({why})"),
    "unsupported": N_("unsupported question ({why})"),
}


@dataclass(frozen=True)
class Conversion:
    """A converted bank as plain data, and the questions left out of it."""

    bank: dict[str, Any]
    unsupported: tuple[Unsupported, ...]


def convert_gift(
    text: str, *, bank_id: str, title: str, source: dict[str, Any] | None = None
) -> Conversion:
    """Convert a Moodle GIFT file; ValueError if bank_id or title cannot be a bank's."""
    return _assemble(map(_read_gift, _gift_blocks(text)), bank_id, title, source)


def convert_aiken(
    text: str, *, bank_id: str, title: str, source: dict[str, Any] | None = None
) -> Conversion:
    """Convert a Moodle Aiken file; ValueError if bank_id or title cannot be a bank's."""
    return _assemble(_aiken_questions(text), bank_id, title, source)


def detect_format(filename: str, text: str) -> Literal["gift", "aiken"] | None:
    """The format of a Moodle question file by its name and content, None if unknown."""
    suffix = PurePath(filename).suffix.lower()
    if suffix == ".gift":
        return "gift"
    if suffix != ".txt":
        return None
    if re.search(r"^[ \t]*ANSWER[ \t]*:", text, re.MULTILINE):
        return "aiken"
    opens = _syntax(text, r"\{")
    if opens and any(close > opens[0] for close in _syntax(text, r"\}")):
        return "gift"
    return None


def convert(
    filename: str,
    text: str,
    *,
    bank_id: str | None = None,
    title: str | None = None,
    source: dict[str, Any] | None = None,
) -> Conversion:
    """Convert a GIFT or Aiken file, the bank named after it by default; ValueError if unknown."""
    kind = detect_format(filename, text)
    name = PurePath(filename).name
    if kind is None:
        raise ValueError(
            f"{name}: not a Moodle question file; expected a .gift file (GIFT format) "
            "or a .txt file in Aiken format (ANSWER: lines) or GIFT format ({...} answers)"
        )
    stem = PurePath(filename).stem
    if bank_id is None:
        bank_id = slug(stem, MAX_ID_CHARS) or "quiz"
    if title is None:
        title = default_title(stem) or bank_id
    read = convert_gift if kind == "gift" else convert_aiken
    return read(text, bank_id=bank_id, title=title, source=source)


def to_yaml(bank: dict[str, Any]) -> str:
    """The bank as YAML that our strict loader reads back as the same data."""
    return yaml.dump(bank, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=float("inf"))


# --- the converted bank -----------------------------------------------------------------------


class _Skip(Exception):
    """Raised while reading a question that cannot be converted; `kind` says why (as
    Unsupported's), `why` the reason in it as data."""

    def __init__(self, kind: str, why: Message | None = None) -> None:
        super().__init__(kind)
        self.kind = kind
        self.why = why


def _malformed(why: Message) -> _Skip:
    return _Skip(f"malformed: {why}", why)


Number = int | float  # as written to the bank: 1822 rather than 1822.0


@dataclass(frozen=True)
class _Answers:
    kind: QuestionKind
    answer: str | list[str] | bool | Number | None  # None: a numeric range
    explanation: str | None
    options: tuple[str, ...] | None = None  # choice questions'
    tolerance: Number = 0  # a numeric answer's
    range: tuple[Number, Number] | None = None  # a numeric question's min and max


@dataclass(frozen=True)
class _Question:
    """A question read from the file, checked against the bank's limits, still without its id."""

    line: int
    title: str | None
    text: str
    answers: _Answers
    tags: tuple[str, ...]


def _assemble(
    items: Iterable[_Question | Unsupported],
    bank_id: str,
    title: str,
    source: dict[str, Any] | None,
) -> Conversion:
    _check_bank_fields(bank_id, title)
    questions: list[dict[str, Any]] = []
    unsupported: list[Unsupported] = []
    used: dict[str, int] = {}  # the ids given; of a base, the number its last copy got
    # Untitled questions are numbered by their place in the file, skipped ones included, so that
    # q7 is the seventh question there.
    for number, item in enumerate(items, 1):
        if isinstance(item, Unsupported):
            unsupported.append(item)
        elif len(questions) == MAX_QUESTIONS:
            skip = _malformed(
                nt(
                    "a bank holds at most {n} question",
                    "a bank holds at most {n} questions",
                    MAX_QUESTIONS,
                )
            )
            unsupported.append(Unsupported(item.line, skip.kind, _excerpt(item.text), skip.why))
        else:
            title_id = _as_name(item.title or "", ID_PATTERN, MAX_ID_CHARS)
            question_id = _unique(title_id or f"q{number}", used)
            questions.append(_question_data(question_id, item))
    bank: dict[str, Any] = {"bank": 1, "id": bank_id, "title": title.strip()}
    language = written_in(" ".join(str(question["question"]) for question in questions))
    if language is not None:
        bank["language"] = language
    if source is not None:
        bank["source"] = source
    bank["questions"] = questions
    return Conversion(bank, tuple(unsupported))


_PERSIAN_ONLY = frozenset("پچژگ")  # letters Persian has and Arabic does not


def written_in(text: str) -> str | None:
    """The language of questions a Moodle file has no field for, by their letters: "ru" when
    most are Cyrillic, "fa" when most are Arabic script with Persian's own among them, else
    None (read as English). Their true/false options and passages then follow it."""
    counts = {"latin": 0, "cyrillic": 0, "arabic": 0}
    for char in text:
        if char.isalpha():
            if "\u0400" <= char <= "\u04ff":
                counts["cyrillic"] += 1
            elif "\u0600" <= char <= "\u06ff":
                counts["arabic"] += 1
            elif char.isascii():
                counts["latin"] += 1
    most = max(counts, key=lambda script: counts[script])
    if counts[most] == 0 or most == "latin":
        return None
    if most == "cyrillic":
        return "ru"
    return "fa" if _PERSIAN_ONLY & set(text) else None


def _check_bank_fields(bank_id: str, title: str) -> None:
    if not re.fullmatch(ID_PATTERN, bank_id):
        raise ValueError(
            f"the bank id {bank_id!r} must be 1 to {MAX_ID_CHARS} lowercase letters, digits "
            "and hyphens, not starting with a hyphen"
        )
    if not title.strip() or len(title.strip()) > MAX_TITLE_CHARS or _BAD_CHARACTER.search(title):
        raise ValueError(
            f"the bank title must be 1 to {MAX_TITLE_CHARS} characters without control characters"
        )


def _question_data(question_id: str, question: _Question) -> dict[str, Any]:
    """The question in the bank format, keys in the order our banks are written in."""
    answers = question.answers
    data: dict[str, Any] = {"id": question_id}
    if answers.kind is not QuestionKind.CHOICE:
        data["type"] = answers.kind.value
    data["question"] = question.text
    if answers.options is not None:
        data["options"] = list(answers.options)
    if answers.range is not None:
        data["min"], data["max"] = answers.range
    else:
        data["answer"] = answers.answer
    if answers.tolerance:
        data["tolerance"] = answers.tolerance
    if answers.explanation:
        data["explanation"] = answers.explanation
    if question.tags:
        data["tags"] = list(question.tags)
    return data


def _check(text: str, answers: _Answers) -> None:
    """Raise _Skip unless the question fits the bank's limits."""
    if not text:
        raise _malformed(said(N_("no question text")))
    if len(text) > MAX_QUESTION_CHARS:
        raise _malformed(
            nt(
                "the question is longer than {n} character",
                "the question is longer than {n} characters",
                MAX_QUESTION_CHARS,
            )
        )
    if answers.explanation and len(answers.explanation) > MAX_EXPLANATION_CHARS:
        raise _malformed(
            nt(
                "the feedback is longer than {n} character",
                "the feedback is longer than {n} characters",
                MAX_EXPLANATION_CHARS,
            )
        )
    if answers.options is not None:
        _check_options(answers.options)
    if answers.kind is QuestionKind.SHORT_ANSWER:
        assert isinstance(answers.answer, str | list)
        _check_short_answers(
            [answers.answer] if isinstance(answers.answer, str) else answers.answer
        )


def _check_options(options: Sequence[str]) -> None:
    if not all(options):
        raise _malformed(said(N_("an option is empty")))
    if len(options) < MIN_OPTIONS:
        raise _malformed(nt("fewer than {n} option", "fewer than {n} options", MIN_OPTIONS))
    if len(options) > MAX_OPTIONS:
        raise _malformed(nt("more than {n} option", "more than {n} options", MAX_OPTIONS))
    seen: set[str] = set()
    for option in options:
        if len(option) > MAX_OPTION_CHARS:
            raise _malformed(
                nt(
                    "the option '{option}' is longer than {n} character",
                    "the option '{option}' is longer than {n} characters",
                    MAX_OPTION_CHARS,
                    option=_excerpt(option),
                )
            )
        if normalize_text(option) in seen:  # the bank's own notion of the same option
            raise _malformed(
                said(N_("the option '{option}' is given twice"), option=_excerpt(option))
            )
        seen.add(normalize_text(option))


def _check_short_answers(answers: Sequence[str]) -> None:
    """As the bank checks a short answer's accepted answers."""
    if len(answers) > MAX_OPTIONS:
        raise _malformed(nt("more than {n} answer", "more than {n} answers", MAX_OPTIONS))
    seen: set[str] = set()
    for answer in answers:
        if not answer:
            raise _malformed(said(N_("an answer is empty")))
        if len(answer) > MAX_SHORT_ANSWER_CHARS:
            raise _malformed(
                nt(
                    "the answer '{answer}' is longer than {n} character",
                    "the answer '{answer}' is longer than {n} characters",
                    MAX_SHORT_ANSWER_CHARS,
                    answer=_excerpt(answer),
                )
            )
        if not normalize_answer(answer):
            raise _malformed(
                said(N_("the answer '{answer}' has no letters or digits"), answer=_excerpt(answer))
            )
        if normalize_text(answer) in seen:
            raise _malformed(
                said(N_("the answer '{answer}' is given twice"), answer=_excerpt(answer))
            )
        seen.add(normalize_text(answer))


def _unique(base: str, used: dict[str, int]) -> str:
    """`base`, or the first of base-2, base-3, ... not used yet; it is marked used."""
    # Numbers taken once stay taken: going on from the last one tried after this base, rather
    # than from 2, keeps a file of 5,000 questions with one title linear.
    candidate, number = base, used.get(base, 1)
    while candidate in used:
        number += 1
        suffix = f"-{number}"
        candidate = base[: MAX_ID_CHARS - len(suffix)].rstrip("-") + suffix
    used[base] = number
    used.setdefault(candidate, 1)
    return candidate


# Russian and Persian letters as Latin ones (the common transliterations, Persian without the
# vowels it does not write), so that a title in either makes a readable id ("Физика 7" is
# fizika-7, "فیزیک ۷" fizik-7) rather than none.
_TO_LATIN = str.maketrans(
    {
        **dict(zip("абвгдезийклмнопрстуфхцыэ", "abvgdeziiklmnoprstufhcye", strict=True)),
        **{"ё": "e", "ж": "zh", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ь": "", "ю": "yu"},
        "я": "ya",
        **dict(
            zip(
                "اآأإبپتثجحدذرزسصضطظفقکكگلمنوهةیيىئؤ",
                "aaaebptsjhdzrzssztzfqkkglmnvhhiiiyv",
                strict=True,
            )
        ),
        **{"چ": "ch", "خ": "kh", "ژ": "zh", "ش": "sh", "غ": "gh", "ع": "", "ء": "", "\u200c": ""},
        **dict(zip("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789", strict=True)),
    }
)


def slug(text: str, max_chars: int) -> str:
    """Lowercase ASCII letters and digits joined by hyphens, at most max_chars; may be empty."""
    latin = text.lower().translate(_TO_LATIN)
    ascii_text = unicodedata.normalize("NFKD", latin).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")[:max_chars].rstrip("-")


def _as_name(text: str, pattern: str, max_chars: int) -> str:
    """The text itself when it is already a valid id or tag (so that ids written out by
    quiz.writing come back the same, `a--b` included), else its slug."""
    return text if re.fullmatch(pattern, text) else slug(text, max_chars)


def default_title(stem: str) -> str:
    """A bank's title made from a file's name (without its suffix); may be empty."""
    printable = "".join(char for char in stem.replace("_", " ") if char.isprintable())
    return _one_line(printable)[:MAX_TITLE_CHARS].strip()


# --- text -------------------------------------------------------------------------------------


def _lines(text: str) -> list[str]:
    """The file's lines, whatever its line endings."""
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _multiline(text: str) -> str:
    """Each line's whitespace runs collapsed, the line breaks kept."""
    return "\n".join(_one_line(line) for line in text.split("\n")).strip()


def _excerpt(text: str) -> str:
    """The beginning of a text for a message: one line, control characters escaped."""
    flat = _one_line(text)
    if len(flat) > EXCERPT_CHARS:
        flat = flat[: EXCERPT_CHARS - 1] + "…"
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in flat)


def _refuse_control_characters(text: str) -> None:
    if found := _BAD_CHARACTER.search(text):
        raise _malformed(
            said(N_("contains the control character {code}"), code=f"U+{ord(found.group()):04X}")
        )


# --- GIFT -------------------------------------------------------------------------------------

_ESCAPE = re.compile(r"\\([~=#{}:\\n])")
# Matched at the start of a text, its spaces stripped first: a leading \s* would be read again
# from every space of a long run wherever the pattern is searched for.
_FORMAT = re.compile(r"\[(html|moodle|plain|markdown)\]", re.IGNORECASE)
_HTML_TAG = re.compile(r"</?[a-zA-Z][^>]*>")  # only where a `>` follows: see _strip_tags
# Decimal character references: html.unescape turns their digits into an int, and Python refuses
# one of over 4,300 digits with a ValueError.
_DECIMAL_REFERENCE = re.compile(r"&#([0-9]+)")
_HTML_BREAK = re.compile(r"<br\s*/?>|</p>", re.IGNORECASE)
_WEIGHT = re.compile(r"%(-?[0-9]+(?:\.[0-9]*)?)%")  # as _FORMAT
_INTEGER = re.compile(r"[-+]?[0-9]+")
_NUMBER = re.compile(r"[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")
_TRUE_FALSE = {"T": True, "TRUE": True, "F": False, "FALSE": False}
_CATEGORY = "$CATEGORY:"
_CATEGORY_ROOT = re.compile(r"(?:\$[a-z0-9]*\$/)?top|\$[a-z0-9]*\$")


@dataclass(frozen=True)
class _Block:
    """One question's lines, comments left out."""

    line: int
    text: str
    tags: tuple[str, ...]  # from the $CATEGORY in force


def _gift_blocks(text: str) -> list[_Block]:
    """The file split into questions at blank lines; `$CATEGORY:` lines also end a question."""
    blocks: list[_Block] = []
    lines: list[str] = []
    start, tags = 0, tuple[str, ...]()

    def close() -> None:
        if lines:
            blocks.append(_Block(start, "\n".join(lines).strip(), tags))
            lines.clear()

    for number, line in enumerate(_lines(text), 1):
        stripped = line.strip()
        if stripped.startswith("//"):
            continue
        if stripped.startswith(_CATEGORY) or not stripped:
            close()
            if stripped:
                tags = _category_tags(stripped.removeprefix(_CATEGORY))
            continue
        if not lines:
            start = number
        lines.append(line)
    close()
    return blocks


def _category_tags(category: str) -> tuple[str, ...]:
    """The tag for a category path such as `$course$/top/Unit 1`: its last part.

    A context's root (`$course$/top`, `top`) gives none: it is how a file goes back to questions
    without a category.
    """
    path = category.strip().rstrip("/")
    if _CATEGORY_ROOT.fullmatch(path):
        return ()
    tag = _as_name(path.rsplit("/", 1)[-1].strip(), TAG_PATTERN, MAX_TAG_CHARS)
    return (tag,) if tag else ()


def _read_gift(block: _Block) -> _Question | Unsupported:
    try:
        return _gift_question(block)
    except _Skip as skip:
        return Unsupported(block.line, skip.kind, _excerpt(block.text), skip.why)


def _gift_question(block: _Block) -> _Question:
    if len(block.text) > MAX_RAW_QUESTION_CHARS:
        raise _malformed(_TOO_LONG)
    _refuse_control_characters(block.text)
    title, rest = _gift_title(block.text)
    is_html, rest = _format(rest, default_html=False)
    before, inside, after = _answer_block(rest)
    # Text after the answers makes it a "missing word" question: the answers go in the gap.
    question = before + "___" + after if after.strip() else before
    text = _multiline(_render(question, is_html))
    answers = _gift_answers(inside, is_html)
    _check(text, answers)
    return _Question(block.line, title, text, answers, block.tags)


def _gift_title(text: str) -> tuple[str | None, str]:
    """The `::title::` and the text after it."""
    if not text.startswith("::"):
        return None, text
    ends = _syntax(text[2:], "::")
    if not ends:
        raise _malformed(said(N_("the title has no closing ::")))
    return _unescape(text[2 : 2 + ends[0]]), text[4 + ends[0] :].strip()


def _answer_block(text: str) -> tuple[str, str, str]:
    """The text before the `{...}` answer block, inside it and after it."""
    opens, closes = _syntax(text, r"\{"), _syntax(text, r"\}")
    if not opens and not closes:
        raise _Skip("description")
    if not closes:
        raise _malformed(said(N_("the { has no closing }")))
    if not opens:
        raise _malformed(said(N_("the } has no opening {")))
    if len(opens) > 1 or len(closes) > 1:
        raise _malformed(said(N_(r"more than one { or }; write \{ and \} for braces in the text")))
    if closes[0] < opens[0]:
        raise _malformed(said(N_("the } comes before the {")))
    return text[: opens[0]], text[opens[0] + 1 : closes[0]], text[closes[0] + 1 :]


def _gift_answers(inside: str, is_html: bool) -> _Answers:
    """The answers of a block; _Skip for a kind of question a bank cannot hold."""
    general: str | None = None
    if separators := _syntax(inside, "####"):  # general feedback, shown whatever the answer
        general = _multiline(_piece(inside[separators[-1] + 4 :], is_html)) or None
        inside = inside[: separators[-1]]
    inside = inside.strip()
    # The order of these tests is Moodle's: `~` makes a choice even with `->` or `#` in it.
    if not inside:
        raise _Skip("essay")
    if inside.startswith("#"):
        return _gift_numeric(inside[1:], general, is_html)
    if _syntax(inside, "~"):
        return _gift_choice(inside, general, is_html)
    if _syntax(inside, "=") and "->" in inside:
        raise _Skip("matching")
    if _split_once(inside, "#")[0].strip().upper() in _TRUE_FALSE:
        return _gift_true_false(inside, general, is_html)
    return _gift_short_answer(inside, general, is_html)


def _gift_choice(inside: str, general: str | None, is_html: bool) -> _Answers:
    marks = _syntax(inside, "[~=]")
    if inside[: marks[0]].strip():
        raise _malformed(said(N_("text before the first ~ or = option")))
    # With an = option, the = options are right; without, those of positive weight (%50%).
    by_equals = any(inside[mark] == "=" for mark in marks)
    options: list[str] = []
    right: list[str] = []
    notes: list[str] = []
    for start, end in itertools.pairwise([*marks, len(inside)]):
        weight, body = _weight(inside[start + 1 : end])
        text, feedback = _split_once(body, "#")
        option = _one_line(_piece(text, is_html))
        options.append(option)
        if (inside[start] == "=") if by_equals else (weight or 0) > 0:
            right.append(option)
            if feedback is not None and (note := _multiline(_piece(feedback, is_html))):
                notes.append(note)
    if not right:
        raise _malformed(said(N_("no option is marked right with = or a positive %weight%")))
    answer = right[0] if len(right) == 1 else right
    return _Answers(QuestionKind.CHOICE, answer, "\n".join(notes) or general, tuple(options))


def _gift_true_false(inside: str, general: str | None, is_html: bool) -> _Answers:
    value, feedback = _split_once(inside, "#")
    explanation = ""
    if feedback is not None:
        # `{T#feedback if answered wrong#feedback if answered right}`. A single feedback explains
        # the answer to whoever got it wrong, which is what the bot shows: it is the explanation.
        wrong, right = _split_once(feedback, "#")
        explanation = _multiline(_piece(wrong if right is None else right, is_html))
    answer = _TRUE_FALSE[value.strip().upper()]
    return _Answers(QuestionKind.TRUE_FALSE, answer, explanation or general)


@dataclass(frozen=True)
class _Graded:
    """One of the `=` answers of a short answer or numeric block."""

    text: str  # as written, feedback left out
    full_credit: bool
    feedback: str | None


def _graded_answers(inside: str, is_html: bool) -> list[_Graded]:
    """The `=` answers, as Moodle reads them: text before the first `=` is an answer too."""
    bounds = itertools.pairwise([-1, *_syntax(inside, "="), len(inside)])
    pieces = [inside[start + 1 : end] for start, end in bounds]
    if not pieces[0].strip():
        pieces.pop(0)
    answers = []
    for piece in pieces:
        weight, body = _weight(piece)
        text, feedback = _split_once(body, "#")
        note = _multiline(_piece(feedback, is_html)) if feedback is not None else ""
        # Without a weight an answer has full credit; Moodle's export writes it `=%100%`.
        answers.append(_Graded(text, weight in (None, 100), note or None))
    return answers


def _right_answers(graded: list[_Graded], general: str | None) -> tuple[list[_Graded], str | None]:
    """The full-credit answers (partial credit is left out), and the explanation they make."""
    right = [answer for answer in graded if answer.full_credit]
    if not right:
        raise _malformed(said(N_("no answer has full credit: = with no %weight%, or with %100%")))
    notes = [answer.feedback for answer in right if answer.feedback]
    return right, "\n".join(notes) or general


def _gift_short_answer(inside: str, general: str | None, is_html: bool) -> _Answers:
    right, explanation = _right_answers(_graded_answers(inside, is_html), general)
    texts = [_one_line(_piece(answer.text, is_html)) for answer in right]
    return _Answers(QuestionKind.SHORT_ANSWER, texts[0] if len(texts) == 1 else texts, explanation)


def _gift_numeric(inside: str, general: str | None, is_html: bool) -> _Answers:
    """A numerical block after its `#`: `1822:5`, `1..5`, or several `=` answers."""
    # What follows a `~` is the feedback for any wrong answer: a bank has none.
    graded = _graded_answers(_split_once(inside, "~")[0], is_html)
    if not graded:
        raise _malformed(said(N_("no numeric answer")))
    right, explanation = _right_answers(graded, general)
    ranges = [_numeric_range(answer.text) for answer in right]
    if all(numeric == ranges[0] for numeric in ranges):  # one right answer (written again?)
        numeric = ranges[0]
        if numeric.answer is not None:
            return _Answers(
                QuestionKind.NUMERIC, numeric.answer, explanation, tolerance=numeric.tolerance
            )
        return _Answers(QuestionKind.NUMERIC, None, explanation, range=numeric.bounds)
    return _Answers(QuestionKind.NUMERIC, None, explanation, range=_one_range(ranges))


def _one_range(ranges: list[_NumericRange]) -> tuple[Number, Number]:
    """The range several full-credit ranges make when they overlap; apart, a bank cannot hold
    them."""
    ordered = sorted(ranges, key=lambda numeric: numeric.low)
    high = ordered[0].high
    for numeric in ordered[1:]:
        if numeric.low > high:
            why = said(N_("numeric, its right answers apart; a bank holds one range"))
            raise _Skip(f"unsupported: {why}", why)
        high = max(high, numeric.high)
    return ordered[0].low, high


@dataclass(frozen=True)
class _NumericRange:
    low: Number
    high: Number
    answer: Number | None = None  # when written as an answer and its tolerance
    tolerance: Number = 0

    @property
    def bounds(self) -> tuple[Number, Number]:
        """Its min and max."""
        return self.low, self.high


def _numeric_range(text: str) -> _NumericRange:
    """`1..5`, `1822:5` or `1822`, as Moodle reads them (the separator not first)."""
    text = text.strip()
    if (dots := text.find("..")) > 0:
        low, high = _gift_number(text[:dots]), _gift_number(text[dots + 2 :])
        if low > high:
            raise _malformed(said(N_("the range {range} goes down"), range=_excerpt(text)))
        return _NumericRange(low, high)
    colons = _syntax(text, ":")
    if colons and colons[0] > 0:
        answer, tolerance = _gift_number(text[: colons[0]]), _gift_number(text[colons[0] + 1 :])
        if tolerance < 0:
            raise _malformed(
                said(N_("the tolerance in {number} is negative"), number=_excerpt(text))
            )
        return _NumericRange(answer - tolerance, answer + tolerance, answer, tolerance)
    answer = _gift_number(text)
    return _NumericRange(answer, answer, answer)


def _gift_number(text: str) -> Number:
    """A number as Moodle's numerical answers are written, an int when it is one.

    Digits alone are an int however large, exactly (quiz.writing writes 10**20 so); 1e3 or 1822.0
    are an int below 1e15, where the bank shows an integral float as an int anyway.
    """
    if not _NUMBER.fullmatch(text := text.strip()):
        raise _malformed(said(N_("'{number}' is not a number"), number=_excerpt(text)))
    value = float(text)
    if not math.isfinite(value):
        raise _malformed(said(N_("'{number}' is too large"), number=_excerpt(text)))
    if _INTEGER.fullmatch(text):
        return int(text)  # finite as a float: at most 309 digits, well within int()'s limit
    return int(value) if value.is_integer() and abs(value) < 1e15 else value


def _weight(body: str) -> tuple[float | None, str]:
    """The `%50%` weight an option starts with (None if none) and the rest of it."""
    if found := _WEIGHT.match(stripped := body.lstrip()):
        return float(found.group(1)), stripped[found.end() :]
    return None, body


def _syntax(text: str, token: str) -> list[int]:
    """Where the regex `token` matches outside backslash escapes."""
    matches = re.finditer(rf"\\.|{token}", text, re.DOTALL)
    return [found.start() for found in matches if not found.group().startswith("\\")]


def _split_once(text: str, token: str) -> tuple[str, str | None]:
    """The text before the first unescaped `token` and after it (None if there is none)."""
    found = _syntax(text, token)
    if not found:
        return text, None
    return text[: found[0]], text[found[0] + len(token) :]


def _unescape(text: str) -> str:
    return _ESCAPE.sub(lambda found: "\n" if found[1] == "n" else found[1], text)


def _format(text: str, *, default_html: bool) -> tuple[bool, str]:
    """Whether a text is HTML, by its `[html]`-style marker or else the default; the rest."""
    if found := _FORMAT.match(stripped := text.lstrip()):
        return found[1].lower() == "html", stripped[found.end() :]
    return default_html, text


def _piece(raw: str, default_html: bool) -> str:
    """An option or feedback as plain text; the question's format is the default for it."""
    is_html, text = _format(raw, default_html=default_html)
    return _render(text, is_html)


def _render(raw: str, is_html: bool) -> str:
    text = _unescape(raw)
    if not is_html:
        return text
    text = _HTML_BREAK.sub("\n", _one_line(text))  # in HTML only tags break lines
    return _unescape_html(_strip_tags(text))


def _strip_tags(text: str) -> str:
    """The text without its HTML tags: from `<` and a letter to the next `>`."""
    # After the last `>` no tag can end; the pattern would look for one from every `<` there, to
    # the end of the text each time: quadratic in a question of `<a<a<a...`.
    end = text.rfind(">") + 1
    return _HTML_TAG.sub("", text[:end]) + text[end:]


def _unescape_html(text: str) -> str:
    """The text with HTML's character references (`&amp;`, `&#233;`) replaced."""
    return html.unescape(_DECIMAL_REFERENCE.sub(_short_decimal_reference, text))


def _short_decimal_reference(found: re.Match[str]) -> str:
    """The same reference with at most 7 digits, as html.unescape reads it."""
    number = found[1].lstrip("0") or "0"
    # Past 7 digits a number is past U+10FFFF, which html.unescape reads as U+FFFD; so does this.
    return "&#" + (number if len(number) <= 7 else "9999999")


# --- Aiken ------------------------------------------------------------------------------------

# The texts they take keep their leading spaces (they are collapsed later): in `\s+(.*)` both
# quantifiers would take spaces, and the pattern would try every way to share them out.
_AIKEN_OPTION = re.compile(r"([A-Z])[.)](?:\s(.*))?")
_AIKEN_ANSWER = re.compile(r"ANSWER\s*:(.*)")


@dataclass
class _AikenDraft:
    """An Aiken question as its lines are read."""

    line: int
    text: list[str] = field(default_factory=list)
    options: dict[str, str] = field(default_factory=dict)  # by letter
    raw: list[str] = field(default_factory=list)
    problem: Message | None = None
    gap: bool = False  # a blank line came after the last line read
    chars: int = 0

    def add(self, line: str) -> None:
        self.raw.append(line)
        self.gap = False
        self.chars += len(line)
        if self.chars > MAX_RAW_QUESTION_CHARS:
            self.problem = _TOO_LONG  # whatever else is wrong: it is not read any further


def _aiken_questions(text: str) -> Iterator[_Question | Unsupported]:
    draft: _AikenDraft | None = None
    for number, line in enumerate(_lines(text), 1):
        stripped = line.strip()
        if not stripped:
            if draft is not None:
                draft.gap = True
        elif len(stripped) > MAX_RAW_QUESTION_CHARS:
            # Too long to be read: it belongs to the question being read, or starts one.
            draft = draft or _AikenDraft(number)
            draft.add(stripped)
        elif answer := _AIKEN_ANSWER.match(stripped):
            draft = draft or _AikenDraft(number)
            draft.add(stripped)
            yield _finish_aiken(draft, answer[1])
            draft = None
        elif option := _AIKEN_OPTION.fullmatch(stripped):
            draft = draft or _AikenDraft(number)  # then it has no question text: reported
            draft.add(stripped)
            if option[1] in draft.options and draft.problem is None:
                draft.problem = said(N_("the letter {letter} is used twice"), letter=option[1])
            draft.options[option[1]] = option[2] or ""
        else:
            # Text after options or after a blank line starts the next question: this one is over.
            if draft is not None and (draft.options or draft.gap):
                yield _finish_aiken(draft, None)
                draft = None
            draft = draft or _AikenDraft(number)
            draft.add(stripped)
            draft.text.append(stripped)
    if draft is not None:
        yield _finish_aiken(draft, None)


def _finish_aiken(draft: _AikenDraft, answer: str | None) -> _Question | Unsupported:
    try:
        return _aiken_question(draft, answer)
    except _Skip as skip:
        text = _excerpt(" ".join(draft.text or draft.raw))
        return Unsupported(draft.line, skip.kind, text, skip.why)


def _aiken_question(draft: _AikenDraft, answer: str | None) -> _Question:
    if draft.problem:
        raise _malformed(draft.problem)
    _refuse_control_characters("\n".join(draft.raw))
    if not draft.text:
        raise _malformed(
            said(N_("options without a question"))
            if draft.options
            else said(N_("ANSWER without a question"))
        )
    if not draft.options:
        raise _malformed(said(N_("no option lines such as 'A. text'")))
    if answer is None:
        raise _malformed(said(N_("no ANSWER line after the options")))
    letter = answer.strip().upper()
    if not re.fullmatch("[A-Z]", letter):
        raise _malformed(said(N_("the ANSWER line must give one option letter")))
    if letter not in draft.options:
        raise _malformed(said(N_("ANSWER {letter} is not one of the options"), letter=letter))
    options = tuple(_one_line(option) for option in draft.options.values())
    answers = _Answers(QuestionKind.CHOICE, _one_line(draft.options[letter]), None, options)
    text = _multiline("\n".join(draft.text))
    _check(text, answers)
    return _Question(draft.line, None, text, answers, ())


# --- YAML -------------------------------------------------------------------------------------


def _quoting_rules() -> dict[Any, list[Any]]:
    """Implicit resolvers of YAML 1.2 (our loader's) first, then of YAML 1.1 (PyYAML's)."""
    strict, legacy = Yaml12Resolver.yaml_implicit_resolvers, yaml.SafeDumper.yaml_implicit_resolvers
    return {first: strict.get(first, []) + legacy.get(first, []) for first in {*strict, *legacy}}


class _Dumper(yaml.SafeDumper):
    """Writes a text unquoted only if YAML 1.2 and 1.1 both read it back as text.

    PyYAML alone would write 0o17, 1e3 or tRuE unquoted, which our YAML 1.2 loader reads as
    numbers and booleans; YAML 1.1 is kept too, so that yes or 12:30 stay quoted for other tools.
    """

    yaml_implicit_resolvers = _quoting_rules()  # PyYAML keeps them per class

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)  # lists indented under their key, as in our banks

    def ignore_aliases(self, data: Any) -> bool:
        return True  # our loader refuses anchors and aliases


def _represent_text(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    # Several lines make a literal block (PyYAML falls back to quotes where it cannot be one). The
    # other line breaks PyYAML would fold into spaces; double quotes escape them.
    style = None
    if any(char in text for char in "\x85\u2028\u2029"):
        style = '"'
    elif "\n" in text:
        style = "|"
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_Dumper.add_representer(str, _represent_text)
