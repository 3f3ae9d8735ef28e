"""What an HTTP request must be before Bolt sees it: signed by Slack, then a Slack payload.

The signature is checked on the raw bytes first, so nothing of an unsigned body is ever
decoded or parsed; only a signed body is, and one Bolt could not read is refused here with a
reason instead of failing inside Bolt with a traceback.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from urllib.parse import parse_qsl

# Slack's own limit: a request older (or newer) than this is a replay.
MAX_AGE_S = 5 * 60
# Unix seconds have ten digits until the year 2286; more is not a timestamp.
_MAX_TIMESTAMP_DIGITS = 12


class BadBody(Exception):
    """A signed body Bolt could not read; the message says why, for the 400 answer."""


def signed(secret: bytes, raw: bytes, headers: Mapping[str, str], now: float | None = None) -> bool:
    """Whether ``raw`` carries Slack's valid, recent signature made with ``secret``;
    ``headers`` are looked up case-insensitively, as aiohttp's are.

    slack_sdk's SignatureVerifier would decode the body as UTF-8 and the timestamp as an
    integer first, failing with an exception on junk from strangers; this works on the bytes.
    """
    timestamp = headers.get("X-Slack-Request-Timestamp", "")
    signature = headers.get("X-Slack-Signature", "")
    if not (timestamp.isascii() and timestamp.isdigit() and signature.isascii()):
        return False
    if len(timestamp) > _MAX_TIMESTAMP_DIGITS:
        return False
    if abs((time.time() if now is None else now) - int(timestamp)) > MAX_AGE_S:
        return False
    base = b"v0:" + timestamp.encode() + b":" + raw
    expected = "v0=" + hmac.new(secret, base, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature)


def payload_text(raw: bytes, content_type: str) -> str:
    """The body as text once it is known to parse the way Bolt reads it; BadBody otherwise."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BadBody("body is not UTF-8") from None
    # Bolt's rule (slack_bolt.request.internals.parse_body): JSON when declared or when it
    # looks like JSON; otherwise a form, whose "payload" field, when there is one, is JSON.
    if content_type == "application/json" or text.startswith("{"):
        _json_object(text)
    elif "payload" in text:
        fields = dict(parse_qsl(text, keep_blank_values=True))
        if "payload" in fields:
            _json_object(fields["payload"])
        else:
            # Bolt takes any form holding the word for an interactive payload and, finding no
            # such field, reads it as empty: a slash command from a workspace called
            # "payloads" would get a 404. Percent-encoding one letter reads the same otherwise.
            text = text.replace("payload", "p%61yload")
    return text


def _json_object(text: str) -> None:
    try:
        value = json.loads(text)
    except ValueError:
        raise BadBody("body is not JSON") from None
    except RecursionError:  # the JSON decoder's own guard against deep nesting
        raise BadBody("body is nested too deeply") from None
    if not isinstance(value, dict):
        raise BadBody("body is not a JSON object")
