"""Show a Block Kit message in a terminal, the way Slack would lay it out.

Rich text is shown as written, links as ``text (url)``, list items with bullets or numbers.
Buttons are numbered in the order they appear, ``[1]``, ``[2]``...; ``buttons`` returns them in
that order, so that the demo can press the one whose number is typed.
"""

from __future__ import annotations

import re
from typing import Any

_LINK = re.compile(r"<((?:https?://|mailto:)[^|>]+)\|([^>]+)>")
_BARE_LINK = re.compile(r"<((?:https?://|mailto:)[^>]+)>")
_USER = re.compile(r"<@([A-Z0-9]+)>")
_EMOJI = {":warning:": "⚠", ":wave:": "👋"}
_BULLETS = ("•", "◦", "▪")


def render(message: dict[str, Any]) -> str:
    """Plain text of a message, official text unwrapped so it stays verbatim line for line."""
    lines: list[str] = []
    number = 0
    for block in message.get("blocks", ()):
        kind = block.get("type")
        if kind == "section":
            lines.extend(_text(block["text"]).split("\n"))
            accessory = block.get("accessory") or {}
            if accessory.get("type") == "button":
                number += 1
                lines.append(f"  [{number}] {_text(accessory['text'])}")
            lines.append("")
        elif kind == "rich_text":
            lines.extend(rich_lines(block))
            lines.append("")
        elif kind == "context":
            for element in block.get("elements", ()):
                lines.extend("  " + line for line in _text(element).split("\n"))
            lines.append("")
        elif kind == "actions":
            for element in block.get("elements", ()):
                if element.get("type") == "button":
                    number += 1
                    lines.append(f"  [{number}] {_text(element['text'])}")
            lines.append("")
        elif kind == "header":
            lines.extend([_text(block["text"]), ""])
    if not lines:
        lines = [_unescape(message.get("text", ""))]
    return "\n".join(lines).rstrip() + "\n"


def buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    """The message's buttons, in the order ``render`` numbers them."""
    found: list[dict[str, Any]] = []
    for block in message.get("blocks", ()):
        if block.get("type") == "section":
            accessory = block.get("accessory") or {}
            if accessory.get("type") == "button":
                found.append(accessory)
        elif block.get("type") == "actions":
            found += [e for e in block.get("elements", ()) if e.get("type") == "button"]
    return found


def rich_lines(block: dict[str, Any]) -> list[str]:
    """A rich text block's lines: sections as written, lists with bullets or numbers."""
    lines: list[str] = []
    for element in block.get("elements", ()):
        kind = element.get("type")
        if kind == "rich_text_list":
            indent = int(element.get("indent", 0))
            ordered = element.get("style") == "ordered"
            first = int(element.get("offset", 0)) + 1
            for n, item in enumerate(element.get("elements", ()), start=first):
                marker = f"{n}." if ordered else _BULLETS[indent % len(_BULLETS)]
                prefix = "  " * indent + marker + " "
                text = _inline(item.get("elements", ())).split("\n")
                lines.append(prefix + text[0])
                lines.extend(" " * len(prefix) + line for line in text[1:])
        elif kind == "rich_text_quote":
            lines.extend("> " + line for line in _inline(element["elements"]).split("\n"))
        else:  # rich_text_section, rich_text_preformatted
            lines.extend(_inline(element.get("elements", ())).split("\n"))
    return lines


def _inline(parts: Any) -> str:
    out: list[str] = []
    for part in parts:
        kind = part.get("type")
        if kind == "link":
            text, url = part.get("text") or "", part["url"]
            out.append(f"{text} ({url})" if text and text != url else url)
        elif kind == "emoji":
            out.append(_EMOJI.get(f":{part['name']}:", f":{part['name']}:"))
        elif kind == "user":
            out.append(f"@{part['user_id']}")
        else:
            out.append(part.get("text", ""))
    return "".join(out)


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
