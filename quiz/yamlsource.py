"""Strict YAML reading: YAML 1.2 core scalars, no anchors, and the line of every value."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.events import (
    AliasEvent,
    Event,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)

from quiz.messages import N_, nt, said

# A bank needs five levels (bank, questions, question, options, option); anything far deeper is
# hostile, and refusing it early keeps the recursive composer away from Python's recursion limit.
MAX_DEPTH = 32

DataPath = tuple[str | int, ...]

_INT_DIGITS = 4300  # integers must have at most 4300 decimal digits, Python's own default limit
_INT_LIMIT = 10**_INT_DIGITS

_TAG = "tag:yaml.org,2002:"
_STR, _NULL, _BOOL, _INT, _FLOAT = (_TAG + name for name in ("str", "null", "bool", "int", "float"))
_SEQ, _MAP = _TAG + "seq", _TAG + "map"


class YamlError(Exception):
    """The text cannot be read as YAML at all; the message is mostly a quiz.messages.Message."""

    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass(frozen=True)
class Issue:
    """A problem found while building the data; reading went on past it.

    Its message is mostly a quiz.messages.Message, as YamlError's.
    """

    path: DataPath
    line: int
    message: str


@dataclass(frozen=True)
class Document:
    """Plain data (dicts, lists, str, int, float, bool, None) with the 1-based line of each value.

    A mapping value's line is the line of its key; a list item's line is where the item starts.
    """

    data: Any
    lines: dict[DataPath, int]
    issues: list[Issue]


class Yaml12Resolver(yaml.resolver.BaseResolver):
    """YAML 1.2 core scalars: what plain (unquoted) text reads as numbers, booleans and null."""

    # Rebuilt from scratch: YAML 1.1 would read yes/no/on/off as booleans, 12:30 as the number 750
    # and 2013-05-04 as a date.
    yaml_implicit_resolvers = {}  # noqa: RUF012  (PyYAML keeps its resolvers per class)


Yaml12Resolver.add_implicit_resolver(
    _NULL, re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""]
)
Yaml12Resolver.add_implicit_resolver(
    _BOOL, re.compile(r"^(?:true|false)$", re.IGNORECASE), list("tTfF")
)
Yaml12Resolver.add_implicit_resolver(
    _INT, re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"), list("-+0123456789")
)
Yaml12Resolver.add_implicit_resolver(
    _FLOAT,
    re.compile(
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+0123456789."),
)
_RESOLVERS: dict[str, list[tuple[str, re.Pattern[str]]]] = Yaml12Resolver.yaml_implicit_resolvers


class PurePythonParser(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser):
    """PyYAML's own parser: events only, no nodes and no constructed objects."""

    def __init__(self, stream: str) -> None:
        yaml.reader.Reader.__init__(self, stream)  # refuses characters YAML does not allow
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)


try:  # PyYAML's wheels carry libyaml; a build without it falls back on pure Python
    from yaml.cyaml import CParser  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover
    FAST_PARSER: type[Any] | None = None
else:
    FAST_PARSER = CParser


def read_yaml(text: str) -> Document:
    """Parse one YAML document into plain data and a line map; raise YamlError if unreadable."""
    if FAST_PARSER is not None:
        # The fast path for the usual, well-formed file. libyaml words its errors differently
        # and places some lines elsewhere, so anything amiss is read again by the pure-Python
        # parser: problems read the same, whichever parser is installed.
        with contextlib.suppress(YamlError):
            document = _read_with(FAST_PARSER, text)
            if not document.issues:
                return document
    return _read_with(PurePythonParser, text)


def _read_with(parser_class: type[Any], text: str) -> Document:
    builder = _Builder()
    parser = None
    try:
        parser = parser_class(text)
        try:
            data = builder.document(parser.get_event)
        finally:
            parser.dispose()
    # PyYAML's scanner calls chr() on escapes such as "\UFFFFFFFF" and int() on the number of a
    # %YAML directive, which may have thousands of digits, and lets what they raise escape.
    except (yaml.YAMLError, ValueError, OverflowError) as exc:
        raise as_yaml_error(exc, text, parser) from None
    return Document(data, builder.lines, builder.issues)


