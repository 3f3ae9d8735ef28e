"""The message shortcut "Find the official answer": the message's text answered privately, with
a "Post in thread" button that posts the answer in that message's thread."""

from __future__ import annotations

import functools
import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck

from bot.render.shortcut import POST_IN_THREAD_ACTION, post_in_thread_value, with_post_in_thread
from bot.responder import ReplyKind
from bot.slack.deps import Deps, keep_if_declined, received_now, started_at
from bot.slack.jobs import EVENT_LIFETIME, RESPONSE_URL_LIFETIME
from bot.slack.listeners.actions import GONE, action_key
from bot.slack.posting import DeliveryError
from bot.store import Job

log = logging.getLogger(__name__)

FIND_CALLBACK = "qa_find"  # the callback_id in the app manifests
SURFACE = "shortcut"


FIND, POST = "shortcut", "post in thread"


def register_jobs(deps: Deps) -> None:
    """The handlers of this module's reply jobs."""
    deps.jobs.handle(FIND, functools.partial(find_answer, deps))
    deps.jobs.handle(POST, functools.partial(post_in_thread, deps))


def register(app: AsyncApp, deps: Deps) -> None:
    @app.shortcut(FIND_CALLBACK)
    async def on_find(ack: AsyncAck, body: dict[str, Any]) -> None:
        received = received_now()
        await ack()
        response_url, trigger = body.get("response_url"), body.get("trigger_id")
        if not response_url or not trigger:
            return
        message = body.get("message") or {}
        request = {
            "text": message.get("text") or "",
            "user": (body.get("user") or {}).get("id"),
            "thread_ts": message.get("thread_ts") or message.get("ts"),
            "response_url": response_url,
            "received": received,
        }
        job = deps.jobs.submit(FIND, f"shortcut:{trigger}", request, RESPONSE_URL_LIFETIME)
        deps.after_ack(job, name="shortcut")

    @app.action(POST_IN_THREAD_ACTION)
    async def on_post(ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        received = received_now()
        await ack()
        user = (body.get("user") or {}).get("id")
        wanted = post_in_thread_value(str(action.get("value", "")))
        container = body.get("container") or {}
        channel = container.get("channel_id") or (body.get("channel") or {}).get("id")
        if wanted is None or not channel:
            return
        entry_id, thread_ts = wanted
        request = {
            "entry": entry_id,
            "user": user,
            "channel": channel,
            "thread_ts": thread_ts,
            "response_url": body.get("response_url"),
            "received": received,
        }
        job = deps.jobs.submit(POST, action_key(body, action, user), request, EVENT_LIFETIME)
        deps.after_ack(job, name="post in thread")


async def find_answer(deps: Deps, job: Job, retried: bool) -> None:
    request = job.payload
    reply = await deps.reply(request["text"], request["user"])
    shown = reply.message
    thread_ts = request["thread_ts"]
    if reply.kind is ReplyKind.ANSWER and reply.entry is not None and thread_ts:
        shown = with_post_in_thread(shown, reply.entry.id, str(thread_ts))
    await deps.poster.respond(request["response_url"], shown, in_channel=False)
    deps.report(SURFACE, reply, started_at(request["received"]))
    keep_if_declined(deps, request["text"], reply, SURFACE)


async def post_in_thread(deps: Deps, job: Job, retried: bool) -> None:
    request = job.payload
    channel, thread_ts, response_url = (
        request["channel"],
        request["thread_ts"],
        request["response_url"],
    )
    if retried and await deps.poster.find_reply(
        channel, thread_ts, job.key, job.created_at.timestamp()
    ):
        return
    # Asked by the presser, without the message's text: that is someone else's to repeat.
    reply = await deps.entry_reply(request["entry"], request["user"], SURFACE)
    if reply is None:
        if response_url:
            gone = {"text": GONE.format(command=deps.responder.command)}
            await deps.poster.respond(response_url, gone, in_channel=False)
        return
    await deps.poster.post(channel, reply.message, thread_ts=thread_ts, job_key=job.key)
    if response_url:
        try:
            await deps.poster.delete_original(response_url)
        except DeliveryError as exc:
            # The answer is out; a retry for the offer's removal would post it again.
            log.warning("the private answer stays: %s", exc)
    deps.report(SURFACE, reply, started_at(request["received"]))
