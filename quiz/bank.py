"""Question banks: the YAML format, validation with precise problem reports, the resolved form."""

from __future__ import annotations

import gc
import math
import re
import string
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    PlainValidator,
    Tag,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic.config import JsonDict, JsonValue
from pydantic_core import ErrorDetails, PydanticCustomError

from quiz.answertext import normalize_answer
from quiz.messages import N_, Message, nt, said
from quiz.yamlsource import DataPath, YamlError, read_yaml

MAX_BANK_BYTES = 1_000_000
MAX_SOURCE_CHARS = 500_000
MAX_TITLE_CHARS = 200
MAX_QUESTION_CHARS = 1000
MAX_OPTION_CHARS = 300
MAX_EXPLANATION_CHARS = 1000
MAX_QUOTE_CHARS = 1000
MAX_URL_CHARS = 2000
MIN_OPTIONS = 2
MAX_OPTIONS = 12
MAX_QUESTIONS = 5000
# A short answer is typed by the learner: a few words. Replies may be twice as long (grading).
MAX_SHORT_ANSWER_CHARS = 100
ID_PATTERN = r"^[a-z0-9][a-z0-9-]{0,47}$"
TAG_PATTERN = r"^[a-z0-9-]{1,32}$"
LANGUAGE_PATTERN = r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$"
URL_PATTERN = r"^https?://\S+$"

UTF8_BOM = b"\xef\xbb\xbf"
TRUE_FALSE_OPTIONS: tuple[str, ...] = ("True", "False")
# A true/false question's two options in its bank's language (questions are never translated:
# a Russian bank's learners read Верно/Неверно, whatever language the bot speaks with them).
_TRUE_FALSE_IN = {"ru": ("Верно", "Неверно"), "fa": ("درست", "نادرست")}


def true_false_options(language: str | None) -> tuple[str, ...]:
    """The options of a true/false question in a bank of this language ("ru-RU" reads "ru")."""
    return _TRUE_FALSE_IN.get((language or "").split("-")[0].lower(), TRUE_FALSE_OPTIONS)


TOLERANCE_SIGN = " ± "  # between a numeric answer and its tolerance, as the answer is shown


class QuestionKind(StrEnum):
    """How a question is answered; the values are the bank format's `type`."""

    CHOICE = "choice"
    TRUE_FALSE = "true_false"
    SHORT_ANSWER = "short_answer"  # typed text, compared leniently (quiz.grading)
    NUMERIC = "numeric"  # a typed number, right within a range

    @property
    def typed(self) -> bool:
        """Answered by typing rather than by picking options."""
        return self in (QuestionKind.SHORT_ANSWER, QuestionKind.NUMERIC)


# --- problems ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a bank file; `field` is like "questions[3].answer", "" for the file.

    The message is mostly a quiz.messages.Message, which the bot shows in the reader's language
    (bot/problems.py); the place and the field are shown as they are.
    """

    file: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return ": ".join(part for part in (where, self.field, self.message) if part)


class BankError(Exception):
    """A bank that cannot be loaded, with every problem found in it, sorted by line."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = sorted(problems, key=lambda problem: problem.line or 0)
        super().__init__("\n".join(map(str, self.problems)))

    def __reduce__(self) -> tuple[type[BankError], tuple[list[Problem]]]:
        # Made again from its problems, not from its message as Exception would be: uploads are
        # read in another process, and the error must come back from it whole.
        return type(self), (self.problems,)


# --- the file format --------------------------------------------------------------------------


def _text(max_chars: int, description: str, *, optional: bool = False) -> Any:
    return Field(
        None if optional else ..., min_length=1, max_length=max_chars, description=description
    )


Id = Annotated[str, Field(pattern=ID_PATTERN)]
OptionText = Annotated[str, _text(MAX_OPTION_CHARS, "an option's text")]
QuestionTag = Annotated[str, Field(pattern=TAG_PATTERN)]


def _finite_number(value: Any) -> int | float:
    """A YAML number as written (an int stays an int, to be shown as such); not true/false."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _refusal("not_a_number", said(N_("must be a number")))
    try:
        finite = math.isfinite(value)
    except OverflowError:  # an int too large for a float
        finite = False
    if not finite:
        raise _refusal("number_not_finite", said(N_("must be a finite number")))
    return value


def _refusal(kind: str, message: Message) -> PydanticCustomError:
    """A validator's error carrying its message as data: _message finds it in the context."""
    # The template is the message's text: pydantic fills `{said}` alone, not the placeholders.
    return PydanticCustomError(kind, "{said}", {"said": message})


Number = Annotated[int | float, PlainValidator(_finite_number, json_schema_input_type=float)]


_ANSWER_TYPE = N_("must be a text, a list of texts, a number, or true/false")


