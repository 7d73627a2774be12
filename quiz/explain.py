"""Find the passage of the source that supports an answer (quote, or BM25 retrieval)."""

from __future__ import annotations

import heapq
import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from quiz.bank import Bank

MAX_PASSAGE_CHARS = 1000

# Ends after . ! ? … (and a closing quote or bracket), or at a line break (headings).
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|(?<=[.!?…][\"”’)\]])\s+|\n+")
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
# Words that carry no evidence; without them short questions match on "the" and "of".
_STOPWORDS = frozenset(
    {
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "been",
        "but",
        "by",
        "did",
        "do",
        "does",
        "for",
        "from",
        "had",
        "has",
        "have",
        "he",
        "her",
        "his",
        "how",
        "in",
        "into",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "she",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "to",
        "was",
        "were",
        "what",
        "when",
        "where",
        "which",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "not",
        "no",
        "true",
        "false",
    }
)


def split_sentences(text: str) -> list[str]:
    """Split source text into sentences (headings and paragraphs end one too)."""
    return [s.strip() for s in _SENTENCE_END.split(text) if s and s.strip()]


def tokenize(text: str) -> list[str]:
    """Lower-cased words without stopwords."""
    return [w for w in (m.lower() for m in _WORD.findall(text)) if w not in _STOPWORDS]


# A runner-up sentence joins the best one when it scores at least this share of it.
RUNNER_UP_SHARE = 0.75
# Bounds are compared with this margin, so that rounding in sums cannot drop a sentence.
_ROUNDING = 1e-9


@dataclass
class SentenceIndex:
    """Okapi BM25 over the sentences of one source text, with an index from term to sentences.

    A query reads only the sentences sharing a term with it, the terms that can add most (the
    rarest) first, and stops once the terms left could not lift another sentence into the
    passage: a long source costs each question little more than its few matching sentences.
    """

    sentences: list[str]
    k1: float = 1.5
    b: float = 0.75
    _weights: list[dict[str, float]] = field(init=False, repr=False)  # each sentence's terms
    _postings: dict[str, list[int]] = field(init=False, repr=False)  # the sentences of a term
    _best: dict[str, float] = field(init=False, repr=False)  # a term's largest weight

    def __post_init__(self) -> None:
        docs = [Counter(tokenize(s)) for s in self.sentences]
        frequency: Counter[str] = Counter()
        for doc in docs:
            frequency.update(doc.keys())
        n = len(docs)
        idf = {w: math.log(1 + (n - f + 0.5) / (f + 0.5)) for w, f in frequency.items()}
        avg_len = sum(sum(d.values()) for d in docs) / n if n else 0.0
        self._weights, self._postings, self._best = [], {}, {}
        for i, doc in enumerate(docs):
            norm = self.k1 * (1 - self.b + self.b * sum(doc.values()) / (avg_len or 1))
            weights = {w: idf[w] * tf * (self.k1 + 1) / (tf + norm) for w, tf in doc.items()}
            self._weights.append(weights)
            for word, weight in weights.items():
                self._postings.setdefault(word, []).append(i)
                self._best[word] = max(weight, self._best.get(word, 0.0))

    @classmethod
    def from_text(cls, text: str) -> SentenceIndex:
        """Index the sentences of `text`."""
        return cls(split_sentences(text))

    def best_passage(self, query: str, *, max_sentences: int = 2) -> str | None:
        """The best sentence, with a runner-up nearly as good, in source order."""
        terms = [term for term in tokenize(query) if term in self._postings]
        scores = {i: self._score(i, terms) for i in self._candidates(terms, max_sentences)}
        # Best first, and of equal scores the first in the source.
        ranked = sorted(scores, key=lambda i: (-scores[i], i))
        if not ranked or scores[ranked[0]] <= 0:
            return None
        top = scores[ranked[0]]
        # A second sentence only when it is almost as relevant: one clear hit reads better.
        picked = [i for i in ranked[:max_sentences] if scores[i] >= RUNNER_UP_SHARE * top]
        return clip(" ".join(self.sentences[i] for i in sorted(picked)), MAX_PASSAGE_CHARS)

    def _score(self, sentence: int, terms: list[str]) -> float:
        """The sentence's BM25 score: each term of the query, repeats included, in its order."""
        weights = self._weights[sentence]
        score = 0.0
        for term in terms:
            if term in weights:
                score += weights[term]
        return score

    def _candidates(self, terms: list[str], count: int) -> list[int]:
        """The sentences that may be among the `count` best for the terms, or be picked."""
        repeats = Counter(terms)
        # What a term can add to any sentence: its best weight, once for each time it is asked.
        bounds = {term: times * self._best[term] for term, times in repeats.items()}
        left = sum(bounds.values())  # the most that the terms not read yet can add
        found: dict[int, float] = {}  # sentences met so far, and what the terms read give them
        for term in sorted(bounds, key=bounds.__getitem__, reverse=True):
            if _below(left, _bar(found, count)):
                break  # a sentence not met yet scores at most `left`: too little to matter
            for i in self._postings[term]:
                found[i] = found.get(i, 0.0) + repeats[term] * self._weights[i][term]
            left -= bounds[term]
        bar = _bar(found, count)
        return [i for i, given in found.items() if not _below(given + left, bar)]


def _below(most: float, bar: float) -> bool:
    """Whether a score of at most `most` is surely below `bar`, whatever the rounding."""
    return most * (1 + _ROUNDING) < bar * (1 - _ROUNDING)


def _bar(found: dict[int, float], count: int) -> float:
    """A score that any sentence must pass to matter: beat `count` sentences found, or be picked.

    What a sentence has been given so far is at most its score, so the bar is never too high.
    """
    best = heapq.nlargest(count, found.values())
    if not best:
        return 0.0
    return max(best[-1] if len(best) == count else 0.0, RUNNER_UP_SHARE * best[0])


def clip(text: str, limit: int) -> str:
    """Cut `text` to at most `limit` characters, on a word boundary, marking the cut."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip() + "…"


def supporting_passage(
    index: SentenceIndex, question: str, answers: Sequence[str], quote: str | None
) -> str | None:
    """The bank's quote when given, else the source sentences that best match Q and A."""
    if quote:
        return clip(quote, MAX_PASSAGE_CHARS)
    return index.best_passage(" ".join([question, *answers]))


def passages_for(bank: Bank, advance: Callable[[], None] | None = None) -> dict[str, str | None]:
    """The supporting passage of every question: its quote, or the best source sentences.

    `advance` is called after each question, for a progress bar.
    """
    index = SentenceIndex.from_text(bank.source_text)
    passages = {}
    for q in bank.questions:
        passages[q.id] = supporting_passage(index, q.text, q.correct_texts, q.quote)
        if advance is not None:
            advance()
    return passages


@dataclass(frozen=True)
class Asked:
    """A stored question, as finding its passage in a new source needs it."""

    id: int
    text: str
    answers: list[str]


def source_passages(source_text: str, questions: Sequence[Asked]) -> dict[int, str | None]:
    """Each question's passage in a newly attached source, by question id."""
    index = SentenceIndex.from_text(source_text)
    return {q.id: supporting_passage(index, q.text, q.answers, None) for q in questions}
