"""/weblink over the fake Bot API: who gets a group's web address, revoking it, no web set up."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.settings import Settings
from bot.web import create_web_app
from tests.conftest import TEACHER_ID
from tests.fakebot import FakeChat, FakeTelegram, FakeUser
from tests.harness import BotRunner, plain, text_of

WEB_URL = "https://quiz.example.org"
ADDRESS = WEB_URL + "/g/"


@pytest.fixture
def web_url() -> str | None:
    """QUIZBOT_WEB_URL of the bot under test."""
    return WEB_URL


@pytest.fixture
def settings(settings: Settings, web_url: str | None) -> Settings:
    return settings.model_copy(update={"web_url": web_url})


@pytest.fixture
def group(fake: FakeTelegram) -> FakeChat:
    """A class group whose creator is Ann (101) and whose admin is Bob (102)."""
    chat = fake.group(-100500, "Class 7B <science>")
    fake.chat_creators[chat.id] = 101
    fake.chat_admins[chat.id] = {102}
    return chat


async def weblink(fake: FakeTelegram, user: FakeUser, chat: FakeChat | None, text: str) -> str:
    """Send `text` and return the bot's answer as the user reads it."""
    mark = fake.mark()
    user.send(text, chat=chat)
    answer = await fake.wait_for("sendMessage", chat_id=chat.id if chat else user.id, since=mark)
    return plain(text_of(answer))


def address_in(reply: str) -> str:
    """The web address a /weblink reply carries."""
    return next(word for word in reply.split() if word.startswith(ADDRESS))


async def table_title(bot: BotRunner, address: str) -> str | None:
    """The title of the group table the address shows, None if it is not found."""
    path = address.removeprefix(WEB_URL) + ".json"
    async with TestClient(TestServer(create_web_app(bot.db))) as client:
        response = await client.get(path)
        if response.status == 404:
            return None
        title: str = (await response.json())["title"]
        return title


async def test_admins_and_teachers_get_the_address_members_do_not(
    bot: BotRunner, fake: FakeTelegram, group: FakeChat
):
    ann, bob = fake.user(101, "Ann"), fake.user(102, "Bob")
    teacher, cleo = fake.user(TEACHER_ID, "Ms Tee"), fake.user(103, "Cleo")
    first = address_in(await weblink(fake, ann, group, "/weblink"))
    assert "Class 7B <science>" in await weblink(fake, bob, group, "/weblink")
    assert address_in(await weblink(fake, bob, group, "/weblink@quiz_test_bot")) == first
    assert address_in(await weblink(fake, teacher, group, "/weblink")) == first
    assert "Only the group's admins and teachers" in await weblink(fake, cleo, group, "/weblink")
    assert await table_title(bot, first) == "Class 7B <science>"
    asked = [c.params["user_id"] for c in fake.calls_to("getChatMember", group.id)]
    assert sorted(set(asked)) == [101, 102, 103]  # teachers need no admin rights


async def test_revoke_replaces_the_address_and_the_old_one_is_gone(
    bot: BotRunner, fake: FakeTelegram, group: FakeChat
):
    ann, cleo = fake.user(101, "Ann"), fake.user(103, "Cleo")
    old = address_in(await weblink(fake, ann, group, "/weblink"))
    assert "Only the group's admins" in await weblink(fake, cleo, group, "/weblink revoke")
    assert await table_title(bot, old) == "Class 7B <science>"
    reply = await weblink(fake, ann, group, "/weblink revoke")
    new = address_in(reply)
    assert new != old and "the old one no longer works" in reply
    assert await table_title(bot, old) is None
    assert await table_title(bot, new) == "Class 7B <science>"
    assert "/weblink revoke for a new one" in await weblink(fake, ann, group, "/weblink please")


async def test_in_a_private_chat_it_points_to_the_group(bot: BotRunner, fake: FakeTelegram):
    ann = fake.user(101, "Ann")
    reply = await weblink(fake, ann, None, "/weblink")
    assert "send /weblink in the group" in reply and ADDRESS not in reply


@pytest.mark.parametrize("web_url", [None])
async def test_without_a_web_address_it_says_it_is_not_set_up(
    bot: BotRunner, fake: FakeTelegram, group: FakeChat
):
    ann, cat = fake.user(101, "Ann"), fake.user(103, "Cat")
    reply = await weblink(fake, ann, group, "/weblink")  # Ann made the group
    assert "not set up" in reply and "QUIZBOT_WEB_URL" in reply
    # How to set it up is for the group's admins: a member only hears that it is theirs to ask.
    reply = await weblink(fake, cat, group, "/weblink")
    assert "QUIZBOT_WEB_URL" not in reply and "admins" in reply
