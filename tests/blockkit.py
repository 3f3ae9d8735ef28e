"""Whether a message would be accepted by Slack: slack_sdk's Block Kit models and Slack's limits."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import Block

MAX_BLOCKS = 50  # per message
MAX_TEXT = 40_000  # the top-level fallback text, after which Slack truncates


def assert_valid(message: dict[str, Any]) -> None:
    """Fail unless every block parses and validates, and the message is within Slack's limits."""
    blocks = message.get("blocks", [])
    assert 0 < len(blocks) <= MAX_BLOCKS, f"{len(blocks)} blocks"
    assert message.get("text"), "no fallback text"
    assert len(message["text"]) <= MAX_TEXT
    block_ids = [b["block_id"] for b in blocks if "block_id" in b]
    assert len(block_ids) == len(set(block_ids)), f"repeated block_id in {block_ids}"
    for raw in blocks:
        block = Block.parse(raw)
        assert block is not None, f"not a block slack_sdk knows: {raw}"
        block.validate_json()  # raises on a limit: 3,000 per section, 75 per button, ...
        assert block.to_dict() == raw, f"slack_sdk reads {raw} differently"
