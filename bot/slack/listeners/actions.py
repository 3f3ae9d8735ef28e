"""Buttons: a "Did you mean" or "Which Q14?" choice posts that answer where it was offered;
"More" shows the presser the next page of a list."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck

from bot.render.blocks import SUGGEST_ACTION_PREFIX
from bot.render.browse import MORE_ACTION
from bot.slack.deps import Deps, now

GONE = "That is no longer in the loaded content; try `{command} list`."


def register(app: AsyncApp, deps: Deps) -> None:
    @app.action(re.compile(f"^{re.escape(SUGGEST_ACTION_PREFIX)}"))
    async def on_suggestion(ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        started = now()
        await ack()
        deps.after_ack(answer_suggestion(deps, body, action, started), name="suggestion")

    @app.action(MORE_ACTION)
    async def on_more(ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        started = now()
        await ack()
        deps.after_ack(show_page(deps, body, action, started), name="more")


async def answer_suggestion(
    deps: Deps, body: dict[str, Any], action: dict[str, Any], started: float
) -> None:
    user = (body.get("user") or {}).get("id")
    if not await deps.claim(action_key(body, action, user)):
        return
    container = body.get("container") or {}
    response_url = body.get("response_url")
    # An offer under a declined /qa is answered through the command's response_url, like the
    # command's own answers, and gets the same vote buttons.
    in_reply = container.get("is_ephemeral") or not container.get("message_ts")
    surface = "command" if in_reply else "action"
    reply = await deps.entry_reply(str(action.get("value", "")), user, surface)
    if reply is None:
        if response_url:
            gone = {"text": GONE.format(command=deps.responder.command)}
            await deps.poster.respond(response_url, gone, in_channel=False)
        return
    if in_reply:
        # An ephemeral offer (a declined /qa): answer in the channel, then remove the offer.
        if response_url:
            await deps.poster.respond(response_url, reply.message, in_channel=True)
            await deps.poster.delete_original(response_url)
    else:
        # An offer in a thread or a DM: answer beside it.
        message = body.get("message") or {}
        channel = container.get("channel_id") or (body.get("channel") or {}).get("id")
        thread = message.get("thread_ts") or container.get("thread_ts")
        if not channel:  # not a shape Slack sends for a message button; nowhere to answer
            return
        await deps.poster.post(channel, reply.message, thread_ts=thread)
    deps.report("action", reply, started)


async def show_page(
    deps: Deps, body: dict[str, Any], action: dict[str, Any], started: float
) -> None:
    # To the presser only: a list posted in a channel or thread stays as it was for everyone.
    response_url = body.get("response_url")
    user = (body.get("user") or {}).get("id")
    if not response_url or not await deps.claim(action_key(body, action, user)):
        return
    reply = deps.responder.page(str(action.get("value", "")))
    if reply is None:
        gone = {"text": GONE.format(command=deps.responder.command)}
        await deps.poster.respond(response_url, gone, in_channel=False)
        return
    await deps.poster.respond(response_url, reply.message, in_channel=False)
    deps.report("action", reply, started)


def action_key(body: dict[str, Any], action: dict[str, Any], user: str | None) -> str:
    """One press is one trigger; without a trigger, its timestamp and presser identify it."""
    trigger = body.get("trigger_id")
    if trigger:
        return f"action:{trigger}"
    return f"action:{action.get('action_ts')}:{user}"
