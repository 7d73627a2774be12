"""Tests of quiz.drafting: question drafts written from an article by rules."""

from __future__ import annotations

import time

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from quiz.bank import (
    Bank,
    QuestionKind,
    normalize_text,
    parse_bank,
    quote_in_source,
    read_source_text,
)
from quiz.drafting import (
    GAP,
    MAX_DRAFT_CHARS,
    AnswerKind,
    Proposal,
    draft_bank,
    draft_questions,
    sentence_spans,
)
from quiz.writing import bank_to_yaml
from tests.conftest import QUESTIONS
from tests.growth import assert_linear

SEED = (QUESTIONS / "sources" / "russia-iran-partnership.txt").read_text(encoding="utf-8")

RUSSIAN = """\
История космонавтики
Первый искусственный спутник Земли был запущен Советским Союзом 4 октября 1957 года.
Через месяц в космос отправилась собака Лайка на корабле «Спутник-2».
Главным конструктором первых ракет был Сергей Королёв, который руководил работами в \
подмосковном Калининграде. 12 апреля 1961 года космонавт Юрий Гагарин совершил первый полёт \
вокруг Земли на корабле «Восток-1». Полёт продолжался 108 минут и закончился посадкой в \
Саратовской области.
В 1963 году Валентина Терешкова стала первой женщиной в космосе. Её полёт на корабле «Восток-6» \
продолжался почти три дня.
Первый выход человека в открытый космос совершил Алексей Леонов в 1965 году.
В 1969 году Нил Армстронг и Базз Олдрин высадились на Луне, а Майкл Коллинз ждал их на орбите.
Станция «Мир» проработала на орбите с 1986 по 2001 год.
Новый космодром Восточный построен в Амурской области.
"""

FIGURES = """\
The city council approved a budget of $1.7 billion for the new metro line last spring.
Critics noted that the previous line had cost only $700 million when it opened decades ago.
A second proposal, worth $3.2 billion, was rejected after a long debate in the chamber.
The mayor said a smaller plan of $950 million could still be revived next year.
Turnout in the local election reached 64% according to the official count.
In the previous election only 48% of registered voters took part in the ballot.
Young voters made up 22% of the electorate, a record for the district.
Independent candidates won 31% of the seats, more than ever before.
The first tunnel was dug by 1,200 workers over three difficult winters.
A later extension needed 850 workers and took two years to complete.
The repair crews employed 430 workers during the summer closure.
Engineers estimated that 2,500 workers would be needed for the final phase.
The old depot stored 900 wagons through the long winter months.
The line opened on March 3, 1998 after many delays and strikes.
The northern branch followed on June 14, 2004 with a large ceremony.
An extension to the airport opened on October 9, 2011 at last.
The newest station was inaugurated on May 21, 2019 by the governor.
"""


def check(proposals: list[Proposal], source: str) -> Bank | None:
    """What every draft must be; the bank the proposals make, read back by the bank's parser."""
    assert len({proposal.quote for proposal in proposals}) == len(proposals)  # one a sentence
    assert len({proposal.id for proposal in proposals}) == len(proposals)
    for proposal in proposals:
        assert proposal.quote in source  # verbatim
        assert source[proposal.position :].startswith(proposal.quote)
        assert quote_in_source(proposal.quote, source)  # the bank's own check
        assert proposal.question.count(GAP) == 1
        gap = proposal.question.index(GAP)
        after = proposal.question[gap + len(GAP) :]
        assert proposal.quote == proposal.question[:gap] + proposal.answer + after
        texts = {
            normalize_text(text).casefold() for text in (proposal.answer, *proposal.distractors)
        }
        assert len(texts) == 4  # three distractors, none the answer, none twice
        assert not any(d.casefold() in proposal.quote.casefold() for d in proposal.distractors)
        assert sorted(proposal.options) == sorted((proposal.answer, *proposal.distractors))
    if not proposals:
        return None
    if read_source_text(source.encode("utf-8", "surrogatepass"), "source")[0] is None:
        # No bank holds this source (control characters, say): the questions still must fit one.
        source = "\n".join(proposal.quote for proposal in proposals)
    bank = draft_bank(
        proposals, bank_id="drafts", title="Drafts", source_title="Source", source_text=source
    )
    assert parse_bank(bank_to_yaml(bank), filename="drafts.yaml", base_dir=None) == bank
    return bank


