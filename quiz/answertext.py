"""Typed answers as they are compared: case, accents, punctuation and a leading article ignored.

Used by the bank (an accepted answer must leave something to compare) and by grading.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

ARTICLES = frozenset({"the", "a", "an"})

# Every ASCII character but letters and digits: deleted from an ASCII word at C speed.
_ASCII_NOT_ALNUM = str.maketrans(
    "", "", "".join(filter(lambda c: not c.isalnum(), map(chr, range(128))))
)
# Kana are written with kanji in one Japanese answer: one script for this purpose.
_SAME_SCRIPT = {"HIRAGANA": "CJK", "KATAKANA": "CJK", "KATAKANA-HIRAGANA": "CJK"}
# Modifier letters (ʻ, ʼ) come with several scripts and make none of them.
_NO_SCRIPT = frozenset({"MODIFIER"})


def normalize_answer(text: str) -> str:
    """The form two answers are compared in: its letters and digits only, in one case, without
    accents or spaces, and without leading articles ("the", "a", "an") when more words follow.

    Spaces go too, so that "New York", "new-york" and "NewYork" are the same answer.
    """
    words = [folded for word in text.split() if (folded := _fold(word))]
    start = 0
    while start < len(words) - 1 and words[start] in ARTICLES:
        start += 1
    return "".join(words[start:])


# Arabic keyboards (and many Persian ones) type Arabic kaf and yeh where Persian writes its own.
_PERSIAN_LETTERS = str.maketrans({"ك": "ک", "ي": "ی", "ى": "ی"})


def _fold(word: str) -> str:
    if word.isascii():  # most answers: no decomposition, and one C call drops the punctuation
        return word.lower().translate(_ASCII_NOT_ALNUM)
    # Compatibility forms first (𝐀 is A, ｆ is f), then one case: upper() before casefold() so
    # that a letter whose capital folds to another letter (Turkish ı) folds like its capital, and
    # any change of case gives the same form; then the accents the case change decomposed.
    folded = unicodedata.normalize("NFKD", word).upper().casefold()
    kept: list[str] = []
    for char in unicodedata.normalize("NFKD", folded):
        category = unicodedata.category(char)
        if category[0] in "LN" or (kept and _part_of_letter(char, category)):
            kept.append(char)
    # After the decompositions, which may make an Arabic yeh (ﵴ).
    return "".join(kept).translate(_PERSIAN_LETTERS)


def _part_of_letter(char: str, category: str) -> bool:
    """A mark that is part of the letter before it (Indic vowel signs), not an accent stacked on
    it (those have a nonzero combining class) nor a variation selector, which only picks a glyph
    (an emoji's colour, say)."""
    return (
        category in ("Mn", "Mc")
        and not unicodedata.combining(char)
        and not ("\ufe00" <= char <= "\ufe0f" or "\U000e0100" <= char <= "\U000e01ef")
    )


def scripts(normalized: str) -> frozenset[str]:
    """The writing systems of the letters of a normalized answer ("LATIN", "CYRILLIC", ...)."""
    if normalized.isascii():
        return frozenset({"LATIN"}) if any(char.isalpha() for char in normalized) else frozenset()
    return frozenset(script for char in normalized if (script := _script(char)))


@lru_cache(maxsize=4096)
def _script(char: str) -> str | None:
    # The first word of a letter's Unicode name is its script, close enough to tell a keyboard
    # layout or a language from another (unicodedata has no Script property).
    if not char.isalpha():
        return None
    first = unicodedata.name(char, "").partition(" ")[0]
    if not first or first in _NO_SCRIPT:
        return None
    return _SAME_SCRIPT.get(first, first)
