"""Question drafts from an article, by rules: no language model, no network.

A sentence holding a year, a date, a number, a percentage or a capitalised name becomes a
question whose answer is that span: the sentence with a gap where the span was, three options of
the same kind taken from elsewhere in the same text, and the sentence itself, verbatim, as the
quote. A teacher keeps or drops each proposal; nothing here is asked to learners unseen.

Every step is linear in the text: the only pattern that reads the whole text finds sentence ends
(and starts only once in a run of the characters it looks for), and everything else reads one
sentence of bounded length at a time. A source longer than MAX_DRAFT_CHARS is read up to there.
"""

from __future__ import annotations

import bisect
import hashlib
import heapq
import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from typing import Any

from quiz.bank import (
    MAX_QUESTIONS,
    MAX_SOURCE_CHARS,
    Bank,
    Question,
    QuestionKind,
    normalize_text,
)
from quiz.convert import slug
from quiz.writing import question_data

MAX_DRAFT_CHARS = MAX_SOURCE_CHARS  # as much as a bank's source holds
GAP = "____"
DISTRACTORS = 3
# A question is one sentence: long enough to say something, short enough for a native quiz poll
# (300 characters) once the answer is a gap.
MIN_SENTENCE_CHARS = 40
MAX_SENTENCE_CHARS = 280
MIN_SENTENCE_WORDS = 6
# Distractors may come from longer sentences; longer ones are not read at all.
MAX_READ_SENTENCE_CHARS = 1000
MAX_ANSWER_CHARS = 100  # a poll option's limit
MAX_NAME_WORDS = 4
_SCAN = 200  # entries of a pool looked at for distractors, at most: bounded work per question


class AnswerKind(StrEnum):
    """What a proposal's answer is; its distractors are of the same kind."""

    YEAR = "year"
    DATE = "date"
    NUMBER = "number"  # of the same unit: "$1.7 billion" against other dollar amounts
    PERCENT = "percent"
    ORDINAL = "ordinal"  # 18th
    PERSON = "person"  # a name after a title (President ...), or shaped like a person's
    NAME = "name"  # any other capitalised name: places, organisations, events


@dataclass(frozen=True)
class Proposal:
    """A drafted question: `question` is `quote` with `answer` replaced by GAP."""

    question: str
    answer: str
    distractors: tuple[str, str, str]
    quote: str  # the sentence, exactly as in the source
    kind: AnswerKind
    position: int  # where the quote starts in the source text

    @property
    def id(self) -> str:
        """A stable id made from the question and answer: a slug of the answer and a hash."""
        digest = hashlib.sha256(f"{self.question}\n{self.answer}".encode()).hexdigest()[:10]
        return f"{slug(self.answer, 24) or 'q'}-{digest}"

    @property
    def options(self) -> tuple[str, ...]:
        """The answer among the distractors, shuffled the same way every time."""
        question_id = self.id
        return tuple(
            sorted(
                (self.answer, *self.distractors),
                key=lambda option: hashlib.sha256(f"{question_id}\n{option}".encode()).digest(),
            )
        )

    def to_question(self) -> Question:
        """The bank's question. It has no explanation: the quote shown with every answer is the
        sentence itself, and anything made from that sentence would only repeat it."""
        options = self.options
        return Question(
            id=self.id,
            kind=QuestionKind.CHOICE,
            text=self.question,
            options=options,
            correct=frozenset({options.index(self.answer)}),
            explanation=None,
            quote=self.quote,
            tags=(),
        )


def draft_questions(
    source_text: str, *, limit: int = 20, language: str | None = None
) -> list[Proposal]:
    """Up to `limit` proposals from the text (a bank's MAX_QUESTIONS at most), the best first,
    at most one a sentence.

    `language` ("en", "ru", ...) picks the word lists (titles, function words, months); None
    uses all of them.
    """
    limit = min(limit, MAX_QUESTIONS)
    if limit <= 0:
        return []
    text = source_text[:MAX_DRAFT_CHARS]
    lexicon = _lexicon(language)
    sentences = [
        _Sentence(index, start, text[start:end])
        for index, (start, end) in enumerate(sentence_spans(text))
        if end - start <= MAX_READ_SENTENCE_CHARS
    ]
    lowercase = {
        word.casefold()
        for sentence in sentences
        for word in _WORD.findall(sentence.text)
        if word[0].islower()
    }
    reading = _Reading(lexicon, lowercase)
    for sentence in sentences:
        reading.read(sentence)
    return _select(reading.candidates(sentences), reading, limit)


