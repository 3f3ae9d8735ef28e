"""Logging set-up: text or JSON lines, a level, and no secret ever in a record.

The redaction filter sits on the handler, so it sees every record that reaches the output,
whichever logger (ours, Bolt's, slack-sdk's, aiohttp's) produced it.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import traceback
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, TextIO

from bot.observability.record import RequestRecord
from bot.settings import Settings, SettingsError
from bot.store import url as database_url

REDACTED = "[redacted]"
# Slack's token shapes: bot, user, app-level, refresh and legacy tokens.
SLACK_TOKEN = re.compile(r"\b(?:xox[abposr]|xapp)-[A-Za-z0-9-]+")
REQUEST_LOGGER = "qabot.request"

# Attributes every LogRecord has; anything else on a record came in through ``extra=``.
_STANDARD = frozenset(
    vars(logging.LogRecord("", 0, "", 0, "", None, None)).keys() | {"message", "asctime"}
)
_MARK = "_qabot_handler"


class RedactingFilter(logging.Filter):
    """Replaces the given secret values and anything shaped like a Slack token."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        # Longest first, so a secret containing another is removed whole.
        self.secrets = sorted({s for s in secrets if s}, key=len, reverse=True)

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        return SLACK_TOKEN.sub(REDACTED, text)

    def filter(self, record: logging.LogRecord) -> bool:
        # Fold the arguments in first: a secret may be an argument, or made by formatting.
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # arguments that do not fit the format: keep both
            message = f"{record.msg} {record.args!r}"
        record.msg = self.redact(message)
        record.args = None
        if record.exc_info:
            text = record.exc_text or "".join(traceback.format_exception(*record.exc_info))
            record.exc_text = self.redact(text.rstrip("\n"))
            # The formatted text is all an output needs; the live exception could leak again.
            record.exc_info = None
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        for key, value in list(vars(record).items()):
            if key in _STANDARD or value is None or isinstance(value, bool | int | float):
                continue
            # Containers and objects become their (redacted) text: a token may be inside.
            setattr(record, key, self.redact(value if isinstance(value, str) else repr(value)))
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, extra fields, exception."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                line[key] = value
        if record.exc_text:
            line["exception"] = record.exc_text
        if record.stack_info:
            line["stack"] = record.stack_info
        return json.dumps(line, ensure_ascii=False, default=str)


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure_logging(settings: Settings, stream: TextIO | None = None) -> logging.Handler:
    """Send every log record to ``stream`` (stderr) in the configured format, redacted.

    Calling it again replaces the handler it installed before, not anyone else's. An unknown
    level is a SettingsError naming ``QABOT_LOG_LEVEL``.
    """
    level = logging.getLevelNamesMapping().get(settings.log_level.upper())
    if level is None:
        raise SettingsError(
            f"QABOT_LOG_LEVEL: unknown level {settings.log_level!r}; "
            "use DEBUG, INFO, WARNING or ERROR (see README, 'Configuration')"
        )
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if settings.log_format == "json" else _text_formatter())
    handler.addFilter(RedactingFilter(secret_values(settings)))
    setattr(handler, _MARK, True)
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, _MARK, False)]:
        root.removeHandler(old)
        old.close()
    root.addHandler(handler)
    root.setLevel(level)
    return handler


def _text_formatter() -> logging.Formatter:
    formatter = logging.Formatter(TEXT_FORMAT)
    formatter.converter = time.gmtime
    formatter.default_time_format = "%Y-%m-%dT%H:%M:%S"
    formatter.default_msec_format = "%s.%03dZ"
    return formatter


def secret_values(settings: Settings) -> list[str]:
    """The configured tokens, signing secret and database password, as text to remove from logs."""
    fields = (settings.slack_bot_token, settings.slack_app_token, settings.slack_signing_secret)
    values = [f.get_secret_value() for f in fields if f is not None]
    return values + database_url.secrets(settings.database_url)


def log_request(record: RequestRecord, logger: logging.Logger | None = None) -> None:
    """The one log line of a handled request, with its fields also as structured extras."""
    answer = record.entry_id or record.outcome.value
    confidence = "-" if record.confidence is None else f"{record.confidence:.3f}"
    (logger or logging.getLogger(REQUEST_LOGGER)).info(
        "request surface=%s answer=%s confidence=%s latency_ms=%.1f",
        record.surface.value,
        answer,
        confidence,
        record.latency_s * 1000,
        extra={
            "surface": record.surface.value,
            "outcome": record.outcome.value,
            "entry_id": record.entry_id,
            "confidence": record.confidence,
            "latency_ms": round(record.latency_s * 1000, 1),
        },
    )
