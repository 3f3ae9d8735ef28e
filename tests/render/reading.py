"""Reading Slack payloads back as a person sees them, and checking them against Slack's models.

Written apart from ``bot.render`` on purpose: a test reads what was posted, not what the renderer
meant to post.
"""

from __future__ import annotations

import html
import logging
import re
from typing import Any

from slack_sdk.models.blocks import Block

# Slack's documented and observed limits (docs.slack.dev, Block Kit reference; a message whose
# blocks hold more than about 12,000 characters of text is refused with msg_blocks_too_long).
MAX_BLOCKS = 50
MAX_SECTION_TEXT = 3000
MAX_CONTEXT_ELEMENTS = 10
MAX_BUTTON_TEXT = 75
MAX_MESSAGE_TEXT = 12_000
MAX_VIEW_BLOCKS = 100  # a Home tab or a modal
MAX_VIEW_TITLE = 24  # a modal's title, submit and close
MAX_SELECT_OPTIONS = 100


def shown(block: dict[str, Any]) -> str:
    """The text a block shows: rich text with its list markers, a section's text as sent."""
    if block["type"] == "rich_text":
        return "\n".join(_rich_element(e) for e in block["elements"])
    if block["type"] == "section":
        return block["text"]["text"]
    if block["type"] == "context":
        return " ".join(e.get("text", "") for e in block["elements"])
    return ""


def texts(message: dict[str, Any]) -> list[str]:
    """What each section and rich text block shows, in order."""
    return [shown(b) for b in message["blocks"] if b["type"] in ("section", "rich_text")]


def answer_shown(message: dict[str, Any], between: str = "") -> str:
    """The answer as shown: every rich text block after the question's, in order."""
    rich = [b for b in message["blocks"] if b["type"] == "rich_text"]
    return between.join(shown(b) for b in rich[1:])


def buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for block in message["blocks"]:
        if block["type"] == "actions":
            found += [e for e in block["elements"] if e["type"] == "button"]
        elif block["type"] == "section" and (block.get("accessory") or {}).get("type") == "button":
            found.append(block["accessory"])
    return found


