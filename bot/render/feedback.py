"""Feedback on an answer, the replies to a vote, and the Messages tab welcome: pure Block Kit.

A vote button carries everything the vote needs, so nothing about the answer is kept between
posting it and the click: ``FeedbackValue`` packs the entry id, the match's confidence, the
surface and the verdict into the button's value (Slack allows 2,000 characters there).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.content.models import Entry
from bot.render.blocks import (
    SUGGEST_ACTION_PREFIX,
    Message,
    button_label,
    escape,
    mrkdwn,
    mrkdwn_section,
)

FEEDBACK_ACTION = "qa_feedback"  # Slack's feedback buttons (one element, two buttons)
VOTE_ACTION_PREFIX = "qa_vote"  # the plain buttons: qa_vote_up, qa_vote_down
FEEDBACK_BLOCK_ID = "qa_feedback"
HELPFUL = "Answered my question"
NOT_HELPFUL = "Not what I asked"
_VALUE_LIMIT = 2000

# Where Slack's feedback buttons are used. A reply through a slash command's response_url gets
# the plain buttons: context_actions blocks are documented for messages the app posts, and a
# client that cannot show a block shows nothing of it, so the vote would be lost.
FEEDBACK_BUTTON_SURFACES = frozenset({"mention", "dm", "action", "shortcut", "digest"})


@dataclass(frozen=True)
class FeedbackValue:
    """What one vote button says: which answer, how confident, where, and which verdict."""

    entry_id: str
    confidence: float | None
    surface: str
    helpful: bool

    def encode(self) -> str:
        confidence = None if self.confidence is None else round(self.confidence, 4)
        data = {"e": self.entry_id, "c": confidence, "s": self.surface, "h": int(self.helpful)}
        value = json.dumps(data, separators=(",", ":"))
        if len(value) > _VALUE_LIMIT:  # entry ids are short; this only guards the limit
            raise ValueError("feedback value over Slack's 2,000 characters")
        return value

    @classmethod
    def decode(cls, value: str) -> FeedbackValue | None:
        """The value a button carried, or None when it is not one of ours."""
        try:
            data = json.loads(value)
            confidence = data.get("c")
            return cls(
                entry_id=str(data["e"]),
                confidence=None if confidence is None else float(confidence),
                surface=str(data["s"]),
                helpful=bool(data["h"]),
            )
        except (ValueError, TypeError, KeyError, AttributeError):
            return None


def feedback_block(entry_id: str, confidence: float | None, surface: str) -> dict[str, Any]:
    """The vote buttons under an answer: Slack's feedback buttons where the surface takes them,
    two plain buttons elsewhere."""

    def value(helpful: bool) -> str:
        return FeedbackValue(entry_id, confidence, surface, helpful).encode()

    if surface in FEEDBACK_BUTTON_SURFACES:
        return {
            "type": "context_actions",
            "block_id": FEEDBACK_BLOCK_ID,
            "elements": [
                {
                    "type": "feedback_buttons",
                    "action_id": FEEDBACK_ACTION,
                    "positive_button": _feedback_button(HELPFUL, value(True)),
                    "negative_button": _feedback_button(NOT_HELPFUL, value(False)),
                }
            ],
        }
    return {
        "type": "actions",
        "block_id": FEEDBACK_BLOCK_ID,
        "elements": [
            _button(HELPFUL, f"{VOTE_ACTION_PREFIX}_up", value(True)),
            _button(NOT_HELPFUL, f"{VOTE_ACTION_PREFIX}_down", value(False)),
        ],
    }


def thanks_message(helpful: bool, alternatives: Sequence[Entry] = ()) -> Message:
    """The voter's private thank-you; after "Not what I asked", the other answers to try."""
    if helpful:
        text = "Thanks for letting us know the answer helped."
        return {"text": text, "blocks": [mrkdwn_section(text)]}
    text = "Thanks for telling us that was not what you asked."
    blocks: list[dict[str, Any]] = [mrkdwn_section(text)]
    if alternatives:
        blocks.append(mrkdwn_section("*Did you mean…*"))
        blocks += [_suggestion(i, entry) for i, entry in enumerate(alternatives)]
        text += " Did you mean: " + "; ".join(
            f"{e.label}: {escape(e.question)}" for e in alternatives
        )
    else:
        blocks.append(
            {
                "type": "context",
                "elements": [mrkdwn("No other answer comes close; try asking in other words.")],
            }
        )
    return {"text": text, "blocks": blocks}


def welcome_message(suggested: Sequence[Entry], command: str = "/qa") -> Message:
    """The Messages tab welcome: what the bot does, and a few questions to try as buttons."""
    intro = (
        "Hello! Ask me a question here and I answer with the official text, quoted verbatim "
        f"with its citation. In a channel, use `{command}` or mention me."
    )
    blocks: list[dict[str, Any]] = [mrkdwn_section(intro)]
    text = intro
    if suggested:
        blocks.append(mrkdwn_section("*Try one of these:*"))
        blocks.append(
            {
                "type": "actions",
                "block_id": "qa_welcome",
                "elements": [
                    _button(button_label(e), f"{SUGGEST_ACTION_PREFIX}_{i}", e.id)
                    for i, e in enumerate(suggested)
                ],
            }
        )
        text += " Try: " + "; ".join(escape(e.question) for e in suggested)
    return {"text": text, "blocks": blocks}


def suggested_entries(entries: Sequence[Entry], count: int = 3) -> list[Entry]:
    """``count`` entries spread evenly over the catalogue: the same ones for the same content."""
    if len(entries) <= count:
        return list(entries)
    step = (len(entries) - 1) / (count - 1) if count > 1 else 0
    return [entries[round(i * step)] for i in range(count)]


def _suggestion(index: int, entry: Entry) -> dict[str, Any]:
    return {
        "type": "section",
        "text": _plain(f"{entry.label}: {entry.question}"[:3000]),
        "accessory": _button(
            f"Post {entry.label}"[:75], f"{SUGGEST_ACTION_PREFIX}_{index}", entry.id
        ),
    }


def _feedback_button(text: str, value: str) -> dict[str, Any]:
    return {"text": _plain(text), "value": value, "accessibility_label": text}


def _button(text: str, action_id: str, value: str) -> dict[str, Any]:
    return {"type": "button", "text": _plain(text), "action_id": action_id, "value": value}


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text, "emoji": False}
