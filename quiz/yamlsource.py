"""Strict YAML reading: YAML 1.2 core scalars, no anchors, and the line of every value."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.events import AliasEvent, NodeEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

# A bank needs five levels (bank, questions, question, options, option); anything far deeper is
# hostile, and refusing it early keeps the recursive composer away from Python's recursion limit.
MAX_DEPTH = 32

DataPath = tuple[str | int, ...]

_INT_LIMIT = 10**4300  # integers must have at most 4300 decimal digits, Python's own default limit

_TAG = "tag:yaml.org,2002:"
_STR, _NULL, _BOOL, _INT, _FLOAT = (_TAG + name for name in ("str", "null", "bool", "int", "float"))
_SEQ, _MAP = _TAG + "seq", _TAG + "map"


class YamlError(Exception):
    """The text cannot be read as YAML at all."""

    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass(frozen=True)
class Issue:
    """A problem found while building the data; reading went on past it."""

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


class _StrictComposing:
    """Composes nodes like PyYAML, refusing anchors, aliases and deep nesting first."""

    _depth = 0

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        event = self.peek_event()  # type: ignore[attr-defined]  # from the parser class
        line = event.start_mark.line + 1 if event.start_mark else None
        # Refused before composing anything: aliases are how "billion laughs" bombs work.
        if isinstance(event, AliasEvent) or (isinstance(event, NodeEvent) and event.anchor):
            raise YamlError("anchors and aliases are not allowed", line)
        if self._depth >= MAX_DEPTH:
            raise YamlError(f"data is nested too deeply (more than {MAX_DEPTH} levels)", line)
        self._depth += 1
        try:
            return super().compose_node(parent, index)  # type: ignore[misc, no-any-return]
        finally:
            self._depth -= 1


class StrictLoader(_StrictComposing, yaml.SafeLoader):
    """SafeLoader with YAML 1.2 core scalars; refuses anchors, aliases and deep nesting."""

    # Rebuilt from scratch: YAML 1.1 would read yes/no/on/off as booleans, 12:30 as the number 750
    # and 2013-05-04 as a date.
    yaml_implicit_resolvers = {}  # noqa: RUF012  (PyYAML keeps its resolvers per class)


StrictLoader.add_implicit_resolver(
    _NULL, re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""]
)
StrictLoader.add_implicit_resolver(
    _BOOL, re.compile(r"^(?:true|false)$", re.IGNORECASE), list("tTfF")
)
StrictLoader.add_implicit_resolver(
    _INT, re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"), list("-+0123456789")
)
StrictLoader.add_implicit_resolver(
    _FLOAT,
    re.compile(
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+0123456789."),
)


try:  # PyYAML's wheels carry libyaml; a build without it falls back on pure Python
    from yaml.cyaml import CParser  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover
    FAST_LOADER: type[Any] | None = None
else:

    class _FastStrictLoader(
        _StrictComposing,
        yaml.composer.Composer,
        CParser,
        yaml.constructor.SafeConstructor,
        yaml.resolver.Resolver,
    ):
        """StrictLoader on libyaml's C parser, about ten times faster on big banks.

        Only the events come from C: composing (above, in Python) still refuses anchors, aliases and
        deep nesting before building anything, and scalars resolve with the same YAML 1.2 rules.
        """

        yaml_implicit_resolvers = StrictLoader.yaml_implicit_resolvers

        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            yaml.composer.Composer.__init__(self)
            yaml.constructor.SafeConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)

    FAST_LOADER = _FastStrictLoader


def read_yaml(text: str) -> Document:
    """Parse one YAML document into plain data and a line map; raise YamlError if unreadable."""
    if FAST_LOADER is not None:
        # The fast path for the usual, well-formed file. libyaml words its errors differently
        # and places some lines elsewhere, so anything amiss is read again by the pure-Python
        # loader: problems read the same, whichever parser is installed.
        with contextlib.suppress(YamlError):
            document = _read_with(FAST_LOADER, text)
            if not document.issues:
                return document
    return _read_with(StrictLoader, text)


def _read_with(loader_class: type[Any], text: str) -> Document:
    try:
        loader = loader_class(text)  # refuses characters YAML does not allow, before reading on
        try:
            root = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        raise YamlError(f"the character U+{exc.character:04X} is not allowed", line) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = f"invalid YAML: {exc.problem}" + (f" ({exc.context})" if exc.context else "")
        raise YamlError(message, mark.line + 1 if mark else None) from None
    except yaml.YAMLError as exc:
        raise YamlError(f"invalid YAML: {exc}", None) from None
    # PyYAML's scanner calls chr() on escapes such as "\UFFFFFFFF" and int() on the number of a
    # %YAML directive, which may have thousands of digits, and lets what they raise escape.
    except (ValueError, OverflowError):
        message = "invalid YAML: an escape sequence or a %YAML version number is out of range"
        raise YamlError(message, int(loader.line) + 1) from None
    builder = _Builder()
    if root is None:
        return Document(None, builder.lines, builder.issues)
    builder.lines[()] = _line(root)
    return Document(builder.build(root, ()), builder.lines, builder.issues)


def _line(node: Node) -> int:
    return int(node.start_mark.line) + 1


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


_KINDS = {
    _NULL: "null",
    _BOOL: "true or false",
    _INT: "an integer of at most 4300 digits",
    _FLOAT: "a number",
}
_CONVERTERS: dict[str, Callable[[str], Any]] = {
    _STR: str,
    _NULL: _to_null,
    _BOOL: _to_bool,
    _INT: _to_int,
    _FLOAT: _to_float,
}


class _Builder:
    """Turns composed nodes into plain data, recording lines and collecting issues."""

    def __init__(self) -> None:
        self.lines: dict[DataPath, int] = {}
        self.issues: list[Issue] = []

    def build(self, node: Node, path: DataPath) -> Any:
        if isinstance(node, ScalarNode) and node.tag in _CONVERTERS:
            try:
                return _CONVERTERS[node.tag](str(node.value))
            except ValueError:
                message = f"{node.value[:40]!r} is not {_KINDS[node.tag]}"
                self.issues.append(Issue(path, _line(node), message))
                return None
        if isinstance(node, SequenceNode) and node.tag == _SEQ:
            return [
                self._child(child, (*path, index), _line(child))
                for index, child in enumerate(node.value)
            ]
        if isinstance(node, MappingNode) and node.tag == _MAP:
            return self._mapping(node, path)
        # Anything else carries an explicit tag such as !!python/object or !!binary.
        tag = node.tag.replace(_TAG, "!!", 1) if node.tag.startswith(_TAG) else node.tag
        self.issues.append(Issue(path, _line(node), f"the tag {tag} is not allowed"))
        return None

    def _child(self, node: Node, path: DataPath, line: int) -> Any:
        self.lines[path] = line
        return self.build(node, path)

    def _mapping(self, node: MappingNode, path: DataPath) -> dict[str, Any]:
        mapping: dict[str, Any] = {}
        for key_node, value_node in node.value:
            line = _line(key_node)
            # Keys are taken as written: `1: x` and `true: x` have the keys "1" and "true".
            if not (isinstance(key_node, ScalarNode) and key_node.tag in _CONVERTERS):
                self.issues.append(Issue(path, line, "mapping keys must be plain text"))
                continue
            key = str(key_node.value)
            if key in mapping:  # PyYAML would silently keep the last value
                first = self.lines[(*path, key)]
                message = f"duplicate key {key!r} (first at line {first})"
                self.issues.append(Issue((*path, key), line, message))
                continue
            mapping[key] = self._child(value_node, (*path, key), line)
        return mapping
