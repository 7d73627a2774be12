"""Find the passage of the source that supports an answer (quote, or BM25 retrieval)."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

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


@dataclass
class SentenceIndex:
    """Okapi BM25 over the sentences of one source text."""

    sentences: list[str]
    k1: float = 1.5
    b: float = 0.75
    _docs: list[Counter[str]] = field(init=False, repr=False)
    _idf: dict[str, float] = field(init=False, repr=False)
    _avg_len: float = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._docs = [Counter(tokenize(s)) for s in self.sentences]
        frequency: Counter[str] = Counter()
        for doc in self._docs:
            frequency.update(doc.keys())
        n = len(self._docs)
        self._idf = {w: math.log(1 + (n - f + 0.5) / (f + 0.5)) for w, f in frequency.items()}
        self._avg_len = sum(sum(d.values()) for d in self._docs) / n if n else 0.0

    @classmethod
    def from_text(cls, text: str) -> SentenceIndex:
        """Index the sentences of `text`."""
        return cls(split_sentences(text))

    def scores(self, query: str) -> list[float]:
        """BM25 score of every sentence for `query`."""
        terms = tokenize(query)
        result = []
        for doc in self._docs:
            length = sum(doc.values())
            norm = self.k1 * (1 - self.b + self.b * length / (self._avg_len or 1))
            score = 0.0
            for term in terms:
                tf = doc.get(term, 0)
                if tf:
                    score += self._idf[term] * tf * (self.k1 + 1) / (tf + norm)
            result.append(score)
        return result

    def best_passage(self, query: str, *, max_sentences: int = 2) -> str | None:
        """The best sentence, with a runner-up nearly as good, in source order."""
        scores = self.scores(query)
        ranked = sorted(range(len(scores)), key=lambda i: scores[i], reverse=True)
        if not ranked or scores[ranked[0]] <= 0:
            return None
        top = scores[ranked[0]]
        # A second sentence only when it is almost as relevant: one clear hit reads better.
        picked = [i for i in ranked[:max_sentences] if scores[i] >= 0.75 * top]
        return clip(" ".join(self.sentences[i] for i in sorted(picked)), MAX_PASSAGE_CHARS)


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
