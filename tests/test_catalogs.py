"""Every language's catalog is complete, fills the same placeholders with the same markup as
English, and is compiled: a text added without its translations fails here, not in a chat."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from bot import i18n, texts
from bot.i18n import Language

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {"t": None, "nt": (1, 2), "N_": None, "_": None, "gettext": None, "ngettext": (1, 2)}
TRANSLATED = [language for language in Language if language is not i18n.DEFAULT]

# {name}, and %(name)s / %(num)d in the web pages' templates (Jinja2's gettext).
_PLACEHOLDER = re.compile(r"\{(\w+)\}|%\((\w+)\)[sd]")
_TAG = re.compile(r"</?(\w+)[^>]*>")
_COMMAND = re.compile(r"(?<![\w/])/[a-z]+\b")


def _extracted() -> set[str]:
    """Every message of the source, as `make locales` extracts it."""
    found: set[str] = set()
    method_map = [("bot/**.py", "python"), ("quiz/**.py", "python")]
    method_map.append(("bot/templates/**.html", "jinja2"))
    for package in ("bot", "quiz"):
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / package,
            [(pattern.removeprefix(f"{package}/"), way) for pattern, way in method_map],
            keywords=KEYWORDS,
        ):
            found.add(message[0] if isinstance(message, tuple) else message)
    return found


def _catalog(language: Language) -> Catalog:
    with (i18n.LOCALES / language.value / "LC_MESSAGES" / f"{i18n.DOMAIN}.po").open("rb") as po:
        return read_po(po, locale=language.value)


def _forms(message: Message) -> list[str]:
    if isinstance(message.string, tuple | list):
        return list(message.string)
    return [message.string or ""]


def _singular(message: Message) -> str:
    return message.id[0] if isinstance(message.id, tuple | list) else message.id


def _markup(text: str) -> tuple[Counter[str], Counter[str], Counter[str]]:
    return (
        Counter(a or b for a, b in _PLACEHOLDER.findall(text)),
        Counter(_TAG.findall(text)),
        Counter(_COMMAND.findall(text)),
    )


@pytest.fixture(scope="module")
def extracted() -> set[str]:
    return _extracted()


def test_the_source_has_texts_to_translate(extracted: set[str]) -> None:
    assert len(extracted) > 300
    assert "🌐 Choose the language I speak with you. Now: {language}." in extracted


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_message_is_translated(language: Language, extracted: set[str]) -> None:
    catalog = _catalog(language)
    translated = {_singular(m) for m in catalog if m.id and all(_forms(m)) and not m.fuzzy}
    missing = sorted(extracted - translated)
    assert not missing, f"{len(missing)} messages lack a {language.value} translation: {missing}"


@pytest.mark.parametrize("language", TRANSLATED)
def test_translations_keep_placeholders_markup_and_commands(language: Language) -> None:
    catalog = _catalog(language)
    assert catalog.num_plurals == {Language.RU: 3, Language.FA: 2}[language]
    wrong = []
    for message in catalog:
        if not message.id:
            continue
        source = message.id if isinstance(message.id, tuple | list) else [message.id]
        expected = _markup(source[-1])
        for form in filter(None, _forms(message)):  # a missing one fails the test above
            placeholders, tags, commands = _markup(form)
            # A plural form may spell "one" instead of {n}; everything else must be there.
            if placeholders - Counter({"n": 1}) != expected[0] - Counter({"n": 1}):
                wrong.append((message.id, form, "placeholders"))
            if tags != expected[1]:
                wrong.append((message.id, form, "HTML tags"))
            if commands != expected[2]:
                wrong.append((message.id, form, "commands"))
        if len(_forms(message)) not in (1, catalog.num_plurals):
            wrong.append((message.id, " | ".join(_forms(message)), "plural forms"))
    assert not wrong, "\n".join(map(repr, wrong))


@pytest.mark.parametrize("language", TRANSLATED)
def test_the_compiled_catalog_is_the_current_one(language: Language) -> None:
    with (i18n.LOCALES / language.value / "LC_MESSAGES" / f"{i18n.DOMAIN}.mo").open("rb") as mo:
        compiled = read_mo(mo)
    source = _catalog(language)
    stale = [
        message.id
        for message in source
        if message.id and not message.fuzzy and compiled.get(message.id) is None
    ]
    stale += [
        message.id
        for message in compiled
        if message.id and _forms(message) != _forms(source.get(message.id) or Message(""))
    ]
    assert not stale, f"run `make locales`: {len(stale)} messages differ from the .po"


def test_a_plural_follows_each_language_rule() -> None:
    def questions(count: int) -> str:
        return i18n.nt("{n} question", "{n} questions", count)

    assert [questions(n) for n in (1, 2, 5)] == ["1 question", "2 questions", "5 questions"]
    with i18n.speaking(Language.RU):
        forms = {questions(n).replace(str(n), "#") for n in (1, 2, 5, 11, 21, 22)}
    assert len(forms) == 3, forms  # один вопрос, два вопроса, пять вопросов


ALERT_LIMIT = 200  # Telegram's limit for answerCallbackQuery's text


@pytest.mark.parametrize("language", list(Language))
def test_alerts_and_menus_fit_telegram_limits_in_every_language(language: Language) -> None:
    alerts: list[Callable[[], str]] = [
        texts.not_yours_alert,
        texts.stale_question,
        texts.tick_something,
        texts.not_your_quiz,
        texts.already_undone,
        texts.already_settled,
        texts.slow_down,
        texts.language_admins_only,
        lambda: texts.language_not_spoken("x" * 64, ""),
    ]
    with i18n.speaking(language):
        too_long = [alert() for alert in alerts if len(alert()) > ALERT_LIMIT]
        menus = texts.COMMANDS + texts.TEACHER_COMMANDS + texts.ADMIN_COMMANDS
        descriptions = [i18n.t(description) for _, description in menus]
    assert not too_long
    assert all(3 <= len(d) <= 256 for d in descriptions)  # setMyCommands' limits
