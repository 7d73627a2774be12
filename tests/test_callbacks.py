"""The one codec for buttons' callback data, and the handlers that take each kind."""

from __future__ import annotations

import re

import pytest
from telegram.ext import CallbackQueryHandler

from bot import callbacks
from bot.app import build_application
from bot.callbacks import MAX_BYTES, Action, decode, encode, not_ours
from bot.settings import Settings
from storage.db import Database


def test_data_round_trips_and_is_versioned():
    data = encode(Action.EDIT_PAGE, 3, "the-water-cycle")
    assert data == f"{callbacks.VERSION}ep:3:the-water-cycle"
    pressed = decode(data)
    assert pressed is not None and pressed.action is Action.EDIT_PAGE
    assert (pressed.number(0), pressed.text(1), pressed.text(2)) == (3, "the-water-cycle", None)
    assert decode(encode(Action.START_REVIEW)) == callbacks.Pressed(Action.START_REVIEW, ())


@pytest.mark.parametrize(
    "data",
    ["", "q:some-bank", "a:7:1", "9a:7:1", "1zz:1", "garbage-data", "1", "1:"],
)
def test_data_this_bot_did_not_make_decodes_to_nothing(data: str):
    # An unversioned or other version's button (made before this codec) is not ours either.
    assert decode(data) is None and not_ours(data)


def test_a_forged_field_is_no_number():
    pressed = decode(f"{callbacks.VERSION}a:-1:1e3")
    assert pressed is not None and pressed.number(0) is None and pressed.number(1) is None
    # Digits str.isdigit() takes and int() refuses, or reads: none is a number of ours.
    pressed = decode(f"{callbacks.VERSION}a:²:١")
    assert pressed is not None and pressed.number(0) is None and pressed.number(1) is None


def test_data_that_would_not_fit_or_not_decode_is_refused_when_made():
    with pytest.raises(ValueError, match="64 bytes"):
        encode(Action.START_QUIZ, "b" * MAX_BYTES)
    with pytest.raises(ValueError, match="':'"):
        encode(Action.UNDO, "a:b")
    # A bank id at its longest (48 characters) fits every button that carries one.
    assert len(encode(Action.DELETE_BANK, "yes", "b" * 48).encode()) <= MAX_BYTES
    assert len(encode(Action.EDIT_PAGE, 9999, "b" * 48).encode()) <= MAX_BYTES


def test_every_action_has_exactly_one_handler_and_every_handler_a_pattern(tmp_path):
    db = Database.open(f"sqlite:///{tmp_path / 'bot.db'}")
    try:
        settings = Settings(_env_file=None, token="1:x", database_url="sqlite://")
        application = build_application(settings, db)
        handlers = [
            h
            for group in application.handlers.values()
            for h in group
            if isinstance(h, CallbackQueryHandler)
        ]
    finally:
        db.dispose()
    assert all(h.pattern is not None for h in handlers)
    patterns = [h.pattern for h in handlers if isinstance(h.pattern, re.Pattern)]
    for action in Action:
        data = encode(action, *["1"] * 2)
        takers = [p for p in patterns if p.match(data)]
        assert len(takers) == 1, (action, takers)
        assert not not_ours(data)