# --- the seed article -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed_drafts() -> list[Proposal]:
    return draft_questions(SEED)


def test_the_seed_article_gives_at_least_15_good_proposals(seed_drafts: list[Proposal]) -> None:
    assert len(seed_drafts) >= 15
    bank = check(seed_drafts, SEED)
    assert bank is not None
    assert all(question.kind is QuestionKind.CHOICE for question in bank.questions)
    assert all(len(question.options) == 4 for question in bank.questions)
    assert all(question.explanation is None for question in bank.questions)


def test_seed_proposals_of_each_kind(seed_drafts: list[Proposal]) -> None:
    by_answer = {proposal.answer: proposal for proposal in seed_drafts}
    bushehr = by_answer["2013"]
    assert bushehr.kind is AnswerKind.YEAR
    assert bushehr.question.endswith("in Bushehr, which became operational in ____.")
    assert all(len(year) == 4 and year.isdigit() for year in bushehr.distractors)
    peskov = by_answer["Dmitry Peskov"]
    assert peskov.kind is AnswerKind.PERSON
    assert "according to Kremlin spokesman ____, covers" in peskov.question
    assert set(peskov.distractors) <= {
        *("Vladimir Putin", "Donald Trump", "Masoud Pezeshkian", "Ruhollah Khomeini"),
        *("Bashar Assad", "Abbas Araghchi"),
    }
    # Abbreviations do not end a sentence: the quote runs past "U.S." to the real end.
    khomeini = by_answer["1979"]
    assert khomeini.quote.startswith("During the Cold War, Tehran was a staunch U.S. ally")
    assert khomeini.quote.endswith("denounced both the U.S. and the USSR.")


def test_seed_proposals_leave_out_headings_and_lone_first_words(
    seed_drafts: list[Proposal],
) -> None:
    quotes = {proposal.quote for proposal in draft_questions(SEED, limit=100)}
    assert "A history of rivalry" not in quotes
    assert all(quote[-1] in ".”" for quote in quotes)
    answers = {proposal.answer for proposal in draft_questions(SEED, limit=100)}
    assert not answers & {"Despite", "During", "Russian", "Iranian", "Friday", "January", "U"}


def test_the_best_come_first_and_spread_over_the_text(seed_drafts: list[Proposal]) -> None:
    first = seed_drafts[:8]
    assert {proposal.kind for proposal in first} <= {AnswerKind.YEAR, AnswerKind.PERSON}
    middle = len(SEED) / 2
    assert any(p.position < middle for p in first) and any(p.position > middle for p in first)
    # An answer asked twice comes after the fresh ones.
    answers = [proposal.answer for proposal in seed_drafts]
    assert len(set(answers[:10])) == 10


def test_drafts_are_the_same_every_time(seed_drafts: list[Proposal]) -> None:
    again = draft_questions(SEED)
    assert again == seed_drafts
    assert [p.options for p in again] == [p.options for p in seed_drafts]
    assert [p.to_question() for p in again] == [p.to_question() for p in seed_drafts]
    # The options are shuffled: the answer is not always in the same place.
    assert len({p.options.index(p.answer) for p in seed_drafts}) > 1


def test_limit() -> None:
    assert draft_questions(SEED, limit=0) == []
    assert len(draft_questions(SEED, limit=5)) == 5
    assert len(draft_questions(SEED, limit=100)) < 100  # no more than the text holds


# --- other texts ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\n",
        "Short.",
        "The cat sat on the mat and looked out of the window for a while.",
        # Candidates, but not three others of their kind for distractors.
        "In 1999 the old bridge was closed for repairs by the town. It opened again in 2001 after"
        " two long years of work by the town.",
        "A heading with 1917 1945 1989 2001 and 2020 but no full stop",
    ],
)
def test_texts_without_candidates_give_none(text: str) -> None:
    assert draft_questions(text) == []


