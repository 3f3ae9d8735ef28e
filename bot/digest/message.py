"""What a digest posts: the entry it is due to show and the Block Kit message around it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from bot.content.models import Catalogue, Entry
from bot.digest.schedule import Schedule
from bot.render.blocks import Message, answer_message, escape
from bot.render.browse import index_message
from bot.render.feedback import feedback_block

# Posted with each digest as Slack message metadata, so a post can be found again after a crash.
EVENT_TYPE = "qabot_digest"


def next_in_rotation(entries: Sequence[Entry], posted: Sequence[str]) -> Entry | None:
    """The first entry not yet posted in the current round; a round ends once all were posted."""
    ids = {e.id for e in entries}
    round_: set[str] = set()
    for entry_id in posted:
        if entry_id not in ids:
            continue  # removed from the content since; it does not hold up the round
        round_.add(entry_id)
        if round_ == ids:
            round_ = set()
    return next((e for e in entries if e.id not in round_), None)


def pick_entry(schedule: Schedule, catalogue: Catalogue, posted: Sequence[str]) -> Entry | None:
    """The entry a digest shows now; None for an index, or when its entry is gone."""
    if schedule.kind == "entry":
        return catalogue.get(schedule.entry or "")
    if schedule.kind == "rotate":
        return next_in_rotation(catalogue.entries, posted)
    return None


def digest_message(
    schedule: Schedule, catalogue: Catalogue, entry: Entry | None, command: str = "/qa"
) -> Message:
    """The message of a digest: intro, then the answer (or the index) with citation and notice."""
    if schedule.kind == "index":
        return index_message(catalogue, command, intro=schedule.intro)
    if entry is None:
        raise ValueError(f"digest {schedule.name} has no entry to post")
    # People vote on a digest as on any answer; it asked no question, so it has no confidence.
    message = answer_message(entry, feedback=feedback_block(entry.id, None, "digest"))
    if schedule.intro:
        intro = {"type": "section", "text": {"type": "mrkdwn", "text": escape(schedule.intro)}}
        message = {
            "text": f"{escape(schedule.intro)}\n{message['text']}",
            "blocks": [intro, *message["blocks"]],
        }
    return message


def slot_metadata(schedule: str, due_at: dt.datetime) -> dict[str, Any]:
    """Message metadata naming the slot a post belongs to."""
    return {
        "event_type": EVENT_TYPE,
        "event_payload": {"schedule": schedule, "due_at": _iso(due_at)},
    }


def is_slot_post(message: dict[str, Any], schedule: str, due_at: dt.datetime) -> bool:
    """True when a message from ``conversations.history`` is the post of this slot."""
    meta = message.get("metadata") or {}
    payload = meta.get("event_payload") or {}
    return (
        meta.get("event_type") == EVENT_TYPE
        and payload.get("schedule") == schedule
        and payload.get("due_at") == _iso(due_at)
    )


def _iso(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).isoformat()
