"""The slash command (``QABOT_COMMAND``): answers go to the channel, the rest to the asker."""

from __future__ import annotations

import functools
import hashlib
import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck

from bot.slack.deps import Deps, keep_if_declined, received_now, started_at
from bot.slack.jobs import RESPONSE_URL_LIFETIME
from bot.store import Job

log = logging.getLogger(__name__)

SURFACE = "command"


def register_jobs(deps: Deps) -> None:
    """The handlers of this module's reply jobs."""
    deps.jobs.handle(SURFACE, functools.partial(answer_command, deps))


def register(app: AsyncApp, deps: Deps) -> None:
    @app.command(deps.responder.command)
    async def on_command(ack: AsyncAck, body: dict[str, Any]) -> None:
        received = received_now()
        await ack()
        deps.after_ack(submit_command(deps, body, received), name="command")


async def submit_command(deps: Deps, body: dict[str, Any], received: float) -> None:
    """Keep the command as a job and answer it."""
    if not body.get("response_url"):
        log.warning("slash command without a response_url ignored")
        return
    request = command_job(body, received)
    await deps.jobs.submit(SURFACE, command_key(body), request, RESPONSE_URL_LIFETIME)


def command_job(body: dict[str, Any], received: float) -> dict[str, Any]:
    """What answering the command needs, kept in its job."""
    return {
        "text": body.get("text") or "",
        "user": body.get("user_id"),
        "response_url": body["response_url"],
        "received": received,
    }


async def answer_command(deps: Deps, job: Job, retried: bool) -> None:
    # A response_url cannot be asked what it was sent: a retry after a lost answer may repeat
    # the reply (README, "Nothing lost, nothing twice").
    request = job.payload
    reply = await deps.reply(request["text"], request["user"], SURFACE)
    await deps.poster.respond(request["response_url"], reply.message, in_channel=reply.public)
    deps.report(SURFACE, reply, started_at(request["received"]))
    keep_if_declined(deps, request["text"], reply, SURFACE)


def command_key(body: dict[str, Any]) -> str:
    """A slash command is identified by its trigger; a redelivered envelope carries the same one."""
    trigger = body.get("trigger_id")
    if trigger:
        return f"command:{trigger}"
    fallback = "\n".join(str(body.get(k, "")) for k in ("user_id", "text", "response_url"))
    return "command:" + hashlib.sha256(fallback.encode()).hexdigest()
