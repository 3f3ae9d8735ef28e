"""Events API: @mentions answered in their thread, direct messages answered in the DM (in their
thread when they have one, as a message in an assistant thread does)."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext

from bot.slack.deps import Deps, keep_if_declined, now


def register(app: AsyncApp, deps: Deps) -> None:
    # Bolt acks an event when its listener returns, which these do at once: the reply follows
    # in a tracked task.
    @app.event("app_mention")
    async def on_mention(
        body: dict[str, Any], event: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        if not is_from_person(event, context.bot_user_id):
            return
        thread = event.get("thread_ts") or event.get("ts")
        work = answer_event(deps, body, event, "mention", thread, now())
        deps.after_ack(work, name="mention")

    @app.event("message")
    async def on_message(
        body: dict[str, Any], event: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        if event.get("channel_type") != "im" or not is_from_person(event, context.bot_user_id):
            return
        # A question asked in an assistant thread is answered there, where the person asked it;
        # a plain DM has no thread_ts and is answered in the DM itself.
        thread = event.get("thread_ts")
        deps.after_ack(answer_event(deps, body, event, "dm", thread, now()), name="dm")


def is_from_person(event: dict[str, Any], bot_user_id: str | None) -> bool:
    """A new message from a person: not an edit, join or other subtype, not a bot (or us)."""
    return (
        not event.get("subtype")
        and not event.get("bot_id")
        and bool(event.get("user"))
        and event.get("user") != bot_user_id
    )


async def answer_event(
    deps: Deps,
    body: dict[str, Any],
    event: dict[str, Any],
    surface: str,
    thread_ts: str | None,
    started: float,
) -> None:
    key = body.get("event_id") or f"{event.get('channel')}:{event.get('ts')}"
    if not await deps.claim(f"event:{key}"):
        return
    text = event.get("text") or ""
    reply = await deps.reply(text, event.get("user"), surface)
    await deps.poster.post(event["channel"], reply.message, thread_ts=thread_ts)
    deps.report(surface, reply, started)
    keep_if_declined(deps, text, reply, surface)
