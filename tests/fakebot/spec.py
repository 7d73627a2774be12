"""The Bot API as data (api.json): rules parsed from its descriptions, and a validator."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from . import markup

__all__ = [
    "Field",
    "Limit",
    "ObjectSpec",
    "Spec",
    "load_spec",
    "parse_conditions",
    "parse_enum",
    "parse_limits",
    "parse_one_of",
]

API_JSON = Path(__file__).with_name("api.json")

Unit = Literal["chars", "bytes", "items", "value"]


# A parameter Telegram ignores where a method lacks it, as it ignores every unknown one, and that
# python-telegram-bot sends there: with Defaults(parse_mode=...), the helper behind every send
# and edit adds parse_mode to sendPoll and editMessageReplyMarkup too. Every other unknown
# parameter is refused, to catch a misspelled field.
IGNORED = "parse_mode"


@dataclass(frozen=True)
class Limit:
    """A size/range limit parsed from a field description."""

    unit: Unit
    lo: float | None = None
    hi: float | None = None
    after_entities: bool = False
    max_line_feeds: int | None = None


@dataclass(frozen=True)
class Field:
    """One parameter of a method or field of a type, with the rules parsed for it."""

    name: str
    types: tuple[str, ...]
    required: bool
    description: str = ""
    limits: tuple[Limit, ...] = ()
    enum: frozenset[str] | None = None
    pattern: re.Pattern[str] | None = None
    required_unless: tuple[str, ...] = ()  # required unless all of these are given
    required_if: str | None = None  # required when this one is given
    excludes: tuple[str, ...] = ()  # can't be used together with these


@dataclass(frozen=True)
class ObjectSpec:
    """A method's parameters or a type's fields."""

    name: str
    fields: Mapping[str, Field]
    subtypes: tuple[str, ...] = ()
    one_of: tuple[frozenset[str], Literal["exactly", "at_most"]] | None = None
    accepts_string: bool = False


# ---------------------------------------------------------------------------- description parsing

_STRING_RANGE = re.compile(r"(\d+)-(\d+) (characters|bytes)", re.IGNORECASE)
_STRING_MAX = re.compile(r"can't exceed (\d+) (characters|bytes)", re.IGNORECASE)
_LINE_FEEDS = re.compile(r"at most (\d+) line feeds")
_AFTER_ENTITIES = re.compile(r"after entit(?:y|ies) parsing")
_ITEMS_RANGE = re.compile(r"(?:list of|List of|include) (\d+)-(\d+)\b")
_ITEMS_MAX = (
    re.compile(r"up to (\d+) items"),
    re.compile(r"[Ll]ist of up to (\d+)\b"),
    re.compile(r"At most (\d+) [\w ]+ can be specified"),
)
# "Values between 1-100 are accepted", "..., 5-2628000. Can't ...", "...; 0-1500", but not
# "ISO 639-1" or "MPEG-4": a numeric range follows a comma/semicolon or "between".
_VALUE_RANGE = re.compile(r"(?:between |[,;] )(\d+)-(\d+)(?![\w-])")
_VALUE_BETWEEN = re.compile(r"Must be between (\d+) and (\d+)")


def parse_limits(description: str, types: Sequence[str]) -> tuple[Limit, ...]:
    """Limits stated in a field description, interpreted by the field's types."""
    limits: list[Limit] = []
    if "String" in types:
        after = bool(_AFTER_ENTITIES.search(description))
        feeds = _LINE_FEEDS.search(description)
        max_feeds = int(feeds.group(1)) if feeds else None
        if m := _STRING_RANGE.search(description):
            unit: Unit = "bytes" if m.group(3).lower() == "bytes" else "chars"
            limits.append(Limit(unit, int(m.group(1)), int(m.group(2)), after, max_feeds))
        elif m := _STRING_MAX.search(description):
            unit = "bytes" if m.group(2).lower() == "bytes" else "chars"
            limits.append(Limit(unit, None, int(m.group(1)), after, max_feeds))
        elif max_feeds is not None:
            limits.append(Limit("chars", None, None, after, max_feeds))
    if any(t.startswith("Array of") for t in types):
        if m := _ITEMS_RANGE.search(description):
            limits.append(Limit("items", int(m.group(1)), int(m.group(2))))
        else:
            for rx in _ITEMS_MAX:
                if m := rx.search(description):
                    limits.append(Limit("items", None, int(m.group(1))))
                    break
    if "Integer" in types or "Float" in types:
        m = _VALUE_RANGE.search(description) or _VALUE_BETWEEN.search(description)
        if m:
            limits.append(Limit("value", int(m.group(1)), int(m.group(2))))
    return tuple(limits)