def as_yaml_error(exc: Exception, text: str, reader: Any) -> YamlError:
    """What PyYAML (or a ValueError from its scanner) raised, as one line and a line number."""
    if isinstance(exc, yaml.reader.ReaderError):
        line = text.count("\n", 0, exc.position) + 1
        message = said(N_("the character {code} is not allowed"), code=f"U+{exc.character:04X}")
        return YamlError(message, line)
    # PyYAML's own words (its problem and context) are values, in English.
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        if exc.context:
            message = said(
                N_("invalid YAML: {problem} ({context})"), problem=exc.problem, context=exc.context
            )
        else:
            message = said(N_("invalid YAML: {problem}"), problem=exc.problem)
        return YamlError(message, mark.line + 1 if mark else None)
    if isinstance(exc, yaml.YAMLError):
        return YamlError(said(N_("invalid YAML: {problem}"), problem=exc), None)
    message = said(N_("invalid YAML: an escape sequence or a %YAML version number is out of range"))
    return YamlError(message, int(getattr(reader, "line", 0)) + 1)


def _to_null(value: str) -> None:
    if value not in ("", "~", "null", "Null", "NULL"):
        raise ValueError(value)


def _to_bool(value: str) -> bool:
    if value.lower() not in ("true", "false"):
        raise ValueError(value)
    return value.lower() == "true"


def _to_int(value: str) -> int:
    # int() refuses more than 4300 decimal digits, so a huge number becomes a problem rather than a
    # hang; hexadecimal and octal ones are parsed in linear time but held to the same limit, or
    # turning them into text (every number is text to the bank) would raise.
    number = int(value, 0 if value.lstrip("+-")[:2] in ("0o", "0x") else 10)
    if abs(number) >= _INT_LIMIT:
        raise ValueError(value)
    return number


def _to_float(value: str) -> float:
    special = value.lstrip("+-").lower() in (".inf", ".nan")
    return float(value.replace(".", "", 1) if special else value)


# What each tag's value must be, as the tests' reference reader says it.
_KINDS = {
    _NULL: "null",
    _BOOL: "true or false",
    _INT: "an integer of at most 4300 digits",
    _FLOAT: "a number",
}
# "'12:30' is not a number", with the value as written.
_NOT_OF_KIND = {
    _NULL: N_("{value} is not null"),
    _BOOL: N_("{value} is not true or false"),
    _FLOAT: N_("{value} is not a number"),
}
_CONVERTERS: dict[str, Callable[[str], Any]] = {
    _STR: str,
    _NULL: _to_null,
    _BOOL: _to_bool,
    _INT: _to_int,
    _FLOAT: _to_float,
}


