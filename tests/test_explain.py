"""Passages that support an answer: the bank's quote, or BM25 over the source."""

import math
from collections import Counter
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from quiz.bank import load_bank_file, quote_in_source
from quiz.explain import (
    MAX_PASSAGE_CHARS,
    SentenceIndex,
    clip,
    split_sentences,
    supporting_passage,
    tokenize,
)
from tests.growth import FLOOR, fastest

QUESTIONS = Path(__file__).parent.parent / "questions"
SEED = QUESTIONS / "sources" / "russia-iran-partnership.txt"
SEED_BANK = QUESTIONS / "russia-iran-partnership.yaml"


def test_sentences_split_on_punctuation_and_lines():
    text = "First one. Second “quoted.” Third?\nA heading\nLast!"
    assert split_sentences(text) == [
        "First one.",
        "Second “quoted.”",
        "Third?",
        "A heading",
        "Last!",
    ]


def test_the_quote_wins_when_given():
    index = SentenceIndex.from_text("Paris is in France. Rome is in Italy.")
    assert supporting_passage(index, "Where is Rome?", ["Italy"], "Rome is in Italy") == (
        "Rome is in Italy"
    )


def test_retrieval_finds_the_sentence_that_answers():
    index = SentenceIndex.from_text(SEED.read_text())
    passage = supporting_passage(
        index, "Which plant became operational in 2013?", ["Bushehr nuclear power plant"], None
    )
    assert passage is not None
    assert "Bushehr, which became operational in 2013" in passage


def test_retrieval_for_a_true_false_statement():
    index = SentenceIndex.from_text(SEED.read_text())
    passage = supporting_passage(
        index, "Khomeini called the Soviet Union the Great Satan.", ["False"], None
    )
    assert passage is not None
    assert "Lesser Satan" in passage


def test_the_seed_bank_without_quotes_finds_its_quotes():
    """Found as if no question had a quote: the passage holds the quote for 28 of 30 (23 while
    "a staunch U.S. ally" was cut into two sentences)."""
    bank = load_bank_file(SEED_BANK)
    index = SentenceIndex.from_text(bank.source_text, bank.language)
    found = [
        quote_in_source(
            q.quote or "", supporting_passage(index, q.text, q.correct_texts, None) or ""
        )
        for q in bank.questions
    ]
    assert sum(found) / len(found) >= 0.9


def test_no_passage_when_nothing_matches():
    index = SentenceIndex.from_text("Paris is in France.")
    assert supporting_passage(index, "Quantum chromodynamics?", ["gluons"], None) is None


def test_long_passages_are_clipped_on_a_word():
    text = "word " * 1000
    clipped = clip(text, MAX_PASSAGE_CHARS)
    assert len(clipped) <= MAX_PASSAGE_CHARS
    assert clipped.endswith("word…")


# --- the index finds what BM25 over every sentence finds, at a cost that does not grow with them


def every_sentence_scored(sentences: list[str], query: str, max_sentences: int) -> str | None:
    """The passage as BM25 over every sentence gives it: what the index must find."""
    docs = [Counter(tokenize(sentence)) for sentence in sentences]
    count = len(docs)
    frequency = Counter(word for doc in docs for word in doc)
    idf = {word: math.log(1 + (count - f + 0.5) / (f + 0.5)) for word, f in frequency.items()}
    average = sum(sum(doc.values()) for doc in docs) / count if count else 0.0
    scores = []
    for doc in docs:
        norm = 1.5 * (1 - 0.75 + 0.75 * sum(doc.values()) / (average or 1))
        score = 0.0
        for term in tokenize(query):
            if doc[term]:
                score += idf[term] * doc[term] * (1.5 + 1) / (doc[term] + norm)
        scores.append(score)
    ranked = sorted(range(count), key=lambda i: scores[i], reverse=True)
    if not ranked or scores[ranked[0]] <= 0:
        return None
    picked = [i for i in ranked[:max_sentences] if scores[i] >= 0.75 * scores[ranked[0]]]
    return clip(" ".join(sentences[i] for i in sorted(picked)), MAX_PASSAGE_CHARS)


# Few words, so that sentences share terms, tie, and repeat one another.
WORDS = st.sampled_from(["iran", "russia", "treaty", "gas", "oil", "war", "the", "of", "2013"])
SENTENCES = st.lists(st.lists(WORDS, min_size=1, max_size=8).map(" ".join), max_size=40)
QUERIES = st.lists(WORDS | st.just("absent"), max_size=12).map(" ".join)


@settings(deadline=None, database=None, max_examples=400)
@given(SENTENCES, QUERIES, st.integers(1, 3))
def test_the_index_finds_the_passage_that_scoring_every_sentence_finds(
    sentences: list[str], query: str, max_sentences: int
) -> None:
    found = SentenceIndex(sentences).best_passage(query, max_sentences=max_sentences)
    assert found == every_sentence_scored(sentences, query, max_sentences)


def test_the_passages_of_the_seed_bank_are_those_of_every_sentence_scored() -> None:
    sentences = split_sentences(SEED.read_text())
    index = SentenceIndex(sentences)
    for question in load_bank_file(SEED_BANK).questions:
        query = " ".join([question.text, *question.correct_texts])
        assert index.best_passage(query) == every_sentence_scored(sentences, query, 2)


def ledger(records: int) -> tuple[str, list[str]]:
    """A source of `records` sentences, and a question about each, as bench.bankgen writes them."""
    nouns = ("harbour", "tariff", "census", "survey", "treaty", "budget", "charter", "registry")
    sentences = [f"The {nouns[i % 8]} record {i} lists c{i}b as its entry." for i in range(records)]
    queries = [f"Which code does the {nouns[i % 8]} record {i} list? c{i}b" for i in range(records)]
    return " ".join(sentences), queries


def test_a_question_costs_no_more_on_a_source_eight_times_longer() -> None:
    short_source, queries = ledger(1_000)
    long_source, _ = ledger(8_000)
    short, long = SentenceIndex.from_text(short_source), SentenceIndex.from_text(long_source)
    assert (
        short.best_passage(queries[7])
        == long.best_passage(queries[7])
        == ("The registry record 7 lists c7b as its entry.")
    )
    short_seconds = fastest(lambda: [short.best_passage(query) for query in queries])
    long_seconds = fastest(lambda: [long.best_passage(query) for query in queries])
    assert long_seconds <= 2 * short_seconds + FLOOR, (
        f"{short_seconds:.2f} s over 1,000 sentences, {long_seconds:.2f} s over 8,000"
    )
