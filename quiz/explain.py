"""Find the passage of the source that supports an answer (quote, or BM25 retrieval)."""

from __future__ import annotations

import heapq
import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import snowballstemmer

from quiz.bank import Bank

MAX_PASSAGE_CHARS = 1000

# A break after . ! ? … ؟ (and a closing quote or bracket), or at a line break (headings).
_SENTENCE_END = re.compile(r"(?<=[.!?…؟])\s+|(?<=[.!?…؟][\"”’»)\]])\s+|\n+")
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
# What may come between a break and the next sentence's first letter.
_OPENING = re.compile(r"[\s\"'“”‘’«»„(\[—–-]*")
# The word before a full stop: an initial (В.), a dotted acronym (U.S.) or an abbreviation (ул.).
_LAST_WORD = re.compile(r"(?:^|[\s(«“\"])([^\W\d_]+(?:\.[^\W\d_]+)*)\.$")
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


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Russian, as normalized (ё written е): pronouns, prepositions, conjunctions, particles, forms of
# быть, and the true/false options that a true/false question's query carries.
_RUSSIAN_STOPWORDS = _words(
    """и в во не что он на я с со как а то все она так его но да ты к ко у же вы за бы по
    только ее мне было вот от меня еще нет о об обо из ему теперь когда даже ну вдруг ли если
    уже или ни быть был него до вас нибудь опять уж вам ведь там потом себя ничего ей может
    они тут где есть надо ней для мы тебя их чем была сам чтоб без будто чего раз тоже себе
    под будет ж тогда кто этот того потому этого какой совсем ним здесь этом почти мой тем
    чтобы нее сейчас были куда зачем всех никогда можно при наконец об другой хоть после над
    через эти нас про всего них какая много разве эту моя впрочем свою этой перед иногда том
    нельзя такой им всегда конечно всю между это эта эти этим этими этому которые который
    которая которое которого которой котором которому которым которыми которых которую свой
    своя свое свои своего своей своем своему своим своими своих весь вся всем всеми тот
    та те тех тому той ту также либо ибо однако лишь именно будут будучи являлся являлась
    являлось являлись является являются оно оба обе true false"""
)
# Persian, as normalized: conjunctions, prepositions, pronouns, and the commonest verb forms.
_PERSIAN_STOPWORDS = _words(
    """و در به از که این آن را با است برای یک خود تا بر هم نیز یا اما اگر پس چه چون هر همه
    دیگر باید بین پیش روی بی وی او ما من تو شما ایشان آنها اینها نه آیا چرا کجا کی کدام
    چگونه چند هیچ همین همان درباره ولی بلکه زیرا نیست هست بود بودند شد شده شدن شود شوند
    کرد کرده کند کنند کردن دارد دارند داشت می ها های ای اند ام ایم اید ست true false"""
)
# A full stop after these is no sentence's end before a capital or a number (Mr. Putin).
_ENGLISH_TITLES = _words("mr mrs ms dr prof st gen sen rep gov lt col capt sgt jr sr vs")
# ул. Ленина, им. Ленина, проф. Иванов, см. Приложение, ст. 5, т. 2.
_RUSSIAN_ABBREVIATIONS = _words("им ул пр просп пл св проф акад доц тов см ст рис табл гл")

_PERSIAN_LETTERS = str.maketrans(
    {"ي": "ی", "ى": "ی", "ك": "ک", "ۀ": "ه", "ة": "ه", "ـ": None}
    | {chr(0x06F0 + d): str(d) for d in range(10)}  # Persian digits
    | {chr(0x0660 + d): str(d) for d in range(10)}  # Arabic-Indic digits
)
_ARABIC_MARKS = re.compile("[\u064b-\u065f\u0670]")  # short vowels, tanwin, shadda, sukun
_ZWNJ = "\u200c"
# A Persian word may hold zero-width non-joiners (کتاب‌ها): the stemmer reads them.
_PERSIAN_WORD = re.compile(r"[^\W_](?:[^\W_]|\u200c)*")


def _normalize_russian(text: str) -> str:
    return text.lower().replace("ё", "е")


def _normalize_persian(text: str) -> str:
    return _ARABIC_MARKS.sub("", text.translate(_PERSIAN_LETTERS)).lower()


@dataclass(frozen=True)
class _Language:
    """How the retrieval reads one language's text."""

    normalize: Callable[[str], str]  # lower-cased, letter variants made one
    word: re.Pattern[str]
    stopwords: frozenset[str]
    stemmer: str | None  # a Snowball algorithm
    abbreviations: frozenset[str]  # a full stop after these ends no sentence