def test_a_russian_text_with_cyrillic_names() -> None:
    proposals = draft_questions(RUSSIAN, language="ru")
    check(proposals, RUSSIAN)
    by_answer = {proposal.answer: proposal for proposal in proposals}
    korolev = by_answer["Сергей Королёв"]
    assert korolev.kind is AnswerKind.PERSON
    assert korolev.question.startswith("Главным конструктором первых ракет был ____, который")
    assert set(korolev.distractors) <= {
        *("Юрий Гагарин", "Валентина Терешкова", "Алексей Леонов", "Нил Армстронг"),
        *("Базз Олдрин", "Майкл Коллинз"),
    }
    gagarin = by_answer["1961"]  # a date's year is a year
    assert gagarin.question.startswith("12 апреля ____ года космонавт Юрий Гагарин совершил")
    assert gagarin.kind is AnswerKind.YEAR
    assert by_answer["Саратовской"].distractors[0] == "Амурской"  # the same ending first
    assert not {"В", "Первый", "История", "Через"} & set(by_answer)
    assert draft_questions(RUSSIAN) == proposals  # the same without naming the language


def test_numbers_of_the_same_unit_percentages_and_dates() -> None:
    proposals = {proposal.answer: proposal for proposal in draft_questions(FIGURES, limit=50)}
    check(list(proposals.values()), FIGURES)
    assert proposals["$1.7 billion"].kind is AnswerKind.NUMBER
    assert set(proposals["$1.7 billion"].distractors) == {
        "$3.2 billion",
        "$950 million",
        "$700 million",
    }
    # Workers against workers, not wagons.
    assert set(proposals["850"].distractors) == {"1,200", "430", "2,500"}
    assert set(proposals["64%"].distractors) == {"48%", "31%", "22%"}
    assert proposals["64%"].kind is AnswerKind.PERCENT
    assert set(proposals["June 14, 2004"].distractors) == {
        "March 3, 1998",
        "October 9, 2011",
        "May 21, 2019",
    }


def test_trivial_and_duplicate_sentences_are_left_out() -> None:
    sentences = [
        "In 1901 the first 1901 edition of the yearly almanac was printed in town.",  # twice
        "The second edition of the almanac was printed in 1911 for the town fair.",
        "The second edition of the almanac was printed in 1911 for the town fair.",  # again
        "A third edition of the almanac followed in 1921 with many new maps.",
        "Was the fourth edition of the almanac printed in 1931 for the fair?",  # a question
        "The fifth edition of the almanac came in 1941 during the hard war years.",
        "The sixth edition of the almanac came out in 1951 after long delays." + " x" * 200,
    ]
    proposals = draft_questions(" ".join(sentences), limit=50)
    assert sorted(p.answer for p in proposals) == ["1911", "1921", "1941"]


# --- sentences --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ("One. Two! Three? Four… Five", ["One.", "Two!", "Three?", "Four…", "Five"]),
        ("A staunch U.S. ally. Next one.", ["A staunch U.S. ally.", "Next one."]),
        ("John F. Kennedy spoke. Mr. Smith left.", ["John F. Kennedy spoke.", "Mr. Smith left."]),
        ("It is e.g. this. Or i.e. that.", ["It is e.g. this.", "Or i.e. that."]),
        ("He said “Go.” Then left.", ["He said “Go.”", "Then left."]),
        ("A heading\nIts text. More\n\n  text", ["A heading", "Its text.", "More", "text"]),
        ("Wait... what? Yes.", ["Wait... what?", "Yes."]),
        ("Version 1.2.3 is out. Г. Москва.", ["Version 1.2.3 is out.", "Г. Москва."]),
        ("  \n ", []),
    ],
)
def test_sentence_spans(text: str, sentences: list[str]) -> None:
    assert [text[start:end] for start, end in sentence_spans(text)] == sentences


# --- any text ---------------------------------------------------------------------------------

