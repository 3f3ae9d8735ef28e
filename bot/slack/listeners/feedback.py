"""Votes on answers: Slack's feedback buttons or the two plain buttons under an answer.

One vote per person and answer message (a later click replaces the earlier vote); the voter is
thanked privately, and "Not what I asked" offers the other answers to the question, found again
from the question the answer echoes ("Asked by …: “…”"), so no question text is kept to do it.
"""

from __future__ import annotations

import re
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck

from bot.render.feedback import FEEDBACK_ACTION, VOTE_ACTION_PREFIX, FeedbackValue, thanks_message
from bot.slack.deps import Deps
from bot.slack.listeners.actions import action_key
from bot.store import QuestionKind

# The echo in an answer's context, as bot.render.blocks.answer_message writes it.
_ASKED = re.compile(r"^Asked by <@[A-Z0-9]+>: “(.*)”$", re.DOTALL)


def register(app: AsyncApp, deps: Deps) -> None:
    @app.action(FEEDBACK_ACTION)
    @app.action(re.compile(f"^{re.escape(VOTE_ACTION_PREFIX)}_"))
    async def on_vote(ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        deps.after_ack(record_vote(deps, body, action), name="vote")


async def record_vote(deps: Deps, body: dict[str, Any], action: dict[str, Any]) -> None:
    user = (body.get("user") or {}).get("id")
    value = FeedbackValue.decode(str(action.get("value", "")))
    container = body.get("container") or {}
    channel = container.get("channel_id") or (body.get("channel") or {}).get("id")
    message_ts = container.get("message_ts") or (body.get("message") or {}).get("ts")
    if value is None or not user or not channel or not message_ts:
        return  # not a vote on a message of ours: nothing to record it against
    if not await deps.claim(action_key(body, action, user)):
        return
    await deps.in_store(
        deps.votes.record_vote,
        user,
        f"{channel}:{message_ts}",
        entry_id=value.entry_id,
        helpful=value.helpful,
        surface=value.surface,
        confidence=value.confidence,
    )
    alternatives = []
    if not value.helpful:
        question = asked_question(body.get("message") or {})
        if question:
            alternatives = await deps.alternatives(question, value.entry_id)
            deps.keep_question(
                question,
                QuestionKind.VOTED_DOWN,
                surface=value.surface,
                entry_id=value.entry_id,
                confidence=value.confidence,
            )
    response_url = body.get("response_url")
    if response_url:
        thanks = thanks_message(value.helpful, alternatives)
        await deps.poster.respond(response_url, thanks, in_channel=False)


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
