"""Checks of the Slack credentials before anything starts: one readable line per problem."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from pydantic import SecretStr

from bot.settings import Settings

README_SECTION = "see README, 'Connecting to Slack'"


class Mode(StrEnum):
    SOCKET = "socket"
    HTTP = "http"


class CredentialsError(Exception):
    """A token is missing or malformed; the message names the variable, never its value."""


@dataclass(frozen=True)
class Credentials:
    """The secrets one mode needs, checked for shape."""

    mode: Mode
    bot_token: str
    app_token: str | None = None
    signing_secret: str | None = None


def choose_mode(settings: Settings, force_http: bool) -> Mode:
    return Mode.SOCKET if settings.slack_app_token and not force_http else Mode.HTTP


def credentials(settings: Settings, mode: Mode) -> Credentials:
    """The mode's secrets, or CredentialsError for the first one missing or malformed."""
    bot = _required(settings.slack_bot_token, "SLACK_BOT_TOKEN", "xoxb-", "a bot token")
    if mode is Mode.SOCKET:
        app = _required(settings.slack_app_token, "SLACK_APP_TOKEN", "xapp-", "an app-level token")
        return Credentials(mode, bot, app_token=app)
    secret = _secret(settings.slack_signing_secret, "SLACK_SIGNING_SECRET")
    if any(c.isspace() for c in secret):
        raise CredentialsError(f"SLACK_SIGNING_SECRET contains spaces; {README_SECTION}")
    return Credentials(mode, bot, signing_secret=secret)


def _secret(value: SecretStr | None, name: str) -> str:
    raw = value.get_secret_value().strip() if value is not None else ""
    if not raw:
        raise CredentialsError(f"{name} is not set; {README_SECTION}")
    return raw


def _required(value: SecretStr | None, name: str, prefix: str, what: str) -> str:
    raw = _secret(value, name)
    if not raw.startswith(prefix) or len(raw) <= len(prefix) or any(c.isspace() for c in raw):
        raise CredentialsError(
            f"{name} is not {what} (it should start with {prefix}); {README_SECTION}"
        )
    return raw