PIECES = [
    *(".", "!", "?", "…", "...", ". ", ".\n", "\n", "\n\n", " ", "  ", "\t", "\xa0", "”", "“"),
    *("«", "»", "’s ", "'s ", "-", ",", ":", "(", ")", "U.S. ", "Mr. ", "A. ", "e.g. "),
    *("The ", "the ", "of ", "and ", "in ", "President ", "spokesman ", "В ", "году ", "и "),
    *("Anna Berg ", "Carl Dunn ", "Eva ", "Moscow ", "Iran ", "Юрий Гагарин ", "Москва "),
    *("Russian ", "Soviet Union ", "Bank of England ", "II ", "USSR ", "Восток-1 "),
    *("1917 ", "2013", "1,200 ", "1,7 ", "$1.7 billion ", "€5 ", "40% ", "12 per cent "),
    *("18th ", "January 20, 2025 ", "20 января ", "5 ", "0", "1" * 20, "x" * 30, "é", "😀"),
    *("\x00", "\x1f", "\x85", "\u2028", "\ud800", "\u0301", "://", "____"),
]
# Articles: sentences of plain words and possible answers, with the pieces above among them.
WORDS = st.sampled_from(
    [
        "the",
        "council",
        "met",
        "with",
        "old",
        "friends",
        "and",
        "spoke",
        "about",
        "plans",
        "for",
        "town",
        "of",
        "in",
        "a",
        "new",
        "by",
    ]
)
ANSWERS = st.sampled_from(
    [
        *("Anna Berg", "Carl Dunn", "Eva Holm", "President Olaf Lund", "Moscow", "Lima", "Oslo"),
        *("1917", "1945", "1989", "2001", "$5 million", "$7 million", "$2 billion", "40%"),
        *("12%", "55%", "9%", "300 men", "120 men", "75 men", "Юрий Гагарин", "Сергей Королёв"),
        *("Алексей Леонов", "Москва", "Казань", "Самара", "May 1, 1990", "June 2, 1991"),
        *("July 3, 1992", "March 4, 1993", "Anna", "Berg", "Carl Dunn’s"),
    ]
)


@st.composite
def articles(draw: st.DrawFn) -> str:
    sentences = []
    for _ in range(draw(st.integers(1, 25))):
        parts = st.one_of(WORDS, WORDS, WORDS, ANSWERS, st.sampled_from(PIECES))
        words = draw(st.lists(parts, min_size=3, max_size=30))
        start = draw(st.sampled_from(["The", "In", "Anna", "Then", "", "«"]))
        end = draw(st.sampled_from([".", ".", "!", ".”", "", "?", "…"]))
        sentences.append(f"{start} {' '.join(words)}{end}")
    return draw(st.sampled_from([" ", "\n", "  "])).join(sentences)


TEXTS = (
    st.text()
    | st.lists(st.sampled_from(PIECES) | st.text(max_size=3), max_size=80).map("".join)
    | articles()
)


@settings(deadline=None, database=None, max_examples=300)
@given(TEXTS, st.integers(1, 30))
@example(" ".join(["In 1917 Anna Berg met Carl Dunn in Moscow."] * 3), 20)
def test_any_text_drafts_without_crashing(text: str, limit: int) -> None:
    proposals = draft_questions(text, limit=limit)
    assert len(proposals) <= limit
    check(proposals, text)


def article(unit: str, size: int) -> str:
    """`unit` repeated to `size` characters, each copy made different by a number."""
    parts: list[str] = []
    total = 0
    number = 0
    while total < size:
        part = unit.replace("#", str(number))
        parts.append(part)
        total += len(part)
        number += 1
    return "".join(parts)[:size]


SMALL, LARGE = 25_000, 200_000  # characters
LARGE_SECONDS = 2.0
UNITS = st.lists(
    st.sampled_from([*PIECES, "#", "# ", "Name#", " Name# Other#"]), min_size=1, max_size=12
).map("".join)


@settings(deadline=None, database=None, max_examples=25)
@given(UNITS)
@example("In 19# the minister Anna# Berg met Carl Dunn# in Town#. ")
@example("Then Aa# Zz met Aa# Zzb and Aa#b Zz in the city of Bb#. ")
@example(". " * 5)
@example("U.S. ")
@example("Aa Bb w# x#. ")  # every sentence's first words looked up among the text's words
@example("1" * 30 + " ")
def test_drafting_time_is_linear_in_the_size(unit: str) -> None:
    _, seconds = assert_linear(lambda size: draft_questions(article(unit, size)), SMALL, LARGE)
    assert seconds < LARGE_SECONDS, f"{seconds:.2f} s for {LARGE:,} characters"


def test_a_huge_source_is_read_up_to_its_cap() -> None:
    unit = SEED + "\n"
    huge = unit * (3 * MAX_DRAFT_CHARS // len(unit))
    started = time.perf_counter()
    proposals = draft_questions(huge, limit=200)
    seconds = time.perf_counter() - started
    assert seconds < 10, f"{seconds:.1f} s"
    assert proposals and all(p.position < MAX_DRAFT_CHARS for p in proposals)
    assert len(proposals) == len(draft_questions(SEED, limit=200))  # a repeated text: repeats