def _answer_shape(value: Any) -> str | None:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, list):
        return "list"
    if isinstance(value, int | float):
        return "number"
    return "text" if isinstance(value, str) else None


Answer = Annotated[
    Annotated[bool, Tag("bool")]
    | Annotated[Number, Tag("number")]
    | Annotated[OptionText, Tag("text")]
    | Annotated[list[OptionText], Field(min_length=1), Tag("list")],
    Discriminator(
        _answer_shape,
        custom_error_type="answer_type",
        custom_error_message=_ANSWER_TYPE,
    ),
]


class _Spec(BaseModel):
    model_config = ConfigDict(
        extra="forbid", str_strip_whitespace=True, coerce_numbers_to_str=True, frozen=True
    )


class SourceSpec(_Spec):
    """The material the questions come from: its text inline or in a file next to the bank."""

    model_config = ConfigDict(
        json_schema_extra={"oneOf": [{"required": ["text"]}, {"required": ["file"]}]}
    )

    title: str = _text(MAX_TITLE_CHARS, "title of the source material")
    url: str | None = Field(
        None, max_length=MAX_URL_CHARS, pattern=URL_PATTERN, description="where it was published"
    )
    text: str | None = _text(MAX_SOURCE_CHARS, "the source text itself", optional=True)
    file: str | None = Field(
        None, min_length=1, description="path of a UTF-8 text file, relative to the bank file"
    )

    @model_validator(mode="after")
    def _text_or_file(self) -> Self:
        if (self.text is None) == (self.file is None):
            raise _refusal("source_text_or_file", said(N_("give exactly one of text and file")))
        return self


AnswerValue = bool | int | float | str | list[str] | None


def _when(kind: QuestionKind, then: JsonDict) -> JsonDict:
    """A JSON Schema rule for questions of one kind; choice is the kind when `type` is absent."""
    condition: JsonDict = {"properties": {"type": {"const": kind.value}}}
    if kind is not QuestionKind.CHOICE:
        condition["required"] = ["type"]
    return {"if": condition, "then": then}


_NOT_NUMERIC: JsonDict = {"tolerance": False, "min": False, "max": False}
_NO_OPTIONS: JsonDict = {"not": {"required": ["options"]}}
# Numbers are texts too (options: [2013, 1979]; answer: 2013), as the models coerce them.
_TEXTS: JsonDict = {"not": {"type": "boolean"}}
# What each kind of question needs, for editors; the validators below say it with line numbers.
_KIND_RULES: list[JsonValue] = [
    _when(
        QuestionKind.CHOICE,
        {"required": ["options", "answer"], "properties": {"answer": _TEXTS, **_NOT_NUMERIC}},
    ),
    _when(
        QuestionKind.TRUE_FALSE,
        {
            "required": ["answer"],
            "properties": {"answer": {"type": "boolean"}, **_NOT_NUMERIC},
            **_NO_OPTIONS,
        },
    ),
    _when(
        QuestionKind.SHORT_ANSWER,
        {"required": ["answer"], "properties": {"answer": _TEXTS, **_NOT_NUMERIC}, **_NO_OPTIONS},
    ),
    _when(
        QuestionKind.NUMERIC,
        {
            "properties": {"answer": {"type": "number"}},
            "oneOf": [{"required": ["answer"]}, {"required": ["min", "max"]}],
            "dependentRequired": {"min": ["max"], "max": ["min"], "tolerance": ["answer"]},
            **_NO_OPTIONS,
        },
    ),
]


