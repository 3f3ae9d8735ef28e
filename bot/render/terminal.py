"""Show a Block Kit message in a terminal, the way Slack would lay it out."""

from __future__ import annotations

import re
from typing import Any

_LINK = re.compile(r"<(https?://[^|>]+)\|([^>]+)>")
_BARE_LINK = re.compile(r"<(https?://[^>]+)>")
_USER = re.compile(r"<@([A-Z0-9]+)>")
_EMOJI = {":warning:": "⚠", ":wave:": "👋"}


def render(message: dict[str, Any]) -> str:
    """Plain text of a message, official text unwrapped so it stays verbatim line for line."""
    lines: list[str] = []
    for block in message.get("blocks", ()):
        kind = block.get("type")
        if kind == "section":
            lines.extend(_text(block["text"]).split("\n"))
            lines.append("")
        elif kind == "context":
            for element in block.get("elements", ()):
                lines.extend("  " + line for line in _text(element).split("\n"))
            lines.append("")
        elif kind == "actions":
            for number, element in enumerate(block.get("elements", ()), start=1):
                lines.append(f"  [{number}] {_text(element['text'])}")
            lines.append("")
        elif kind == "header":
            lines.extend([_text(block["text"]), ""])
    if not lines:
        lines = [_unescape(message.get("text", ""))]
    return "\n".join(lines).rstrip() + "\n"


def _text(obj: dict[str, Any]) -> str:
    text = obj.get("text", "")
    if obj.get("type") == "plain_text":
        return text
    text = _LINK.sub(lambda m: f"{m.group(2)} ({m.group(1)})", text)
    text = _BARE_LINK.sub(r"\1", text)
    text = _USER.sub(r"@\1", text)
    for code, symbol in _EMOJI.items():
        text = text.replace(code, symbol)
    return _unescape(text.replace("*", ""))


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
