"""Finding your way in the loaded documents: help, the list of documents, one document's
questions page by page, and "Which Q14?" when a number is in several documents."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from bot.content.models import Catalogue, Document, Entry
from bot.render.blocks import (
    SECTION_LIMIT,
    SUGGEST_ACTION_PREFIX,
    Message,
    button_label,
    citation,
    escape,
    long_date,
    mrkdwn,
    mrkdwn_section,
    notice_block,
    split_text,
)

MORE_ACTION = "qa_more"
QUESTIONS_PER_PAGE = 25
DOCUMENTS_PER_PAGE = 15
# Slack's limit is 25 buttons in an actions block; a number in more documents than this is
# answered with the first ones and the rest named in text.
_MAX_CHOICES = 25
T = TypeVar("T")


def help_message(command: str, catalogue: Catalogue) -> Message:
    """How to ask, with examples taken from what is loaded, and which documents are loaded."""
    documents = catalogue.documents
    first = documents[0]
    example = example_question(first.entries)
    number = first.entries[min(len(first.entries), 14) - 1].number
    several = len(documents) > 1
    lines = [
        f"*Ask for the official answer:* `{command} {escape(example)}`",
        f"`{command} {number}` or `{command} Q{number}` shows question {number}"
        + (f"; `{command} {first.short} {number}` picks the document." if several else "."),
        f"`{command} list` lists "
        + ("the documents" if several else "every question")
        + (f", `{command} list {first.short}` one document's questions." if several else ".")
        + f" `{command} help` shows this.",
        "Mention me in a channel to get the answer in a thread, or send me a direct message.",
        "Answers are quoted verbatim from the official documents, with their citation. When no "
        "question answers yours, I say so instead of guessing.",
    ]
    loaded = ["*Loaded:*"] + [_document_line(d, several) for d in documents[:DOCUMENTS_PER_PAGE]]
    if len(documents) > DOCUMENTS_PER_PAGE:
        loaded.append(f"…and {len(documents) - DOCUMENTS_PER_PAGE} more: `{command} list`")
    return {
        "text": f"Ask with {command} QUESTION; {command} list shows what is loaded.",
        "blocks": [
            mrkdwn_section("\n".join(lines)),
            *[mrkdwn_section(chunk) for chunk in split_text("\n".join(loaded), SECTION_LIMIT)],
        ],
    }


def index_message(catalogue: Catalogue, command: str, intro: str | None = None) -> Message:
    """What ``list`` shows: the one document's questions, or the documents when several."""
    if len(catalogue.documents) == 1:
        return list_message(catalogue.documents[0], command, intro=intro)
    return documents_message(catalogue, command, intro=intro)


def documents_message(
    catalogue: Catalogue, command: str, page: int = 0, intro: str | None = None
) -> Message:
    """The loaded documents, a page at a time, each with what to type to list its questions."""
    documents = catalogue.documents
    shown, more = _page(documents, page, DOCUMENTS_PER_PAGE)
    blocks: list[dict[str, Any]] = []
    if intro:
        blocks.append(mrkdwn_section(escape(intro)))
    pages = f" {_pages(page, more)}" if page or more else ""
    blocks.append(mrkdwn_section(f"*{len(documents)} documents loaded.*{pages}"))
    for document in shown:
        blocks.append(mrkdwn_section(_document_line(document, True)))
        blocks += [notice_block(n) for n in _notices(document)]
    blocks.append(
        {
            "type": "context",
            "elements": [mrkdwn(f"`{command} list NAME` lists a document's questions.")],
        }
    )
    if more:
        blocks.append(_more_button(f"docs:{page + 1}"))
    text = "\n".join(f"{d.short}: {d.title} ({len(d.entries)} questions)" for d in shown)
    return {"text": escape(text), "blocks": blocks}


def list_message(
    document: Document, command: str, page: int = 0, intro: str | None = None
) -> Message:
    """One document's questions by number, a page at a time, with its citation and notices."""
    shown, more = _page(document.entries, page, QUESTIONS_PER_PAGE)
    blocks: list[dict[str, Any]] = []
    if intro:
        blocks.append(mrkdwn_section(escape(intro)))
    lines = [f"*{e.label}* {escape(e.question)}" for e in shown]
    blocks += [mrkdwn_section(chunk) for chunk in split_text("\n".join(lines), SECTION_LIMIT)]
    blocks += [notice_block(n) for n in _notices(document)]
    footer = _document_line(document, False)
    if page or more:
        footer += f" {_pages(page, more)}"
    blocks.append({"type": "context", "elements": [mrkdwn(footer)]})
    if more:
        blocks.append(_more_button(f"list:{document.short}:{page + 1}"))
    text = "\n".join(f"{e.label}: {e.question}" for e in shown)
    return {"text": escape(text), "blocks": blocks}


