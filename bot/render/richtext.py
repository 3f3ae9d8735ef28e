"""Paragraphs and list items as Slack ``rich_text`` blocks, cut to size without losing a character.

Why rich text: its ``text`` elements are shown literally (no ``*bold*``, no ``<!channel>``, no
entities to escape), links are their own ``link`` elements, and lists are real lists. mrkdwn has
no way to show a ``*`` or ``_`` of the official text as itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from bot.render.inline import Span
from bot.render.markup import Block

_SEPARATORS = ("\n\n", "\n", ". ", " ")


def rich_text_blocks(blocks: Sequence[Block], limit: int) -> list[dict[str, Any]]:
    """``rich_text`` blocks of at most ``limit`` shown characters each, in order."""
    pieces = [piece for block in blocks for piece in _cut(block, limit)]
    chunks: list[list[Block]] = []
    size = limit + 1
    for piece in pieces:
        grows = len(piece.text) + (0 if piece.continued else 2)
        if size + grows > limit:
            chunks.append([replace(piece, continued=False)] if piece.continued else [piece])
            size = len(piece.text)
        else:
            chunks[-1].append(piece)
            size += grows
    return [{"type": "rich_text", "elements": _elements(chunk)} for chunk in chunks]


def rich_text(spans: Sequence[Span]) -> dict[str, Any]:
    """One rich text block holding one line of spans."""
    return {"type": "rich_text", "elements": [_section(spans)]}


def shown_length(block: dict[str, Any]) -> int:
    """The characters a rich text block shows (its texts and links' texts)."""
    total = 0
    for element in block.get("elements", ()):
        for part in element.get("elements", ()):
            if part.get("type") == "rich_text_section":
                total += sum(len(p.get("text", "")) for p in part["elements"])
            else:
                total += len(part.get("text", ""))
    return total


def _cut(block: Block, limit: int) -> list[Block]:
    """A block longer than ``limit`` as consecutive pieces; the first keeps its bullet."""
    pieces: list[Block] = []
    spans = list(block.spans)
    while sum(len(s.text) for s in spans) > limit:
        at = _cut_point(spans, limit)
        head, spans = _split(spans, at)
        pieces.append(replace(block, spans=tuple(head), continued=bool(pieces) or block.continued))
    pieces.append(replace(block, spans=tuple(spans), continued=bool(pieces) or block.continued))
    # What follows a cut list item is shown as the item's text continued, not as a new item.
    return [pieces[0], *(replace(p, depth=-1, continued=True) for p in pieces[1:])]


def _cut_point(spans: list[Span], limit: int) -> int:
    """Where to cut: the most natural boundary in the first ``limit`` characters, never in a
    link (a link is shown whole)."""
    text = "".join(s.text for s in spans)
    window = list(text[:limit])
    links: list[tuple[int, int]] = []
    start = 0
    for span in spans:
        end = start + len(span.text)
        if span.url:
            links.append((start, end))
            for k in range(start + 1, min(end, limit)):
                window[k - 1] = "\0"  # no boundary inside a link
        start = end
    masked = "".join(window)
    for minimum in (limit // 2, 1):
        for separator in _SEPARATORS:
            pos = masked.rfind(separator)
            if pos >= minimum:
                return pos + len(separator)
    for first, last in links:
        if first < limit < last:
            return first if first else last
    return limit


def _split(spans: list[Span], at: int) -> tuple[list[Span], list[Span]]:
    head: list[Span] = []
    rest: list[Span] = []
    start = 0
    for span in spans:
        end = start + len(span.text)
        if end <= at:
            head.append(span)
        elif start >= at:
            rest.append(span)
        else:
            cut = at - start
            head.append(replace(span, text=span.text[:cut]))
            rest.append(replace(span, text=span.text[cut:]))
        start = end
    return head, rest


def _elements(chunk: list[Block]) -> list[dict[str, Any]]:
    """Paragraphs run together in one section (blank lines between); items make lists."""
    elements: list[dict[str, Any]] = []
    paragraph: list[Span] = []
    items: list[Block] = []

    def close_paragraph() -> None:
        if paragraph:
            elements.append(_section(paragraph))
            paragraph.clear()

    def close_list() -> None:
        if items:
            elements.append(_list(items))
            items.clear()

    for block in chunk:
        if block.is_item:
            close_paragraph()
            if items and (items[-1].depth, items[-1].ordered) != (block.depth, block.ordered):
                close_list()
            items.append(block)
        else:
            close_list()
            if paragraph and not block.continued:
                paragraph.append(Span("\n\n"))
            paragraph.extend(block.spans)
    close_paragraph()
    close_list()
    return elements


def _list(items: list[Block]) -> dict[str, Any]:
    first = items[0]
    element: dict[str, Any] = {
        "type": "rich_text_list",
        "style": "ordered" if first.ordered else "bullet",
        "elements": [_section(item.spans) for item in items],
    }
    if first.depth:
        element["indent"] = min(first.depth, 8)
    if first.ordered and first.number != 1:
        element["offset"] = first.number - 1
    return element


def _section(spans: Sequence[Span]) -> dict[str, Any]:
    parts: list[dict[str, Any]] = []
    for span in _merged(spans):
        part: dict[str, Any] = (
            {"type": "link", "url": span.url, "text": span.text}
            if span.url
            else {"type": "text", "text": span.text}
        )
        style = {
            name: True
            for name in ("bold", "italic", "strike", "code")
            if getattr(span, name) and not (name == "code" and span.url)
        }
        if style:
            part["style"] = style
        parts.append(part)
    return {"type": "rich_text_section", "elements": parts}


def _merged(spans: Sequence[Span]) -> list[Span]:
    out: list[Span] = []
    for span in spans:
        if not span.text:
            continue
        last = out[-1] if out else None
        if last and not last.url and not span.url and _style(last) == _style(span):
            out[-1] = replace(last, text=last.text + span.text)
        else:
            out.append(span)
    return out


def _style(span: Span) -> tuple[bool, bool, bool, bool]:
    return span.bold, span.italic, span.strike, span.code
