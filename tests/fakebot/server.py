"""A fake Telegram Bot API server that validates every call against api.json."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import hashlib
import itertools
import json
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from . import markup
from .spec import Spec, load_spec

__all__ = ["Call", "FakeChat", "FakeTelegram", "FakeUser", "FaultReply", "Upload"]

JSON = dict[str, Any]

# getUpdates delivers these unless allowed_updates lists them explicitly (Bot API docs).
_OPT_IN_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
# Telegram's stand-ins (PTB's telegram.constants.ChatID): shared by every anonymous group
# admin, and by every channel posting or voting in a group.
ANONYMOUS_ADMIN, CHANNEL_BOT = 1087968824, 136817688
MAX_DOWNLOAD = 20 * 1024 * 1024  # getFile refuses bigger files ("file is too big")
MAX_UPLOAD = 50 * 1024 * 1024  # what a bot may send ("Sending files")
MAX_PHOTO = 10 * 1024 * 1024  # sendPhoto's photo: "at most 10 MB in size"
_IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF8", b"RIFF", b"BM")
_COMMAND_RE = re.compile(r"/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]+)?")
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are"
    " exactly the same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"


@dataclass
class Upload:
    """A file part of a multipart request."""

    filename: str
    content_type: str
    data: bytes


@dataclass
class Call:
    """One Bot API request as the server saw and answered it."""

    method: str
    params: dict[str, Any]
    result: Any
    error: str | None
    at: float
    files: dict[str, Upload] = field(default_factory=dict)  # multipart parts by part name


@dataclass(frozen=True)
class FaultReply:
    """An error answer injected by `FakeTelegram.fault`."""

    status: int
    description: str
    retry_after: int | None = None
    migrate_to_chat_id: int | None = None


@dataclass
class FakeChat:
    """A group, supergroup or channel known to the server."""

    id: int
    type: str
    title: str

    def to_dict(self) -> JSON:
        """The Chat object."""
        return {"id": self.id, "type": self.type, "title": self.title}


class ApiError(Exception):
    """A refusal; `violation` marks requests Telegram refuses whatever the state."""

    def __init__(self, status: int, description: str, *, violation: bool = False) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.violation = violation


@dataclass
class _File:
    file_id: str
    unique_id: str
    content: bytes
    size: int
    path: str
    name: str | None = None
    mime_type: str | None = None


@dataclass
class _Poll:
    poll: JSON  # the live Poll object
    chat_id: int
    message_id: int
    votes: dict[int, list[int]] = field(default_factory=dict)
    timer: asyncio.TimerHandle | None = None


Handler = Callable[[JSON, dict[str, Upload]], Awaitable[Any]]


class FakeUser:
    """A Telegram user talking to the bot; its private chat id equals its user id."""

    def __init__(
        self,
        tg: FakeTelegram,
        id: int,
        first_name: str,
        username: str | None = None,
        last_name: str | None = None,
        language_code: str | None = None,
        is_bot: bool = False,
    ) -> None:
        self._tg = tg
        self.id = id
        self.first_name = first_name
        self.username = username
        self.last_name = last_name
        self.language_code = language_code
        self.is_bot = is_bot

    def __repr__(self) -> str:
        return f"FakeUser({self.id}, {self.first_name!r})"

    def to_dict(self) -> JSON:
        """The User object."""
        d: JSON = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            if (v := getattr(self, key)) is not None:
                d[key] = v
        return d

    def private_chat(self) -> JSON:
        """The private Chat with the bot."""
        d: JSON = {"id": self.id, "type": "private", "first_name": self.first_name}
        for key in ("last_name", "username"):
            if (v := getattr(self, key)) is not None:
                d[key] = v
        return d

    def _message(self, chat: FakeChat | None, **content: Any) -> JSON:
        chat_dict = chat.to_dict() if chat else self.private_chat()
        msg: JSON = {
            "message_id": self._tg._next_message_id(chat_dict["id"]),
            "from": self.to_dict(),
            "chat": chat_dict,
            "date": int(time.time()),
            **content,
        }
        if self.sender_chat is not None:  # Telegram's stand-in speaks for a chat
            if chat is None:
                raise AssertionError("only groups get messages sent on behalf of a chat")
            msg["sender_chat"] = self.sender_chat.to_dict()
        self._tg.push_update({"message": msg})
        return msg

    def send(self, text: str, chat: FakeChat | None = None, reply_to: JSON | None = None) -> JSON:
        """Send a text message (commands get their bot_command entity); returns the Message."""
        content: JSON = {"text": text}
        if reply_to is not None:
            content["reply_to_message"] = reply_to
        if m := _COMMAND_RE.match(text):
            content["entities"] = [
                {"type": "bot_command", "offset": 0, "length": markup.utf16_len(m.group(0))}
            ]
        return self._message(chat, **content)

    def send_poll(
        self,
        question: str,
        options: list[str],
        *,
        correct: list[int] | None = None,
        explanation: str | None = None,
        explanation_entities: list[JSON] | None = None,
        forwarded_from: FakeUser | None = None,
        chat: FakeChat | None = None,
    ) -> JSON:
        """Send a poll the user made (`correct` given: a quiz); returns the Message.

        As Telegram does: a quiz's right answers and explanation reach the bot only when the
        quiz was sent, not forwarded, to the private chat with it (or once it is closed).
        """
        poll_id = str(next(self._tg._ids) + 6_000_000_000_000_000_000)
        poll: JSON = {
            "id": poll_id,
            "question": question,
            "options": [
                {
                    "text": option,
                    "voter_count": 0,
                    "persistent_id": hashlib.sha1(f"{poll_id}:{i}".encode()).hexdigest()[:10],
                }
                for i, option in enumerate(options)
            ],
            "total_voter_count": 0,
            "is_closed": False,
            "is_anonymous": True,
            "type": "quiz" if correct is not None else "regular",
            "allows_multiple_answers": correct is not None and len(correct) > 1,
            "allows_revoting": correct is None,
            "members_only": False,
        }
        revealed = forwarded_from is None and chat is None
        if correct is not None and revealed:
            poll["correct_option_ids"] = list(correct)
            if explanation is not None:
                poll["explanation"] = explanation
                if explanation_entities:
                    poll["explanation_entities"] = explanation_entities
        content: JSON = {"poll": poll}
        if forwarded_from is not None:
            content["forward_origin"] = {
                "type": "user",
                "date": int(time.time()) - 60,
                "sender_user": forwarded_from.to_dict(),
            }
        return self._message(chat, **content)

    def send_document(
        self,
        file_name: str,
        content: bytes,
        *,
        mime_type: str = "application/octet-stream",
        declared_size: int | None = None,
        chat: FakeChat | None = None,
        caption: str | None = None,
    ) -> JSON:
        """Send a file; `declared_size` fakes a bigger file_size than the content."""
        file_id, unique_id = self._tg.add_file(
            content, name=file_name, mime_type=mime_type, declared_size=declared_size
        )
        doc = {
            "file_name": file_name,
            "mime_type": mime_type,
            "file_id": file_id,
            "file_unique_id": unique_id,
            "file_size": declared_size if declared_size is not None else len(content),
        }
        extra = {"caption": caption} if caption is not None else {}
        return self._message(chat, document=doc, **extra)

    sender_chat: FakeChat | None = None  # set on the stand-ins speaking for a chat

    def answer_poll(self, poll_id: str, option_ids: list[int]) -> int:
        """Vote in a bot's poll; pushes poll_answer (and the new poll state), returns its id."""
        st = self._tg._polls.get(poll_id)
        if st is None:
            raise AssertionError(f"unknown poll {poll_id!r}")
        poll = st.poll
        problem = None
        previous = st.votes.get(self.id)
        if poll["is_closed"]:
            problem = "the poll is closed"
        elif poll["is_anonymous"]:
            problem = "the poll is anonymous: Telegram sends bots no poll_answer for it"
        elif any(not 0 <= i < len(poll["options"]) for i in option_ids):
            problem = f"option ids {option_ids} out of range"
        elif len(set(option_ids)) != len(option_ids):
            problem = "duplicate option ids"
        elif len(option_ids) > 1 and not poll["allows_multiple_answers"]:
            problem = "the poll allows one answer only"
        elif previous and not poll["allows_revoting"]:
            problem = "the user already voted and the poll doesn't allow revoting"
        elif not option_ids and not previous:
            problem = "nothing to retract"
        if problem:
            raise AssertionError(f"{self!r} can't vote {option_ids} in poll {poll_id}: {problem}")
        for i in previous or []:
            poll["options"][i]["voter_count"] -= 1
        for i in option_ids:
            poll["options"][i]["voter_count"] += 1
        poll["total_voter_count"] += (1 if option_ids else 0) - (1 if previous else 0)
        st.votes[self.id] = list(option_ids)
        answer: JSON = {
            "poll_id": poll_id,
            "user": self.to_dict(),
            "option_ids": list(option_ids),
            "option_persistent_ids": [poll["options"][i]["persistent_id"] for i in option_ids],
        }
        if self.sender_chat is not None:  # "user" is the stand-in, kept for old clients
            answer["voter_chat"] = self.sender_chat.to_dict()
        update_id = self._tg.push_update({"poll_answer": answer})
        self._tg._push_poll_state(st)
        return update_id

    def press(self, message: JSON, callback_data: str, *, require_button: bool = True) -> int:
        """Press an inline button of a bot's message; returns the callback_query update id."""
        chat_id = message["chat"]["id"]
        current = self._tg._messages.get((chat_id, message["message_id"]))
        if current is None:
            raise AssertionError(f"message {message['message_id']} in {chat_id} doesn't exist")
        rows = current.get("reply_markup", {}).get("inline_keyboard", [])
        datas = [b.get("callback_data") for row in rows for b in row]
        if require_button and callback_data not in datas:
            raise AssertionError(f"no button with callback_data {callback_data!r}; has {datas}")
        query_id = str(next(self._tg._ids) + 4_000_000_000_000_000_000)
        self._tg._callbacks[query_id] = False
        return self._tg.push_update(
            {
                "callback_query": {
                    "id": query_id,
                    "from": self.to_dict(),
                    "message": copy.deepcopy(current),
                    "chat_instance": str(abs(hash((self._tg.bot_id, chat_id)))),
                    "data": callback_data,
                }
            }
        )


