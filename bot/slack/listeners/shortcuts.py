"""The message shortcut "Find the official answer": the message's text answered privately, with
a "Post in thread" button that posts the answer in that message's thread."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck

from bot.render.shortcut import POST_IN_THREAD_ACTION, post_in_thread_value, with_post_in_thread
from bot.responder import ReplyKind
from bot.slack.deps import Deps, keep_if_declined, now
from bot.slack.listeners.actions import GONE, action_key

FIND_CALLBACK = "qa_find"  # the callback_id in the app manifests
SURFACE = "shortcut"


def register(app: AsyncApp, deps: Deps) -> None:
    @app.shortcut(FIND_CALLBACK)
    async def on_find(ack: AsyncAck, body: dict[str, Any]) -> None:
        started = now()
        await ack()
        deps.after_ack(find_answer(deps, body, started), name="shortcut")

    @app.action(POST_IN_THREAD_ACTION)
    async def on_post(ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        started = now()
        await ack()
        deps.after_ack(post_in_thread(deps, body, action, started), name="post in thread")


async def find_answer(deps: Deps, body: dict[str, Any], started: float) -> None:
    response_url = body.get("response_url")
    trigger = body.get("trigger_id")
    message = body.get("message") or {}
    if not response_url or not trigger or not await deps.claim(f"shortcut:{trigger}"):
        return
    text = message.get("text") or ""
    reply = await deps.reply(text, (body.get("user") or {}).get("id"))
    shown = reply.message
    thread_ts = message.get("thread_ts") or message.get("ts")
    if reply.kind is ReplyKind.ANSWER and reply.entry is not None and thread_ts:
        shown = with_post_in_thread(shown, reply.entry.id, str(thread_ts))
    await deps.poster.respond(response_url, shown, in_channel=False)
    deps.report(SURFACE, reply, started)
    keep_if_declined(deps, text, reply, SURFACE)


async def post_in_thread(
    deps: Deps, body: dict[str, Any], action: dict[str, Any], started: float
) -> None:
    user = (body.get("user") or {}).get("id")
    wanted = post_in_thread_value(str(action.get("value", "")))
    container = body.get("container") or {}
    channel = container.get("channel_id") or (body.get("channel") or {}).get("id")
    response_url = body.get("response_url")
    if wanted is None or not channel or not await deps.claim(action_key(body, action, user)):
        return
    entry_id, thread_ts = wanted
    # Asked by the presser, without the message's text: that is someone else's to repeat.
    reply = await deps.entry_reply(entry_id, user, SURFACE)
    if reply is None:
        if response_url:
            gone = {"text": GONE.format(command=deps.responder.command)}
            await deps.poster.respond(response_url, gone, in_channel=False)
        return
    await deps.poster.post(channel, reply.message, thread_ts=thread_ts)
    if response_url:
        await deps.poster.delete_original(response_url)
    deps.report(SURFACE, reply, started)