def draft_bank(
    proposals: Sequence[Proposal],
    *,
    bank_id: str,
    title: str,
    source_title: str,
    source_text: str,
    language: str | None = None,
) -> Bank:
    """A bank of these proposals' questions, quoting `source_text` (the text they came from,
    which the bank holds without surrounding spaces, as a bank file's source is read)."""
    return Bank(
        id=bank_id,
        title=title,
        language=language,
        source_title=source_title,
        source_url=None,
        source_text=source_text.strip(),
        questions=tuple(proposal.to_question() for proposal in proposals),
    )


# --- sentences --------------------------------------------------------------------------------

# A run of . ! ? … (and closing quotes or brackets) then spaces, or a line break. Each alternative
# can start only at the first character of its run, so that a long run is read once, not once
# from each of its characters.
_BOUNDARY = re.compile(r"(?<![.!?…])[.!?…]+[\"'”’»)\]]*\s+|(?<!\s)\s*\n\s*")
_CLOSERS = "\"'”’»)]"
_OPENERS = "\"'“‘«(["
_ABBREVIATIONS = frozenset(
    {
        *("mr", "mrs", "ms", "dr", "st", "jr", "sr", "prof", "gen", "col", "lt", "sgt", "capt"),
        *("gov", "sen", "rep", "rev", "no", "vs", "etc", "approx", "inc", "ltd", "co", "corp"),
        *("jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec"),
        *("г", "гг", "им", "ул", "т", "д", "см", "стр", "тыс", "млн", "млрд", "руб", "проф"),
    }
)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """The (start, end) offsets of the text's sentences, without surrounding spaces.

    A line break always ends one (headings, paragraphs); . ! ? … end one before spaces, but not
    after an abbreviation or an initial ("U.S. ally", "John F. Kennedy"), nor before a lowercase
    letter ("e.g. this").
    """
    spans: list[tuple[int, int]] = []
    start = 0
    for found in _BOUNDARY.finditer(text):
        if "\n" not in found.group() and not _ends_sentence(text, found):
            continue
        _add_span(spans, text, start, found.start() + len(found.group().rstrip()))
        start = found.end()
    _add_span(spans, text, start, len(text))
    return spans


def _ends_sentence(text: str, found: re.Match[str]) -> bool:
    if text[found.end() : found.end() + 1].islower():
        return False
    if found.group().rstrip().rstrip(_CLOSERS) != ".":
        return True  # ! ? … or several: no abbreviation ends so
    # The word before the point, read back a bounded distance: the scan stays linear.
    before = text[max(0, found.start() - 16) : found.start()].split()
    word = before[-1].lstrip(_OPENERS) if before else ""
    is_initial = len(word) == 1 and word.isalpha()
    return not (is_initial or "." in word or word.casefold() in _ABBREVIATIONS)


def _add_span(spans: list[tuple[int, int]], text: str, start: int, end: int) -> None:
    piece = text[start:end]
    stripped = piece.strip()
    if stripped:
        start += len(piece) - len(piece.lstrip())
        spans.append((start, start + len(stripped)))


@dataclass(frozen=True)
class _Sentence:
    index: int  # among the sentences read
    start: int  # offset in the source text
    text: str


# --- word lists -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Lexicon:
    """Words that tell names apart, for one language or for all."""

    function_words: frozenset[str]  # capitalised at a sentence's start only
    titles: frozenset[str]  # before a person's name
    title_stems: tuple[str, ...]  # the same, in languages that inflect them
    generic: frozenset[str]  # words of names that are not persons' (Soviet Union, Cold War)
    generic_stems: tuple[str, ...]
    not_names: frozenset[str]  # capitalised, but not names: months, days


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