class QuestionSpec(_Spec):
    """One question; `answer` names the correct option(s) by their text, or the typed answer."""

    model_config = ConfigDict(json_schema_extra={"allOf": _KIND_RULES})

    id: Id = Field(description="unique in the bank and stable across edits")
    type: QuestionKind = QuestionKind.CHOICE
    question: str = _text(MAX_QUESTION_CHARS, "the question or, for true_false, the statement")
    options: list[OptionText] | None = Field(
        None, min_length=MIN_OPTIONS, max_length=MAX_OPTIONS, validate_default=True
    )
    # Before `answer`, which they replace: its validator sees whether they were given.
    min: Number | None = Field(None, description="numeric: the lowest right answer, with max")
    max: Number | None = Field(
        None, validate_default=True, description="numeric: the highest right answer, with min"
    )
    answer: Answer | None = Field(
        None,
        validate_default=True,
        description="the correct option's text, a list where several are correct, true/false;"
        " short_answer: the accepted text or a list of them; numeric: the number",
    )
    tolerance: Number | None = Field(
        None,
        json_schema_extra={"minimum": 0},
        description="numeric: how far from answer a reply may be and still be right (default 0)",
    )
    explanation: str | None = _text(MAX_EXPLANATION_CHARS, "shown after answering", optional=True)
    quote: str | None = _text(
        MAX_QUOTE_CHARS, "a passage of the source text that backs the answer", optional=True
    )
    tags: list[QuestionTag] = []

    # Field validators (not one model validator) so that each problem points at its own field and
    # all of them are reported; `info.data` holds the fields above that validated (a field given
    # but invalid is missing from it, one left out is there as None).
    @field_validator("options")
    @classmethod
    def _options_fit_type(cls, options: list[str] | None, info: ValidationInfo) -> list[str] | None:
        kind = info.data.get("type")
        if kind is not None and kind is not QuestionKind.CHOICE and options is not None:
            raise _refusal(
                "options_not_allowed", said(N_("a {kind} question has no options"), kind=kind.value)
            )
        if kind is QuestionKind.CHOICE and options is None:
            raise _refusal("options_missing", said(N_("a choice question needs options")))
        _refuse_twice(options or (), N_("the option '{text}' is given twice"))
        return options

    @field_validator("min", "max", "tolerance")
    @classmethod
    def _numeric_only(cls, value: float | None, info: ValidationInfo) -> float | None:
        kind = info.data.get("type")
        if value is not None and kind is not None and kind is not QuestionKind.NUMERIC:
            raise _refusal(
                "numeric_only",
                said(N_("only a numeric question has {field}"), field=info.field_name),
            )
        return value

    @field_validator("max")
    @classmethod
    def _range_is_whole(cls, high: float | None, info: ValidationInfo) -> float | None:
        if info.data.get("type") is not QuestionKind.NUMERIC or "min" not in info.data:
            return high
        low = info.data["min"]
        if low is not None and high is None:
            raise _refusal("range_half", said(N_("is missing: a range needs min and max")))
        if low is None and high is not None:
            raise _refusal("range_half", said(N_("a range needs min as well")))
        if low is not None and high is not None and low > high:
            raise _refusal("range_reversed", said(N_("is below min ({min})"), min=low))
        return high

    @field_validator("answer")
    @classmethod
    def _answer_fits_type(cls, answer: AnswerValue, info: ValidationInfo) -> AnswerValue:
        kind = info.data.get("type")
        if kind is None:  # invalid, and reported on its own
            return answer
        if kind is QuestionKind.NUMERIC:
            return _numeric_answer(answer, info.data)
        if answer is None:
            raise _refusal("missing", said(N_("the answer is missing")))
        if kind is QuestionKind.TRUE_FALSE:
            if not isinstance(answer, bool):
                raise _refusal(
                    "answer_not_bool", said(N_("a true_false answer must be true or false"))
                )
            return answer
        if isinstance(answer, bool):
            raise _refusal(
                "answer_is_bool", said(N_("must be a text (true/false needs type: true_false)"))
            )
        texts = [str(text) for text in (answer if isinstance(answer, list) else [answer])]
        if kind is QuestionKind.CHOICE:
            _answers_are_options(texts, info.data.get("options"))
        elif kind is QuestionKind.SHORT_ANSWER:
            _short_answers(texts)
        return texts[0] if not isinstance(answer, list) else texts

    @field_validator("tolerance")
    @classmethod
    def _tolerance_fits(cls, tolerance: float | None, info: ValidationInfo) -> float | None:
        if tolerance is None or info.data.get("type") is not QuestionKind.NUMERIC:
            return tolerance
        if tolerance < 0:
            raise _refusal("tolerance_negative", said(N_("must be 0 or more")))
        if "answer" in info.data and info.data["answer"] is None:
            raise _refusal(
                "tolerance_without_answer",
                said(N_("goes with answer; a range (min and max) has none")),
            )
        return tolerance


def _refuse_twice(texts: Iterable[str], twice: str) -> None:
    """`twice` says that a `{text}` is given twice."""
    seen: set[str] = set()
    for text in texts:
        if (normalized := normalize_text(text)) in seen:
            raise _refusal("duplicate", said(twice, text=text))
        seen.add(normalized)


def _answers_are_options(texts: list[str], options: list[str] | None) -> None:
    if not options:  # missing or invalid, which is reported on its own
        return
    known = {normalize_text(option) for option in options}
    for text in texts:
        if normalize_text(text) not in known:
            raise _refusal(
                "answer_not_an_option",
                said(N_("'{answer}' is not one of the options"), answer=text),
            )


def _short_answers(texts: list[str]) -> None:
    if len(texts) > MAX_OPTIONS:
        raise _refusal(
            "too_many_answers",
            nt(
                "may have at most {n} accepted answer, not {count}",
                "may have at most {n} accepted answers, not {count}",
                MAX_OPTIONS,
                count=len(texts),
            ),
        )
    for text in texts:
        if len(text) > MAX_SHORT_ANSWER_CHARS:
            raise _refusal(
                "answer_too_long",
                nt(
                    "'{answer}' is longer than {n} character: a short answer is typed",
                    "'{answer}' is longer than {n} characters: a short answer is typed",
                    MAX_SHORT_ANSWER_CHARS,
                    answer=text,
                ),
            )
        if not normalize_answer(text):
            raise _refusal(
                "answer_empty",
                said(
                    N_(
                        "'{answer}' has nothing left to compare once case, punctuation and a"
                        " leading article are ignored"
                    ),
                    answer=text,
                ),
            )
    _refuse_twice(texts, N_("the answer '{text}' is given twice"))


