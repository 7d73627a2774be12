"""Hostile input for the GIFT and Aiken readers: time linear in the size of the file, no crash.

Hypothesis builds files from the formats' own syntax repeated to a large size, as one question or
cut into questions by blank lines; each must read in time linear in its size (compared between
two sizes, see tests/growth.py) and give questions or reports, never an exception.
"""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import example, given, settings
from hypothesis import strategies as st

from quiz.convert import Conversion, convert_aiken, convert_gift, detect_format
from tests.growth import assert_linear

Reader = Callable[..., Conversion]

SMALL, LARGE = 25_000, 200_000  # characters
LARGE_SECONDS = 2.0  # for the large file: far within the time an upload is given

# The syntax of both formats, and what HTML, escapes and line endings add to it.
PIECES = [
    *("{", "}", "=", "~", "#", "####", "%", "%50%", "%-1.5%", "::", "::t::", "->", "T", "FALSE"),
    *("{#", "..", "%100%", "1e5", "-"),
    *("\\", "\\{", "\\~", "\\n", "//", "$CATEGORY: a/b", "[html]", "[plain]", "@@PLUGINFILE@@"),
    *("<a", "<", ">", "</p>", "<br", "<br/>", "&", "&#", "&#1", "&#x4", "&amp;", "1", "0", "."),
    *("A.", "A)", "B. ", "Z.", "ANSWER:", "ANSWER: A", "ANSWER ", ":", " ", "\t", "x", "é"),
    *("\n", "\n\n", "\r", "\r\n", "\u2028", "\x85", "\x00"),
]
SHORT = st.lists(st.sampled_from(PIECES), max_size=4).map("".join)
UNITS = st.lists(st.sampled_from(PIECES), min_size=1, max_size=8).map("".join)
# The size of each question, blank lines between; None: the whole file is one question.
BLOCKS = st.sampled_from([None, 40, 300, 5_000, 19_000])
READERS = st.sampled_from([convert_gift, convert_aiken])


def hostile(start: str, unit: str, end: str, block: int | None, size: int) -> str:
    """Questions of `block` characters, `unit` repeated between `start` and `end`, to `size`."""
    chars = block or size
    filler = chars - len(start) - len(end)
    question = start + (unit * (filler // len(unit) + 1))[: max(filler, 0)] + end
    return "\n\n".join([question] * (size // (chars + 2) or 1))


def read(reader: Reader, text: str) -> Conversion:
    detect_format("fuzz.txt", text)
    return reader(text, bank_id="fuzz", title="Fuzz")


@settings(deadline=None, database=None, max_examples=30)
@given(SHORT, UNITS, SHORT, BLOCKS, READERS)
@example("[html]", "<a", "{=a ~b}", None, convert_gift)  # an HTML tag that never ends
@example("[html]", "<a", "{=a ~b}", 19_000, convert_gift)  # in questions within their limit
@example("[html]Q{=a ~", "<a", "}", 19_000, convert_gift)  # in an option
@example("::t::", "Q", "{=a ~b}", 40, convert_gift)  # 5,000 questions of one title
@example("Q?\nA. ", "x", "\nB. b\nANSWER: A", 19_000, convert_aiken)
@example("Q{#", "=1..2 ", "}", 19_000, convert_gift)  # numeric answers, overlapping
@example("Q{#", "=%50%1:1#f ", "=5}", 19_000, convert_gift)
@example("Q{", "=a#b ", "}", 19_000, convert_gift)  # short answers
@example("Q{#", "1", "}", 19_000, convert_gift)  # one long number
@example("Q{#1", ".", ".2}", 19_000, convert_gift)
def test_reading_time_is_linear_in_the_size(
    start: str, unit: str, end: str, block: int | None, reader: Reader
) -> None:
    def run(size: int) -> Conversion:
        return read(reader, hostile(start, unit, end, block, size))

    _, seconds = assert_linear(run, SMALL, LARGE)
    assert seconds < LARGE_SECONDS, f"{seconds:.2f} s for {LARGE:,} characters"


@settings(deadline=None, database=None, max_examples=30)
@given(SHORT, UNITS, SHORT, BLOCKS, READERS)
def test_large_files_give_questions_or_reports(
    start: str, unit: str, end: str, block: int | None, reader: Reader
) -> None:
    text = hostile(start, unit, end, block, LARGE)
    conversion = read(reader, text)
    line_count = text.replace("\r\n", "\n").replace("\r", "\n").count("\n") + 1
    for item in conversion.unsupported:
        assert 1 <= item.line <= line_count
        assert str(item).isprintable()