def _stems(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_EN = _Lexicon(
    function_words=_words(
        """the a an in on at to of for from by with after before during despite since until
        this that these those it he she they we i you his her their its our my your however
        furthermore moreover meanwhile but and or so yet while when where who which what why how
        there here one two some many most all both each every no not recently today then thus
        also as if under over according although though because unlike like following later
        earlier still only even such other another instead indeed finally first second last
        next once now again today's according"""
    ),
    titles=_words(
        """president president-elect vice-president minister prime chancellor king queen prince
        princess emperor empress tsar czar sultan pope ayatollah sheikh general colonel captain
        admiral marshal commander senator governor mayor secretary spokesman spokeswoman
        spokesperson leader chairman chairwoman director ambassador mr mrs ms dr sir lord lady
        saint professor judge justice cardinal bishop archbishop rabbi imam reverend dame
        astronaut cosmonaut"""
    ),
    title_stems=(),
    generic=_words(
        """union war revolution empire east west north south republic kingdom states nations
        council party army navy guard forces sea ocean river lake mountains island islands bay
        gulf strait canal bank fund university college school church ministry department agency
        organization organisation company corporation court assembly parliament congress senate
        house office committee commission front treaty agreement accord pact deal act plan
        program programme project station airport port city county province region district
        street square bridge tower palace museum library hospital prize award cup games league
        club group institute association movement federation alliance coalition age era period
        crisis summit conference festival day great lesser new old holy united supreme royal
        national central federal middle cold civil world soviet islamic"""
    ),
    generic_stems=(),
    not_names=_words(
        """january february march april may june july august september october november december
        monday tuesday wednesday thursday friday saturday sunday"""
    ),
)
_RU = _Lexicon(
    function_words=_words(
        """в во на по с со к ко о об из за для до после при это этот эта эти он она они оно его
        её ее их но и а однако также когда где кто что как так уже ещё еще тогда затем потом
        там тут здесь все всё каждый один одна два две первый первым первой позже ранее сегодня
        вчера хотя поскольку если пока"""
    ),
    titles=frozenset(),
    title_stems=_stems(
        """президент премьер министр канцлер король королев царь царица император императриц
        принц принцесс генерал адмирал маршал полковник капитан губернатор мэр посол спикер
        лидер глав председател директор патриарх аятолл шейх султан космонавт лётчик летчик
        академик профессор писател поэт учён учен конструктор инженер"""
    ),
    generic=frozenset(),
    generic_stems=_stems(
        """союз войн революц импери республик королевств совет парти арми флот мор океан рек
        озер гор остров залив университет институт министерств агентств компани суд собрани
        парламент дум конгресс сенат комитет комисси фронт договор соглашени программ станци
        аэропорт город област кра район улиц площад мост музе центр преми федераци космодром
        корабл велик нов стар свят объединен национальн централ федеральн"""
    ),
    not_names=frozenset(),
)
_LEXICONS = {"en": _EN, "ru": _RU}


@cache
def _lexicon(language: str | None) -> _Lexicon:
    """The word lists of a language ("pt-BR" reads as "pt"); all of them for None or another."""
    known = _LEXICONS.get((language or "").split("-")[0].lower())
    if known is not None:
        return known
    lists = _LEXICONS.values()
    return _Lexicon(
        function_words=frozenset().union(*(lexicon.function_words for lexicon in lists)),
        titles=frozenset().union(*(lexicon.titles for lexicon in lists)),
        title_stems=tuple(stem for lexicon in lists for stem in lexicon.title_stems),
        generic=frozenset().union(*(lexicon.generic for lexicon in lists)),
        generic_stems=tuple(stem for lexicon in lists for stem in lexicon.generic_stems),
        not_names=frozenset().union(*(lexicon.not_names for lexicon in lists)),
    )


def _is_title(word: str, lexicon: _Lexicon) -> bool:
    folded = word.casefold()
    return folded in lexicon.titles or folded.startswith(lexicon.title_stems)


def _is_generic(word: str, lexicon: _Lexicon) -> bool:
    folded = word.casefold()
    return folded in lexicon.generic or folded.startswith(lexicon.generic_stems)


# Adjectives of nationality and the like, capitalised in English: Russian, Iranian, Western.
_DEMONYM = re.compile(r".*(?:ian|ean|ese|ish|ern|ic)", re.IGNORECASE)
_ROMAN = re.compile(r"[IVXLCDM]+")

# --- spans ------------------------------------------------------------------------------------

_WORD = re.compile(r"\w+(?:[’'\-]\w+)*")
_MONTHS_EN = _stems(
    "January February March April May June July August September October November December"
)
_MONTHS_RU = _stems(
    "января февраля марта апреля мая июня июля августа сентября октября ноября декабря"
)
_MONTH_NUMBER = {
    name: number for names in (_MONTHS_EN, _MONTHS_RU) for number, name in enumerate(names, 1)
}
_EN_MONTH = "|".join(_MONTHS_EN)
_ANY_MONTH = "|".join(_MONTHS_EN + _MONTHS_RU)
_SCALES = {
    "thousand": 1e3,
    "тыс": 1e3,
    "тысяч": 1e3,
    "million": 1e6,
    "mln": 1e6,
    "млн": 1e6,
    "миллион": 1e6,
    "billion": 1e9,
    "bn": 1e9,
    "млрд": 1e9,
    "миллиард": 1e9,
    "trillion": 1e12,
    "трлн": 1e12,
    "триллион": 1e12,
}
_SCALE = "|".join(rf"{word}\w*" if len(word) > 4 else word for word in _SCALES)
# Spaces are written out rather than \s, which also matches control characters.
_NUMERIC = re.compile(
    # January 20, 2025 | 20 January 2025 | 12 апреля 1961
    rf"(?P<date>\b(?P<month>{_EN_MONTH})[ \xa0](?P<day>\d{{1,2}})(?!\d)"
    rf"(?:,?[ \xa0](?P<year>\d{{4}})(?!\d))?"
    rf"|(?<![\w.,])(?P<day2>\d{{1,2}})[ \xa0](?P<month2>{_ANY_MONTH})\b"
    rf"(?:[ \xa0](?P<year2>\d{{4}})(?!\d))?)"
    # $1.7 billion | 1,500 | 2,5 | 40% | 18th | 2013
    rf"|(?<![\w.,])(?P<currency>[$€£₽¥])?"
    rf"(?P<digits>\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|\d+(?:[.,]\d+)?)(?![.,]?\d)"
    rf"(?P<suffix>[ \xa0]?%|[ \xa0](?:per cent|percent|процент(?:а|ов)?)\b|(?:st|nd|rd|th)\b"
    rf"|[ \xa0](?:{_SCALE})\b)?"
)
_NEXT_WORD = re.compile(r"[ \xa0](\w+)")
_THOUSANDS = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?")
MAX_DIGITS = 15  # a float's exact digits; longer runs of digits are codes, not quantities


@dataclass(frozen=True)
class _Span:
    """A possible answer in a sentence."""

    kind: AnswerKind  # NAME for every name: whether it is a person's is known only at the end
    start: int  # in the sentence
    end: int
    pool: tuple[str, ...]  # the entries its distractors come from: its kind, and its unit
    key: float | str  # the entry in that pool: a number's value, a name's folded text

    @property
    def is_name(self) -> bool:
        return self.kind is AnswerKind.NAME


def _numeric_spans(text: str) -> Iterator[tuple[_Span, float]]:
    """The years, dates, numbers, percentages and ordinals of a sentence, with their values."""
    for found in _NUMERIC.finditer(text):
        if found["date"]:
            yield _date_span(found)
            year = "year" if found["year"] else "year2"
            if found[year]:  # a year as well
                year_span = _Span(
                    AnswerKind.YEAR, found.start(year), found.end(year), ("year",), int(found[year])
                )
                yield year_span, int(found[year])
            continue
        digits = found["digits"]
        if sum(char.isdigit() for char in digits) > MAX_DIGITS:
            continue
        value = _number_value(digits)
        suffix = (found["suffix"] or "").strip().casefold()
        kind = AnswerKind.NUMBER
        pool: tuple[str, ...] = ("number", found["currency"] or "")
        if suffix.startswith(("%", "per", "процент")):
            kind, pool = AnswerKind.PERCENT, ("percent",)
        elif suffix in ("st", "nd", "rd", "th"):
            kind, pool = AnswerKind.ORDINAL, ("ordinal",)
        elif suffix:  # a scale: the value counts it, so that $700 million is near $1.7 billion
            value *= next(scale for word, scale in _SCALES.items() if suffix.startswith(word))
        elif not found["currency"] and len(digits) == 4 and 1000 <= value <= 2100:
            kind, pool = AnswerKind.YEAR, ("year",)
        if kind is AnswerKind.NUMBER and not found["currency"]:
            pool = ("number", "", _unit_word(text, found.end()))
        span = _Span(kind, found.start(), found.end(), pool, value)
        # Numbers are near when their ratio is small.
        yield span, math.log10(value + 1) if kind is AnswerKind.NUMBER else value


def _date_span(found: re.Match[str]) -> tuple[_Span, float]:
    month = _MONTH_NUMBER[found["month"] or found["month2"]]
    day = int(found["day"] or found["day2"])
    year = found["year"] or found["year2"]
    value = (int(year) if year else 0) * 400 + month * 32 + day
    pool = ("date", "year" if year else "")
    return _Span(AnswerKind.DATE, found.start(), found.end(), pool, value), value


def _number_value(digits: str) -> float:
    """1,234.5 (thousands with commas) or 1,7 (a decimal comma) or 1.7."""
    if _THOUSANDS.fullmatch(digits):
        return float(digits.replace(",", ""))
    return float(digits.replace(",", "."))


def _unit_word(text: str, end: int) -> str:
    """What a bare number counts, by the word after it (soldiers, drones): its first letters."""
    found = _NEXT_WORD.match(text, end)
    word = found[1] if found else ""
    return word[:4].casefold() if word[:1].isalpha() else ""


@dataclass(frozen=True)
class _Name:
    """A capitalised name in a sentence, titles and possessive left out."""

    start: int
    end: int
    words: tuple[str, ...]
    titled: bool  # after a title: a person's


_CONNECTORS = frozenset(
    {"of", "de", "la", "le", "du", "da", "di", "del", "van", "von", "der", "al"}
)


def _names(text: str, lexicon: _Lexicon, lowercase: set[str]) -> Iterator[_Name]:
    """The capitalised names of a sentence: runs of capitalised words (Bank of England too)."""
    words = list(_WORD.finditer(text))

    def capitalised(index: int) -> bool:
        word = words[index][0]
        return word[0].isupper() and word.casefold() not in lexicon.not_names

    index = 0
    while index < len(words):
        if not capitalised(index):
            index += 1
            continue
        last = index
        while last + 1 < len(words) and _joined(text, words, last + 1):
            if capitalised(last + 1):
                last += 1
            elif (
                words[last + 1][0] in _CONNECTORS
                and last + 2 < len(words)
                and _joined(text, words, last + 2)
                and capitalised(last + 2)
            ):
                last += 2
            else:
                break
        name = _name(text, words, index, last, lexicon, lowercase)
        if name is not None:
            yield name
        index = last + 1


def _name(
    text: str,
    words: list[re.Match[str]],
    first: int,
    last: int,
    lexicon: _Lexicon,
    lowercase: set[str],
) -> _Name | None:
    """The name words[first..last] make, if any: not a sentence's first word alone, titles cut."""
    if first == 0:
        if first == last:
            return None  # capitalised as the first word of a sentence: not known as a name
        folded = words[0][0].casefold()
        if folded in lexicon.function_words or folded in lowercase:
            first += 1  # "The Kremlin"
    titles = [i for i in range(first, last + 1) if _is_title(words[i][0], lexicon)]
    titled = bool(titles) or (
        first > 0 and _is_title(words[first - 1][0], lexicon) and _joined(text, words, first)
    )
    if titles:
        first = titles[-1] + 1  # Iranian Foreign Minister | Abbas Araghchi
    if first > last or last - first + 1 > MAX_NAME_WORDS:
        return None
    parts = [match[0] for match in words[first : last + 1]]
    end = words[last].end()
    if parts[-1].endswith(("’s", "'s")):  # Assad’s government
        parts[-1] = parts[-1][:-2]
        end -= 2
    if len(parts) == 1 and not titled and not _single_name(parts[0], lexicon, lowercase):
        return None
    return _Name(words[first].start(), end, tuple(parts), titled)


def _joined(text: str, words: list[re.Match[str]], index: int) -> bool:
    """Whether one space, and nothing else, comes between a word and the one before it."""
    return text[words[index - 1].end() : words[index].start()] == " "


def _single_name(word: str, lexicon: _Lexicon, lowercase: set[str]) -> bool:
    """Whether one capitalised word alone is worth asking: no adjective such as "Russian", no
    numeral such as "II", no word the text also writes in lowercase."""
    folded = word.casefold()
    return (
        len(word) >= 2
        and not word[0].isdigit()
        and folded not in lowercase
        and folded not in lexicon.function_words
        and not _DEMONYM.fullmatch(word)
        and not _ROMAN.fullmatch(word)
    )


def _shaped_like_a_person(words: tuple[str, ...], lexicon: _Lexicon, lowercase: set[str]) -> bool:
    """Two or three words, each a name alone (Masoud Pezeshkian), none generic (Cold War), not
    after an adjective of nationality (Russian Empire)."""
    return (
        2 <= len(words) <= 3
        and not _DEMONYM.fullmatch(words[0])
        and all(
            not word.isupper()
            and word.casefold() not in lowercase
            and not _is_generic(word, lexicon)
            for word in words
        )
    )


# --- reading the text -------------------------------------------------------------------------


@dataclass
class _Entry:
    """A possible distractor: one value or name of a pool, as the text first writes it."""

    text: str
    value: float
    count: int  # how often the text mentions it
    first: int  # the sentence where it first appears
    person: bool = False
    words: int = 1
    ending: str = field(init=False)  # its last letters, folded, and
    digits: bool = field(init=False)  # whether it has digits: how alike two names look

    def __post_init__(self) -> None:
        self.ending = self.text[-2:].casefold()
        self.digits = any(char.isdigit() for char in self.text)


@dataclass(frozen=True)
class _Candidate:
    sentence: _Sentence
    span: _Span
    kind: AnswerKind
    score: float


@dataclass
class _Reading:
    """What the text holds: every possible answer by sentence, and the pools of distractors."""

    lexicon: _Lexicon
    lowercase: set[str]  # words the text writes in lowercase: capitalised, they are not names
    spans: dict[int, list[_Span]] = field(default_factory=dict)  # by sentence index
    pools: dict[tuple[str, ...], dict[float | str, _Entry]] = field(default_factory=dict)

    def read(self, sentence: _Sentence) -> None:
        """Add the sentence's possible answers and distractors."""
        found: list[_Span] = []
        for span, value in _numeric_spans(sentence.text):
            self._enter(span, sentence, value)
            found.append(span)
        for name in _names(sentence.text, self.lexicon, self.lowercase):
            text = sentence.text[name.start : name.end]
            span = _Span(AnswerKind.NAME, name.start, name.end, ("name",), text.casefold())
            entry = self._enter(span, sentence, 0.0)
            entry.person = (
                entry.person
                or name.titled
                or _shaped_like_a_person(name.words, self.lexicon, self.lowercase)
            )
            entry.words = len(name.words)
            found.append(span)
        self.spans[sentence.index] = found

    def _enter(self, span: _Span, sentence: _Sentence, value: float) -> _Entry:
        pool = self.pools.setdefault(span.pool, {})
        entry = pool.get(span.key)
        if entry is None:
            text = sentence.text[span.start : span.end]
            entry = pool[span.key] = _Entry(text, value, 0, sentence.index)
        entry.count += 1
        return entry

    def candidates(self, sentences: Sequence[_Sentence]) -> list[_Candidate]:
        """Every answer a question could have, in the sentences a question can be in."""
        seen: set[str] = set()
        found: list[_Candidate] = []
        for sentence in sentences:
            if not _askable(sentence.text):
                continue
            folded = normalize_text(sentence.text).casefold()
            if folded in seen:
                continue  # the same sentence again
            seen.add(folded)
            worth = _worth(sentence.text)
            for span in self.spans[sentence.index]:
                if len(self.pools[span.pool]) <= DISTRACTORS or _trivial(sentence.text, span):
                    continue
                entry = self.pools[span.pool][span.key]
                kind = AnswerKind.PERSON if span.is_name and entry.person else span.kind
                found.append(_Candidate(sentence, span, kind, _score(kind, entry, worth)))
        return found


class _Distractors:
    """Picks distractors from the pools of a finished reading, the most alike first."""

    def __init__(self, pools: dict[tuple[str, ...], dict[float | str, _Entry]]) -> None:
        self._pools = pools
        names = pools.get(("name",), {})
        _add_surnames(names)
        # Names by how often the text mentions them, in four groups: persons or not, one word
        # or several. Numbers by value.
        self._names: dict[tuple[bool, bool], list[_Entry]] = {}
        for entry in sorted(names.values(), key=lambda entry: (-entry.count, entry.first)):
            self._names.setdefault((entry.person, entry.words == 1), []).append(entry)
        self._by_value = {
            pool: sorted(entries.values(), key=lambda entry: entry.value)
            for pool, entries in pools.items()
            if pool != ("name",)
        }
        self._values = {
            pool: [entry.value for entry in entries] for pool, entries in self._by_value.items()
        }

    def pick(self, sentence: str, span: _Span) -> tuple[str, str, str] | None:
        """Three of the same kind, none in the sentence nor within another; None if fewer."""
        chosen: list[str] = []
        taken = [sentence[span.start : span.end].casefold()]
        folded_sentence = sentence.casefold()
        for entry in self._alike(span):
            folded = entry.text.casefold()
            if folded in folded_sentence or any(folded in t or t in folded for t in taken):
                continue
            chosen.append(entry.text)
            taken.append(folded)
            if len(chosen) == DISTRACTORS:
                return chosen[0], chosen[1], chosen[2]
        return None

    def _alike(self, span: _Span) -> Iterator[_Entry]:
        """The pool's entries, the most alike first, a bounded number of each group."""
        answer = self._pools[span.pool][span.key]
        if not span.is_name:
            yield from _nearest(self._by_value[span.pool], self._values[span.pool], answer.value)
            return
        single = answer.words == 1
        for person in (answer.person, not answer.person):
            for words in (single, not single):
                # The most alike first: the same ending (in Russian often the same case:
                # Саратовской, Амурской), then digits or none alike (Восток-6, Спутник-2).
                alike: list[list[_Entry]] = [[], [], [], []]
                for entry in self._names.get((person, words), [])[:_SCAN]:
                    same_ending = entry.ending == answer.ending
                    alike[2 * same_ending + (entry.digits == answer.digits)].append(entry)
                for entries in reversed(alike):
                    yield from entries


def _add_surnames(names: dict[float | str, _Entry]) -> None:
    """A person's surname alone, as a distractor for a name given alone (Trump: Putin)."""
    for entry in list(names.values()):
        surname = entry.text.rsplit(" ", 1)[-1]
        if entry.person and entry.words > 1 and surname.casefold() not in names:
            names[surname.casefold()] = _Entry(surname, 0.0, entry.count, entry.first, True)


def _nearest(entries: list[_Entry], values: list[float], value: float) -> Iterator[_Entry]:
    """The entries (sorted by value) nearest to `value` first, a bounded number of them."""
    right = bisect.bisect_left(values, value)
    left = right - 1
    for _ in range(_SCAN):
        if right < len(values) and (left < 0 or values[right] - value < value - values[left]):
            yield entries[right]
            right += 1
        elif left >= 0:
            yield entries[left]
            left -= 1
        else:
            return


# --- choosing ---------------------------------------------------------------------------------

_UNREADABLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\u2028\u2029]|://")
_WEIGHTS = {
    AnswerKind.YEAR: 1.0,
    AnswerKind.DATE: 1.0,
    AnswerKind.PERCENT: 1.0,
    AnswerKind.NUMBER: 0.9,
    AnswerKind.PERSON: 0.9,
    AnswerKind.NAME: 0.7,
    AnswerKind.ORDINAL: 0.6,
}
SINGLE_NAME_WEIGHT = 0.5  # Iran, Moscow: easy to guess from the rest of the sentence
# Penalties while choosing: a second question from the same part of the text, or on an answer
# already asked, comes after a fresh one of nearly the same worth. They stop growing (a part
# counts up to twice, an answer once), so that each candidate is put back at most three times.
SAME_PART_PENALTY = 0.6
SAME_ANSWER_PENALTY = 0.8