class _Builder:
    """Builds plain data straight from parser events, recording lines and collecting issues.

    No node tree is composed: on a big bank that took twice as long as parsing. What PyYAML's
    composer refused (a second document) is refused here too, and anchors, aliases and deep
    nesting are refused as soon as their event arrives, before anything is built from them.
    """

    def __init__(self) -> None:
        self.lines: dict[DataPath, int] = {}
        self.issues: list[Issue] = []
        self._depth = 0
        self._next: Callable[[], Event] = _no_events

    def document(self, next_event: Callable[[], Event]) -> Any:
        """The data of the stream's single document; None for an empty stream."""
        self._next = next_event
        next_event()  # StreamStartEvent
        if isinstance(event := next_event(), StreamEndEvent):
            return None
        root = next_event()  # the one after DocumentStartEvent
        self.lines[()] = _line(root)
        data = self._node(root, ())
        next_event()  # DocumentEndEvent
        if not isinstance(event := next_event(), StreamEndEvent):
            # In the words of PyYAML's composer, which refused this before
            message = said(
                N_(
                    "invalid YAML: but found another document (expected a single document in the"
                    " stream)"
                )
            )
            raise YamlError(message, _line(event))
        return data

    def _enter(self, event: Event) -> None:
        """Refuse an alias, an anchor or a node nested too deeply."""
        # Aliases are how "billion laughs" bombs work: refused before anything is built.
        if isinstance(event, AliasEvent) or getattr(event, "anchor", None) is not None:
            raise YamlError(said(N_("anchors and aliases are not allowed")), _line(event))
        if self._depth >= MAX_DEPTH:
            message = nt(
                "data is nested too deeply (more than {n} level)",
                "data is nested too deeply (more than {n} levels)",
                MAX_DEPTH,
            )
            raise YamlError(message, _line(event))

    def _node(self, event: Event, path: DataPath) -> Any:
        if isinstance(event, ScalarEvent) and event.anchor is None and self._depth < MAX_DEPTH:
            tag = _scalar_tag(event)  # the usual value, first, in as few calls as can be
            return event.value if tag == _STR else self._scalar(event, tag, path)
        self._enter(event)  # refuses anchors and deep nesting: a scalar goes no further
        tag = event.tag  # type: ignore[attr-defined]  # a collection start: it has a tag
        if isinstance(event, SequenceStartEvent) and tag in (None, "!", _SEQ):
            return self._sequence(path)
        if isinstance(event, MappingStartEvent) and tag in (None, "!", _MAP):
            return self._mapping(path)
        # Anything else carries an explicit tag such as !!python/object or !!binary.
        self._skip_children(event)
        return self._refuse_tag(event, tag, path)

    def _scalar(self, event: ScalarEvent, tag: str, path: DataPath) -> Any:
        converter = _CONVERTERS.get(tag)
        if converter is None:
            return self._refuse_tag(event, tag, path)
        try:
            return converter(event.value)
        except ValueError:
            value = repr(event.value[:40])
            if tag == _INT:
                message = nt(
                    "{value} is not an integer of at most {n} digit",
                    "{value} is not an integer of at most {n} digits",
                    _INT_DIGITS,
                    value=value,
                )
            else:
                message = said(_NOT_OF_KIND[tag], value=value)
            self.issues.append(Issue(path, _line(event), message))
            return None

    def _refuse_tag(self, event: Event, tag: str, path: DataPath) -> None:
        shown = tag.replace(_TAG, "!!", 1) if tag.startswith(_TAG) else tag
        message = said(N_("the tag {tag} is not allowed"), tag=shown)
        self.issues.append(Issue(path, _line(event), message))

    def _sequence(self, path: DataPath) -> list[Any]:
        items: list[Any] = []
        self._depth += 1
        while not isinstance(event := self._next(), SequenceEndEvent):
            item_path = (*path, len(items))
            self.lines[item_path] = _line(event)
            items.append(self._node(event, item_path))
        self._depth -= 1
        return items

    def _mapping(self, path: DataPath) -> dict[str, Any]:
        mapping: dict[str, Any] = {}
        self._depth += 1
        while not isinstance(key_event := self._next(), MappingEndEvent):
            self._enter(key_event)
            line = _line(key_event)
            # Keys are taken as written: `1: x` and `true: x` have the keys "1" and "true".
            if not (isinstance(key_event, ScalarEvent) and _scalar_tag(key_event) in _CONVERTERS):
                self._skip_children(key_event)
                self._skip(self._next())
                message = said(N_("mapping keys must be plain text"))
                self.issues.append(Issue(path, line, message))
                continue
            key = key_event.value
            value_path = (*path, key)
            if key in mapping:  # PyYAML would silently keep the last value
                self._skip(self._next())
                message = said(
                    N_("duplicate key {key} (first at line {line})"),
                    key=repr(key),
                    line=self.lines[value_path],
                )
                self.issues.append(Issue(value_path, line, message))
                continue
            self.lines[value_path] = line
            mapping[key] = self._node(self._next(), value_path)
        self._depth -= 1
        return mapping

    def _skip(self, event: Event) -> None:
        """Read past a node that is not used, refusing what _enter refuses within it."""
        self._enter(event)
        self._skip_children(event)

    def _skip_children(self, event: Event) -> None:
        if isinstance(event, SequenceStartEvent | MappingStartEvent):
            self._depth += 1
            while not isinstance(child := self._next(), SequenceEndEvent | MappingEndEvent):
                self._skip(child)
            self._depth -= 1


def _no_events() -> Event:
    raise AssertionError("document() was not called")


def _line(event: Event) -> int:
    return int(event.start_mark.line) + 1  # type: ignore[union-attr]  # parsers always mark


def _scalar_tag(event: ScalarEvent) -> str:
    """The scalar's tag, resolved as PyYAML's composer resolves it, by YAML 1.2 core rules."""
    tag = event.tag
    if tag is not None and tag != "!":
        return str(tag)
    value = event.value
    if event.implicit[0]:  # plain, unquoted text
        for resolved, pattern in _RESOLVERS.get(value[:1], ()):
            if pattern.match(value):
                return resolved
    return _STR
