"""Slack's requests as Slack sends them: slash commands, events and actions, signed."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from typing import Any
from urllib.parse import urlencode

import aiohttp
from slack_sdk.signature import SignatureVerifier

from bot.endpoints import EVENTS_PATH

SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
TEAM = "T1"
USER = "U123ASKER"
CHANNEL = "C123CHAN"

_ids = itertools.count(1)


def command_body(text: str, response_url: str, trigger_id: str | None = None) -> dict[str, str]:
    n = next(_ids)
    return {
        "token": "legacy",
        "team_id": TEAM,
        "team_domain": "example",
        "channel_id": CHANNEL,
        "channel_name": "general",
        "user_id": USER,
        "user_name": "asker",
        "command": "/qa",
        "text": text,
        "api_app_id": "A1",
        "response_url": response_url,
        "trigger_id": trigger_id or f"trigger.{n}",
    }


def event_body(event: dict[str, Any], event_id: str | None = None) -> dict[str, Any]:
    return {
        "token": "legacy",
        "team_id": TEAM,
        "api_app_id": "A1",
        "event": event,
        "type": "event_callback",
        "event_id": event_id or f"Ev{next(_ids):08d}",
        "event_time": int(time.time()),
        "authorizations": [{"team_id": TEAM, "user_id": "UBOT", "is_bot": True}],
    }


def mention(text: str, ts: str = "1700000100.000100", thread_ts: str | None = None) -> dict:
    event = {
        "type": "app_mention",
        "user": USER,
        "text": text,
        "ts": ts,
        "channel": CHANNEL,
        "event_ts": ts,
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def direct_message(text: str, user: str = USER, **extra: Any) -> dict:
    return {
        "type": "message",
        "channel_type": "im",
        "channel": "D123DM",
        "user": user,
        "text": text,
        "ts": f"1700000200.{next(_ids):06d}",
        **extra,
    }


def action_body(
    entry_id: str,
    response_url: str,
    ephemeral: bool = True,
    thread_ts: str | None = None,
    trigger_id: str | None = None,
) -> dict[str, Any]:
    """A button press; ``entry_id`` is the button's value."""
    container: dict[str, Any] = {
        "type": "message",
        "channel_id": CHANNEL,
        "is_ephemeral": ephemeral,
    }
    message: dict[str, Any] = {}
    if not ephemeral:
        container["message_ts"] = "1700000300.000100"
        message = {"ts": "1700000300.000100", "type": "message", "bot_id": "BBOT"}
        if thread_ts:
            container["thread_ts"] = thread_ts
            message["thread_ts"] = thread_ts
    return {
        "type": "block_actions",
        "team": {"id": TEAM, "domain": "example"},
        "user": {"id": USER, "team_id": TEAM},
        "api_app_id": "A1",
        "token": "legacy",
        "container": container,
        "trigger_id": trigger_id or f"trigger.{next(_ids)}",
        "channel": {"id": CHANNEL, "name": "general"},
        "message": message,
        "response_url": response_url,
        "actions": [
            {
                "type": "button",
                "action_id": "qa_suggest_0",
                "block_id": "qa_suggestions",
                "value": entry_id,
                "action_ts": f"1700000400.{next(_ids):06d}",
                "text": {"type": "plain_text", "text": "Q14"},
            }
        ],
    }


def signed_headers(
    body: str | bytes,
    content_type: str,
    secret: str = SIGNING_SECRET,
    timestamp: int | None = None,
) -> dict[str, str]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    if isinstance(body, str):
        signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
    else:  # bytes that are not UTF-8, which slack_sdk's signer cannot take; Slack's recipe
        base = b"v0:" + ts.encode() + b":" + body
        signature = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {
        "content-type": content_type,
        "x-slack-request-timestamp": ts,
        "x-slack-signature": signature,
    }


def form(body: dict[str, str]) -> str:
    return urlencode(body)


def interactive(payload: dict[str, Any]) -> str:
    return urlencode({"payload": json.dumps(payload)})


class SlackSender:
    """Posts signed requests to the bot's events endpoint over real HTTP."""

    def __init__(self, session: aiohttp.ClientSession, base_url: str) -> None:
        self.session = session
        self.base_url = base_url

    async def post_raw(
        self, body: str | bytes, headers: dict[str, str], path: str = EVENTS_PATH
    ) -> tuple[int, str]:
        async with self.session.post(self.base_url + path, data=body, headers=headers) as resp:
            return resp.status, await resp.text()

    async def command(self, body: dict[str, str]) -> tuple[int, str]:
        raw = form(body)
        return await self.post_raw(raw, signed_headers(raw, "application/x-www-form-urlencoded"))

    async def event(self, body: dict[str, Any], retry: int | None = None) -> tuple[int, str]:
        raw = json.dumps(body)
        headers = signed_headers(raw, "application/json")
        if retry is not None:
            headers["x-slack-retry-num"] = str(retry)
            headers["x-slack-retry-reason"] = "http_timeout"
        return await self.post_raw(raw, headers)

    async def action(self, payload: dict[str, Any]) -> tuple[int, str]:
        raw = interactive(payload)
        return await self.post_raw(raw, signed_headers(raw, "application/x-www-form-urlencoded"))

    async def health(self) -> tuple[int, dict[str, Any]]:
        async with self.session.get(self.base_url + "/healthz") as resp:
            return resp.status, await resp.json()