def _askable(sentence: str) -> bool:
    """A whole, readable sentence of a question's length: no heading, fragment or question."""
    if not MIN_SENTENCE_CHARS <= len(sentence) <= MAX_SENTENCE_CHARS:
        return False
    first = sentence.lstrip(_OPENERS)[:1]
    letters = sum(char.isalpha() for char in sentence)
    return (
        (first.isupper() or first.isdigit())
        and sentence.rstrip(_CLOSERS)[-1:] in (".", "!", "…")
        and len(_WORD.findall(sentence)) >= MIN_SENTENCE_WORDS
        and letters >= 0.6 * (len(sentence) - sentence.count(" "))
        and not _UNREADABLE.search(sentence)
        and GAP not in sentence
    )


def _trivial(sentence: str, span: _Span) -> bool:
    """Whether the rest of the sentence gives the answer away, or it is too long an option."""
    answer = sentence[span.start : span.end]
    if len(answer) > MAX_ANSWER_CHARS:
        return True
    rest = (sentence[: span.start] + GAP + sentence[span.end :]).casefold()
    if not span.is_name:
        return _has_word(rest, answer.casefold())
    # A name's words: "Bashar Assad" is given away by "Assad" elsewhere in the sentence.
    return answer.casefold() in rest or any(
        word.casefold() in rest for word in answer.split() if len(word) > 3
    )


