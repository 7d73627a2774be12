"""Tests of quiz.convert: Moodle GIFT and Aiken files turned into banks our validator accepts."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quiz.bank import (
    MAX_EXPLANATION_CHARS,
    MAX_OPTION_CHARS,
    MAX_QUESTION_CHARS,
    MAX_QUESTIONS,
    MAX_SHORT_ANSWER_CHARS,
    Bank,
    parse_bank,
)
from quiz.convert import (
    MAX_RAW_QUESTION_CHARS,
    Conversion,
    Unsupported,
    convert,
    convert_aiken,
    convert_gift,
    detect_format,
    slug,
    to_yaml,
)
from quiz.grading import grade_typed
from quiz.yamlsource import read_yaml
from tests.growth import assert_linear

DATA = Path(__file__).resolve().parent / "data" / "convert"
SOURCE = {"title": "Grant's tomb", "text": "Nobody is buried in Grant's tomb; two are entombed."}


def read(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8")


def gift(text: str) -> Conversion:
    return convert_gift(text, bank_id="test", title="Test", source=SOURCE)


def aiken(text: str) -> Conversion:
    return convert_aiken(text, bank_id="test", title="Test", source=SOURCE)


def validate(conversion: Conversion) -> Bank:
    """The converted bank as the bot loads it: through YAML and the real validator."""
    text = to_yaml(conversion.bank)
    assert read_yaml(text).data == conversion.bank
    return parse_bank(text, filename="x.yaml", base_dir=None)


def reported(conversion: Conversion) -> list[tuple[int, str]]:
    return [(item.line, item.kind) for item in conversion.unsupported]


def choice(
    question_id: str, question: str, options: list[str], answer: str | list[str], **rest: Any
) -> dict[str, Any]:
    return {"id": question_id, "question": question, "options": options, "answer": answer, **rest}


def true_false(question_id: str, question: str, answer: bool, **rest: Any) -> dict[str, Any]:
    return {"id": question_id, "type": "true_false", "question": question, "answer": answer, **rest}


def short_answer(
    question_id: str, question: str, answer: str | list[str], **rest: Any
) -> dict[str, Any]:
    return {
        "id": question_id,
        "type": "short_answer",
        "question": question,
        "answer": answer,
        **rest,
    }


def numeric(question_id: str, question: str, **fields: Any) -> dict[str, Any]:
    """`fields`: answer (and tolerance), or min and max; then explanation and the rest."""
    return {"id": question_id, "type": "numeric", "question": question, **fields}


# --- GIFT -------------------------------------------------------------------------------------


def test_gift_choice_questions() -> None:
    conversion = gift(read("choice.gift"))
    unit, syntax = ["unit-1-grant-s-tomb"], ["syntax"]
    assert conversion.bank == {
        "bank": 1,
        "id": "test",
        "title": "Test",
        "source": SOURCE,
        "questions": [
            choice(
                "grant-s-tomb",
                "Who's buried in Grant's tomb?",
                ["Grant", "Jefferson", "no one"],
                "no one",
                explanation="Right: nobody is buried, they are entombed.",
                tags=unit,
            ),
            choice(
                "q2",
                "Moodle costs ___ to download.",
                ["lots of money", "nothing", "a small amount"],
                "nothing",
                tags=unit,
            ),
            # The same title again; line breaks in the text kept; the general feedback explains.
            choice(
                "grant-s-tomb-2",
                "Who else\nlies in\nGrant's tomb?",
                ["His wife Julia", "Lincoln", "Washington"],
                "His wife Julia",
                explanation="The tomb is in New York City.",
                tags=unit,
            ),
            choice(
                "entombed",
                "Which two people are entombed in Grant's tomb?",
                ["No one", "Grant", "Grant's wife", "Grant's father"],
                ["Grant", "Grant's wife"],
                explanation="Ulysses S. Grant\nJulia Grant",
                tags=unit,
            ),
            choice("prime", "Which number is prime?", ["7", "8", "9"], "7", tags=unit),
            choice(
                "escapes-all-of-them",
                "How does GIFT write {, } and \\?",
                ["\\{, \\} and \\\\", "~ and =", "# alone"],
                "\\{, \\} and \\\\",
                explanation="A backslash\nescapes them.",
                tags=syntax,
            ),
            # HTML tags and entities gone, but not in the option marked [plain].
            choice(
                "html",
                "Which tag makes bold text?",
                ["<b>", "<i>", "<u>"],
                "<b>",
                explanation="Bold\ntext",
                tags=syntax,
            ),
            choice(
                "q8",
                "What does **this** do?",
                ["It makes bold text", "It makes a link"],
                "It makes bold text",
                tags=syntax,
            ),
            # A title without Latin letters or digits (Greek: Russian is transliterated) makes no
            # id: numbered like an untitled one.
            choice(
                "q9",
                "Which title has no Latin letters?",
                ["This one", "Another"],
                "This one",
                tags=syntax,
            ),
            choice(
                "a-very-long-title-that-goes-on-and-on-well-past",
                "Long title?",
                ["Yes", "No"],
                "Yes",
                tags=syntax,
            ),
        ],
    }
    assert conversion.unsupported == ()


def test_gift_true_false_questions() -> None:
    conversion = gift(read("truefalse.gift"))
    assert conversion.bank["questions"] == [
        true_false("sky", "The sky is blue.", True),
        # Moodle's first feedback is for a wrong answer, the second for the right one.
        true_false(
            "sun",
            "The sun rises in the west.",
            False,
            explanation="Right, it rises in the east.",
        ),
        true_false("q3", "Two and two make four.", True, explanation="Basic arithmetic."),
        # A single feedback is the explanation.
        true_false(
            "moon",
            "The moon is made of cheese.",
            False,
            explanation="Only the wrong-answer feedback.",
        ),
    ]
    assert conversion.unsupported == ()


@pytest.mark.parametrize(
    ("answers", "explanation"),
    [
        ("{FALSE#No one is buried in Grant's tomb.}", "No one is buried in Grant's tomb."),
        ("{FALSE#Wrong.#Right: no one is.}", "Right: no one is."),
        ("{FALSE#Wrong.#}", None),  # the right answer's feedback is given, empty
        ("{FALSE####Nobody.}", "Nobody."),
        ("{FALSE#}", None),
    ],
)
def test_gift_true_false_feedback_becomes_the_explanation(
    answers: str, explanation: str | None
) -> None:
    question = gift(f"Grant is buried in Grant's tomb.{answers}").bank["questions"][0]
    assert question.get("explanation") == explanation


def test_gift_unsupported_and_malformed_questions_are_reported_with_their_line() -> None:
    conversion = gift(read("unsupported.gift"))
    assert reported(conversion) == [
        (2, "essay"),
        (4, "matching"),
        (9, "malformed: 'about 1822' is not a number"),
        (11, "malformed: no answer has full credit: = with no %weight%, or with %100%"),
        (13, "unsupported: numeric, its right answers apart; a bank holds one range"),
        (15, "description"),
        (17, "malformed: the { has no closing }"),
        (19, "malformed: the } has no opening {"),
        (21, r"malformed: more than one { or }; write \{ and \} for braces in the text"),
        (23, "malformed: the } comes before the {"),
        (25, "malformed: fewer than 2 options"),
        (27, "malformed: more than 12 options"),
        (29, "malformed: the option 'Rome' is given twice"),
        (31, "malformed: no option is marked right with = or a positive %weight%"),
        (33, "malformed: text before the first ~ or = option"),
        (35, "malformed: the title has no closing ::"),
        (37, "malformed: an option is empty"),
        (39, "malformed: no question text"),
        (41, "essay"),  # only general feedback in the braces, as Moodle reads it
    ]
    assert conversion.bank["questions"] == [
        choice("fine", "The one question here that converts.", ["Yes", "No"], "Yes")
    ]


def test_unsupported_messages() -> None:
    conversion = gift(read("unsupported.gift"))
    messages = [str(item) for item in conversion.unsupported]
    assert (
        messages[0]
        == "line 2: essay question is not supported: ::Essay::Write about Grant's tomb.{}"
    )
    assert messages[3] == (
        "line 11: malformed question (no answer has full credit: = with no %weight%, or with"
        " %100%): ::Short::Who's buried in Grant's tomb?{=%50%no one =%50%nob…"
    )
    assert messages[4] == (
        "line 13: unsupported question (numeric, its right answers apart; a bank holds one"
        " range): When was Grant born?{#=1822 =1900}"
    )
    # Cut to one line of 60 characters.
    assert messages[1] == (
        "line 4: matching question is not supported: "
        "::Match::Match the countries with their capitals. { =Canada…"
    )
    assert messages[6] == (
        "line 17: malformed question (the { has no closing }): "
        "::Unclosed::Who is buried here? {=Grant ~Lincoln"
    )
    assert str(Unsupported(3, "essay", "")) == "line 3: essay question is not supported"


def test_gift_short_answer_and_numerical_questions_of_moodles_documentation() -> None:
    conversion = gift(read("typed.gift"))
    assert conversion.unsupported == ()
    assert conversion.bank["questions"] == [
        short_answer("q1", "Who's buried in Grant's tomb?", ["no one", "nobody"]),
        short_answer("q2", "Two plus ___ equals four.", ["two", "2"]),
        numeric("q3", "When was Ulysses S. Grant born?", answer=1822, tolerance=5),
        numeric("q5", "What is a number from 1 to 5?", answer=3, tolerance=2),
        numeric("q6", "What is a number from 1 to 5?", min=1, max=5),
        # Text after the answers makes a gap, as Moodle reads it.
        numeric(
            "q6-2", "What is the value of pi (to 3 decimal places)? ___.", min=3.141, max=3.142
        ),
        # Only the full-credit answer is kept, with its feedback.
        numeric(
            "q7",
            "When was Ulysses S. Grant born?",
            answer=1822,
            explanation="Correct! Full credit.",
        ),
        numeric(
            "exported-number",
            "How many moons does Mars have?",
            answer=2,
            explanation="Phobos and Deimos.",
        ),
        short_answer(
            "exported-text", "Which planet is the red one?", "Mars", explanation="Iron oxide."
        ),
    ]


def test_converted_typed_questions_are_graded_as_moodle_meant_them() -> None:
    bank = validate(gift(read("typed.gift")))
    cases = [
        ("q1", "Nobody", True),
        ("q1", "grant", False),
        ("q2", "2", True),
        ("q3", "1826", True),
        ("q3", "1828", False),
        ("q6", "4.5", True),
        ("q6-2", "3,1415", True),
        ("q6-2", "3.14", False),
        ("q7", "1823", False),  # half credit in Moodle: wrong here
        ("exported-text", "the fourth", False),
    ]
    for question_id, reply, right in cases:
        assert grade_typed(bank.question(question_id), reply).correct is right, reply


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Q?{=a}", short_answer("q1", "Q?", "a")),
        ("Q?{a}", short_answer("q1", "Q?", "a")),  # Moodle: text before any = is an answer
        ("Q?{=%100%a =%99%b}", short_answer("q1", "Q?", "a")),
        (
            "Q?{=a#Yes. =b#Also.####General.}",
            short_answer("q1", "Q?", ["a", "b"], explanation="Yes.\nAlso."),
        ),
        ("Q?{=a =b####General.}", short_answer("q1", "Q?", ["a", "b"], explanation="General.")),
        ("Q?{=a\\=b}", short_answer("q1", "Q?", "a=b")),
        ("[html]Q?{=<b>a</b> &amp; b}", short_answer("q1", "Q?", "a & b")),
        ("Q?{#-3.5}", numeric("q1", "Q?", answer=-3.5)),
        ("Q?{#1e3:0}", numeric("q1", "Q?", answer=1000)),
        ("Q?{# .5 : .25 }", numeric("q1", "Q?", answer=0.5, tolerance=0.25)),
        ("Q?{#-5..-1}", numeric("q1", "Q?", min=-5, max=-1)),
        ("Q?{#=1..3 =2..5}", numeric("q1", "Q?", min=1, max=5)),  # overlapping: one range
        ("Q?{#=2:1 =%100%1..3}", numeric("q1", "Q?", min=1, max=3)),
        ("Q?{#=2:0 =2}", numeric("q1", "Q?", answer=2)),
    ],
)
def test_gift_typed_answers(text: str, expected: dict[str, Any]) -> None:
    conversion = gift(text)
    assert conversion.unsupported == ()
    assert conversion.bank["questions"] == [expected]
    validate(conversion)


THIRTEEN = " ".join(f"={n}" for n in range(13))


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Q?{#}", "malformed: no numeric answer"),
        ("Q?{#~#Wrong.}", "malformed: no numeric answer"),
        ("Q?{#two}", "malformed: 'two' is not a number"),
        ("Q?{#1822:about 5}", "malformed: 'about 5' is not a number"),
        ("Q?{#1e999}", "malformed: '1e999' is too large"),
        ("Q?{#5..1}", "malformed: the range 5..1 goes down"),
        ("Q?{#5:-1}", "malformed: the tolerance in 5:-1 is negative"),
        ("Q?{#=%50%5}", "malformed: no answer has full credit: = with no %weight%, or with %100%"),
        ("Q?{#=1 =3..4}", "unsupported: numeric, its right answers apart; a bank holds one range"),
        ("Q?{=%50%a}", "malformed: no answer has full credit: = with no %weight%, or with %100%"),
        ("Q?{= =a}", "malformed: an answer is empty"),
        ("Q?{=!!}", "malformed: the answer '!!' has no letters or digits"),
        ("Q?{=a =a}", "malformed: the answer 'a' is given twice"),
        (f"Q?{{{THIRTEEN}}}", "malformed: more than 12 answers"),
        (
            "Q?{=" + "a" * (MAX_SHORT_ANSWER_CHARS + 1) + "}",
            f"malformed: the answer '{'a' * 59}…' is longer than 100 characters",
        ),
    ],
)
def test_gift_typed_questions_a_bank_cannot_hold_are_reported(text: str, kind: str) -> None:
    conversion = gift(text)
    assert reported(conversion) == [(1, kind)]
    assert conversion.bank["questions"] == []


def test_several_equals_options_are_all_right_and_their_weights_ignored() -> None:
    conversion = gift("Which are even?{=2#Two. =%50%4#Four. ~3}")
    assert conversion.bank["questions"] == [
        choice("q1", "Which are even?", ["2", "4", "3"], ["2", "4"], explanation="Two.\nFour.")
    ]


def test_gift_ids_are_unique_among_titled_and_untitled_questions() -> None:
    long_title = "x" * 60
    text = "\n\n".join(
        [
            "::Q2::First?{=a ~b}",
            "Second?{=a ~b}",  # q2 is taken by the title above
            f"::{long_title}::Third?{{=a ~b}}",
            f"::{long_title}::Fourth?{{=a ~b}}",
        ]
    )
    ids = [question["id"] for question in gift(text).bank["questions"]]
    assert ids == ["q2", "q2-2", "x" * 48, "x" * 46 + "-2"]


def test_untitled_questions_are_numbered_by_their_place_in_the_file() -> None:
    conversion = gift("First?{=a ~b}\n\nAn essay.{}\n\nThird?{=a ~b}")
    assert [question["id"] for question in conversion.bank["questions"]] == ["q1", "q3"]
    assert reported(conversion) == [(3, "essay")]


def test_gift_line_endings_bom_comments_and_categories() -> None:
    text = (
        "\ufeff// comment\r\n$CATEGORY: $course$/top/Ünit Zwei/\r\n"
        "  // indented comment\r\nQ?{\r\n=a\r\n// inside\r\n~b}\r\n\r\nR?\rS?\\// not a comment{T}"
    )
    conversion = gift(text)
    assert conversion.bank["questions"] == [
        choice("q1", "Q?", ["a", "b"], "a", tags=["unit-zwei"]),
        true_false("q2", "R?\nS?\\// not a comment", True, tags=["unit-zwei"]),
    ]
    # A category whose name makes no tag ends the one before.
    conversion = gift("$CATEGORY: Unit\nR?\n$CATEGORY: Θέμα\nS?{T}\n\n::Unclosed::{=a")
    assert reported(conversion) == [(2, "description"), (6, "malformed: the { has no closing }")]
    assert conversion.bank["questions"] == [true_false("q2", "S?", True)]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Q\x00?{=a ~b}", "malformed: contains the control character U+0000"),
        ("Q?{=a ~b\x1b}", "malformed: contains the control character U+001B"),
        ("Q?{=a ~b\x85}", "malformed: contains the control character U+0085"),
        (
            "x" * (MAX_QUESTION_CHARS + 1) + "{=a ~b}",
            "malformed: the question is longer than 1000 characters",
        ),
        (
            "Q?{=a ~" + "b" * (MAX_OPTION_CHARS + 1) + "}",
            f"malformed: the option '{'b' * 59}…' is longer than 300 characters",
        ),
        (
            "Q?{=a#" + "f" * (MAX_EXPLANATION_CHARS + 1) + " ~b}",
            "malformed: the feedback is longer than 1000 characters",
        ),
    ],
)
def test_gift_questions_beyond_the_bank_limits_are_reported(text: str, kind: str) -> None:
    conversion = gift(text)
    assert reported(conversion) == [(1, kind)]
    assert conversion.bank["questions"] == []


def test_gift_questions_at_the_bank_limits_convert() -> None:
    question, option, feedback = (
        "q" * MAX_QUESTION_CHARS,
        "o" * MAX_OPTION_CHARS,
        "f" * MAX_EXPLANATION_CHARS,
    )
    conversion = gift(f"{question}{{={option}#{feedback} ~b}}")
    assert conversion.bank["questions"] == [
        choice("q1", question, [option, "b"], option, explanation=feedback)
    ]
    validate(conversion)


def test_questions_past_the_bank_size_limit_are_reported() -> None:
    text = "\n".join(f"Question {n}?{{=a ~b}}\n" for n in range(1, MAX_QUESTIONS + 2))
    conversion = gift(text)
    assert len(conversion.bank["questions"]) == MAX_QUESTIONS
    last_line = 2 * MAX_QUESTIONS + 1
    assert [(item.line, item.kind, item.text) for item in conversion.unsupported] == [
        (last_line, "malformed: a bank holds at most 5000 questions", "Question 5001?")
    ]


@pytest.mark.parametrize("text", ["", "\n\n", "// only a comment\n", "$CATEGORY: x"])
def test_a_file_without_questions_converts_to_no_questions(text: str) -> None:
    assert gift(text) == Conversion(
        {"bank": 1, "id": "test", "title": "Test", "source": SOURCE, "questions": []}, ()
    )
    assert aiken(text).bank["questions"] == []


# --- Aiken ------------------------------------------------------------------------------------


def test_aiken_questions() -> None:
    conversion = aiken(read("aiken.txt"))
    assert conversion.bank["questions"] == [
        choice("q1", "What is the capital of France?", ["Paris", "London", "Berlin"], "Paris"),
        choice("q2", "Which planet is known as the red planet?", ["Venus", "Mars"], "Mars"),
        choice(
            "q3",
            "Which of these animals\nis a mammal?",
            ["Shark", "Blue whale", "Trout"],
            "Blue whale",
        ),
    ]
    assert conversion.unsupported == ()


def test_aiken_malformed_questions_are_reported_and_reading_goes_on() -> None:
    conversion = aiken(read("aiken-malformed.txt"))
    assert reported(conversion) == [
        (1, "malformed: no option lines such as 'A. text'"),
        (4, "malformed: no ANSWER line after the options"),
        (8, "malformed: ANSWER C is not one of the options"),
        (13, "malformed: the letter A is used twice"),
        (18, "malformed: options without a question"),
        (22, "malformed: ANSWER without a question"),
        (24, "malformed: fewer than 2 options"),
        (28, "malformed: the ANSWER line must give one option letter"),
        (33, "malformed: the option 'same' is given twice"),
        (38, "malformed: no option lines such as 'A. text'"),
    ]
    assert conversion.bank["questions"] == [
        choice("q11", "The one question here that converts", ["right", "wrong"], "right")
    ]
    assert str(conversion.unsupported[2]) == (
        "line 8: malformed question (ANSWER C is not one of the options): "
        "A question whose answer is not an option"
    )


def test_aiken_limits_and_control_characters() -> None:
    long_option = "o" * (MAX_OPTION_CHARS + 1)
    text = (
        "Q\x07?\nA. a\nB. b\nANSWER: A\n"
        f"Q?\nA. {long_option}\nB. b\nANSWER: B\n"
        "Q?\nA) a\r\nB) b\r\nANSWER:B"
    )
    conversion = aiken(text)
    assert reported(conversion) == [
        (1, "malformed: contains the control character U+0007"),
        (5, f"malformed: the option '{'o' * 59}…' is longer than 300 characters"),
    ]
    assert conversion.bank["questions"] == [choice("q3", "Q?", ["a", "b"], "b")]


# --- hostile input ----------------------------------------------------------------------------

TOO_LONG = "malformed: longer than 20,000 characters as written"


def test_a_gift_question_too_long_as_written_is_refused_unread() -> None:
    endless_tag = "[html]" + "<a" * (MAX_RAW_QUESTION_CHARS // 2) + "{=a ~b}"
    conversion = gift(f"First?{{=a ~b}}\n\n{endless_tag}\n\nLast?{{=a ~b}}")
    assert reported(conversion) == [(3, TOO_LONG)]
    assert [question["id"] for question in conversion.bank["questions"]] == ["q1", "q3"]


def test_html_markup_counts_only_against_the_limit_as_written() -> None:
    markup = '<span class\\="note">' * 400  # 8,400 characters, twice; = escaped as Moodle does
    conversion = gift(f"[html]<p>{markup}Which?</p>{{=<b>{markup}right</b> ~wrong}}")
    assert conversion.bank["questions"] == [choice("q1", "Which?", ["right", "wrong"], "right")]


def test_an_aiken_question_too_long_as_written_is_refused_unread() -> None:
    long_line = "x" * (MAX_RAW_QUESTION_CHARS + 1)
    many_lines = "\n".join(["A line of the question."] * 1000)
    text = (
        f"Q?\nA. {long_line}\nB. b\nANSWER: A\n\n"  # an option
        f"{long_line}?\nA. a\nB. b\nANSWER: A\n\n"  # the question's text
        f"{many_lines}\nA. a\nB. b\nANSWER: A\n\n"
        "Fine?\nA. a\nB. b\nANSWER: B\n"
    )
    conversion = aiken(text)
    assert reported(conversion) == [(1, TOO_LONG), (6, TOO_LONG), (11, TOO_LONG)]
    assert conversion.bank["questions"] == [choice("q4", "Fine?", ["a", "b"], "b")]
    assert str(conversion.unsupported[1]).endswith(": " + "x" * 59 + "…")


def test_character_references_of_thousands_of_digits() -> None:
    # html.unescape alone raises ValueError: Python makes no int of more than 4,300 digits.
    zeros, nines = "0" * 5000, "9" * 5000
    conversion = gift(f"[html]&#{zeros}65; &#{nines}; &#x{zeros}42;?{{=a ~b}}")
    assert conversion.bank["questions"][0]["question"] == "A \ufffd B?"


def test_thousands_of_questions_of_one_title_get_ids_in_linear_time() -> None:
    def convert_questions(count: int) -> Conversion:
        return gift("".join("::Same::Q?{=a ~b}\n\n" for _ in range(count)))

    assert_linear(convert_questions, MAX_QUESTIONS // 8, MAX_QUESTIONS)
    ids = [question["id"] for question in convert_questions(MAX_QUESTIONS).bank["questions"]]
    assert ids == ["same", *(f"same-{number}" for number in range(2, MAX_QUESTIONS + 1))]


# --- choosing the format, the defaults --------------------------------------------------------


@pytest.mark.parametrize(
    ("filename", "fixture", "expected"),
    [
        ("choice.gift", "choice.gift", "gift"),
        ("QUIZ.GIFT", "aiken.txt", "gift"),  # the name decides
        ("aiken.txt", "aiken.txt", "aiken"),
        ("Aiken.TXT", "aiken.txt", "aiken"),
        ("gift-in-text.txt", "gift-in-text.txt", "gift"),
        ("notes.txt", "notes.txt", None),
        ("aiken.xml", "aiken.txt", None),
    ],
)
def test_detect_format(filename: str, fixture: str, expected: str | None) -> None:
    assert detect_format(filename, read(fixture)) == expected


def test_convert_picks_the_format_and_names_the_bank_after_the_file() -> None:
    conversion = convert("My_Grant quiz.txt", read("aiken.txt"))
    assert (conversion.bank["id"], conversion.bank["title"]) == ("my-grant-quiz", "My Grant quiz")
    assert "source" not in conversion.bank
    assert conversion.bank["questions"] == aiken(read("aiken.txt")).bank["questions"]

    conversion = convert("Тест.gift", read("truefalse.gift"))
    assert (conversion.bank["id"], conversion.bank["title"]) == ("test", "Тест")  # transliterated
    assert conversion.bank["questions"] == gift(read("truefalse.gift")).bank["questions"]

    conversion = convert("x.gift", "Q?{T}", bank_id="mine", title="Mine", source=SOURCE)
    assert list(conversion.bank) == ["bank", "id", "title", "source", "questions"]
    assert (conversion.bank["id"], conversion.bank["title"]) == ("mine", "Mine")


def test_convert_refuses_an_unknown_format() -> None:
    with pytest.raises(ValueError, match=r"^notes\.txt: not a Moodle question file"):
        convert("uploads/notes.txt", read("notes.txt"))


@pytest.mark.parametrize(
    ("bank_id", "title", "message"),
    [
        ("Bad Id", "T", "the bank id 'Bad Id' must be"),
        ("-x", "T", "the bank id '-x' must be"),
        ("ok", " ", "the bank title must be"),
        ("ok", "t" * 201, "the bank title must be"),
    ],
)
def test_a_bank_id_or_title_the_bank_refuses_is_a_value_error(
    bank_id: str, title: str, message: str
) -> None:
    for reader in (convert_gift, convert_aiken):
        with pytest.raises(ValueError, match=message):
            reader("Q?{T}", bank_id=bank_id, title=title)


# --- the real validator -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filename", "count"),
    [
        ("choice.gift", 10),
        ("truefalse.gift", 4),
        ("typed.gift", 9),
        ("unsupported.gift", 1),
        ("aiken.txt", 3),
        ("aiken-malformed.txt", 1),
        ("gift-in-text.txt", 1),
    ],
)
def test_converted_banks_pass_the_bank_validator(filename: str, count: int) -> None:
    bank = validate(convert(filename, read(filename), source=SOURCE))
    assert len(bank.questions) == count
    assert bank.source_text == SOURCE["text"]


def test_answers_resolve_to_the_right_options() -> None:
    bank = validate(gift(read("choice.gift") + "\n\n" + read("truefalse.gift")))
    assert bank.question("entombed").correct_texts == ("Grant", "Grant's wife")
    assert bank.question("escapes-all-of-them").correct_texts == ("\\{, \\} and \\\\",)
    assert bank.question("sun").kind == "true_false"
    assert bank.question("sun").correct_texts == ("False",)
    assert bank.question("grant-s-tomb-2").text == "Who else\nlies in\nGrant's tomb?"


def test_a_converted_bank_without_source_passes_the_bank_validator() -> None:
    conversion = convert("choice.gift", read("choice.gift"))
    assert "source" not in conversion.bank
    bank = parse_bank(to_yaml(conversion.bank), filename="x.yaml", base_dir=None)
    assert len(bank.questions) == 10


def test_to_yaml_writes_our_bank_layout() -> None:
    # Texts YAML 1.2 or 1.1 would read as something else are quoted; several lines make a block.
    conversion = gift(
        "::Yes::Is 0o17 a number?{=yes#Since 1.2 ~tRuE ~1e3 ~12:30}\n\nTwo\\nlines{T}"
    )
    assert to_yaml(conversion.bank) == (
        "bank: 1\n"
        "id: test\n"
        "title: Test\n"
        "source:\n"
        "  title: Grant's tomb\n"
        "  text: Nobody is buried in Grant's tomb; two are entombed.\n"
        "questions:\n"
        "  - id: 'yes'\n"
        "    question: Is 0o17 a number?\n"
        "    options:\n"
        "      - 'yes'\n"
        "      - 'tRuE'\n"
        "      - '1e3'\n"
        "      - '12:30'\n"
        "    answer: 'yes'\n"
        "    explanation: Since 1.2\n"
        "  - id: q2\n"
        "    type: true_false\n"
        "    question: |-\n"
        "      Two\n"
        "      lines\n"
        "    answer: true\n"
    )
    validate(conversion)


@settings(deadline=None, database=None)
@given(st.dictionaries(st.text(), st.text() | st.lists(st.text(), max_size=3), max_size=4))
def test_to_yaml_reads_back_as_the_same_data(data: dict[str, Any]) -> None:
    assert read_yaml(to_yaml(data)).data == data


# --- any input --------------------------------------------------------------------------------

# Fragments of both formats and of what trips up YAML, the validator and HTML handling.
PIECES = [
    *(
        "{",
        "}",
        "~",
        "=",
        "#",
        "####",
        "::",
        "->",
        "%50%",
        "%-100%",
        "T",
        "FALSE",
        "$CATEGORY: a/b",
    ),
    *("\\", "\\n", "\\{", "\\~", "\\=", "\\#", "\\:", "//", "[html]", "[plain]", "<b>", "<br>"),
    *("&amp;", "&#13;", "&#x85;", "&#0;", "A. ", "B) ", "ANSWER: A", "ANSWER: b", "\n", "\n\n"),
    *(
        " ",
        "\t",
        "\r",
        "\x00",
        "\x85",
        "\u2028",
        "\ufeff",
        "0o17",
        "1e3",
        "yes",
        "- ",
        ": ",
        "'",
        '"',
    ),
]
TEXTS = st.text() | st.lists(st.sampled_from(PIECES) | st.text(max_size=3), max_size=50).map(
    "".join
)


@settings(deadline=timedelta(seconds=2), database=None, max_examples=300)
@given(TEXTS, st.sampled_from([convert_gift, convert_aiken]))
def test_any_text_converts_to_a_valid_bank_and_reports(text: str, reader: Any) -> None:
    conversion = reader(text, bank_id="fuzz", title="Fuzz", source=SOURCE)
    line_count = text.replace("\r\n", "\n").replace("\r", "\n").count("\n") + 1
    for item in conversion.unsupported:
        assert 1 <= item.line <= line_count
        assert str(item).isprintable()
    if conversion.bank["questions"]:
        validate(conversion)


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Физика 7", "fizika-7"),
        ("Россия и Иран: партнёрство", "rossiya-i-iran-partnerstvo"),
        ("Щука, ёж и чай", "shchuka-ezh-i-chai"),
        ("Café Ünïcode", "cafe-unicode"),
        ("فیزیک پایه ۷", "fizik-paih-7"),  # Persian writes no short vowels
        ("日本語", ""),  # no letters to spell: the caller picks a default
    ],
)
def test_a_slug_spells_russian_and_persian_in_latin_letters(title: str, expected: str) -> None:
    assert slug(title, 48) == expected


@pytest.mark.parametrize(
    ("gift_text", "language", "options"),
    [
        ("::a::Бушер построен Россией? {T}\n\n::b::Is it? {F}", "ru", ("Верно", "Неверно")),
        ("::a::نیروگاه بوشهر در سال ۲۰۱۳ به کار افتاد. {T}", "fa", ("درست", "نادرست")),
        ("::a::Is Bushehr in Iran? {T}", None, ("True", "False")),
        ("::a::هل هذا صحيح؟ {T}", None, ("True", "False")),  # Arabic: not a language we speak
    ],
)
def test_a_moodle_file_takes_the_language_its_questions_are_written_in(
    gift_text: str, language: str | None, options: tuple[str, ...]
) -> None:
    conversion = gift(gift_text)
    assert conversion.bank.get("language") == language
    bank = validate(conversion)
    assert bank.language == language and bank.questions[0].options == options
