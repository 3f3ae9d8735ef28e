"""The "Find the official answer" message shortcut's private reply: the answer, and a button
that posts it in the message's thread."""

from __future__ import annotations

from bot.render.blocks import Message

POST_IN_THREAD_ACTION = "qa_post_thread"


def with_post_in_thread(message: Message, entry_id: str, thread_ts: str) -> Message:
    """``message`` (an answer shown only to the presser) with a "Post in thread" button whose
    value names the entry and the thread: ``<entry id> <thread ts>``."""
    button = {
        "type": "button",
        "text": {"type": "plain_text", "text": "Post in thread", "emoji": False},
        "action_id": POST_IN_THREAD_ACTION,
        "value": f"{entry_id} {thread_ts}",
        "style": "primary",
    }
    block = {"type": "actions", "block_id": "qa_shortcut", "elements": [button]}
    return {**message, "blocks": [*message["blocks"], block]}


def post_in_thread_value(value: str) -> tuple[str, str] | None:
    """The entry id and thread ts a "Post in thread" button carries, or None."""
    entry_id, _, thread_ts = value.partition(" ")
    return (entry_id, thread_ts) if entry_id and thread_ts else None