def _has_word(text: str, word: str) -> bool:
    """Whether `word` occurs in `text` on its own: 2015 in "in 2015," but not in "20150"."""
    found = text.find(word)
    while found >= 0:
        end = found + len(word)
        if not text[found - 1 : found].isalnum() and not text[end : end + 1].isalnum():
            return True
        found = text.find(word, found + 1)
    return False


def _worth(sentence: str) -> float:
    """What a sentence adds to any question in it: it says much, and reads well."""
    content = len({word.casefold() for word in _WORD.findall(sentence) if len(word) > 3})
    return 0.4 * min(content, 15) / 15 + (0.2 if 60 <= len(sentence) <= 220 else 0.0)


def _score(kind: AnswerKind, entry: _Entry, worth: float) -> float:
    """How good a question the answer makes in a sentence of this worth."""
    single = kind in (AnswerKind.NAME, AnswerKind.PERSON) and entry.words == 1
    score = (SINGLE_NAME_WEIGHT if single else _WEIGHTS[kind]) + worth
    if entry.count > 1:
        score += 0.2  # mentioned again: it matters in the text
    return score


def _select(candidates: list[_Candidate], reading: _Reading, limit: int) -> list[Proposal]:
    """The best candidates, one a sentence, spread over the text, best first.

    Greedy, from a heap: a candidate's worth only falls as others are chosen (its part of the
    text, or its answer, taken), so one popped and still worth what the heap said is the best.
    """
    if not candidates:
        return []
    distractors = _Distractors(reading.pools)
    sentences = sorted({candidate.sentence.index for candidate in candidates})
    part_of = {index: order * limit // len(sentences) for order, index in enumerate(sentences)}
    heap = [(-c.score, c.sentence.index, c.span.start, i) for i, c in enumerate(candidates)]
    heapq.heapify(heap)
    used_sentences: set[int] = set()
    used_parts: dict[int, int] = {}
    used_answers: set[str] = set()
    chosen: list[Proposal] = []
    while heap and len(chosen) < limit:
        negative, _, _, number = heapq.heappop(heap)
        candidate = candidates[number]
        sentence = candidate.sentence
        if sentence.index in used_sentences:
            continue
        answer = sentence.text[candidate.span.start : candidate.span.end]
        worth = (
            candidate.score
            - SAME_PART_PENALTY * min(used_parts.get(part_of[sentence.index], 0), 2)
            - SAME_ANSWER_PENALTY * (answer.casefold() in used_answers)
        )
        if worth < -negative:
            heapq.heappush(heap, (-worth, sentence.index, candidate.span.start, number))
            continue
        picked = distractors.pick(sentence.text, candidate.span)
        if picked is None:
            continue
        chosen.append(_proposal(candidate, answer, picked))
        used_sentences.add(sentence.index)
        used_parts[part_of[sentence.index]] = used_parts.get(part_of[sentence.index], 0) + 1
        used_answers.add(answer.casefold())
    return chosen


def _proposal(candidate: _Candidate, answer: str, distractors: tuple[str, str, str]) -> Proposal:
    sentence, span = candidate.sentence, candidate.span
    return Proposal(
        question=sentence.text[: span.start] + GAP + sentence.text[span.end :],
        answer=answer,
        distractors=distractors,
        quote=sentence.text,
        kind=candidate.kind,
        position=sentence.start,
    )


def proposed_questions(
    source_text: str, limit: int = 20, language: str | None = None
) -> list[dict[str, Any]]:
    """The proposals of `draft_questions`, as the bank file writes questions (to keep in a
    draft until a teacher keeps or drops each)."""
    proposals = draft_questions(source_text, limit=limit, language=language)
    return [question_data(p.to_question()) for p in proposals]
