"""The slash command (``QABOT_COMMAND``): answers go to the channel, the rest to the asker."""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck

from bot.slack.deps import Deps, keep_if_declined, now

log = logging.getLogger(__name__)

SURFACE = "command"


def register(app: AsyncApp, deps: Deps) -> None:
    @app.command(deps.responder.command)
    async def on_command(ack: AsyncAck, body: dict[str, Any]) -> None:
        started = now()
        await ack()
        deps.after_ack(answer_command(deps, body, started), name="command")


async def answer_command(deps: Deps, body: dict[str, Any], started: float) -> None:
    response_url = body.get("response_url")
    if not response_url:
        log.warning("slash command without a response_url ignored")
        return
    if not await deps.claim(command_key(body)):
        return
    text = body.get("text") or ""
    reply = await deps.reply(text, body.get("user_id"), SURFACE)
    await deps.poster.respond(response_url, reply.message, in_channel=reply.public)
    deps.report(SURFACE, reply, started)
    keep_if_declined(deps, text, reply, SURFACE)


def command_key(body: dict[str, Any]) -> str:
    """A slash command is identified by its trigger; a redelivered envelope carries the same one."""
    trigger = body.get("trigger_id")
    if trigger:
        return f"command:{trigger}"
    fallback = "\n".join(str(body.get(k, "")) for k in ("user_id", "text", "response_url"))
    return "command:" + hashlib.sha256(fallback.encode()).hexdigest()