def _numeric_answer(answer: AnswerValue, data: dict[str, Any]) -> AnswerValue:
    given = answer is not None
    if given and (isinstance(answer, bool) or not isinstance(answer, int | float)):
        raise _refusal("answer_not_a_number", said(N_("a numeric answer must be a number")))
    if "min" not in data or "max" not in data:  # invalid, and reported on its own
        return answer
    ranged = data["min"] is not None or data["max"] is not None
    if given and ranged:
        raise _refusal(
            "answer_and_range",
            said(N_("give either answer (and tolerance) or min and max, not both")),
        )
    if not given and not ranged:
        raise _refusal(
            "numeric_answer_missing",
            said(N_("is missing: a numeric question needs answer, or min and max")),
        )
    return answer


class BankSpec(_Spec):
    """A quiz question bank: questions drawn from one source text."""

    bank: Literal[1] = Field(description="format version")
    id: Id = Field(description="unique among the bot's banks")
    title: str = _text(MAX_TITLE_CHARS, "shown when choosing a quiz")
    language: str | None = Field(None, pattern=LANGUAGE_PATTERN, description="e.g. en, de, pt-BR")
    visibility: Literal["public", "private"] | None = Field(
        None,
        description="public: listed in /banks; private: reached by its share link. Default:"
        " public for the bot's own folder, private for a teacher's upload",
    )
    source: SourceSpec | None = Field(
        None, description="the material the questions come from; explanations quote it"
    )
    questions: list[QuestionSpec] = Field(min_length=1, max_length=MAX_QUESTIONS)

    @field_validator("bank", mode="before")
    @classmethod
    def _known_version(cls, value: Any) -> Any:
        if type(value) is not int or value != 1:  # Literal[1] would accept true and 1.0
            raise _refusal("bank_version", said(N_("must be 1, the bank format version")))
        return value


# --- the resolved form ------------------------------------------------------------------------


@dataclass(frozen=True)
class NumericRange:
    """The right answers to a numeric question: low to high, both included."""

    low: float
    high: float


@dataclass(frozen=True)
class Question:
    """A question ready to ask: `correct` holds indices into `options`.

    A short answer's `options` are its accepted answers, all correct; a numeric question's one
    option is its answer as shown ("2013", "2013 ± 1", "1–5"), and `numeric` its range.
    """

    id: str
    kind: QuestionKind
    text: str
    options: tuple[str, ...]
    correct: frozenset[int]
    explanation: str | None
    quote: str | None
    tags: tuple[str, ...]
    numeric: NumericRange | None = None

    @property
    def correct_texts(self) -> tuple[str, ...]:
        """The correct options' texts in option order."""
        return tuple(option for i, option in enumerate(self.options) if i in self.correct)


@dataclass(frozen=True)
class Bank:
    """A validated bank with its source text."""

    id: str
    title: str
    language: str | None
    source_title: str | None  # None: the bank has no source material
    source_url: str | None
    source_text: str  # "" without source material
    questions: tuple[Question, ...]
    visibility: Literal["public", "private"] | None = None  # None: as the bank's origin decides
    _by_id: dict[str, Question] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {question.id: question for question in self.questions})

    def question(self, question_id: str) -> Question:
        """The question with this id; KeyError if there is none."""
        return self._by_id[question_id]


def _resolve_question(spec: QuestionSpec, language: str | None) -> Question:
    # QuestionSpec's validators guarantee the answer's shape for each kind.
    numeric = None
    if spec.type is QuestionKind.TRUE_FALSE:
        options = true_false_options(language)
        correct = frozenset({0 if spec.answer is True else 1})
    elif spec.type is QuestionKind.NUMERIC:
        numeric, shown = _numeric_range(spec)
        options, correct = (shown,), frozenset({0})
    else:
        assert isinstance(spec.answer, str | list)
        answers = [spec.answer] if isinstance(spec.answer, str) else spec.answer
        if spec.type is QuestionKind.SHORT_ANSWER:
            options, correct = tuple(answers), frozenset(range(len(answers)))
        else:
            assert spec.options is not None
            options = tuple(spec.options)
            index = {normalize_text(option): i for i, option in enumerate(options)}
            correct = frozenset(index[normalize_text(answer)] for answer in answers)
    return Question(
        id=spec.id,
        kind=spec.type,
        text=spec.question,
        options=options,
        correct=correct,
        explanation=spec.explanation,
        quote=spec.quote,
        tags=tuple(spec.tags),
        numeric=numeric,
    )