class FakeTelegram:
    """The Bot API on 127.0.0.1 for one bot; records and validates every call."""

    def __init__(
        self,
        token: str = "123456:TEST-token-abcdef",
        *,
        bot_id: int = 123456,
        bot_username: str = "quiz_test_bot",
        bot_first_name: str = "Quiz Bot",
    ) -> None:
        self.token = token
        self.bot_id = bot_id
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self.spec: Spec = load_spec()
        self.calls: list[Call] = []
        self.violations: list[str] = []
        self.fault: Callable[[str, dict[str, Any]], FaultReply | None] | None = None
        # Calls it takes and never answers, as over a network that hung (recorded as "stalled").
        self.stall: Callable[[str, dict[str, Any]], bool] | None = None
        # The highest update_id the bot has confirmed (getUpdates offset - 1): Telegram
        # will never deliver it, or anything before it, again.
        self.confirmed = 0
        self.served: dict[int, float] = {}
        self.chat_admins: dict[int, set[int]] = {}
        self.chat_creators: dict[int, int] = {}
        self.downloads: list[str] = []
        self._ids = itertools.count(1)
        self._updates: list[JSON] = []
        self._next_update_id = 1
        self._allowed: frozenset[str] | None = None
        self._poll_generation = 0
        self._chats: dict[int, JSON] = {}
        self._users: dict[int, JSON] = {}
        self._message_ids: dict[int, int] = {}
        self._messages: dict[tuple[int, int], JSON] = {}
        self._sent: dict[int, list[JSON]] = {}
        self._polls: dict[str, _Poll] = {}
        self._callbacks: dict[str, bool] = {}
        self._files: dict[str, _File] = {}
        self._paths: dict[str, _File] = {}
        self._commands: dict[tuple[str, str], list[JSON]] = {}
        self._calls_changed = asyncio.Event()
        self._updates_changed = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._port = 0
        self._closing = False
        self._handlers: dict[str, Handler] = {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "sendMessage": self._send_message,
            "sendPoll": self._send_poll,
            "stopPoll": self._stop_poll,
            "answerCallbackQuery": self._answer_callback_query,
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "sendChatAction": self._send_chat_action,
            "sendDocument": self._send_document,
            "sendPhoto": self._send_photo,
            "getFile": self._get_file,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "getChatMember": self._get_chat_member,
            "getChatAdministrators": self._get_chat_administrators,
            "getChat": self._get_chat,
        }

    # ------------------------------------------------------------------ lifecycle and addresses

    async def start(self) -> None:
        """Serve on 127.0.0.1 at a free port."""
        app = web.Application(client_max_size=64 * 1024 * 1024)  # bots may upload up to 50 MB
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, shutdown_timeout=1.0, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        """Answer pending long polls and shut the server down."""
        self._closing = True
        self._notify_updates()
        for st in self._polls.values():
            if st.timer:
                st.timer.cancel()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def api_url(self) -> str:
        """PTB's base_url (PTB appends the token and "/method")."""
        return f"http://127.0.0.1:{self._port}/bot"

    @property
    def file_url(self) -> str:
        """PTB's base_file_url."""
        return f"http://127.0.0.1:{self._port}/file/bot"

    # ------------------------------------------------------------------ test-side helpers

    def bot_user(self) -> JSON:
        """The bot's User object."""
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    def user(
        self,
        user_id: int,
        first_name: str,
        username: str | None = None,
        last_name: str | None = None,
        *,
        language_code: str | None = None,
    ) -> FakeUser:
        """A user (and its private chat with the bot)."""
        u = FakeUser(self, user_id, first_name, username, last_name, language_code)
        self._users[user_id] = u.to_dict()
        self._chats[user_id] = u.private_chat()
        return u

    def speaking_for(self, chat: FakeChat) -> FakeUser:
        """Telegram's stand-in for a chat: an anonymous admin of a group (the chat is that
        group: @GroupAnonymousBot), or a channel posting and voting in groups (@Channel_Bot).
        The same account stands in for every group's anonymous admins, or every channel."""
        if chat.type == "channel":
            u = FakeUser(self, CHANNEL_BOT, "Channel", "Channel_Bot", is_bot=True)
        else:
            u = FakeUser(self, ANONYMOUS_ADMIN, "Group", "GroupAnonymousBot", is_bot=True)
        u.sender_chat = chat
        self._users[u.id] = u.to_dict()
        return u

    def channel(self, chat_id: int, title: str) -> FakeChat:
        """A channel (that posts into groups; the bot is not a member)."""
        if chat_id >= 0:
            raise ValueError("channel ids are negative")
        return FakeChat(chat_id, "channel", title)

    def group(self, chat_id: int, title: str, type: str = "supergroup") -> FakeChat:
        """A group chat the bot is a member of."""
        if chat_id >= 0:
            raise ValueError("group chat ids are negative")
        chat = FakeChat(chat_id, type, title)
        self._chats[chat_id] = chat.to_dict()
        return chat

    def bot_membership(self, chat: FakeChat, by: FakeUser, old: str, new: str) -> int:
        """Push my_chat_member: `by` moved the bot from status `old` to `new` in the group."""
        statuses = {"member": {}, "left": {}, "kicked": {"until_date": 0}}
        for status in (old, new):
            if status not in statuses:
                raise ValueError(f"the fake builds my_chat_member for {sorted(statuses)} only")
        me = self.bot_user()
        return self.push_update(
            {
                "my_chat_member": {
                    "chat": chat.to_dict(),
                    "from": by.to_dict(),
                    "date": int(time.time()),
                    "old_chat_member": {"status": old, "user": me, **statuses[old]},
                    "new_chat_member": {"status": new, "user": me, **statuses[new]},
                }
            }
        )

    def push_update(self, update: dict[str, Any]) -> int:
        """Queue an update for getUpdates; returns the update_id assigned to it."""
        update_id = self._next_update_id
        self._next_update_id += 1
        full = {"update_id": update_id, **{k: v for k, v in update.items() if k != "update_id"}}
        self._learn(full)
        self._updates.append(full)
        self._notify_updates()
        return update_id

    def drop_pending_updates(self) -> list[JSON]:
        """Take every queued update off the queue, e.g. to post them to a webhook instead."""
        taken, self._updates[:] = list(self._updates), []
        return taken

    def add_file(
        self,
        content: bytes,
        *,
        name: str | None = None,
        mime_type: str | None = None,
        declared_size: int | None = None,
        folder: str = "documents",
    ) -> tuple[str, str]:
        """Register a downloadable file; returns (file_id, file_unique_id)."""
        n = next(self._ids)
        ext = name.rsplit(".", 1)[-1] if name and "." in name else "bin"
        f = _File(
            file_id=f"BQACAgIAAxkBAAI{n:08d}fake",
            unique_id=f"AgAD{n:06d}",
            content=content,
            size=declared_size if declared_size is not None else len(content),
            path=f"{folder}/file_{n}.{ext}",
            name=name,
            mime_type=mime_type,
        )
        self._files[f.file_id] = f
        self._paths[f.path] = f
        return f.file_id, f.unique_id

    def mark(self) -> int:
        """The index the next call will get, for `wait_for(since=...)`."""
        return len(self.calls)

    def calls_to(self, method: str, chat_id: int | None = None) -> list[Call]:
        """Recorded calls of a method (or several, as "sendMessage|sendPoll"), optionally to
        one chat."""
        name = "|".join(self.spec.canonical(m) or m for m in method.split("|"))
        return [c for c in self.calls if self._matches(c, name, chat_id)]

    def refused(self) -> list[Call]:
        """Calls answered with an error (violations, state errors and injected faults)."""
        return [c for c in self.calls if c.error is not None]

    async def wait_for(
        self,
        method: str,
        predicate: Callable[[Call], bool] | None = None,
        *,
        chat_id: int | None = None,
        timeout: float = 10.0,  # noqa: ASYNC109 - the tests' interface; deadline handled below
        since: int = 0,
    ) -> Call:
        """The first call at index >= since matching method/chat_id/predicate, once it arrives.

        `method` may name several, as "sendMessage|sendPoll"."""
        name = "|".join(self.spec.canonical(m) or m for m in method.split("|"))
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        i = since
        while True:
            changed = self._calls_changed
            while i < len(self.calls):
                call = self.calls[i]
                i += 1
                if self._matches(call, name, chat_id) and (predicate is None or predicate(call)):
                    return call
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(self._describe_wait(name, chat_id, timeout, since))
            await _wait(changed, remaining)

    def messages_to(self, chat_id: int) -> list[JSON]:
        """Every Message the bot sent or edited into the chat, in order."""
        return list(self._sent.get(chat_id, []))

    def last_poll(self, chat_id: int) -> JSON:
        """The current state of the latest poll the bot sent to the chat."""
        for msg in reversed(self._sent.get(chat_id, [])):
            if "poll" in msg:
                return copy.deepcopy(self._polls[msg["poll"]["id"]].poll)
        raise AssertionError(f"the bot sent no poll to chat {chat_id}")

    def close_poll(self, poll_id: str) -> None:
        """Close a poll as its open_period/close_date running out would."""
        st = self._polls[poll_id]
        if not st.poll["is_closed"]:
            st.poll["is_closed"] = True
            self._push_poll_state(st)

    # ------------------------------------------------------------------ internals: bookkeeping

    @staticmethod
    def _matches(call: Call, method: str, chat_id: int | None) -> bool:
        return call.method in method.split("|") and (
            chat_id is None or call.params.get("chat_id") == chat_id
        )

    def _describe_wait(self, method: str, chat_id: int | None, timeout: float, since: int) -> str:
        where = f" to chat {chat_id}" if chat_id is not None else ""
        lines = [f"no matching {method} call{where} within {timeout}s; calls since #{since}:"]
        for i, c in enumerate(self.calls[since:], since):
            if c.method == "getUpdates" and not c.result and c.error is None:
                continue  # empty long polls are noise
            outcome = f"ERROR {c.error}" if c.error else "ok"
            params = {
                k: (f"<{len(v)} bytes>" if isinstance(v, bytes) else v) for k, v in c.params.items()
            }
            lines.append(f"  #{i} {c.method} {_short(params)} -> {outcome}")
        if self.violations:
            lines.append("violations: " + "; ".join(self.violations))
        return "\n".join(lines)

    def _record(self, call: Call) -> None:
        self.calls.append(call)
        changed, self._calls_changed = self._calls_changed, asyncio.Event()
        changed.set()

    def _notify_updates(self) -> None:
        changed, self._updates_changed = self._updates_changed, asyncio.Event()
        changed.set()

    def _learn(self, value: Any) -> None:
        """Remember chats, users and messages that appear in a pushed update."""
        if isinstance(value, list):
            for v in value:
                self._learn(v)
        if not isinstance(value, dict):
            return
        for key, v in value.items():
            if key == "chat" and isinstance(v, dict) and "id" in v:
                self._chats.setdefault(v["id"], v)
            elif key in ("from", "user") and isinstance(v, dict) and not v.get("is_bot"):
                self._users.setdefault(v["id"], v)
            self._learn(v)
        if "message_id" in value and isinstance(value.get("chat"), dict) and "date" in value:
            key_ = (value["chat"]["id"], value["message_id"])
            self._messages.setdefault(key_, value)
            seen = self._message_ids.get(key_[0], 0)
            self._message_ids[key_[0]] = max(seen, value["message_id"])

    def _next_message_id(self, chat_id: int) -> int:
        self._message_ids[chat_id] = self._message_ids.get(chat_id, 0) + 1
        return self._message_ids[chat_id]

    def _push_poll_state(self, st: _Poll) -> None:
        # Bots get `poll` updates for polls they sent (votes, stops, expiry).
        self.push_update({"poll": copy.deepcopy(st.poll)})

    # ------------------------------------------------------------------ internals: HTTP

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        if path.startswith("/file/bot"):
            return self._download(path[len("/file/bot") :])
        if not path.startswith("/bot") or path.count("/") != 2:
            return _error(404, "Not Found")
        token, _, name = path[len("/bot") :].partition("/")
        at = time.monotonic()
        method = self.spec.canonical(name)
        if token != self.token:
            return self._refuse(Call(method or name, {}, None, None, at), 401, "Unauthorized", True)
        if method is None:
            call = Call(name, {}, None, None, at)
            return self._refuse(call, 404, "Not Found: method not found", True)
        try:
            form, typed, uploads = await _read(request)
        except ValueError as e:
            return self._refuse(Call(method, {}, None, None, at), 400, f"Bad Request: {e}", True)
        params, errors = self.spec.decode(
            method, form, typed, {k: u.data for k, u in uploads.items()}
        )
        call = Call(method, params, None, None, at, uploads)
        if not errors:
            errors = self._semantic_errors(method, params)
        if errors:
            call.error = "Bad Request: " + errors[0]
            self.violations.append(f"{method}: " + "; ".join(errors))
            self._record(call)
            return _error(400, call.error)
        if self.stall is not None and self.stall(method, params):
            call.error = "stalled"
            self._record(call)
            await asyncio.Event().wait()  # until the client gives up or the server stops
        if self.fault is not None and (reply := self.fault(method, params)) is not None:
            call.error = reply.description
            self._record(call)
            extra = {
                "retry_after": reply.retry_after,
                "migrate_to_chat_id": reply.migrate_to_chat_id,
            }
            return _error(reply.status, reply.description, {k: v for k, v in extra.items() if v})
        handler = self._handlers.get(method, _true)
        try:
            call.result = await handler(params, uploads)
        except ApiError as e:
            return self._refuse(call, e.status, e.description, e.violation)
        except Exception as e:  # a bug in the fake: fail the test loudly rather than hang it
            return self._refuse(call, 500, f"Internal Server Error: fake server bug: {e!r}", True)
        self._record(call)
        return web.json_response({"ok": True, "result": call.result})

    def _refuse(self, call: Call, status: int, description: str, violation: bool) -> web.Response:
        call.error = description
        if violation:
            self.violations.append(f"{call.method}: {description}")
        self._record(call)
        return _error(status, description)

    def _download(self, rest: str) -> web.Response:
        token, _, file_path = rest.partition("/")
        if token != self.token:
            self.violations.append(f"file download {file_path}: Unauthorized")
            return _error(401, "Unauthorized")
        f = self._paths.get(file_path)
        if f is None:
            return _error(404, "Not Found")
        self.downloads.append(file_path)
        return web.Response(body=f.content, content_type="application/octet-stream")

    def _semantic_errors(self, method: str, p: JSON) -> list[str]:
        """Rules about combinations of parameters that the field-wise check can't see."""
        errors: list[str] = []
        if method == "sendPoll":
            n = len(p["options"])
            texts = [o["text"] for o in p["options"]]
            if len(set(texts)) != len(texts):  # an MTProto error that the Bot API passes on
                errors.append("options: POLL_OPTION_DUPLICATE")
            ids = p.get("correct_option_ids")
            if p.get("type") == "quiz":
                if not ids:
                    errors.append("correct_option_ids: required for polls in quiz mode")
                elif any(not 0 <= i < n for i in ids) or ids != sorted(set(ids)):
                    errors.append(f"correct_option_ids: must be increasing ids in 0..{n - 1}")
            # Stated in prose ("at least 5 and no more than 2628000 seconds in the future").
            if "close_date" in p and not 5 <= p["close_date"] - time.time() <= 2628000 + 1:
                errors.append("close_date: must be 5-2628000 seconds in the future")
        return errors

    # ------------------------------------------------------------------ internals: chats/messages

    def _chat(self, chat_id: Any) -> JSON:
        if isinstance(chat_id, str):
            found = [c for c in self._chats.values() if f"@{c.get('username')}" == chat_id]
            if found:
                return found[0]
        elif chat_id in self._chats:
            return self._chats[chat_id]
        raise ApiError(400, "Bad Request: chat not found")

    def _message(self, p: JSON) -> JSON:
        if "inline_message_id" in p:
            raise ApiError(400, "Bad Request: inline messages are not supported by the fake")
        chat = self._chat(p["chat_id"])
        msg = self._messages.get((chat["id"], p["message_id"]))
        if msg is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        return msg

    def _store(self, msg: JSON) -> JSON:
        self._messages[(msg["chat"]["id"], msg["message_id"])] = msg
        self._sent.setdefault(msg["chat"]["id"], []).append(msg)
        return msg

    def _new_message(self, p: JSON, **content: Any) -> JSON:
        chat = self._chat(p["chat_id"])
        msg: JSON = {
            "message_id": self._next_message_id(chat["id"]),
            "from": self.bot_user(),
            "chat": chat,
            "date": int(time.time()),
        }
        if reply := p.get("reply_parameters"):
            replied = self._messages.get((chat["id"], reply["message_id"]))
            if replied is not None:
                msg["reply_to_message"] = {
                    k: v for k, v in replied.items() if k != "reply_to_message"
                }
            elif not reply.get("allow_sending_without_reply"):
                raise ApiError(400, "Bad Request: message to be replied not found")
        msg.update(content)
        if p.get("protect_content"):
            msg["has_protected_content"] = True
        if markup_ := _inline_markup(p.get("reply_markup")):
            msg["reply_markup"] = markup_
        return self._store(msg)

    @staticmethod
    def _formatted(p: JSON, key: str, entities_key: str, parse_key: str) -> JSON:
        """{key: visible text, entities_key: entities} as Telegram returns a formatted field."""
        if entities_key in p:
            return {key: p[key], entities_key: p[entities_key]}
        parsed = markup.parse(p[key], p.get(parse_key))  # validated already: can't fail
        out: JSON = {key: parsed.text}
        if parsed.entities:
            out[entities_key] = parsed.entities
        return out

    # ------------------------------------------------------------------ method handlers

    async def _get_me(self, p: JSON, files: dict[str, Upload]) -> Any:
        return {
            **self.bot_user(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _get_updates(self, p: JSON, files: dict[str, Upload]) -> Any:
        offset, limit, timeout = p.get("offset"), p.get("limit", 100), p.get("timeout", 0)
        if "allowed_updates" in p:
            self._allowed = frozenset(p["allowed_updates"]) or None
        if offset is not None:
            self.confirmed = max(self.confirmed, offset - 1)
            if offset < 0:
                self._updates = self._updates[offset:]
            else:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
        # A newer getUpdates ends an older one still waiting, as on Telegram.
        self._poll_generation += 1
        generation = self._poll_generation
        self._notify_updates()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            changed = self._updates_changed
            if generation != self._poll_generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; make sure that only one bot"
                    " instance is running",
                )
            self._updates = [u for u in self._updates if self._is_allowed(u)]
            batch = self._updates[:limit]
            remaining = deadline - loop.time()
            if batch or self._closing or remaining <= 0:
                break
            await _wait(changed, remaining)
        now = time.monotonic()
        for u in batch:
            self.served.setdefault(u["update_id"], now)
        return copy.deepcopy(batch)

    def _is_allowed(self, update: JSON) -> bool:
        kind = next(k for k in update if k != "update_id")
        if self._allowed is None:
            return kind not in _OPT_IN_UPDATES
        return kind in self._allowed

    async def _delete_webhook(self, p: JSON, files: dict[str, Upload]) -> Any:
        if p.get("drop_pending_updates"):
            self._updates.clear()
        return True

    async def _get_webhook_info(self, p: JSON, files: dict[str, Upload]) -> Any:
        return {
            "url": "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }

    async def _send_message(self, p: JSON, files: dict[str, Upload]) -> Any:
        self._chat(p["chat_id"])
        return self._new_message(p, **self._formatted(p, "text", "entities", "parse_mode"))

    async def _send_poll(self, p: JSON, files: dict[str, Upload]) -> Any:
        self._chat(p["chat_id"])
        poll_id = str(5_000_000_000_000_000_000 + next(self._ids))
        quiz = p.get("type", "regular") == "quiz"
        options = []
        for i, o in enumerate(p["options"]):
            opt = self._formatted(o, "text", "text_entities", "text_parse_mode")
            digest = hashlib.sha1(f"{poll_id}:{i}".encode()).hexdigest()[:10]
            options.append({**opt, "voter_count": 0, "persistent_id": digest})
        poll: JSON = {
            "id": poll_id,
            **self._formatted(p, "question", "question_entities", "question_parse_mode"),
            "options": options,
            "total_voter_count": 0,
            "is_closed": bool(p.get("is_closed", False)),
            "is_anonymous": bool(p.get("is_anonymous", True)),
            "type": "quiz" if quiz else "regular",
            "allows_multiple_answers": bool(p.get("allows_multiple_answers", False)),
            "allows_revoting": bool(p.get("allows_revoting", not quiz)),
            "members_only": bool(p.get("members_only", False)),
        }
        if quiz:
            poll["correct_option_ids"] = list(p["correct_option_ids"])
        if "explanation" in p:
            poll.update(
                self._formatted(p, "explanation", "explanation_entities", "explanation_parse_mode")
            )
        if "description" in p:
            poll.update(
                self._formatted(p, "description", "description_entities", "description_parse_mode")
            )
        close_in: float | None = None
        if "open_period" in p:
            poll["open_period"] = p["open_period"]
            poll["close_date"] = int(time.time()) + p["open_period"]
            close_in = p["open_period"]
        elif "close_date" in p:
            poll["close_date"] = p["close_date"]
            close_in = p["close_date"] - time.time()
        msg = self._new_message(p, poll=copy.deepcopy(poll))
        st = _Poll(poll, msg["chat"]["id"], msg["message_id"])
        if close_in is not None and not poll["is_closed"]:
            st.timer = asyncio.get_running_loop().call_later(close_in, self.close_poll, poll_id)
        self._polls[poll_id] = st
        return msg

    async def _stop_poll(self, p: JSON, files: dict[str, Upload]) -> Any:
        chat = self._chat(p["chat_id"])
        msg = self._messages.get((chat["id"], p["message_id"]))
        st = self._polls.get(msg["poll"]["id"]) if msg and "poll" in msg else None
        if st is None or st.poll["is_closed"]:
            raise ApiError(400, "Bad Request: poll has already been closed")
        st.poll["is_closed"] = True
        if st.timer:
            st.timer.cancel()
        if msg is not None and (markup_ := _inline_markup(p.get("reply_markup"))):
            self._store({**msg, "reply_markup": markup_, "edit_date": int(time.time())})
        self._push_poll_state(st)
        return copy.deepcopy(st.poll)

    async def _answer_callback_query(self, p: JSON, files: dict[str, Upload]) -> Any:
        if self._callbacks.get(p["callback_query_id"]) is not False:
            raise ApiError(400, QUERY_TOO_OLD)
        self._callbacks[p["callback_query_id"]] = True
        return True

    def _edit(self, msg: JSON, p: JSON, **content: Any) -> JSON:
        if msg["from"]["id"] != self.bot_id:
            raise ApiError(400, "Bad Request: message can't be edited")
        new = {k: v for k, v in msg.items() if k not in ("entities", "reply_markup", "edit_date")}
        new.update(content)
        if markup_ := _inline_markup(p.get("reply_markup")):
            new["reply_markup"] = markup_  # leaving reply_markup out removes the keyboard
        old = {k: v for k, v in msg.items() if k != "edit_date"}
        if new == old:
            raise ApiError(400, NOT_MODIFIED)
        new["edit_date"] = int(time.time())
        return self._store(new)

    async def _edit_message_text(self, p: JSON, files: dict[str, Upload]) -> Any:
        msg = self._message(p)
        if "text" not in msg:
            raise ApiError(400, "Bad Request: there is no text in the message to edit")
        if "text" not in p:
            raise ApiError(400, "Bad Request: rich messages are not supported by the fake")
        return self._edit(msg, p, **self._formatted(p, "text", "entities", "parse_mode"))

    async def _edit_message_reply_markup(self, p: JSON, files: dict[str, Upload]) -> Any:
        msg = self._message(p)
        return self._edit(msg, p, **{k: v for k, v in msg.items() if k == "entities"})

    async def _delete_message(self, p: JSON, files: dict[str, Upload]) -> Any:
        chat = self._chat(p["chat_id"])
        if self._messages.pop((chat["id"], p["message_id"]), None) is None:
            raise ApiError(400, "Bad Request: message to delete not found")
        return True

    async def _send_chat_action(self, p: JSON, files: dict[str, Upload]) -> Any:
        self._chat(p["chat_id"])
        return True

    def _input_file(self, p: JSON, key: str, files: dict[str, Upload], folder: str) -> _File:
        value = p[key]
        if isinstance(value, bytes):
            up = files.get(key) or next(
                (u for u in files.values() if u.data is value), Upload(key, "", value)
            )
            file_id, _ = self.add_file(
                value, name=up.filename, mime_type=up.content_type or None, folder=folder
            )
            return self._files[file_id]
        if value in self._files:
            return self._files[value]
        raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")

    async def _send_document(self, p: JSON, files: dict[str, Upload]) -> Any:
        self._chat(p["chat_id"])
        if isinstance(p["document"], bytes) and len(p["document"]) > MAX_UPLOAD:
            raise ApiError(413, "Request Entity Too Large", violation=True)
        f = self._input_file(p, "document", files, "documents")
        doc: JSON = {"file_id": f.file_id, "file_unique_id": f.unique_id, "file_size": f.size}
        if f.name:
            doc["file_name"] = f.name
        if f.mime_type:
            doc["mime_type"] = f.mime_type
        caption = (
            self._formatted(p, "caption", "caption_entities", "parse_mode")
            if "caption" in p
            else {}
        )
        return self._new_message(p, document=doc, **caption)

    async def _send_photo(self, p: JSON, files: dict[str, Upload]) -> Any:
        self._chat(p["chat_id"])
        if isinstance(p["photo"], bytes) and not p["photo"].startswith(_IMAGE_MAGIC):
            raise ApiError(400, "Bad Request: IMAGE_PROCESS_FAILED", violation=True)
        if isinstance(p["photo"], bytes):
            _check_photo(p["photo"])
        f = self._input_file(p, "photo", files, "photos")
        width, height = _image_size(f.content)
        size = {
            "file_id": f.file_id,
            "file_unique_id": f.unique_id,
            "file_size": f.size,
            "width": width,
            "height": height,
        }
        caption = (
            self._formatted(p, "caption", "caption_entities", "parse_mode")
            if "caption" in p
            else {}
        )
        return self._new_message(p, photo=[size], **caption)

    async def _get_file(self, p: JSON, files: dict[str, Upload]) -> Any:
        f = self._files.get(p["file_id"])
        if f is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        if f.size > MAX_DOWNLOAD:
            raise ApiError(400, "Bad Request: file is too big")
        return {
            "file_id": f.file_id,
            "file_unique_id": f.unique_id,
            "file_size": f.size,
            "file_path": f.path,
        }

    @staticmethod
    def _commands_key(p: JSON) -> tuple[str, str]:
        scope = json.dumps(p.get("scope", {"type": "default"}), sort_keys=True)
        return scope, p.get("language_code", "")

    def menu_seen(self, user: FakeUser, chat_id: int | None = None) -> list[JSON]:
        """The command menu Telegram shows `user` in a chat (their private chat by default):
        the first set list in the Bot API's order of scopes, each with the user's app
        language before without ("Determining list of commands" in Telegram's docs)."""
        chat = user.id if chat_id is None else chat_id
        scopes: list[JSON] = [{"type": "chat", "chat_id": chat}]
        if chat_id is None or chat_id == user.id:
            scopes.append({"type": "all_private_chats"})
        else:
            scopes.insert(0, {"type": "chat_member", "chat_id": chat, "user_id": user.id})
            if user.id in self.chat_admins.get(chat, set()):
                scopes += [{"type": "chat_administrators", "chat_id": chat}]
                scopes += [{"type": "all_chat_administrators"}]
            scopes.append({"type": "all_group_chats"})
        scopes.append({"type": "default"})
        own = (user.language_code or "").split("-")[0].lower()  # "ru-RU" sees the "ru" list
        codes = [own, ""] if own else [""]
        for scope in scopes:
            for code in codes:
                key = (json.dumps(scope, sort_keys=True), code)
                if key in self._commands:
                    return list(self._commands[key])
        return []

    async def _set_my_commands(self, p: JSON, files: dict[str, Upload]) -> Any:
        self._commands[self._commands_key(p)] = p["commands"]
        return True

    async def _get_my_commands(self, p: JSON, files: dict[str, Upload]) -> Any:
        return self._commands.get(self._commands_key(p), [])

    async def _delete_my_commands(self, p: JSON, files: dict[str, Upload]) -> Any:
        self._commands.pop(self._commands_key(p), None)
        return True

    def _member(self, chat_id: int, user: JSON) -> JSON:
        if self.chat_creators.get(chat_id) == user["id"]:
            return {"status": "creator", "user": user, "is_anonymous": False}
        if user["id"] in self.chat_admins.get(chat_id, set()):
            admin: JSON = {"status": "administrator", "user": user}
            # Every required right from the spec, granted (the bot can't edit its peers' rights).
            for f in self.spec.types["ChatMemberAdministrator"].fields.values():
                if f.required and f.types == ("Boolean",):
                    admin[f.name] = f.name not in ("can_be_edited", "is_anonymous")
            return admin
        return {"status": "member", "user": user}

    async def _get_chat_member(self, p: JSON, files: dict[str, Upload]) -> Any:
        chat = self._chat(p["chat_id"])
        user = self.bot_user() if p["user_id"] == self.bot_id else self._users.get(p["user_id"])
        if user is None:
            raise ApiError(400, "Bad Request: user not found")
        return self._member(chat["id"], user)

    async def _get_chat_administrators(self, p: JSON, files: dict[str, Upload]) -> Any:
        chat = self._chat(p["chat_id"])
        ids = [self.chat_creators[chat["id"]]] if chat["id"] in self.chat_creators else []
        ids += sorted(self.chat_admins.get(chat["id"], set()))
        users = [self.bot_user() if i == self.bot_id else self._users.get(i) for i in ids]
        return [self._member(chat["id"], u) for u in users if u is not None]

    async def _get_chat(self, p: JSON, files: dict[str, Upload]) -> Any:
        chat = self._chat(p["chat_id"])
        gifts = ("unlimited_gifts", "limited_gifts", "unique_gifts", "premium_subscription")
        return {
            **chat,
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {**dict.fromkeys(gifts, True), "gifts_from_channels": True},
        }


async def _true(p: JSON, files: dict[str, Upload]) -> Any:
    """Methods without a model here: accepted, recorded, answered True."""
    return True


async def _read(request: web.Request) -> tuple[dict[str, str], JSON, dict[str, Upload]]:
    """Query, urlencoded/multipart form fields, JSON body and uploaded files of a request."""
    form: dict[str, str] = dict(request.query)
    typed: JSON = {}
    uploads: dict[str, Upload] = {}
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except json.JSONDecodeError as e:
            raise ValueError(f"can't parse JSON body: {e}") from e
        if not isinstance(body, dict):
            raise ValueError("JSON body must be an object")
        typed = body
    elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        for key, value in (await request.post()).items():
            if isinstance(value, web.FileField):
                uploads[key] = Upload(value.filename, value.content_type, value.file.read())
            elif isinstance(value, str):
                form[key] = value
            else:
                form[key] = bytes(value).decode()
    return form, typed, uploads


def _error(status: int, description: str, parameters: JSON | None = None) -> web.Response:
    body: JSON = {"ok": False, "error_code": status, "description": description}
    if parameters:
        body["parameters"] = parameters
    return web.json_response(body, status=status)


async def _wait(event: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(event.wait(), seconds)


def _inline_markup(reply_markup: Any) -> JSON | None:
    """Messages keep only inline keyboards; other markups aren't part of the Message."""
    if isinstance(reply_markup, dict) and "inline_keyboard" in reply_markup:
        return reply_markup
    return None


def _check_photo(data: bytes) -> None:
    """sendPhoto's documented limits: 10 MB, width + height ≤ 10000, ratio ≤ 20."""
    if len(data) > MAX_PHOTO:
        raise ApiError(400, "Bad Request: PHOTO_SAVE_FILE_INVALID", violation=True)
    width, height = _image_size(data)
    if width + height > 10000 or max(width, height) > 20 * min(width, height):
        raise ApiError(400, "Bad Request: PHOTO_INVALID_DIMENSIONS", violation=True)


def _image_size(data: bytes) -> tuple[int, int]:
    if data.startswith(b"\x89PNG") and len(data) >= 24:
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    return 320, 320


def _short(value: Any, limit: int = 160) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
