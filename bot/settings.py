"""Typed settings from the environment and a ``.env`` file in the working directory."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.endpoints import DEFAULT_PORT

DEFAULT_DATABASE_URL = "sqlite:///qabot-state.sqlite3"
# Kubernetes (terminationGracePeriodSeconds) and systemd (TimeoutStopSec) allow 30 s from
# SIGTERM to SIGKILL, and so do the files in deploy/; shutting down must end well before.
DEFAULT_GRACE_SECONDS = 25
# A Slack user id: U for a workspace member, W for one of an Enterprise Grid organisation.
_USER_ID = re.compile(r"[UW][A-Z0-9]{2,}")


def _default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "qabot"


class SettingsError(Exception):
    """A setting is missing or malformed; the message names the variable and what to do."""


class Settings(BaseSettings):
    """Every knob of the bot; environment names are the ones in the README."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    slack_bot_token: SecretStr | None = Field(default=None, alias="SLACK_BOT_TOKEN")
    slack_signing_secret: SecretStr | None = Field(default=None, alias="SLACK_SIGNING_SECRET")
    slack_app_token: SecretStr | None = Field(default=None, alias="SLACK_APP_TOKEN")
    slack_api_url: str = Field(default="https://slack.com/api/", alias="SLACK_API_URL")
    content: Path = Field(default=Path("content/qa.yaml"), alias="QABOT_CONTENT")
    database_url: str = Field(default=DEFAULT_DATABASE_URL, alias="QABOT_DATABASE_URL")
    command: str = Field(default="/qa", alias="QABOT_COMMAND")
    port: int = Field(default=DEFAULT_PORT, ge=1, le=65535, alias="PORT")
    match_threshold: float | None = Field(default=None, ge=0, le=1, alias="QABOT_MATCH_THRESHOLD")
    log_level: str = Field(default="INFO", alias="QABOT_LOG_LEVEL")
    log_format: str = Field(default="text", pattern="^(text|json)$", alias="QABOT_LOG_FORMAT")
    schedules: Path | None = Field(default=None, alias="QABOT_SCHEDULES")
    digest_grace_minutes: int = Field(default=360, ge=0, alias="QABOT_DIGEST_GRACE_MINUTES")
    metrics_port: int | None = Field(default=None, ge=1, le=65535, alias="QABOT_METRICS_PORT")
    socket_grace_seconds: int = Field(
        default=DEFAULT_GRACE_SECONDS, ge=0, alias="QABOT_SOCKET_GRACE_SECONDS"
    )
    watch_content: bool = Field(default=True, alias="QABOT_WATCH_CONTENT")
    embedding_model: Path | None = Field(default=None, alias="QABOT_EMBEDDING_MODEL")
    embedding_sha256: str | None = Field(
        default=None, pattern="^[0-9a-fA-F]{64}$", alias="QABOT_EMBEDDING_SHA256"
    )
    cache_dir: Path = Field(default_factory=_default_cache_dir, alias="QABOT_CACHE_DIR")
    keep_questions_days: int = Field(default=0, ge=0, alias="QABOT_KEEP_QUESTIONS_DAYS")
    # How long a reply whose process died waits before another process takes it over.
    reply_lease_seconds: int = Field(default=20, ge=2, le=600, alias="QABOT_REPLY_LEASE_SECONDS")
    # Read as "U123ABC, U456DEF" or "U123ABC U456DEF", not as JSON.
    maintainers: Annotated[tuple[str, ...], NoDecode] = Field(default=(), alias="QABOT_MAINTAINERS")
    learned: Path = Field(default=Path("content/learned.yaml"), alias="QABOT_LEARNED")

    @field_validator("command")
    @classmethod
    def _slash(cls, value: str) -> str:
        if not value.startswith("/") or " " in value:
            raise ValueError("must be a slash command such as /qa")
        return value

    @field_validator("maintainers", mode="before")
    @classmethod
    def _user_ids(cls, value: object) -> tuple[str, ...]:
        items = re.split(r"[\s,]+", value) if isinstance(value, str) else value
        if not isinstance(items, list | tuple):
            raise ValueError("must be Slack user ids separated by commas or spaces")
        ids = tuple(dict.fromkeys(str(item) for item in items if item))
        for user in ids:
            if not _USER_ID.fullmatch(user):
                raise ValueError(f"{user!r} is not a Slack user id (such as U024BE7LH)")
        return ids

    @field_validator("learned", mode="before")
    @classmethod
    def _file_named(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            raise ValueError("must name a file, such as content/learned.yaml")
        return value

    @field_validator("slack_api_url")
    @classmethod
    def _trailing_slash(cls, value: str) -> str:
        return value if value.endswith("/") else value + "/"


def load_settings(**overrides: object) -> Settings:
    """Read settings, turning validation failures into one readable SettingsError."""
    from pydantic import ValidationError

    try:
        return Settings(**overrides)  # type: ignore[arg-type]  # aliases, validated at run time
    except ValidationError as exc:
        first = exc.errors()[0]
        name = str(first["loc"][0]) if first["loc"] else "settings"
        raise SettingsError(f"{name}: {first['msg']} (see README, 'Configuration')") from None


def env_names() -> list[str]:
    """Every environment variable the settings read; deploy files are checked against it."""
    return [f.alias for f in Settings.model_fields.values() if f.alias]