_CONST = re.compile(r'(?:, must be|always) "?([a-z_]+)"?$')
_ONE_OF = re.compile(r"must be one of (.*?)(?:\.\s|\.?$)", re.IGNORECASE)  # up to sentence end
_LABEL_ALTERNATIVES = re.compile(r'^[A-Z][\w ]*, ("[^"]+"(?:(?:, | or )"[^"]+")+)')
_CHOOSE_ONE = re.compile(r"Choose one[^:]*: (.*)")


def parse_enum(description: str) -> frozenset[str] | None:
    """Allowed string values, where a description enumerates them."""
    if m := _CONST.search(description):  # discriminators: 'Scope type, must be default'
        return frozenset([m.group(1)])
    if m := _ONE_OF.search(description):  # 'must be one of "danger" (red), "success" ...'
        values = re.findall(r'"([^"]+)"', m.group(1))
        return frozenset(values) if values else None
    if m := _LABEL_ALTERNATIVES.search(description):  # 'Poll type, "quiz" or "regular", ...'
        return frozenset(re.findall(r'"([^"]+)"', m.group(1)))
    if m := _CHOOSE_ONE.search(description):  # sendChatAction: 'typing for text messages, ...'
        return frozenset(re.findall(r"\b([a-z]+(?:_[a-z]+)*)(?= for | or )", m.group(1)))
    return None


# Character-set rules stated in prose.
_PATTERNS = (
    (
        "Can contain only lowercase English letters, digits and underscores",
        re.compile(r"[a-z0-9_]*"),
    ),
    ("Only characters A-Z, a-z, 0-9, _ and - are allowed", re.compile(r"[A-Za-z0-9_-]*")),
)


def parse_pattern(description: str) -> re.Pattern[str] | None:
    """Character-set restriction stated in a description."""
    return next((rx for phrase, rx in _PATTERNS if phrase in description), None)


_REQUIRED_UNLESS = re.compile(
    r"[Rr]equired if (\w+)(?: and (\w+))? (?:is not|are not|isn't|aren't) specified"
)
_REQUIRED_IF = re.compile(r"[Rr]equired if (\w+) is specified")
_EXCLUDES = re.compile(r"[Cc]an't be used together with (\w+)")


def parse_conditions(description: str) -> tuple[tuple[str, ...], str | None, tuple[str, ...]]:
    """(required_unless, required_if, excludes) stated in a description."""
    unless: tuple[str, ...] = ()
    if m := _REQUIRED_UNLESS.search(description):
        unless = tuple(g for g in m.groups() if g)
    required_if = m.group(1) if (m := _REQUIRED_IF.search(description)) else None
    return unless, required_if, tuple(_EXCLUDES.findall(description))


_ONE_OF_FIELDS = re.compile(
    r"(Exactly|At most) one of the fields other than ([\w ,]+?) must be used", re.IGNORECASE
)
_ONE_OF_OPTIONAL = re.compile(r"must use exactly one of the optional fields", re.IGNORECASE)
_ONE_OF_NAMED = re.compile(r"Exactly one of the fields (\w+) or (\w+) must be used")