def links(message: dict[str, Any]) -> list[tuple[str, str]]:
    """Every link in the message's rich text: (text, url)."""
    found: list[tuple[str, str]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "link":
                found.append((node.get("text", ""), node["url"]))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(message["blocks"])
    return found


def check_slack_limits(message: dict[str, Any], max_blocks: int = 0) -> None:
    """Every block parses with slack_sdk's Block Kit models, whole, and within Slack's limits."""
    blocks = message["blocks"]
    assert 1 <= len(blocks) <= (max_blocks or MAX_BLOCKS)
    block_ids = [b["block_id"] for b in blocks if "block_id" in b]
    assert len(block_ids) == len(set(block_ids)), f"a block_id repeats: {block_ids}"
    logger = logging.getLogger("slack_sdk.models")
    for block in blocks:
        with _no_unknown_keys(logger):
            parsed = Block.parse(block)
        assert parsed is not None, block
        parsed.validate_json()
        assert parsed.to_dict() == block  # nothing Slack's models do not know was sent
        if block["type"] == "section":
            assert 1 <= len(block["text"]["text"]) <= MAX_SECTION_TEXT
        if block["type"] == "context":
            assert len(block["elements"]) <= MAX_CONTEXT_ELEMENTS
        if block["type"] == "rich_text":
            _check_rich(block)
    for button in buttons(message):
        assert 1 <= len(button["text"]["text"]) <= MAX_BUTTON_TEXT
    assert _text_size(blocks) <= MAX_MESSAGE_TEXT
    assert message["text"].strip()


def check_view(view: dict[str, Any]) -> None:
    """A Home tab or modal parses with slack_sdk's View model, validates, and keeps to the limits
    every block of a message keeps to, within Slack's 100 blocks of a view."""
    from slack_sdk.models.views import View

    assert view["type"] in ("home", "modal")
    assert 1 <= len(view["blocks"]) <= MAX_VIEW_BLOCKS
    View(**view).validate_json()
    for key in ("title", "submit", "close"):
        if key in view:
            assert 1 <= len(view[key]["text"]) <= MAX_VIEW_TITLE
    check_slack_limits({"text": "view", "blocks": view["blocks"]}, max_blocks=MAX_VIEW_BLOCKS)
    for block in view["blocks"]:
        for element in [block.get("element"), block.get("accessory"), *block.get("elements", [])]:
            if isinstance(element, dict) and "options" in element:
                assert len(element["options"]) <= MAX_SELECT_OPTIONS
            if isinstance(element, dict) and "option_groups" in element:
                groups = element["option_groups"]
                assert sum(len(g["options"]) for g in groups) <= MAX_SELECT_OPTIONS
                for group in groups:
                    assert 1 <= len(group["label"]["text"]) <= MAX_BUTTON_TEXT
                    for option in group["options"]:
                        assert 1 <= len(option["text"]["text"]) <= MAX_BUTTON_TEXT


def _check_rich(block: dict[str, Any]) -> None:
    assert block["elements"]
    for element in block["elements"]:
        assert element["type"] in ("rich_text_section", "rich_text_list"), element
        sections = element["elements"] if element["type"] == "rich_text_list" else [element]
        for section in sections:
            assert section["type"] == "rich_text_section" and section["elements"]
            for part in section["elements"]:
                assert part["type"] in ("text", "link"), part
                assert part["text"], part  # Slack refuses empty text
                if part["type"] == "link":
                    assert re.match(r"(https?://|mailto:)", part["url"]), part
    assert len(shown(block)) <= MAX_SECTION_TEXT


def _text_size(node: Any) -> int:
    if isinstance(node, dict):
        own = sum(len(node[k]) for k in ("text", "url") if isinstance(node.get(k), str))
        return own + sum(_text_size(v) for v in node.values() if isinstance(v, dict | list))
    if isinstance(node, list):
        return sum(_text_size(v) for v in node)
    return 0


class _no_unknown_keys:
    """slack_sdk drops a key it does not know with a debug log line; make that a failure."""

    def __init__(self, logger: logging.Logger) -> None:
        self.logger = logger
        self.records: list[logging.LogRecord] = []

    def __enter__(self) -> None:
        self.handler = _Collect(self.records)
        self.level = self.logger.level
        self.logger.addHandler(self.handler)
        self.logger.setLevel(logging.DEBUG)

    def __exit__(self, *exc: object) -> None:
        self.logger.removeHandler(self.handler)
        self.logger.setLevel(self.level)
        ignored = [r.getMessage() for r in self.records if "were ignored" in r.getMessage()]
        assert not ignored, ignored


class _Collect(logging.Handler):
    def __init__(self, records: list[logging.LogRecord]) -> None:
        super().__init__(logging.DEBUG)
        self.records = records

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def _rich_element(element: dict[str, Any]) -> str:
    if element["type"] == "rich_text_list":
        first = element.get("offset", 0) + 1
        ordered = element["style"] == "ordered"
        return "\n".join(
            "  " * element.get("indent", 0)
            + (f"{n}. " if ordered else "• ")
            + _inline(item["elements"])
            for n, item in enumerate(element["elements"], start=first)
        )
    return _inline(element["elements"])


def _inline(parts: list[dict[str, Any]]) -> str:
    return "".join(p.get("text") or p.get("url", "") for p in parts)


# -- the official text's visible words, read from its markup by simple rules -------------------

_ANCHOR = re.compile(r"<a\s[^>]*href=\"([^\"]*)\"[^>]*>(.*?)</a>", re.S | re.I)
_MD_LINK = re.compile(r"!?\[((?:[^\[\]]|\[[^\[\]]*\])*)\]\(\s*<?([^()\s<>]*(?:\([^()\s]*\))?)>?\)")
_AUTOLINK = re.compile(r"<((?:https?://|mailto:)[^>\s]+)>")
_TAGS = re.compile(r"</?(?:strong|b|em|i|s|del|span|u|code)\b[^>]*>", re.I)
_BR = re.compile(r"<br\s*/?>", re.I)


def visible_markdown(text: str) -> str:
    """What a Markdown answer shows, by regular expressions: links by their text, bullets as
    "• ", numbers kept, emphasis marks and escapes gone, entities decoded."""
    text = _ANCHOR.sub(lambda m: m.group(2), text)
    text = _BR.sub("\n", text)
    text = _TAGS.sub("", text)
    text = _MD_LINK.sub(lambda m: m.group(1) or m.group(2), text)
    text = _AUTOLINK.sub(r"\1", text)
    text = re.sub(r"(?m)^[ \t]*[-*+][ \t]+(?=\S)", "• ", text)
    text = re.sub(r"(?m)^[ \t]*(\d{1,9})[.)][ \t]+(?=\S)", r"\1. ", text)
    text = re.sub(r"(?m)^ {0,3}#{1,6}[ \t]+", "", text)
    for mark in (r"\*\*", "__", "~~"):
        text = re.sub(rf"{mark}(?=\S)(.+?)(?<=\S){mark}", r"\1", text, flags=re.S)
    text = re.sub(r"(?<![\w*])\*(?=[^\s*])([^*\n]*?)(?<=[^\s*])\*(?![\w*])", r"\1", text)
    text = re.sub(r"(?<![\w_])_(?=[^\s_])([^_\n]*?)(?<=[^\s_])_(?![\w_])", r"\1", text)
    text = re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", text)
    return html.unescape(text)


def visible_html(text: str) -> str:
    """What an HTML answer shows: bullets and numbers for list items, tags gone."""
    out: list[str] = []
    lists: list[list[int]] = []
    for piece in re.split(r"(<[^>]+>)", text):
        tag = re.match(r"<(/?)([a-zA-Z0-9]+)", piece)
        if not tag:
            out.append(piece)
            continue
        closing, name = tag.group(1), tag.group(2).lower()
        if name in ("ul", "ol"):
            lists.append([name == "ol", 0]) if not closing else lists.pop()
        elif name == "li" and not closing and lists:
            lists[-1][1] += 1
            out.append("\n" + (f"{lists[-1][1]}. " if lists[-1][0] else "• "))
        elif name in ("br", "p", "div", "li") or name.startswith("h"):
            out.append("\n")
    return html.unescape("".join(out))


def words(text: str) -> str:
    """Text with every run of white space as one space, for comparing what is shown."""
    return " ".join(text.split())
