"""The bot speaks each user's language: their choice, else their Telegram app's, else English;
a group speaks the one its admins chose. Replies are compared with the texts' own functions in
that language, so these tests follow the catalogs instead of copying their sentences."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from bot import i18n, texts
from bot.i18n import FSI, PDI, Language
from storage.scores import Entry
from tests.fakebot import FakeTelegram
from tests.harness import BotRunner, keyboard_of, reply_of, text_of

T = TypeVar("T")


def in_(language: Language, make: Callable[[], T]) -> T:
    """What `make()` says in `language`."""
    with i18n.speaking(language):
        return make()


async def test_the_app_language_is_spoken_until_the_user_chooses_another(
    bot: BotRunner, fake: FakeTelegram
):
    ivan = fake.user(101, "Ivan", language_code="ru-RU")
    russian = in_(Language.RU, lambda: texts.help_text(False))
    assert russian != texts.help_text(False), "the Russian catalog translates the help"
    assert text_of(await reply_of(fake, ivan, "/help")) == russian

    menu = await reply_of(fake, ivan, "/language")
    assert text_of(menu) == in_(Language.RU, lambda: texts.language_menu(Language.RU, False))
    buttons = [b for row in keyboard_of(fake, menu.result) for b in row]
    assert [b["text"] for b in buttons] == ["English", "✓ Русский", "فارسی"]

    mark = fake.mark()
    ivan.press(menu.result, buttons[0]["callback_data"])
    chosen = await fake.wait_for("editMessageText", chat_id=ivan.id, since=mark)
    assert text_of(chosen) == in_(Language.EN, lambda: texts.language_chosen(False))
    assert not keyboard_of(fake, menu.result), "the menu became the answer: no stale tick"
    # At once, and for good: the next reply, and the next process's, are English.
    assert text_of(await reply_of(fake, ivan, "/help")) == texts.help_text(False)
    await bot.restart()
    assert text_of(await reply_of(fake, ivan, "/help")) == texts.help_text(False)


async def test_language_with_an_argument_chooses_at_once_and_refuses_what_it_does_not_speak(
    bot: BotRunner, fake: FakeTelegram
):
    ann = fake.user(101, "Ann")  # no app language: English
    refused = await reply_of(fake, ann, "/language de")
    assert text_of(refused) == texts.language_not_spoken(
        "de", texts.language_menu(Language.EN, False)
    )
    assert keyboard_of(fake, refused.result), "the languages it does speak, as buttons"
    chosen = await reply_of(fake, ann, "/language fa")
    assert text_of(chosen) == in_(Language.FA, lambda: texts.language_chosen(False))
    assert text_of(await reply_of(fake, ann, "/score")) == in_(
        Language.FA, lambda: texts.score_text(None)
    )


async def test_persian_isolates_ids_inside_right_to_left_text(bot: BotRunner, fake: FakeTelegram):
    dara = fake.user(102, "Dara", language_code="fa")
    reply = text_of(await reply_of(fake, dara, "/quiz no-such-bank"))
    assert reply == in_(Language.FA, lambda: texts.unknown_bank("no-such-bank"))
    assert f"{FSI}" in reply and f"{PDI}" in reply, "the id keeps its left-to-right order"
    assert FSI not in texts.unknown_bank("no-such-bank"), "English needs no marks"


async def test_a_group_speaks_the_language_its_admins_choose(bot: BotRunner, fake: FakeTelegram):
    group = fake.group(-1001, "Class 7B")
    admin, member = fake.user(201, "Olga", language_code="ru"), fake.user(202, "Reza")
    fake.chat_admins[group.id] = {admin.id}

    mark = fake.mark()
    member.send("/language ru", chat=group)
    refused = await fake.wait_for("sendMessage", chat_id=group.id, since=mark)
    assert text_of(refused) == texts.language_admins_only()

    # Until its admins choose, a group speaks English, whatever its members' apps say; its
    # help and menu are the group's commands (a member's menu in their app's language).
    mark = fake.mark()
    admin.send("/help", chat=group)
    help_call = await fake.wait_for("sendMessage", chat_id=group.id, since=mark)
    assert text_of(help_call) == texts.group_help()
    russian = in_(Language.RU, lambda: [i18n.t(d) for _, d in texts.GROUP_COMMANDS])
    assert [c["description"] for c in fake.menu_seen(admin, group.id)] == russian

    mark = fake.mark()
    admin.send("/language fa", chat=group)
    chosen = await fake.wait_for("sendMessage", chat_id=group.id, since=mark)
    assert text_of(chosen) == in_(Language.FA, lambda: texts.language_chosen(True))
    mark = fake.mark()
    member.send("/help", chat=group)
    help_call = await fake.wait_for("sendMessage", chat_id=group.id, since=mark)
    assert text_of(help_call) == in_(Language.FA, lambda: texts.group_help())
    # The group's command menu is Persian for every member, whatever their app's language.
    persian = in_(Language.FA, lambda: [i18n.t(d) for _, d in texts.GROUP_COMMANDS])
    assert [c["description"] for c in fake.menu_seen(member, group.id)] == persian
    assert [c["description"] for c in fake.menu_seen(admin, group.id)] == persian


async def test_command_menus_are_registered_in_every_language(bot: BotRunner, fake: FakeTelegram):
    def descriptions(language: Language) -> list[str]:
        return in_(language, lambda: [i18n.t(d) for _, d in texts.COMMANDS])

    assert len({tuple(descriptions(language)) for language in Language}) == len(Language)
    for code, language in (("ru", Language.RU), ("fa", Language.FA), ("de", Language.EN)):
        someone = fake.user(300 + len(code) + ord(code[0]), "Sam", language_code=code)
        seen = fake.menu_seen(someone)
        assert [c["description"] for c in seen] == descriptions(language)
        assert "language" in [c["command"] for c in seen]

    # A user who chooses a language gets the menu in it, whatever their app's language.
    sam = fake.user(401, "Sam", language_code="ru")
    mark = fake.mark()
    sam.send("/language en")
    await fake.wait_for("setMyCommands", since=mark)  # after the reply
    assert [c["description"] for c in fake.menu_seen(sam)] == descriptions(Language.EN)


def test_a_right_to_left_name_is_isolated_in_a_left_to_right_table() -> None:
    persian, latin = Entry(1, 7, "محمد", None, 12), Entry(2, 8, "Ann", None, 9)
    for language in (Language.EN, Language.RU):
        lines = in_(language, lambda: [texts.entry_line(persian), texts.entry_line(latin)])
        # The points stay after the name: the Persian name cannot pull them to its side.
        assert lines == [f"🥇 {FSI}محمد{PDI} — 12", "🥈 Ann — 9"]
    assert in_(Language.FA, lambda: texts.entry_line(latin)) == f"🥈 {FSI}Ann{PDI} — {FSI}9{PDI}"