def parse_one_of(
    description: str, fields: Mapping[str, Field]
) -> tuple[frozenset[str], Literal["exactly", "at_most"]] | None:
    """A type-level "exactly/at most one of these fields" rule."""
    if m := _ONE_OF_FIELDS.search(description):
        others = set(re.findall(r"\w+", m.group(2))) - {"and"}
        mode: Literal["exactly", "at_most"] = (
            "exactly" if m.group(1).lower() == "exactly" else "at_most"
        )
        return frozenset(set(fields) - others), mode
    if _ONE_OF_OPTIONAL.search(description):
        return frozenset(f.name for f in fields.values() if not f.required), "exactly"
    if m := _ONE_OF_NAMED.search(description):
        return frozenset(m.groups()), "exactly"
    return None


# Not stated as a list in the descriptions ("See formatting options"): the documented modes.
_PARSE_MODES = frozenset({"html", "markdownv2", "markdown"})


def _field(raw: Mapping[str, Any]) -> Field:
    desc: str = raw.get("description", "")
    types = tuple(raw["types"])
    unless, required_if, excludes = parse_conditions(desc)
    return Field(
        name=raw["name"],
        types=types,
        required=bool(raw.get("required")),
        description=desc,
        limits=parse_limits(desc, types),
        enum=parse_enum(desc) if "String" in types else None,
        pattern=parse_pattern(desc) if "String" in types else None,
        required_unless=unless,
        required_if=required_if,
        excludes=excludes,
    )


def _object(raw: Mapping[str, Any]) -> ObjectSpec:
    fields = {f["name"]: _field(f) for f in raw.get("fields", [])}
    desc = " ".join(raw.get("description", []))
    return ObjectSpec(
        name=raw["name"],
        fields=fields,
        subtypes=tuple(raw.get("subtypes", ())),
        one_of=parse_one_of(desc, fields),
        accepts_string="String can be used instead of this object" in desc,
    )


# ---------------------------------------------------------------------------- validation


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


_PRIMITIVES: dict[str, Callable[[Any], bool]] = {
    "Integer": _is_int,
    "Float": lambda v: _is_int(v) or isinstance(v, float),
    "Boolean": lambda v: isinstance(v, bool),
    "String": lambda v: isinstance(v, str),
    # An upload (bytes) or a reference to a multipart part; file_ids/URLs are "String".
    "InputFile": lambda v: (
        isinstance(v, bytes) or (isinstance(v, str) and v.startswith("attach://"))
    ),
}
_INT_RE = re.compile(r"-?\d+")
_BOOLS = {"true": True, "false": False, "1": True, "0": False}