_ENGLISH = _Language(str.lower, _WORD, _STOPWORDS, None, _ENGLISH_TITLES)
_LANGUAGES = {
    "en": _ENGLISH,
    "ru": _Language(
        _normalize_russian, _WORD, _RUSSIAN_STOPWORDS, "russian", _RUSSIAN_ABBREVIATIONS
    ),
    "fa": _Language(_normalize_persian, _PERSIAN_WORD, _PERSIAN_STOPWORDS, "persian", frozenset()),
}


def language_code(language: str | None) -> str:
    """The retrieval's language for a bank's: "ru-RU" reads as "ru"; None or another as "en"."""
    code = (language or "").replace("_", "-").split("-")[0].lower()
    return code if code in _LANGUAGES else "en"


def _language(language: str | None) -> _Language:
    return _LANGUAGES[language_code(language)]


def split_sentences(text: str, language: str | None = None) -> list[str]:
    """Split source text into sentences (headings and paragraphs end one too).

    A break is no sentence's end when a lower-case word follows it (U.S. ally, т. е. в, 2013 г.
    была), after an initial before a capital (В. В. Путин) or after one of the language's
    abbreviations (Mr. Putin).
    """
    abbreviations = _language(language).abbreviations
    sentences: list[str] = []
    start = 0
    for end in _SENTENCE_END.finditer(text):
        sentence = text[start : end.start()]
        if "\n" not in end.group() and _goes_on(sentence, text, end.end(), abbreviations):
            continue
        sentences.append(sentence)
        start = end.end()
    sentences.append(text[start:])
    return [s.strip() for s in sentences if s.strip()]


def _goes_on(sentence: str, text: str, at: int, abbreviations: frozenset[str]) -> bool:
    """Whether the sentence goes on after the break that ends `sentence`, before `text[at]`."""
    first = _OPENING.match(text, at)
    following = first.end() if first else at
    if following >= len(text):
        return False
    letter = text[following]
    if letter.islower():
        return True  # sentences start with a capital, a number or a letter without case
    last = _LAST_WORD.search(sentence)
    if last is None or not (letter.isupper() or letter.isdigit()):
        return False
    word = last.group(1)
    initial = len(word) == 1 and word.isupper() and letter.isupper()
    return initial or word.lower() in abbreviations


def tokenize(text: str, language: str | None = None) -> list[str]:
    """Lower-cased words without stopwords, stemmed in the languages that have a stemmer.

    English (also for None and languages without their own rules) is neither stemmed nor
    normalized beyond lower case.
    """
    rules = _language(language)
    words = rules.word.findall(rules.normalize(text))
    words = [word for word in words if word.replace(_ZWNJ, "") not in rules.stopwords]
    if rules.stemmer is None:
        return words
    stems = (_stem(rules.stemmer, word).replace(_ZWNJ, "") for word in words)
    return [stem for stem in stems if stem]


@lru_cache(maxsize=1 << 16)
def _stem(algorithm: str, word: str) -> str:
    """The word's stem: a source repeats its words, and stemming costs more than indexing.

    A stemmer holds the word it works on: a new one for each word, shared by no thread.
    """
    return str(snowballstemmer.stemmer(algorithm).stemWord(word))


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
    language: str | None = None  # the source's: how its words are read (see tokenize)
    _weights: list[dict[str, float]] = field(init=False, repr=False)  # each sentence's terms
    _postings: dict[str, list[int]] = field(init=False, repr=False)  # the sentences of a term
    _best: dict[str, float] = field(init=False, repr=False)  # a term's largest weight

    def __post_init__(self) -> None:
        docs = [Counter(tokenize(s, self.language)) for s in self.sentences]
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
    def from_text(cls, text: str, language: str | None = None) -> SentenceIndex:
        """Index the sentences of `text`, written in `language` (None: English)."""
        return cls(split_sentences(text, language), language=language)

    def best_passage(self, query: str, *, max_sentences: int = 2) -> str | None:
        """The best sentence, with a runner-up nearly as good, in source order."""
        terms = [term for term in tokenize(query, self.language) if term in self._postings]
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
    index = SentenceIndex.from_text(bank.source_text, bank.language)
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


def source_passages(
    source_text: str, questions: Sequence[Asked], language: str | None = None
) -> dict[int, str | None]:
    """Each question's passage in a newly attached source, by question id.

    `language` is the bank's (None: English).
    """
    index = SentenceIndex.from_text(source_text, language)
    return {q.id: supporting_passage(index, q.text, q.answers, None) for q in questions}
