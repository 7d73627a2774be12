"""Telegram text formatting (HTML, MarkdownV2, Markdown) -> visible text and entities."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

__all__ = ["ParseError", "Parsed", "parse", "utf16_len"]


class ParseError(ValueError):
    """Raised where Telegram answers "Bad Request: can't parse entities: ..."."""


@dataclass
class Parsed:
    """Visible text and the entities Telegram derives from a formatted string."""

    text: str
    entities: list[dict[str, Any]] = field(default_factory=list)


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of MessageEntity offsets."""
    return len(text.encode("utf-16-le")) // 2


def parse(text: str, parse_mode: str | None) -> Parsed:
    """Parse `text` the way Telegram does for `parse_mode` (None/"" = plain text)."""
    mode = (parse_mode or "").lower()
    if not mode:
        return Parsed(text)
    if mode == "html":
        return _parse_html(text)
    if mode == "markdownv2":
        return _parse_markdown_v2(text)
    if mode == "markdown":
        return _parse_markdown_v1(text)
    raise ParseError(f"unsupported parse_mode {parse_mode!r}")


class _Builder:
    """Accumulates visible text and closed entities, tracking UTF-16 offsets."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.pos = 0
        self.entities: list[dict[str, Any]] = []

    def emit(self, s: str) -> None:
        self.parts.append(s)
        self.pos += utf16_len(s)

    def close(self, kind: str, start: int, **extra: Any) -> None:
        if self.pos > start:  # Telegram drops empty entities
            self.entities.append(
                {"type": kind, "offset": start, "length": self.pos - start, **extra}
            )

    def result(self) -> Parsed:
        ents = sorted(self.entities, key=lambda e: (e["offset"], -e["length"]))
        return Parsed("".join(self.parts), ents)


def _byte_offset(src: str, i: int) -> int:
    return len(src[:i].encode())


# Tags and named entities supported by Telegram's HTML mode (core.telegram.org/bots/api#html-style).
_HTML_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
    "tg-time": "date_time",
}
_HTML_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_HTML_ENTITY_RE = re.compile(r"&(#[0-9]+|#[xX][0-9a-fA-F]+|[a-zA-Z]+);")
_HTML_TAG_RE = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)([^<>]*)>")
_HTML_ATTR_RE = re.compile(r"([a-zA-Z_-]+)(?:\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s\"'>]+))?")


def _html_entity(name: str) -> str | None:
    if name.startswith(("#x", "#X")):
        code = int(name[2:], 16)
    elif name.startswith("#"):
        code = int(name[1:])
    else:
        return _HTML_NAMED.get(name)
    return chr(code) if 0 < code <= 0x10FFFF else None


def _parse_html(src: str) -> Parsed:
    out = _Builder()
    stack: list[tuple[str, int, dict[str, str]]] = []
    i = 0
    while i < len(src):
        c = src[i]
        if c == "&":
            m = _HTML_ENTITY_RE.match(src, i)
            decoded = _html_entity(m.group(1)) if m else None
            if m and decoded is not None:
                out.emit(decoded)
                i = m.end()
            else:  # like Telegram, an unknown entity or a bare "&" stays literal
                out.emit(c)
                i += 1
            continue
        if c != "<":
            out.emit(c)
            i += 1
            continue
        off = _byte_offset(src, i)
        m = _HTML_TAG_RE.match(src, i)
        if m is None:
            raise ParseError(f"Unexpected character '<' at byte offset {off}")
        closing, name = m.group(1) == "/", m.group(2).lower()
        if name not in _HTML_TAGS:
            kind = "end" if closing else "start"
            raise ParseError(f'Unsupported {kind} tag "{name}" at byte offset {off}')
        if closing:
            if not stack:
                raise ParseError(f'Unexpected end tag "{name}" at byte offset {off}')
            top, start, attrs = stack.pop()
            if top != name:
                expected = f'expected "</{top}>", found "</{name}>"'
                raise ParseError(f"Unmatched end tag at byte offset {off}, {expected}")
            extra: dict[str, Any] = {}
            if name == "a":
                extra["url"] = attrs.get("href", "")
            elif name == "tg-emoji":
                extra["custom_emoji_id"] = attrs.get("emoji-id", "")
            elif name == "code" and attrs.get("class", "").startswith("language-"):
                extra["language"] = attrs["class"][len("language-") :]
            kind_ = _HTML_TAGS[name]
            if name == "blockquote" and "expandable" in attrs:
                kind_ = "expandable_blockquote"
            out.close(kind_, start, **extra)
        else:
            attrs = {
                k.lower(): (v or "").strip("\"'") for k, v in _HTML_ATTR_RE.findall(m.group(3))
            }
            if name == "span" and attrs.get("class") != "tg-spoiler":
                raise ParseError(f'Tag "span" must have class "tg-spoiler" at byte offset {off}')
            stack.append((name, out.pos, attrs))
        i = m.end()
    if stack:
        raise ParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    return out.result()


# MarkdownV2 (core.telegram.org/bots/api#markdownv2-style): every one of these characters must be
# escaped with "\" unless it is part of markup.
_MDV2_RESERVED = frozenset("_*[]()~`>#+-=|{}.!")
_MDV2_TOGGLES = {"*": "bold", "_": "italic", "~": "strikethrough"}


def _parse_markdown_v2(src: str) -> Parsed:
    """Approximates tdlib's parser: same markup and escaping rules, simpler edge cases."""
    out = _Builder()
    stack: list[tuple[str, int, int]] = []  # kind, utf16 start, byte offset of the markup
    i, n = 0, len(src)

    def toggle(kind: str) -> None:
        kinds = [k for k, _, _ in stack]
        if kind in kinds:
            if kinds[-1] != kind:
                raise ParseError(
                    f"Can't find end of {kinds[-1]} entity at byte offset {stack[-1][2]}"
                )
            _, start, _ = stack.pop()
            out.close(kind, start)
        else:
            stack.append((kind, out.pos, _byte_offset(src, i)))

    while i < n:
        c = src[i]
        top = stack[-1][0] if stack else None
        if c == "\\" and i + 1 < n and 0 < ord(src[i + 1]) < 127:
            out.emit(src[i + 1])
            i += 2
            continue
        if top in ("code", "pre"):
            if top == "pre" and src.startswith("```", i):
                _, start, _ = stack.pop()
                out.close("pre", start)
                i += 3
            elif top == "code" and c == "`":
                _, start, _ = stack.pop()
                out.close("code", start)
                i += 1
            else:
                out.emit(c)
                i += 1
            continue
        if c not in _MDV2_RESERVED:
            out.emit(c)
            i += 1
            continue
        if src.startswith("```", i):
            stack.append(("pre", out.pos, _byte_offset(src, i)))
            nl = src.find("\n", i + 3)
            lang = src[i + 3 : nl] if nl != -1 else ""
            i = nl + 1 if nl != -1 and " " not in lang else i + 3
        elif c == "`":
            stack.append(("code", out.pos, _byte_offset(src, i)))
            i += 1
        elif src.startswith("||", i):
            toggle("spoiler")
            i += 2
        elif src.startswith("__", i):
            toggle("underline")
            i += 2
        elif c in _MDV2_TOGGLES:
            toggle(_MDV2_TOGGLES[c])
            i += 1
        elif c == "[" or src.startswith("![", i):
            kind = "text_link" if c == "[" else "custom_emoji"
            stack.append((kind, out.pos, _byte_offset(src, i)))
            i += 1 if c == "[" else 2
        elif c == "]" and top in ("text_link", "custom_emoji"):
            if not src.startswith("(", i + 1):
                raise ParseError(f"Can't find end of a URL at byte offset {_byte_offset(src, i)}")
            j, url = i + 2, []
            while j < n and src[j] != ")":
                if src[j] == "\\" and j + 1 < n:
                    j += 1
                url.append(src[j])
                j += 1
            if j >= n:
                raise ParseError(f"Can't find end of a URL at byte offset {_byte_offset(src, i)}")
            _, start, _ = stack.pop()
            key = "url" if top == "text_link" else "custom_emoji_id"
            out.close(top, start, **{key: "".join(url)})
            i = j + 1
        elif c == ">" and (i == 0 or src[i - 1] == "\n"):
            i += 1  # block quotation marker; the quote entity itself is not modelled
        else:
            raise ParseError(
                f"Character '{c}' is reserved and must be escaped with the preceding '\\'"
            )
    if stack:
        raise ParseError(f"Can't find end of {stack[-1][0]} entity at byte offset {stack[-1][2]}")
    return out.result()