def _numeric_range(spec: QuestionSpec) -> tuple[NumericRange, str]:
    """A numeric question's range, and its answer as shown."""
    if isinstance(spec.answer, int | float) and not isinstance(spec.answer, bool):
        answer, tolerance = _as_shown(spec.answer), _as_shown(spec.tolerance or 0)
        shown = _number_text(answer)
        if tolerance:
            shown += TOLERANCE_SIGN + _number_text(tolerance)
        return NumericRange(answer - tolerance, answer + tolerance), shown
    assert spec.min is not None and spec.max is not None
    low, high = _as_shown(spec.min), _as_shown(spec.max)
    shown = _number_text(low) if low == high else f"{_number_text(low)}–{_number_text(high)}"
    return NumericRange(low, high), shown


def _as_shown(number: float) -> float:
    """2013.0 as the 2013 it is shown as: sums with a long integer then stay exact, as they do
    for the same bank written as GIFT and read back (0 ± 9007199254740993)."""
    if isinstance(number, float) and number.is_integer() and abs(number) < 1e15:
        return int(number)
    return number


def _number_text(number: float) -> str:
    """2013 for 2013 and 2013.0; 0.25 and 1e+20 as Python writes them."""
    if isinstance(number, float) and number.is_integer() and abs(number) < 1e15:
        return str(int(number))
    return str(number)


# --- quote matching ---------------------------------------------------------------------------

_TYPOGRAPHIC = str.maketrans(
    {"’": "'", "‘": "'", "‚": "'", "′": "'", "“": '"', "”": '"', "„": '"', "″": '"'}
)


def normalize_text(text: str) -> str:
    """NFC, plain quote marks, whitespace runs (NBSP included) collapsed to one space."""
    # str.split() treats NBSP and the other Unicode spaces as whitespace.
    if text.isascii():  # already NFC, no typographic quotes: a third of the time on a big bank
        return " ".join(text.split())
    return " ".join(unicodedata.normalize("NFC", text).translate(_TYPOGRAPHIC).split())


def quote_in_source(quote: str, source: str) -> bool:
    """Whether the quote occurs in the source, ignoring typography and whitespace differences."""
    return normalize_text(quote) in normalize_text(source)


# --- loading ----------------------------------------------------------------------------------

_Found = tuple[DataPath, int | None, str]  # a problem's place in the data, line and message

# C0 and C1 control characters but tab and line breaks: they garble Telegram messages and
# terminals, and PostgreSQL cannot store NUL in text. (YAML refuses them written as they are, but
# a double-quoted string may hold them as escapes such as "\0" or "\x1b".)
_CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_BREAKING_CHARACTER = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")  # in a problem's message


def parse_bank(data: bytes | str, *, filename: str, base_dir: Path | None) -> Bank:
    """Validate and resolve a bank; base_dir None means uploaded in chat. Raises BankError."""
    return _parse(data, filename, base_dir)[0]


def load_bank_file(path: Path) -> Bank:
    """Load one bank file; its `source.file` is resolved next to it. Raises BankError."""
    return _load(path)[0]


def load_banks_dir(directory: Path) -> tuple[list[Bank], list[BankError]]:
    """Load every *.yaml / *.yml directly in the folder; the invalid ones come back as errors."""
    try:
        paths = sorted(
            path
            for path in directory.iterdir()
            if path.suffix in (".yaml", ".yml") and path.is_file()
        )
    except OSError as exc:
        message = said(N_("cannot list the folder: {why}"), why=exc.strerror or exc)
        problem = Problem(str(directory), None, "", message)
        return [], [BankError([problem])]
    banks: list[Bank] = []
    errors: list[BankError] = []
    owners: dict[str, str] = {}
    for path in paths:
        try:
            bank, lines = _load(path)
        except BankError as exc:
            errors.append(exc)
            continue
        if bank.id in owners:
            message = said(
                N_("the bank id {bank_id} is already used by {file}"),
                bank_id=repr(bank.id),
                file=owners[bank.id],
            )
            errors.append(BankError([Problem(path.name, lines.get(("id",)), "id", message)]))
            continue
        owners[bank.id] = path.name
        banks.append(bank)
    return banks, errors


