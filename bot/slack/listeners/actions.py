"""Buttons: a "Did you mean" or "Which Q14?" choice posts that answer where it was offered;
"More" shows the presser the next page of a list."""

from __future__ import annotations

import functools
import logging
import re
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck

from bot.render.blocks import SUGGEST_ACTION_PREFIX
from bot.render.browse import MORE_ACTION
from bot.slack.deps import Deps, received_now, started_at
from bot.slack.jobs import EVENT_LIFETIME, RESPONSE_URL_LIFETIME
from bot.slack.posting import DeliveryError
from bot.store import Job

log = logging.getLogger(__name__)

GONE = "That is no longer in the loaded content; try `{command} list`."


SUGGESTION, PAGE = "suggestion", "more"


def register_jobs(deps: Deps) -> None:
    """The handlers of this module's reply jobs."""
    deps.jobs.handle(SUGGESTION, functools.partial(answer_suggestion, deps))
    deps.jobs.handle(PAGE, functools.partial(show_page, deps))


def register(app: AsyncApp, deps: Deps) -> None:
    @app.action(re.compile(f"^{re.escape(SUGGEST_ACTION_PREFIX)}"))
    async def on_suggestion(ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        received = received_now()
        await ack()
        submit(deps, SUGGESTION, body, action, received)

    @app.action(MORE_ACTION)
    async def on_more(ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        received = received_now()
        await ack()
        if body.get("response_url"):  # the page goes to the presser only, through it
            submit(deps, PAGE, body, action, received)


def submit(
    deps: Deps, kind: str, body: dict[str, Any], action: dict[str, Any], received: float
) -> None:
    """Keep the press as a job: what answering it needs, and where."""
    user = (body.get("user") or {}).get("id")
    container = body.get("container") or {}
    message = body.get("message") or {}
    request = {
        "value": str(action.get("value", "")),
        "user": user,
        "response_url": body.get("response_url"),
        # An offer under a declined /qa is ephemeral: it has no message of its own to answer.
        "in_reply": bool(container.get("is_ephemeral") or not container.get("message_ts")),
        "channel": container.get("channel_id") or (body.get("channel") or {}).get("id"),
        "thread_ts": message.get("thread_ts") or container.get("thread_ts"),
        "received": received,
    }
    lifetime = RESPONSE_URL_LIFETIME if request["in_reply"] or kind == PAGE else EVENT_LIFETIME
    job = deps.jobs.submit(kind, action_key(body, action, user), request, lifetime)
    deps.after_ack(job, name=kind)


async def answer_suggestion(deps: Deps, job: Job, retried: bool) -> None:
    request = job.payload
    response_url = request["response_url"]
    # An offer under a declined /qa is answered through the command's response_url, like the
    # command's own answers, and gets the same vote buttons.
    surface = "command" if request["in_reply"] else "action"
    if not request["in_reply"] and not request["channel"]:
        return  # not a shape Slack sends for a message button; nowhere to answer
    if not request["in_reply"] and retried:
        found = await deps.poster.find_reply(
            request["channel"], request["thread_ts"], job.key, job.created_at.timestamp()
        )
        if found:
            return
    reply = await deps.entry_reply(request["value"], request["user"], surface)
    if reply is None:
        if response_url:
            gone = {"text": GONE.format(command=deps.responder.command)}
            await deps.poster.respond(response_url, gone, in_channel=False)
        return
    if request["in_reply"]:
        # An ephemeral offer (a declined /qa): answer in the channel, then remove the offer.
        if not response_url:
            return
        await deps.poster.respond(response_url, reply.message, in_channel=True)
        try:
            await deps.poster.delete_original(response_url)
        except DeliveryError as exc:
            # The answer is out; a retry for the offer's removal would post the answer again.
            log.warning("the answered offer stays: %s", exc)
    else:
        # An offer in a thread or a DM: answer beside it.
        await deps.poster.post(
            request["channel"], reply.message, thread_ts=request["thread_ts"], job_key=job.key
        )
    deps.report("action", reply, started_at(request["received"]))


async def show_page(deps: Deps, job: Job, retried: bool) -> None:
    # To the presser only: a list posted in a channel or thread stays as it was for everyone.
    request = job.payload
    reply = deps.responder.page(request["value"])
    if reply is None:
        gone = {"text": GONE.format(command=deps.responder.command)}
        await deps.poster.respond(request["response_url"], gone, in_channel=False)
        return
    await deps.poster.respond(request["response_url"], reply.message, in_channel=False)
    deps.report("action", reply, started_at(request["received"]))


def action_key(body: dict[str, Any], action: dict[str, Any], user: str | None) -> str:
    """One press is one trigger; without a trigger, its timestamp and presser identify it."""
    trigger = body.get("trigger_id")
    if trigger:
        return f"action:{trigger}"
    return f"action:{action.get('action_ts')}:{user}"
