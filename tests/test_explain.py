"""Passages that support an answer: the bank's quote, or BM25 over the source."""

from pathlib import Path

from quiz.explain import MAX_PASSAGE_CHARS, SentenceIndex, clip, split_sentences, supporting_passage

SEED = Path(__file__).parent.parent / "questions" / "sources" / "russia-iran-partnership.txt"


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


def test_no_passage_when_nothing_matches():
    index = SentenceIndex.from_text("Paris is in France.")
    assert supporting_passage(index, "Quantum chromodynamics?", ["gluons"], None) is None


def test_long_passages_are_clipped_on_a_word():
    text = "word " * 1000
    clipped = clip(text, MAX_PASSAGE_CHARS)
    assert len(clipped) <= MAX_PASSAGE_CHARS
    assert clipped.endswith("word…")