class Spec:
    """Methods and types of the Bot API, with a validator for requests and results."""

    def __init__(self, path: Path = API_JSON) -> None:
        data = json.loads(path.read_text(encoding="utf-8"))
        self.version: str = data.get("version", "")
        self.methods = {name: _object(m) for name, m in data["methods"].items()}
        self.types = {name: _object(t) for name, t in data["types"].items()}
        self.returns: dict[str, tuple[str, ...]] = {
            name: tuple(m.get("returns", ())) for name, m in data["methods"].items()
        }
        self._lower = {name.lower(): name for name in self.methods}

    def canonical(self, method: str) -> str | None:
        """The method's name as spelled in the spec; Telegram ignores case."""
        return self._lower.get(method.lower())

    # -- decoding

    def decode(
        self,
        method: str,
        form: Mapping[str, str],
        typed: Mapping[str, Any],
        uploads: Mapping[str, bytes],
    ) -> tuple[dict[str, Any], list[str]]:
        """Decode request values by the method's field types and validate them."""
        spec = self.methods[method]
        params: dict[str, Any] = {}
        errors: list[str] = []
        values: dict[str, Any] = {**form, **typed}
        if IGNORED not in spec.fields:
            values.pop(IGNORED, None)
        for name, value in values.items():
            f = spec.fields.get(name)
            if f is not None and isinstance(value, str):
                if "InputFile" in f.types and value.startswith("attach://"):
                    value = self._attachment(value, uploads, name, errors)
                elif f.types != ("String",):
                    value = self._decode_string(f, value, errors)
            params[name] = value
        for name, data in uploads.items():
            f = spec.fields.get(name)
            if f is not None and "InputFile" in f.types:
                params[name] = data
        if errors:
            return params, errors
        errors += self.check_object(params, spec, "")
        errors += [
            f"{path}: file {ref!r} was not uploaded"
            for path, ref in _attach_refs(params, "")
            if ref[len("attach://") :] not in uploads
        ]
        return params, errors

    @staticmethod
    def _attachment(value: str, uploads: Mapping[str, bytes], name: str, errors: list[str]) -> Any:
        data = uploads.get(value[len("attach://") :])
        if data is None:
            errors.append(f"{name}: file {value!r} was not uploaded")
            return value
        return data

    def _decode_string(self, f: Field, raw: str, errors: list[str]) -> Any:
        """A form value (always a string) as the first non-String type it parses as, else as is."""
        for t in f.types:
            if t == "Integer" and _INT_RE.fullmatch(raw):
                return int(raw)
            if t == "Float":
                try:
                    return float(raw) if not _INT_RE.fullmatch(raw) else int(raw)
                except ValueError:
                    continue
            if t == "Boolean" and raw.lower() in _BOOLS:
                return _BOOLS[raw.lower()]
            if t.startswith("Array of") or (t in self.types and t != "InputFile"):
                try:
                    return json.loads(raw)
                except ValueError:
                    continue
        if "String" not in f.types:
            errors.append(f"{f.name}: can't parse {' or '.join(f.types)} from {raw[:60]!r}")
        return raw

    # -- checking

    def check_value(self, value: Any, types: Sequence[str], path: str) -> list[str]:
        """Errors of `value` against a union of types (empty if any of them fits)."""
        best: list[str] | None = None
        for t in types:
            errs = self._check_one(value, t, path)
            if not errs:
                return []
            if best is None or len(errs) < len(best):
                best = errs
        return best or [f"{path}: no type to check against"]

    def _check_one(self, value: Any, t: str, path: str) -> list[str]:
        if t.startswith("Array of "):
            if not isinstance(value, list):
                return [f"{path}: expected {t}, got {type(value).__name__}"]
            inner = (t[len("Array of ") :],)
            return [
                e for i, v in enumerate(value) for e in self.check_value(v, inner, _join(path, i))
            ]
        if (prim := _PRIMITIVES.get(t)) is not None:
            return [] if prim(value) else [f"{path}: expected {t}, got {type(value).__name__}"]
        obj = self.types.get(t)
        if obj is None:
            return [f"{path}: unknown type {t}"]
        if obj.subtypes:
            return self.check_value(value, obj.subtypes, path)
        if isinstance(value, str) and obj.accepts_string:
            return []
        if not isinstance(value, dict):
            return [f"{path}: expected {t} object, got {type(value).__name__}"]
        return self.check_object(value, obj, path)

    def check_object(self, obj: Mapping[str, Any], spec: ObjectSpec, path: str) -> list[str]:
        """Errors of a params dict / JSON object against a method's or type's fields."""
        errors = [f"{_join(path, k)}: unknown field" for k in obj if k not in spec.fields]
        for f in spec.fields.values():
            p = _join(path, f.name)
            if f.name not in obj:
                if f.required:
                    errors.append(f"{p}: required field is missing")
                elif f.required_unless and not all(x in obj for x in f.required_unless):
                    errors.append(f"{p}: required unless {' and '.join(f.required_unless)} given")
                elif f.required_if and f.required_if in obj:
                    errors.append(f"{p}: required when {f.required_if} is given")
                continue
            value = obj[f.name]
            type_errors = self.check_value(value, f.types, p)
            errors += type_errors or self._check_rules(f, value, obj, p)
            errors += [f"{p}: can't be used together with {x}" for x in f.excludes if x in obj]
        if spec.one_of:
            group, mode = spec.one_of
            used = sorted(k for k in group if k in obj)
            if len(used) > 1 or (mode == "exactly" and not used):
                what = "exactly" if mode == "exactly" else "at most"
                errors.append(
                    f"{path or spec.name}: {what} one of {', '.join(sorted(group))} must be used"
                    f" (got {', '.join(used) or 'none'})"
                )
        return errors

    def _check_rules(self, f: Field, value: Any, siblings: Mapping[str, Any], p: str) -> list[str]:
        errors: list[str] = []
        if isinstance(value, str):
            if f.name.endswith("parse_mode") and value and value.lower() not in _PARSE_MODES:
                errors.append(f"{p}: unsupported parse_mode {value!r}")
            if f.enum is not None and value not in f.enum:
                errors.append(f"{p}: must be one of {sorted(f.enum)}, got {value!r}")
            if f.pattern is not None and not f.pattern.fullmatch(value):
                errors.append(f"{p}: contains characters that are not allowed: {value!r}")
            text = value
            mode = siblings.get(f"{f.name}_parse_mode", siblings.get("parse_mode"))
            if isinstance(mode, str) and mode and not f.name.endswith("parse_mode"):
                # Entities are parsed by the Bot API server before MTProto applies its length
                # limits, so the visible text is what counts even where a description predates
                # its *_parse_mode field.
                try:
                    text = markup.parse(value, mode).text
                except markup.ParseError as e:
                    return [*errors, f"{p}: can't parse entities: {e}"]
            for lim in f.limits:
                errors += _check_text(lim, value, text, p)
        elif isinstance(value, list):
            errors += [
                _range_error(p, lim, len(value), "items")
                for lim in f.limits
                if lim.unit == "items" and not _within(lim, len(value))
            ]
        elif _is_int(value) or isinstance(value, float):
            errors += [
                _range_error(p, lim, value, "")
                for lim in f.limits
                if lim.unit == "value" and not _within(lim, value)
            ]
        return errors


