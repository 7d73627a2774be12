"""Explanations found in the bank's own language: Russian and Persian sentences, words, stems."""

import dataclasses
from pathlib import Path

import pytest

from quiz.bank import Bank, load_bank_file, quote_in_source
from quiz.explain import (
    Asked,
    SentenceIndex,
    language_code,
    passages_for,
    source_passages,
    split_sentences,
    supporting_passage,
    tokenize,
)

QUESTIONS = Path(__file__).parent.parent / "questions"
RUSSIAN_BANK = QUESTIONS / "rossiya-iran-partnerstvo.yaml"


# --- sentences


def test_russian_abbreviations_and_initials_end_no_sentence():
    text = (
        "Договор, т. е. пакт, подписан. В 2013 г. станция заработала. "
        "Президент В. В. Путин принял гостя. Станция на ул. Ленина закрыта."
    )
    assert split_sentences(text, "ru") == [
        "Договор, т. е. пакт, подписан.",
        "В 2013 г. станция заработала.",
        "Президент В. В. Путин принял гостя.",
        "Станция на ул. Ленина закрыта.",
    ]


def test_russian_quotes_dashes_and_questions():
    text = "Он сказал: «Это важно!» Потом ушёл. «Почему?» — спросил гость. Был ли он там? Нет…"
    assert split_sentences(text, "ru") == [
        "Он сказал: «Это важно!»",
        "Потом ушёл.",
        "«Почему?» — спросил гость.",
        "Был ли он там?",
        "Нет…",
    ]


def test_a_year_closing_a_sentence_still_ends_it():
    text = "Станция заработала в 2013 г. Затем её расширили."
    assert split_sentences(text, "ru") == ["Станция заработала в 2013 г.", "Затем её расширили."]


def test_persian_sentences_end_at_its_question_mark_and_full_stop():
    text = "ایران و روسیه قرارداد امضا کردند. آیا این قرارداد مهم است؟ بله!\nتاریخچه"
    assert split_sentences(text, "fa") == [
        "ایران و روسیه قرارداد امضا کردند.",
        "آیا این قرارداد مهم است؟",
        "بله!",
        "تاریخچه",
    ]


def test_english_no_longer_breaks_after_us_before_a_lower_case_word():
    text = (
        "Tehran was a staunch U.S. ally under the Shah. He denounced the USSR. In fact, Mr. Smith"
    )
    assert split_sentences(text) == [
        "Tehran was a staunch U.S. ally under the Shah.",
        "He denounced the USSR.",
        "In fact, Mr. Smith",
    ]


# --- words


def test_russian_inflected_forms_share_a_stem():
    forms = tokenize("сотрудничество сотрудничества сотрудничеству сотрудничеством", "ru")
    assert len(set(forms)) == 1
    assert tokenize("Россия", "ru") == tokenize("России", "ru") == tokenize("Россией", "ru")
    assert tokenize("договор", "ru") == tokenize("договора", "ru")
    assert tokenize("сотрудничество", "ru") != tokenize("соперничество", "ru")


def test_russian_lower_case_yo_as_ye_and_stop_words():
    assert tokenize("ПАРТНЁРСТВО", "ru") == tokenize("партнерство", "ru")
    assert tokenize("и в на который это не", "ru") == []
    assert tokenize("Иран и Россия", "ru") == tokenize("россия иран", "ru")[::-1]


def test_persian_letter_variants_marks_and_suffixes_read_as_one_word():
    # Arabic yeh and kaf, a short vowel mark, and a plural joined by a zero-width non-joiner.
    assert tokenize("كتاب", "fa") == tokenize("کتاب", "fa") == tokenize("کتاب\u200cها", "fa")
    assert tokenize("يك روسیه", "fa") == tokenize("رُوسیه", "fa") == ["روسیه"]
    assert tokenize("همکاری\u200cهای ایران و روسیه از ۲۰۱۳", "fa") == [
        "همکاری",
        "ایران",
        "روسیه",
        "2013",
    ]


def test_english_and_unknown_languages_read_as_before():
    text = "The cooperation of states, Cooperating"
    assert tokenize(text) == ["cooperation", "states", "cooperating"]
    assert tokenize(text, "en") == tokenize(text, "de") == tokenize(text, "en-GB") == tokenize(text)


def test_language_codes_read_by_their_first_part():
    assert [language_code(c) for c in ("ru-RU", "RU", "fa_IR", "fa", "pt-BR", None, "")] == [
        "ru",
        "ru",
        "fa",
        "fa",
        "en",
        "en",
        "en",
    ]


# --- retrieval

# The right sentence shares no word form with the question, only stems; the other shares none.
STATION = (
    "Строительство атомной электростанции в Бушере завершено Россией. "
    "Переговоры о ней в Тегеране шли долго."
)
BUILT_BY = "Какая страна строила атомную электростанцию?"


def test_stems_find_a_sentence_that_shares_no_word_form_with_the_question():
    russian = SentenceIndex.from_text(STATION, "ru")
    found = supporting_passage(russian, BUILT_BY, ["Россия"], None)
    assert found == "Строительство атомной электростанции в Бушере завершено Россией."
    assert supporting_passage(SentenceIndex.from_text(STATION), BUILT_BY, ["Россия"], None) is None


def test_a_source_attached_later_is_read_in_the_banks_language():
    asked = [Asked(1, BUILT_BY, ["Россия"])]
    assert source_passages(STATION, asked, "ru-RU") == {
        1: "Строительство атомной электростанции в Бушере завершено Россией."
    }
    assert source_passages(STATION, asked) == {1: None}


def without_quotes(bank: Bank, language: str | None) -> Bank:
    questions = tuple(dataclasses.replace(q, quote=None) for q in bank.questions)
    return dataclasses.replace(bank, questions=questions, language=language)


def retrieval_share(bank: Bank, language: str | None) -> float:
    """The share of questions whose passage, found as if they had no quote, holds their quote."""
    passages = passages_for(without_quotes(bank, language))
    hits = [quote_in_source(q.quote or "", passages[q.id] or "") for q in bank.questions]
    return sum(hits) / len(hits)


def test_the_russian_bank_without_quotes_still_finds_the_sentences_that_prove_its_answers():
    bank = load_bank_file(RUSSIAN_BANK)
    assert bank.language == "ru" and all(q.quote for q in bank.questions)
    russian, plain = retrieval_share(bank, bank.language), retrieval_share(bank, None)
    print(f"passages holding the quote: {russian:.2f} in Russian, {plain:.2f} read as English")
    assert russian >= 0.9


def test_the_russian_banks_passages_are_found_with_its_stems():
    """passages_for reads the bank's language: its index is the Russian one, not the default."""
    bank = without_quotes(load_bank_file(RUSSIAN_BANK), "ru")
    russian = SentenceIndex.from_text(bank.source_text, "ru")
    passages = passages_for(bank)
    for q in bank.questions:
        assert passages[q.id] == supporting_passage(russian, q.text, q.correct_texts, None)
    plain = passages_for(dataclasses.replace(bank, language=None))
    assert plain != passages


@pytest.mark.parametrize("language", ["ru", None])
def test_every_quote_of_the_russian_bank_lies_within_one_sentence(language):
    """The retrieval's unit is the sentence: a quote split across two could never be found."""
    bank = load_bank_file(RUSSIAN_BANK)
    sentences = split_sentences(bank.source_text, language)
    for q in bank.questions:
        assert any(quote_in_source(q.quote or "", s) for s in sentences), q.id