def bank_json_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of the bank format, for editors and validators."""
    schema = BankSpec.model_json_schema()
    schema["title"] = "Quiz question bank"
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}


def _load(path: Path) -> tuple[Bank, dict[DataPath, int]]:
    try:
        with path.open("rb") as stream:
            data = stream.read(MAX_BANK_BYTES + 1)  # one byte more is enough to refuse it
    except OSError as exc:
        message = said(N_("cannot read: {why}"), why=exc.strerror or exc)
        raise BankError([Problem(path.name, None, "", message)]) from None
    return _parse(data, path.name, path.parent)


def _parse(
    data: bytes | str, filename: str, base_dir: Path | None
) -> tuple[Bank, dict[DataPath, int]]:
    # Reading a bank makes a great many objects and frees none of them: the cyclic garbage
    # collector would walk them all again and again for nothing, a sixth of a big bank's time.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _parse_with_gc_off(data, filename, base_dir)
    finally:
        if gc_was_enabled:
            gc.enable()


def _parse_with_gc_off(
    data: bytes | str, filename: str, base_dir: Path | None
) -> tuple[Bank, dict[DataPath, int]]:
    def whole_file(line: int | None, message: str) -> BankError:
        return BankError([Problem(filename, line, "", _one_line(message))])

    text = _decode(data, whole_file)
    try:
        document = read_yaml(text)
    except YamlError as exc:
        raise whole_file(exc.line, exc.message) from None
    except RecursionError:  # read_yaml limits nesting; this guards a caller already deep in calls
        raise whole_file(None, said(N_("the data is nested too deeply"))) from None
    raw, lines = document.data, document.lines
    if raw is None and not document.issues:
        message = said(N_("the file is empty; a bank is a mapping with bank, id, title, ..."))
        raise whole_file(None, message)
    if not isinstance(raw, dict):
        for issue in document.issues:  # such as a mapping tagged !!omap: say what is wrong with it
            if issue.path == ():
                raise whole_file(issue.line, issue.message)
        message = said(N_("the top level must be a mapping (bank, id, title, ...)"))
        raise whole_file(lines.get(()), message)

    found: list[_Found] = [(issue.path, issue.line, issue.message) for issue in document.issues]
    spec: BankSpec | None = None
    try:
        spec = BankSpec.model_validate(raw)
    except ValidationError as exc:
        for error in exc.errors():
            path = _data_path(error["loc"], raw)
            found.append((path, _line(path, lines), _message(error)))
    source_text, bank_level = _check_bank_level(raw, base_dir, lines)
    found += bank_level
    found += _control_characters(raw, (), lines)

    problems: list[Problem] = []
    reported: set[DataPath] = set()
    for path, line, words in found:
        if path not in reported:  # the first problem of a field is the one worth reading
            reported.add(path)
            problems.append(Problem(filename, line, _field(path), _one_line(words)))
    if problems:
        raise BankError(problems)
    assert spec is not None  # no problems: it validated
    source = spec.source
    bank = Bank(
        id=spec.id,
        title=spec.title,
        language=spec.language,
        source_title=source.title if source else None,
        source_url=source.url if source else None,
        source_text=source_text or "",
        questions=tuple(_resolve_question(question, spec.language) for question in spec.questions),
        visibility=spec.visibility,
    )
    return bank, lines


def _decode(data: bytes | str, whole_file: Callable[[int | None, str], BankError]) -> str:
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogatepass")  # lone surrogates then fail like bad bytes
    if len(data) > MAX_BANK_BYTES:
        message = nt(
            "the file is larger than {size} byte",
            "the file is larger than {size} bytes",
            MAX_BANK_BYTES,
            size=format(MAX_BANK_BYTES, ","),
        )
        raise whole_file(None, message)
    try:
        return data.removeprefix(UTF8_BOM).decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        message = said(N_("not valid UTF-8 (byte {byte})"), byte=f"{exc.object[exc.start]:#04x}")
        raise whole_file(line, message) from None


def _check_bank_level(
    raw: dict[str, Any], base_dir: Path | None, lines: dict[DataPath, int]
) -> tuple[str | None, list[_Found]]:
    """Source file, duplicate ids and quotes; returns the source text (None if unavailable)."""
    # Run on the raw data, not the models, so that they are reported even when some question
    # (or anything else) failed validation.
    found: list[_Found] = []
    source_text: str | None = None
    source = raw.get("source")
    if isinstance(source, dict):
        # Only when exactly one is given; SourceSpec reports both or neither.
        text, file = source.get("text"), source.get("file")
        if text is not None and file is None:
            source_text = _as_text(text)
        elif file is not None and text is None and (name := _as_text(file)):
            source_text, problem = _read_source_file(name, base_dir)
            if problem:
                found.append((("source", "file"), lines.get(("source", "file")), problem))

    questions = raw.get("questions")
    if not isinstance(questions, list):
        return source_text, found
    in_source = _QuoteFinder(normalize_text(source_text)) if source_text else None
    first_index: dict[str, int] = {}
    for index, question in enumerate(questions):
        if not isinstance(question, dict):
            continue
        question_id = _as_text(question.get("id"))
        if question_id in first_index:
            first = lines.get(("questions", first_index[question_id], "id"))
            message = said(
                N_("the question id {question_id} is already used at line {line}"),
                question_id=repr(question_id),
                line=first,
            )
            path = ("questions", index, "id")
            found.append((path, lines.get(path), message))
        elif question_id is not None:
            first_index[question_id] = index
        quote = _as_text(question.get("quote"))
        path = ("questions", index, "quote")
        if quote and source is None:
            message = said(N_("a quote needs the bank's source (source.text)"))
            found.append((path, lines.get(path), message))
        elif quote and in_source is not None and normalize_text(quote) not in in_source:
            message = said(N_("the quote does not occur in the source text"))
            found.append((path, lines.get(path), message))
    return source_text, found


class _QuoteFinder:
    """Finds quotes in a normalized source, first after the last one found.

    Banks mostly quote their source in order: looking on from the last quote keeps a big bank's
    check linear instead of reading the whole source for every quote.
    """

    def __init__(self, normalized_source: str) -> None:
        self._source = normalized_source
        self._last = 0

    def __contains__(self, normalized_quote: str) -> bool:
        found = self._source.find(normalized_quote, self._last)
        if found < 0:  # before the last one, or nowhere
            found = self._source.find(normalized_quote, 0, self._last + len(normalized_quote))
        if found < 0:
            return False
        self._last = found
        return True


def _control_characters(value: Any, path: DataPath, lines: dict[DataPath, int]) -> list[_Found]:
    """A problem for every text in the data, whatever its field, holding a control character."""
    if isinstance(value, str):
        if found := _CONTROL_CHARACTER.search(value):
            message = said(
                N_("contains the control character {code}; only tabs and line breaks are allowed"),
                code=f"U+{ord(found.group()):04X}",
            )
            return [(path, _line(path, lines), message)]
        return []
    if isinstance(value, dict):
        items: Iterable[tuple[str | int, Any]] = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return []
    return [
        problem for key, item in items for problem in _control_characters(item, (*path, key), lines)
    ]


def _read_source_file(name: str, base_dir: Path | None) -> tuple[str | None, str | None]:
    """The text of a bank's source file, or a problem (a Message)."""
    if base_dir is None:
        return None, said(N_("an uploaded bank must carry its source inline as source.text"))
    if Path(name).is_absolute():
        return None, said(N_("must be a path relative to the bank file"))
    try:
        folder = base_dir.resolve()
        target = (folder / name).resolve()  # follows symlinks and `..`
        if not target.is_relative_to(folder):
            return None, said(N_("{name} is outside the bank's folder"), name=repr(name))
        if not target.is_file():  # also keeps FIFOs and devices from blocking the read
            message = said(N_("{name} does not exist or is not a regular file"), name=repr(name))
            return None, message
        with target.open("rb") as stream:
            data = stream.read(4 * MAX_SOURCE_CHARS + 1)  # UTF-8 needs at most 4 bytes a character
    # ValueError: a NUL in the name; RuntimeError: a symlink loop (Python < 3.13).
    except (OSError, ValueError, RuntimeError) as exc:
        why = getattr(exc, "strerror", None) or exc
        return None, said(N_("cannot read {name}: {why}"), name=repr(name), why=why)
    return read_source_text(data, name)