def _within(lim: Limit, n: float) -> bool:
    return (lim.lo is None or n >= lim.lo) and (lim.hi is None or n <= lim.hi)


def _num(n: float) -> str:
    return str(int(n)) if float(n).is_integer() else str(n)


def _range_error(p: str, lim: Limit, n: float, unit: str) -> str:
    lo = "0" if lim.lo is None else _num(lim.lo)
    hi = "" if lim.hi is None else _num(lim.hi)
    suffix = f" {unit}" if unit else ""
    extra = " after entities parsing" if lim.after_entities else ""
    return f"{p}: must be {lo}-{hi}{suffix}{extra}, got {_num(n)}"


def _check_text(lim: Limit, raw: str, visible: str, p: str) -> list[str]:
    errors: list[str] = []
    if lim.unit == "bytes":
        n = len(raw.encode())
        if not _within(lim, n):
            errors.append(_range_error(p, lim, n, "bytes"))
    elif lim.unit == "chars":
        n = len(visible)  # Telegram counts Unicode code points here
        # Telegram trims surrounding whitespace, so blank text fails a non-zero minimum.
        if (lim.hi is not None and n > lim.hi) or (lim.lo and len(visible.strip()) < lim.lo):
            errors.append(_range_error(p, lim, n, "characters"))
        feeds = visible.count("\n")
        if lim.max_line_feeds is not None and feeds > lim.max_line_feeds:
            errors.append(f"{p}: must have at most {lim.max_line_feeds} line feeds, got {feeds}")
    return errors


def _attach_refs(value: Any, path: str) -> list[tuple[str, str]]:
    """Every "attach://name" string nested in value, with its path."""
    if isinstance(value, str):
        return [(path, value)] if value.startswith("attach://") else []
    if isinstance(value, dict):
        return [r for k, v in value.items() for r in _attach_refs(v, _join(path, k))]
    if isinstance(value, list):
        return [r for i, v in enumerate(value) for r in _attach_refs(v, _join(path, i))]
    return []


@functools.cache
def load_spec() -> Spec:
    """The parsed api.json, shared by all servers in the process."""
    return Spec()
