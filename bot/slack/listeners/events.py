"""Events API: @mentions answered in their thread, direct messages answered in the DM (in their
thread when they have one, as a message in an assistant thread does)."""

from __future__ import annotations

import functools
from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext

from bot.slack.deps import Deps, keep_if_declined, received_now, started_at
from bot.slack.jobs import EVENT_LIFETIME
from bot.store import Job

SURFACES = ("mention", "dm")


def register_jobs(deps: Deps) -> None:
    """The handlers of this module's reply jobs."""
    for surface in SURFACES:
        deps.jobs.handle(surface, functools.partial(answer_event, deps, surface))


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
        deps.after_ack(submit(deps, body, event, "mention", thread), name="mention")

    @app.event("message")
    async def on_message(
        body: dict[str, Any], event: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        if event.get("channel_type") != "im" or not is_from_person(event, context.bot_user_id):
            return
        # A question asked in an assistant thread is answered there, where the person asked it;
        # a plain DM has no thread_ts and is answered in the DM itself.
        thread = event.get("thread_ts")
        deps.after_ack(submit(deps, body, event, "dm", thread), name="dm")


def is_from_person(event: dict[str, Any], bot_user_id: str | None) -> bool:
    """A new message from a person: not an edit, join or other subtype, not a bot (or us)."""
    return (
        not event.get("subtype")
        and not event.get("bot_id")
        and bool(event.get("user"))
        and event.get("user") != bot_user_id
    )


async def submit(
    deps: Deps, body: dict[str, Any], event: dict[str, Any], surface: str, thread: str | None
) -> None:
    received = received_now()
    key = body.get("event_id") or f"{event.get('channel')}:{event.get('ts')}"
    request = {
        "channel": event["channel"],
        "thread_ts": thread,
        "text": event.get("text") or "",
        "user": event.get("user"),
        "received": received,
    }
    await deps.jobs.submit(surface, f"event:{key}", request, EVENT_LIFETIME)


async def answer_event(deps: Deps, surface: str, job: Job, retried: bool) -> None:
    request = job.payload
    channel, thread = request["channel"], request["thread_ts"]
    # The post carries its job's key; after an attempt whose outcome is unknown, look first.
    if retried and await deps.poster.find_reply(
        channel, thread, job.key, job.created_at.timestamp()
    ):
        return
    reply = await deps.reply(request["text"], request["user"], surface)
    await deps.poster.post(channel, reply.message, thread_ts=thread, job_key=job.key)
    deps.report(surface, reply, started_at(request["received"]))
    keep_if_declined(deps, request["text"], reply, surface)
