"""Settings from the environment (and a .env file), validated once at start."""

from __future__ import annotations

import re
import secrets
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

TELEGRAM_API_URL = "https://api.telegram.org/bot"
TELEGRAM_FILE_URL = "https://api.telegram.org/file/bot"


class Settings(BaseSettings):
    """Everything the bot can be configured with; see the README's configuration table."""

    model_config = SettingsConfigDict(
        env_prefix="QUIZBOT_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    token: SecretStr | None = None
    database_url: str = "sqlite:///quizbot.db"
    questions_dir: Path = Path("questions")
    teachers: Annotated[frozenset[int], NoDecode] = Field(default_factory=frozenset)
    admins: Annotated[frozenset[int], NoDecode] = Field(default_factory=frozenset)
    api_url: str = TELEGRAM_API_URL
    file_url: str = TELEGRAM_FILE_URL
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    # Telegram's send limits; only a benchmark against a local fake server turns this off.
    rate_limit: bool = True
    # Webhook mode: Telegram sends it with every update; every process must share it.
    webhook_secret: SecretStr | None = None
    # The web leaderboard's public base URL, for the links the bot sends (/weblink).
    web_url: str | None = None
    # Weekly tables start on Monday 00:00 in this zone.
    timezone: str = "UTC"
    # Seconds an uploaded file may take to be read (in a worker process); then it is refused.
    upload_time_limit: float = Field(20.0, gt=0)

    @field_validator("teachers", "admins", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        # A comma-separated list reads better in .env files than JSON.
        if isinstance(value, str):
            parts = [p.strip() for p in value.split(",") if p.strip()]
            try:
                return frozenset(int(p) for p in parts)
            except ValueError:
                raise ValueError(
                    f"expected comma-separated Telegram user ids, got {value!r}"
                ) from None
        return value

    @field_validator("token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        # Telegram tokens look like "123456:ABC-..."; catching a typo here beats a 401 later.
        if value is not None:
            bot_id, _, secret = value.get_secret_value().strip().partition(":")
            if not bot_id.isdigit() or not secret:
                raise ValueError("does not look like a bot token (expected '<digits>:<secret>')")
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _secret_shape(cls, value: SecretStr | None) -> SecretStr | None:
        # Telegram's own rule for secret_token in setWebhook.
        if value is not None and not re.fullmatch(
            r"[A-Za-z0-9_-]{1,256}", value.get_secret_value()
        ):
            raise ValueError("use 1-256 characters from A-Z, a-z, 0-9, _ and -")
        return value

    @field_validator("api_url", "file_url", "web_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {value!r}: use an IANA name such as UTC or Europe/Berlin"
            ) from None
        return value

    @property
    def zone(self) -> ZoneInfo:
        """The configured time zone (validated at start)."""
        return ZoneInfo(self.timezone)

    def require_token(self) -> str:
        """The bot token, or a SettingsError saying how to set it."""
        if self.token is None or not self.token.get_secret_value().strip():
            raise SettingsError(
                "QUIZBOT_TOKEN is not set: get a token from @BotFather and put it in the "
                "environment or in a .env file (see .env.example)."
            )
        return self.token.get_secret_value().strip()

    def webhook_secret_or_new(self) -> str:
        """The configured webhook secret, or a random one (fine for a single process)."""
        if self.webhook_secret is not None:
            return self.webhook_secret.get_secret_value()
        return secrets.token_urlsafe(32)


class SettingsError(Exception):
    """Configuration that cannot work, with a message meant for the person starting the bot."""


def load_settings() -> Settings:
    """Read and validate the settings, turning validation errors into one readable message."""
    try:
        return Settings()
    except ValidationError as error:
        lines = [
            f"QUIZBOT_{'_'.join(str(p) for p in e['loc']).upper()}: {e['msg']}"
            for e in error.errors()
        ]
        raise SettingsError("invalid configuration:\n  " + "\n  ".join(lines)) from None
