"""Votes on answers: Slack's feedback buttons or the two plain buttons under an answer.

One vote per person and answer message (a later click replaces the earlier vote); the voter is
thanked privately, and "Not what I asked" offers the other answers to the question, found again
from the question the answer echoes ("Asked by …: “…”"), so no question text is kept to do it.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from sqlalchemy.exc import SQLAlchemyError

from bot.render.feedback import FEEDBACK_ACTION, VOTE_ACTION_PREFIX, FeedbackValue, thanks_message
from bot.slack.deps import Deps
from bot.slack.jobs import RESPONSE_URL_LIFETIME
from bot.slack.listeners.actions import action_key
from bot.slack.posting import DeliveryError
from bot.store import Job, QuestionKind

# The echo in an answer's context, as bot.render.blocks.answer_message writes it.
_ASKED = re.compile(r"^Asked by <@[A-Z0-9]+>: “(.*)”$", re.DOTALL)


KIND = "vote"


def register_jobs(deps: Deps) -> None:
    """The handlers of this module's reply jobs."""
    deps.jobs.handle(KIND, functools.partial(record_vote, deps))


def register(app: AsyncApp, deps: Deps) -> None:
    @app.action(FEEDBACK_ACTION)
    @app.action(re.compile(f"^{re.escape(VOTE_ACTION_PREFIX)}_"))
    async def on_vote(ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        deps.after_ack(submit_vote(deps, body, action), name="vote")


async def submit_vote(deps: Deps, body: dict[str, Any], action: dict[str, Any]) -> None:
    """Keep the vote as a job and record it; a click on anything but an answer of ours is
    ignored."""
    user = (body.get("user") or {}).get("id")
    value = FeedbackValue.decode(str(action.get("value", "")))
    container = body.get("container") or {}
    channel = container.get("channel_id") or (body.get("channel") or {}).get("id")
    message_ts = container.get("message_ts") or (body.get("message") or {}).get("ts")
    if value is None or not user or not channel or not message_ts:
        return  # not a vote on a message of ours: nothing to record it against
    request = {
        "user": user,
        "value": str(action.get("value", "")),
        "answer": f"{channel}:{message_ts}",
        # Only a vote down needs the question, to offer the other answers to it.
        "question": None if value.helpful else asked_question(body.get("message") or {}),
        "response_url": body.get("response_url"),
    }
    await deps.jobs.submit(KIND, action_key(body, action, user), request, RESPONSE_URL_LIFETIME)


async def record_vote(deps: Deps, job: Job, retried: bool) -> None:
    request = job.payload
    value = FeedbackValue.decode(request["value"])
    assert value is not None  # checked before the job was written
    try:
        await deps.in_store(
            deps.votes.record_vote,
            request["user"],
            request["answer"],
            entry_id=value.entry_id,
            helpful=value.helpful,
            surface=value.surface,
            confidence=value.confidence,
        )
    except SQLAlchemyError as exc:
        raise DeliveryError(f"vote not recorded: {type(exc).__name__}", transient=True) from None
    alternatives = []
    question = request["question"]
    if not value.helpful and question:
        alternatives = await deps.alternatives(question, value.entry_id)
        if not retried:  # a retry has kept it already
            deps.keep_question(
                question,
                QuestionKind.VOTED_DOWN,
                surface=value.surface,
                entry_id=value.entry_id,
                confidence=value.confidence,
            )
    if request["response_url"]:
        thanks = thanks_message(value.helpful, alternatives)
        await deps.poster.respond(request["response_url"], thanks, in_channel=False)


def asked_question(message: dict[str, Any]) -> str | None:
    """The question an answer message echoes (its first 300 characters), or None."""
    for block in message.get("blocks") or []:
        if block.get("type") != "context":
            continue
        for element in block.get("elements") or []:
            found = _ASKED.match(str(element.get("text", "")))
            if found:
                # Still escaped as Slack text is: deps unescapes it like any text from Slack.
                return found.group(1).replace("\u200b", "").replace("\u02cb", "`")
    return None
