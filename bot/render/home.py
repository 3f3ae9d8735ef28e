"""The App Home tab and its modals: pure functions from content (and counts) to Block Kit views.

The Home tab shows everyone the loaded documents with their dates and notices, a search button
and the most asked questions; the maintainers also see the queue of kept questions, each with
"Add as phrasing of…" and "Dismiss". Slack allows 100 blocks in a view; every part here has
its own ceiling, and the queue gives way first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.content.learned import MAX_PHRASING_CHARS
from bot.content.models import Catalogue, Document, Entry
from bot.render.blocks import (
    SUGGEST_ACTION_PREFIX,
    Message,
    button_label,
    escape,
    long_date,
    mrkdwn,
    mrkdwn_section,
    notice_block,
)
from bot.render.browse import MORE_ACTION

SEARCH_ACTION = "qa_home_search"
SEARCH_CALLBACK = "qa_search"
SEARCH_BLOCK, SEARCH_INPUT = "qa_search_query", "query"
QUEUE_ADD_ACTION = "qa_queue_add"
QUEUE_DISMISS_ACTION = "qa_queue_dismiss"
PHRASING_CALLBACK = "qa_phrasing"
ENTRY_BLOCK, ENTRY_INPUT = "qa_phrasing_entry", "entry"
TEXT_BLOCK, TEXT_INPUT = "qa_phrasing_text", "text"

MAX_VIEW_BLOCKS = 100  # Slack's limit for a Home tab and for a modal
MAX_STATIC_OPTIONS = 100  # options in one static select, all groups together
MAX_QUERY_CHARS = 500
HOME_DOCUMENTS = 15
MOST_ASKED = 10
QUEUE_SHOWN = 15
_OPTION_LIMIT = 75  # an option's text, an option group's label
_SECTION_LIMIT = 3000


@dataclass(frozen=True)
class Asked:
    """An entry and how often it was answered in the period the Home tab counts."""

    entry: Entry
    count: int


@dataclass(frozen=True)
class Queued:
    """A group of kept questions as the queue shows it; ``key`` is its normalised form."""

    key: str
    text: str
    count: int
    last_at: dt.datetime


def home_view(
    catalogue: Catalogue,
    most_asked: Sequence[Asked],
    queue: Sequence[Queued] | None,
    command: str = "/qa",
    asked_days: int = 30,
) -> dict[str, Any]:
    """The Home tab; ``queue`` is None for anyone who is not a maintainer."""
    blocks: list[dict[str, Any]] = [
        _header("Official Q&A"),
        {
            "type": "section",
            "text": mrkdwn(
                "Answers quoted verbatim from the official documents, with their citation. "
                f"Search here (only you see the answer), or ask with `{command}` anywhere."
            ),
            "accessory": {
                "type": "button",
                "action_id": SEARCH_ACTION,
                "text": _plain("Search the answers"),
                "style": "primary",
            },
        },
        _header("Loaded documents"),
    ]
    for document in catalogue.documents[:HOME_DOCUMENTS]:
        blocks.extend(_document_blocks(document))
    if len(catalogue.documents) > HOME_DOCUMENTS:
        more = len(catalogue.documents) - HOME_DOCUMENTS
        blocks.append(_context(f"…and {more} more: `{command} list` names them all."))
    blocks.append(_header("Most asked"))
    if most_asked:
        lines = [
            f"{a.entry.label}: {escape(a.entry.question)} ({_times(a.count)})"
            for a in most_asked[:MOST_ASKED]
        ]
        blocks.append(mrkdwn_section(_fit("\n".join(lines), _SECTION_LIMIT)))
    else:
        blocks.append(_context(f"Nothing answered in the last {asked_days} days yet."))
    if queue is not None:
        blocks.extend(_queue_blocks(queue, MAX_VIEW_BLOCKS - len(blocks)))
    return {"type": "home", "blocks": blocks[:MAX_VIEW_BLOCKS]}


def _document_blocks(document: Document) -> list[dict[str, Any]]:
    first, last = document.released
    dates = long_date(first) if first == last else f"{long_date(first)} to {long_date(last)}"
    sources = document.sources
    updated = [s.updated for s in sources if s.updated]
    if updated:
        dates += f", updated {long_date(max(updated))}"
    issuers = ", ".join(dict.fromkeys(s.issuer for s in sources))
    text = (
        f"*{escape(document.title)}*\n{escape(issuers)}, released {dates}. "
        f"{len(document.entries)} questions (`{document.short}`)."
    )
    blocks = [mrkdwn_section(_fit(text, _SECTION_LIMIT))]
    for notice in dict.fromkeys(s.notice for s in sources if s.notice):
        blocks.append(notice_block(_fit(notice, _SECTION_LIMIT - 20)))
    return blocks[:3]


def _queue_blocks(queue: Sequence[Queued], room: int) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = [
        {"type": "divider"},
        _header("Questions waiting (maintainers)"),
    ]
    if not queue:
        blocks.append(_context("No kept question is waiting."))
        return blocks[:room]
    shown = list(queue[:QUEUE_SHOWN])
    # Two blocks a question; what does not fit is counted in a last line.
    fits = max(0, (room - len(blocks) - 1) // 2)
    for item in shown[:fits]:
        blocks.append(
            mrkdwn_section(
                _fit(
                    f"“{escape(item.text)}”\n{_times(item.count)}, "
                    f"last {long_date(item.last_at.date())}",
                    _SECTION_LIMIT,
                )
            )
        )
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "action_id": QUEUE_ADD_ACTION,
                        "text": _plain("Add as phrasing of…"),
                        "value": item.key,
                    },
                    {
                        "type": "button",
                        "action_id": QUEUE_DISMISS_ACTION,
                        "text": _plain("Dismiss"),
                        "value": item.key,
                    },
                ],
            }
        )
    hidden = len(queue) - min(len(shown), fits)
    if hidden > 0:
        blocks.append(_context(f"{hidden} more waiting; they show as these are handled."))
    return blocks[:room]


# Slack's longest placeholder.
_PLACEHOLDER_LIMIT = 150


def search_modal(example: str | None = None) -> dict[str, Any]:
    """The search box: one question, answered in the same modal; ``example`` shows how to ask."""
    hint = f"e.g. {example}" if example else "Ask in your own words"
    if len(hint) > _PLACEHOLDER_LIMIT:
        hint = "Ask in your own words"
    return {
        "type": "modal",
        "callback_id": SEARCH_CALLBACK,
        "title": _plain("Search the answers"),
        "submit": _plain("Search"),
        "close": _plain("Close"),
        "blocks": [
            {
                "type": "input",
                "block_id": SEARCH_BLOCK,
                "label": _plain("Your question"),
                "element": {
                    "type": "plain_text_input",
                    "action_id": SEARCH_INPUT,
                    "max_length": MAX_QUERY_CHARS,
                    "placeholder": _plain(hint),
                },
            },
            _context("Only you see the answer."),
        ],
    }


def searching_modal() -> dict[str, Any]:
    """What the modal shows while the question is being matched."""
    return _result_modal([mrkdwn_section("Searching…")])


def answer_modal(message: Message) -> dict[str, Any]:
    """A reply shown privately in the modal: its blocks, less the buttons that post or page.

    Those buttons answer in a channel or through a response_url, and a modal has neither; the
    suggestions stay as text, with their labels to search for.
    """
    blocks: list[dict[str, Any]] = []
    for block in message["blocks"]:
        accessory = block.get("accessory") or {}
        if _posts(accessory.get("action_id")):
            block = {k: v for k, v in block.items() if k != "accessory"}
        if block.get("type") == "actions":
            elements = [e for e in block["elements"] if not _posts(e.get("action_id"))]
            if not elements:
                continue
            block = {**block, "elements": elements}
        blocks.append(block)
    if len(blocks) > MAX_VIEW_BLOCKS:
        blocks = [*blocks[: MAX_VIEW_BLOCKS - 1], _context("The rest is cut; ask in Slack.")]
    return _result_modal(blocks)


def _posts(action_id: object) -> bool:
    return isinstance(action_id, str) and (
        action_id.startswith(SUGGEST_ACTION_PREFIX) or action_id == MORE_ACTION
    )


def _result_modal(blocks: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": SEARCH_CALLBACK,
        "title": _plain("Search the answers"),
        "close": _plain("Close"),
        "blocks": blocks,
    }


def phrasing_modal(item: Queued, catalogue: Catalogue) -> dict[str, Any]:
    """Pick the entry a queued question is a phrasing of; the text can be edited first."""
    if len(catalogue) <= MAX_STATIC_OPTIONS:
        groups = [
            {
                "label": _plain(_fit(f"{d.short}: {d.title}", _OPTION_LIMIT)),
                "options": [entry_option(e) for e in d.entries],
            }
            for d in catalogue.documents
        ]
        select: dict[str, Any] = {"type": "static_select", "action_id": ENTRY_INPUT}
        if len(groups) > 1:
            select["option_groups"] = groups
        else:
            select["options"] = groups[0]["options"]
    else:  # too many for one list: Slack asks the app, as the maintainer types
        select = {"type": "external_select", "action_id": ENTRY_INPUT, "min_query_length": 0}
    select["placeholder"] = _plain("Choose the question it asks")
    return {
        "type": "modal",
        "callback_id": PHRASING_CALLBACK,
        "private_metadata": item.key,
        "title": _plain("Add as phrasing"),
        "submit": _plain("Add"),
        "close": _plain("Cancel"),
        "blocks": [
            mrkdwn_section(_fit(f"Asked {_times(item.count)}: “{escape(item.text)}”", 3000)),
            {
                "type": "input",
                "block_id": ENTRY_BLOCK,
                "label": _plain("It asks the official question"),
                "element": select,
            },
            {
                "type": "input",
                "block_id": TEXT_BLOCK,
                "label": _plain("Phrasing to learn"),
                "element": {
                    "type": "plain_text_input",
                    "action_id": TEXT_INPUT,
                    "initial_value": item.text[:MAX_PHRASING_CHARS],
                    "max_length": MAX_PHRASING_CHARS,
                },
            },
            _context(
                "The phrasing helps the matcher find the entry. It is written to the learned "
                "file with your name and the time; the official text does not change."
            ),
        ],
    }


def entry_option(entry: Entry) -> dict[str, Any]:
    return {"text": _plain(button_label(entry)), "value": entry.id}


def entry_options(catalogue: Catalogue, typed: str) -> dict[str, Any]:
    """The external select's options for what was typed: up to 100, grouped by document."""
    words = typed.lower().split()
    left = MAX_STATIC_OPTIONS
    groups = []
    for document in catalogue.documents:
        found = []
        for entry in document.entries:
            seen = f"{entry.label} {entry.question}".lower()
            if all(word in seen for word in words) and left:
                found.append(entry_option(entry))
                left -= 1
        if found:
            groups.append({"label": _plain(_fit(document.title, _OPTION_LIMIT)), "options": found})
    return {"option_groups": groups}


def _times(count: int) -> str:
    return "once" if count == 1 else f"{count} times"


def _header(text: str) -> dict[str, Any]:
    return {"type": "header", "text": _plain(text)}


def _context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [mrkdwn(text)]}


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def _fit(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