def which_message(number: int, entries: Sequence[Entry], documents: Sequence[Document]) -> Message:
    """A number several documents have: one button per document, each posting that answer."""
    choices = list(entries)[:_MAX_CHOICES]
    names = {e.id: d for d in documents for e in d.entries}
    lines = [
        f"*{escape(entry.label)}* {escape(entry.question)} ({escape(names[entry.id].title)})"
        for entry in choices
    ]
    buttons = [
        {
            "type": "button",
            "action_id": f"{SUGGEST_ACTION_PREFIX}_{i}",
            "value": entry.id,
            "text": {"type": "plain_text", "text": button_label(entry), "emoji": False},
        }
        for i, entry in enumerate(choices)
    ]
    blocks: list[dict[str, Any]] = [
        mrkdwn_section(f"*Which Q{number}?* {len(entries)} loaded documents have a Q{number}."),
        *[mrkdwn_section(chunk) for chunk in split_text("\n".join(lines), SECTION_LIMIT)],
        {"type": "actions", "block_id": "qa_which", "elements": buttons},
    ]
    text = f"Which Q{number}? " + "; ".join(e.label for e in choices)
    return {"text": escape(text), "blocks": blocks}


def no_number_message(number: int, documents: Sequence[Document], command: str) -> Message:
    """A number no loaded document (or not the one named) has: what numbers there are."""
    ranges = "; ".join(
        f"{escape(d.short)} has Q{min(e.number for e in d.entries)} to "
        f"Q{max(e.number for e in d.entries)}"
        for d in documents[:DOCUMENTS_PER_PAGE]
    )
    more = (
        f" (and {len(documents) - DOCUMENTS_PER_PAGE} more documents)"
        if len(documents) > DOCUMENTS_PER_PAGE
        else ""
    )
    text = f"There is no Q{number}: {ranges}{more}."
    return {
        "text": text,
        "blocks": [
            mrkdwn_section(text),
            {"type": "context", "elements": [mrkdwn(f"`{command} list` shows every question.")]},
        ],
    }


def page_value(value: str) -> tuple[str | None, int] | None:
    """A "More" button's value: the document to list (None for the documents) and the page."""
    kind, _, rest = value.partition(":")
    short, _, page = rest.rpartition(":") if kind == "list" else ("", "", rest)
    if kind not in ("docs", "list") or not page.isdigit() or (kind == "list" and not short):
        return None
    return (short if kind == "list" else None), int(page)


def _document_line(document: Document, named: bool) -> str:
    sources = document.sources
    first, last = document.released
    when = long_date(first) if first == last else f"{long_date(first)} to {long_date(last)}"
    if len(sources) == 1:
        line = citation(sources[0])
    else:
        issuers = sorted({s.issuer for s in sources})
        by = escape(issuers[0]) if len(issuers) == 1 else f"{len(issuers)} issuers"
        line = f"{by} · “{escape(document.title)}” · Released {when}"
    count = f"{len(document.entries)} question" + ("s" if len(document.entries) != 1 else "")
    return (f"*{escape(document.short)}* · " if named else "") + f"{line} · {count}"


def _notices(document: Document) -> list[str]:
    return list(dict.fromkeys(s.notice for s in document.sources if s.notice))


def example_question(entries: Sequence[Entry]) -> str:
    """How someone might ask, taken from the entries: for help texts and search boxes."""
    # A phrasing is how people ask: the shortest that reads as a whole question. Without
    # phrasings, the shortest official question.
    asked = [p for e in entries for p in e.phrasings if p.endswith("?") and len(p.split()) >= 4]
    if asked:
        return min(asked, key=len)
    return min((e.question for e in entries), key=len)


def _page(items: Sequence[T], page: int, size: int) -> tuple[Sequence[T], bool]:
    start = max(page, 0) * size
    return items[start : start + size], len(items) > start + size


def _pages(page: int, more: bool) -> str:
    return f"(page {page + 1}{'' if more else ', the last'})"


def _more_button(value: str) -> dict[str, Any]:
    return {
        "type": "actions",
        "block_id": "qa_more",
        "elements": [
            {
                "type": "button",
                "action_id": MORE_ACTION,
                "value": value,
                "text": {"type": "plain_text", "text": "More", "emoji": False},
            }
        ],
    }