def read_source_text(data: bytes, name: str) -> tuple[str | None, str | None]:
    """A source file's text as a bank may quote it, or a problem: (text, None) or (None, why).

    The problem is a quiz.messages.Message, to be shown in the reader's language.
    """
    try:
        text = data.removeprefix(UTF8_BOM).decode("utf-8").strip()
    except UnicodeDecodeError:
        return None, said(N_("{name} is not valid UTF-8 text"), name=repr(name))
    if not text:
        return None, said(N_("{name} is empty"), name=repr(name))
    if found := _CONTROL_CHARACTER.search(text):
        code, name = f"U+{ord(found.group()):04X}", repr(name)
        message = said(N_("{name} contains the control character {code}"), name=name, code=code)
        return None, message
    if len(text) > MAX_SOURCE_CHARS:
        message = nt(
            "{name} is longer than {size} character",
            "{name} is longer than {size} characters",
            MAX_SOURCE_CHARS,
            name=repr(name),
            size=format(MAX_SOURCE_CHARS, ","),
        )
        return None, message
    return text, None


def _as_text(value: Any) -> str | None:
    """The value as the models read text fields (numbers coerced, stripped), or None."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    return str(value).strip() or None


_MESSAGES = {
    "missing": N_("this required key is missing"),
    "extra_forbidden": N_("unknown key"),
    "answer_type": _ANSWER_TYPE,  # the Answer union's discriminator
}
_PATTERN_MESSAGES = {
    ID_PATTERN: N_(
        "must be 1 to 48 lowercase letters, digits and hyphens, not starting with a hyphen"
    ),
    TAG_PATTERN: N_("must be 1 to 32 lowercase letters, digits and hyphens"),
    LANGUAGE_PATTERN: N_("must be a language code such as en or pt-BR"),
    URL_PATTERN: N_("must be an http:// or https:// URL"),
}
# pydantic's own errors that a bank's author meets, in pydantic's words (as its `msg` says them,
# so that English stays as it was) but as templates of their context, to be translated.
_PYDANTIC_MESSAGES = {
    "string_type": N_("Input should be a valid string"),
    "int_type": N_("Input should be a valid integer"),
    "int_parsing": N_("Input should be a valid integer, unable to parse string as an integer"),
    "int_from_float": N_("Input should be a valid integer, got a number with a fractional part"),
    "float_type": N_("Input should be a valid number"),
    "float_parsing": N_("Input should be a valid number, unable to parse string as a number"),
    "finite_number": N_("Input should be a finite number"),
    "bool_type": N_("Input should be a valid boolean"),
    "bool_parsing": N_("Input should be a valid boolean, unable to interpret input"),
    "list_type": N_("Input should be a valid list"),
    "dict_type": N_("Input should be a valid dictionary"),
    "model_type": N_("Input should be a valid dictionary or instance of {class_name}"),
    "model_attributes_type": N_(
        "Input should be a valid dictionary or object to extract fields from"
    ),
    "none_required": N_("Input should be None"),
    "greater_than_equal": N_("Input should be greater than or equal to {ge}"),
    "less_than_equal": N_("Input should be less than or equal to {le}"),
    "literal_error": N_("Input should be {expected}"),
    "enum": N_("Input should be {expected}"),
}


def _message(error: ErrorDetails) -> str:
    """The problem a pydantic error makes: a Message, or pydantic's own words for a rare one."""
    kind, context = error["type"], error.get("ctx", {})
    if kind == "string_pattern_mismatch":
        template = _PATTERN_MESSAGES.get(context.get("pattern", ""))
        return said(template) if template else error["msg"]
    # pydantic says "List should have at least 2 items after validation, not 1"
    if kind == "too_short":
        return nt(
            "needs at least {n} entry, not {actual}",
            "needs at least {n} entries, not {actual}",
            context["min_length"],
            actual=context["actual_length"],
        )
    if kind == "too_long":
        return nt(
            "may have at most {n} entry, not {actual}",
            "may have at most {n} entries, not {actual}",
            context["max_length"],
            actual=context["actual_length"],
        )
    if kind == "string_too_short":
        return nt(
            "String should have at least {n} character",
            "String should have at least {n} characters",
            context["min_length"],
        )
    if kind == "string_too_long":
        return nt(
            "String should have at most {n} character",
            "String should have at most {n} characters",
            context["max_length"],
        )
    if kind in _MESSAGES:
        return said(_MESSAGES[kind])
    if isinstance(message := context.get("said"), Message):  # one of _refusal's
        return message
    if kind in _PYDANTIC_MESSAGES:
        template = _PYDANTIC_MESSAGES[kind]
        message = Message(template, {key: context[key] for key in _placeholders(template)})
        if message == error["msg"]:  # as pydantic says it: else its own words, in English
            return message
    return error["msg"]


