"""The event-driven YAML reader against a reference built on PyYAML's own composer.

quiz.yamlsource builds data straight from parser events, for speed. The reference here composes
PyYAML's node tree first and walks it, as the reader did before: both must give the same data,
lines, issues and errors for any text, valid or not.
"""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from yaml.events import AliasEvent, NodeEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from quiz import yamlsource
from quiz.yamlsource import (
    _CONVERTERS,
    _KINDS,
    MAX_DEPTH,
    DataPath,
    Document,
    Issue,
    PurePythonParser,
    Yaml12Resolver,
    YamlError,
    as_yaml_error,
    read_yaml,
)


class _ReferenceLoader(yaml.SafeLoader):
    """PyYAML's composer with the same YAML 1.2 resolvers, refusing anchors and deep nesting."""

    yaml_implicit_resolvers = Yaml12Resolver.yaml_implicit_resolvers
    _depth = 0

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        line = event.start_mark.line + 1 if event.start_mark else None
        if isinstance(event, AliasEvent) or (isinstance(event, NodeEvent) and event.anchor):
            raise YamlError("anchors and aliases are not allowed", line)
        if self._depth >= MAX_DEPTH:
            raise YamlError(f"data is nested too deeply (more than {MAX_DEPTH} levels)", line)
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def reference(text: str) -> Document:
    """What the composer-based reader made of `text` (pure-Python PyYAML, errors as YamlError)."""
    loader = None
    try:
        loader = _ReferenceLoader(text)
        try:
            root = loader.get_single_node()
        finally:
            loader.dispose()
    except (yaml.YAMLError, ValueError, OverflowError) as exc:
        raise as_yaml_error(exc, text, loader) from None
    lines: dict[DataPath, int] = {}
    issues: list[Issue] = []
    if root is None:
        return Document(None, lines, issues)
    lines[()] = root.start_mark.line + 1
    return Document(_build(root, (), lines, issues), lines, issues)


def _build(node: Node, path: DataPath, lines: dict[DataPath, int], issues: list[Issue]) -> Any:
    line = node.start_mark.line + 1
    if isinstance(node, ScalarNode) and node.tag in _CONVERTERS:
        try:
            return _CONVERTERS[node.tag](node.value)
        except ValueError:
            issues.append(Issue(path, line, f"{node.value[:40]!r} is not {_KINDS[node.tag]}"))
            return None
    if isinstance(node, SequenceNode) and node.tag == "tag:yaml.org,2002:seq":
        items = []
        for index, child in enumerate(node.value):
            lines[(*path, index)] = child.start_mark.line + 1
            items.append(_build(child, (*path, index), lines, issues))
        return items
    if isinstance(node, MappingNode) and node.tag == "tag:yaml.org,2002:map":
        mapping: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key_line = key_node.start_mark.line + 1
            if not (isinstance(key_node, ScalarNode) and key_node.tag in _CONVERTERS):
                issues.append(Issue(path, key_line, "mapping keys must be plain text"))
                continue
            key = key_node.value
            if key in mapping:
                message = f"duplicate key {key!r} (first at line {lines[(*path, key)]})"
                issues.append(Issue((*path, key), key_line, message))
                continue
            lines[(*path, key)] = key_line
            mapping[key] = _build(value_node, (*path, key), lines, issues)
        return mapping
    tag = node.tag.replace("tag:yaml.org,2002:", "!!", 1)
    issues.append(Issue(path, line, f"the tag {tag} is not allowed"))
    return None


def outcome(read: Any, text: str) -> Document | tuple[str, int | None]:
    """The document, or the error's message and line."""
    try:
        return read(text)  # type: ignore[no-any-return]
    except YamlError as error:
        return error.message, error.line


def event_reader(text: str) -> Document:
    return yamlsource._read_with(PurePythonParser, text)


# Pieces that exercise every branch: tags, anchors, aliases, complex and duplicate keys, flow and
# block styles, quoting, several documents, numbers of every YAML 1.2 spelling and broken syntax.
PIECES = [
    "a: 1\n", "b: [x, y]\n", "- 1\n", "- [a, {b: c}]\n", "c: {d: e, d: f}\n", "a: 2\n",
    "? [k]\n: v\n", "? {k: v}\n: w\n", "!!str 5: x\n", "!!int 5: x\n", "!custom k: v\n",
    "t: !!binary aGk=\n", "u: !!python/object:os.system {}\n", "v: !!seq [1]\n", "w: !!map {}\n",
    "x: !!str [1]\n", "y: !!int abc\n", "z: !!float 1.5\n", "n: ~\n", "m: null\n", "q: 'quoted'\n",
    'r: "esc \\t \\x41"\n', "s: &anchor 1\n", "t: *anchor\n", "e: yes\n", "f: 0o17\n",
    "g: 0x1F\n", "h: .inf\n", "i: -.5e3\n", "j: 12:30\n", "k: 2013-05-04\n", "l: TRUE\n",
    "o: ! 12\n", "p: ! [a]\n", "  - nested\n", "---\n", "...\n", "%YAML 1.2\n", "[unclosed\n",
    "key: value: more\n", "\t- tab\n", "'\n", "- - - deep\n", "? complex\n", "a:\n  - 1\n  - 2\n",
    "b:\n  c:\n    d: e\n", "- !!null ''\n", "- !!bool maybe\n", "- 1e400\n", "- 99999999999\n",
]  # fmt: skip


@settings(max_examples=400, deadline=None, database=None)
@given(st.lists(st.sampled_from(PIECES), max_size=8), st.sampled_from(["", " ", "  ", "- "]))
def test_events_give_what_the_composer_gave(pieces: list[str], indent: str) -> None:
    text = "".join(indent + piece if index % 2 else piece for index, piece in enumerate(pieces))
    assert outcome(event_reader, text) == outcome(reference, text)


@settings(max_examples=200, deadline=None, database=None)
@given(st.text(alphabet=":-[]{}?,&*!#|>'\"%@ \n\tab1.", max_size=60))
def test_events_give_what_the_composer_gave_for_any_text(text: str) -> None:
    assert outcome(event_reader, text) == outcome(reference, text)


@pytest.mark.parametrize("depth", [MAX_DEPTH - 1, MAX_DEPTH, MAX_DEPTH + 5])
@pytest.mark.parametrize("style", ["flow", "block-keys", "tagged"])
def test_depth_is_refused_where_the_composer_refused_it(depth: int, style: str) -> None:
    if style == "flow":
        text = "[" * depth + "]" * depth
    elif style == "block-keys":
        text = "".join(f"{'  ' * level}k{level}:\n" for level in range(depth)) + "  " * depth + "x"
    else:  # the deep part sits under a tag, whose data is skipped but still checked
        text = "a: !!python/tuple " + "[" * depth + "]" * depth
    assert outcome(event_reader, text) == outcome(reference, text)
    assert outcome(read_yaml, text) == outcome(reference, text)


def test_libyaml_gives_the_same_on_a_big_bank() -> None:
    lines = ["bank: 1", "id: big", "questions:"]
    for n in range(300):
        lines += [f"  - id: q{n}", f"    question: Question {n}?", f"    options: [a{n}, 'b', c]"]
        lines += [f"    answer: a{n}", '    quote: "record \\u00e9"', "    tags: [x, 1, true]"]
    text = "\n".join(lines)
    document = read_yaml(text)
    assert document == reference(text)
    assert document.data["questions"][299]["tags"] == ["x", 1, True]
    assert document.lines[("questions", 299, "answer")] == len(lines) - 2