_MDV1_KINDS = {"*": "bold", "_": "italic", "`": "code"}


def _parse_markdown_v1(src: str) -> Parsed:
    """Legacy Markdown: *bold*, _italic_, `code`, ```pre```, [text](url); no nesting."""
    out = _Builder()
    i, n = 0, len(src)
    while i < n:
        c = src[i]
        if c == "\\" and i + 1 < n and src[i + 1] in "_*`[":
            out.emit(src[i + 1])
            i += 2
            continue
        if c not in "_*`[":
            out.emit(c)
            i += 1
            continue
        err = ParseError(
            f"Can't find end of the entity starting at byte offset {_byte_offset(src, i)}"
        )
        start = out.pos
        if c == "[":
            end = src.find("]", i + 1)
            if end == -1:
                raise err
            out.emit(src[i + 1 : end])
            if src.startswith("(", end + 1):
                url_end = src.find(")", end + 2)
                if url_end == -1:
                    raise err
                out.close("text_link", start, url=src[end + 2 : url_end])
                i = url_end + 1
            else:
                i = end + 1
        elif src.startswith("```", i):
            end = src.find("```", i + 3)
            if end == -1:
                raise err
            out.emit(src[i + 3 : end])
            out.close("pre", start)
            i = end + 3
        else:
            end = src.find(c, i + 1)
            if end == -1:
                raise err
            out.emit(src[i + 1 : end])
            out.close(_MDV1_KINDS[c], start)
            i = end + 1
    return out.result()
