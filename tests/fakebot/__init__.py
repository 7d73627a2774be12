"""A fake Telegram Bot API server for end-to-end tests of the bot."""

from .server import Call, FakeChat, FakeTelegram, FakeUser, FaultReply, Upload
from .spec import Spec, load_spec

__all__ = [
    "Call",
    "FakeChat",
    "FakeTelegram",
    "FakeUser",
    "FaultReply",
    "Spec",
    "Upload",
    "load_spec",
]