def _placeholders(template: str) -> list[str]:
    return [name for _, name, _, _ in string.Formatter().parse(template) if name]


def _data_path(loc: tuple[int | str, ...], raw: Any) -> DataPath:
    """The place in the data a pydantic error location names, without union branch tags."""
    path: list[str | int] = []
    node = raw
    for part in loc:
        if isinstance(node, dict) and isinstance(part, str):
            path.append(part)  # a key that is present, or a missing one (then nothing follows)
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            path.append(part)
            node = node[part]
        # anything else names a union branch ("list", "text"), not a place in the data
    return tuple(path)


def _line(path: DataPath, lines: dict[DataPath, int]) -> int | None:
    """The line of the longest known prefix: a missing key gets its parent mapping's line."""
    for end in range(len(path), -1, -1):
        if path[:end] in lines:
            return lines[path[:end]]
    return None


def _one_line(message: str) -> str:
    """The message with control characters and line breaks escaped, as messages quote values.

    A Message stays one, with its values escaped (its template has none of them).
    """
    if isinstance(message, Message):
        values = {
            key: _one_line(value) if isinstance(value, str) else value
            for key, value in message.values.items()
        }
        return Message(_one_line(message.template), values, message.plural)
    return _BREAKING_CHARACTER.sub(lambda found: repr(found.group())[1:-1], message)


def _field(path: DataPath) -> str:
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            # An unknown key is shown as written, unless it is empty or holds control characters,
            # lone surrogates, bidi marks and the like, which would garble the message.
            name = part if part.isprintable() and part else repr(part)
            text += f".{name}" if text else name
    return text
