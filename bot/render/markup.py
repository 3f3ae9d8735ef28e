"""Official answers as written (plain text, Markdown or HTML) read into paragraphs and list items.

The words are never changed: markup is read only when an answer plainly uses it, and whatever is
not markup (a stray ``*``, a ``<`` in a sentence) stays a literal character. ``kind`` decides:

- ``html`` when a block-level tag (``<p>``, ``<ul>``, ``<li>``...) is present: read as HTML;
- ``markdown`` when there is a Markdown link to a web or mail address, a known inline HTML tag,
  ``**strong**`` text, an autolink, or a list (two items in a row: the same bullet twice, or
  numbers counting up by one);
- ``plain`` otherwise: the text exactly as written, one paragraph, paragraph breaks kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise
from typing import Literal

from bot.render import inline
from bot.render.inline import Span

Kind = Literal["plain", "markdown", "html"]

_HTML_BLOCK = re.compile(r"</?(?:p|ul|ol|li|div|h[1-6]|table|tr|blockquote)\b[^<>]*>", re.I)
_MARKDOWN_LINK = re.compile(r"\]\(\s*<?(?:https?://|mailto:)", re.I)
_INLINE_HTML = re.compile(r"<a\s[^<>]*href\s*=|</?(?:strong|b|em|i|br)\s*/?>", re.I)
_STRONG = re.compile(r"(\*\*|__)(?=\S)(?:(?!\1).)+?(?<=\S)\1")
_AUTOLINK = re.compile(r"<(?:https?://|mailto:)[^\s<>]+>", re.I)
_ITEM = re.compile(r"^( {0,12})([-*+]|\d{1,9}[.)])(?:([ \t]+)(.*))?$")
_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")


@dataclass(frozen=True, slots=True)
class Block:
    """A paragraph (``depth`` -1) or a list item at ``depth`` 0, 1, ... with its number."""

    spans: tuple[Span, ...]
    depth: int = -1
    ordered: bool = False
    number: int = 1
    # A paragraph continuing the one before it (a long one cut in two): joined without a break.
    continued: bool = False

    @property
    def text(self) -> str:
        return "".join(span.text for span in self.spans)

    @property
    def is_item(self) -> bool:
        return self.depth >= 0


def kind(text: str) -> Kind:
    """How an answer is written; when in doubt, plain."""
    if _HTML_BLOCK.search(text):
        return "html"
    signals = (
        _MARKDOWN_LINK.search(text),
        _INLINE_HTML.search(text),
        _STRONG.search(text),
        _AUTOLINK.search(text),
    )
    if any(signals) or _has_list(text):
        return "markdown"
    return "plain"


def _has_list(text: str) -> bool:
    """Two list items in a row: the same bullet twice, or numbers counting up by one."""
    markers = [found[1] for line in text.split("\n") if (found := _list_item(line, None))]
    for first, second in pairwise(markers):
        if first == second and not first[0].isdigit():
            return True
        if first[0].isdigit() and second[0].isdigit() and int(second[:-1]) == int(first[:-1]) + 1:
            return True
    return False


def parse(text: str) -> tuple[Block, ...]:
    """The answer's paragraphs and list items, with links and emphasis read from its markup."""
    written = kind(text)
    if written == "html":
        from bot.render.htmlmarkup import parse_html

        return parse_html(text)
    if written == "markdown":
        return _markdown(text)
    return (Block(inline.linkify(text)),) if text else ()


def plain(blocks: tuple[Block, ...]) -> str:
    """The visible text: paragraphs apart, items on their own lines, links as ``text (url)``."""
    out: list[str] = []
    previous: Block | None = None
    for block in blocks:
        text = "".join(_plain_span(span) for span in block.spans)
        if block.is_item:
            marker = f"{block.number}." if block.ordered else "•"
            text = "  " * block.depth + f"{marker} {text}"
        if previous is not None and not block.continued:
            out.append("\n" if block.is_item and previous.is_item else "\n\n")
        out.append(text)
        previous = block
    return "".join(out)


def first_words(blocks: tuple[Block, ...], count: int) -> str:
    """Up to ``count`` words from the start of the answer's first line, as shown."""
    for block in blocks:
        words = block.text.strip().split("\n")[0].split()
        if words:
            return " ".join(words[:count])
    return ""


def _plain_span(span: Span) -> str:
    if span.url and span.text != span.url and span.url != f"mailto:{span.text}":
        return f"{span.text} ({span.url})"
    return span.text


# -- Markdown, the subset official answers use: paragraphs, lists, headings ------------------


@dataclass
class _Level:
    marker_indent: int
    content_col: int
    ordered: bool
    number: int


@dataclass
class _Item:
    depth: int
    ordered: bool
    number: int
    paragraphs: list[list[str]]


def _markdown(text: str) -> tuple[Block, ...]:
    blocks: list[Block] = []
    levels: list[_Level] = []
    para: list[str] = []
    item: _Item | None = None
    blank = False

    def flush() -> None:
        nonlocal item
        if para:
            _add(blocks, Block(inline.parse("\n".join(para))))
            para.clear()
        if item is not None:
            spans: list[Span] = []
            for lines in item.paragraphs:
                if spans:
                    spans.append(Span("\n"))
                spans += inline.parse("\n".join(lines))
            _add(blocks, Block(tuple(spans), item.depth, item.ordered, item.number))
            item = None

    for line in text.split("\n"):
        if not line.strip():
            if para:
                flush()
            blank = True
            continue
        found = _list_item(line, None if item is not None or blank or not para else "interrupt")
        heading = _HEADING.match(line)
        if found is not None:
            flush()
            indent, marker, content_col, content = found
            depth = _nest(levels, indent)
            ordered = marker[0].isdigit()
            if depth < len(levels) and levels[depth].ordered == ordered:
                number = levels[depth].number + 1
            else:
                number = int(marker[:-1]) if ordered else 1
            del levels[depth:]
            levels.append(_Level(indent, content_col, ordered, number))
            item = _Item(depth, ordered, number, [[content]])
        elif heading is not None and item is None:
            flush()
            levels.clear()
            spans = inline.parse(heading.group(2))
            _add(blocks, Block(tuple(inline.bolder(spans))))
        elif item is not None and not blank:
            item.paragraphs[-1].append(line)  # a lazy continuation line
        elif item is not None and levels and _indent(line) >= levels[-1].content_col:
            item.paragraphs.append([line])  # a further paragraph of the item
        else:
            if item is not None:
                flush()
                levels.clear()
            para.append(line)
        blank = False
    flush()
    return tuple(blocks)


def _list_item(line: str, interrupting: str | None) -> tuple[int, str, int, str] | None:
    """A list item line: indent, marker, where its content starts, and its content."""
    m = _ITEM.match(line)
    if m is None or (m.group(3) is None and m.group(2) in "-*+"):
        return None
    indent, marker = len(m.group(1)), m.group(2)
    content = (m.group(4) or "").strip()
    if not content:
        return None
    # A paragraph is interrupted only by a bullet or by "1." (CommonMark): "2017. The" wrapped
    # onto its own line stays text.
    if interrupting and marker[0].isdigit() and marker[:-1] != "1":
        return None
    spaces = len((m.group(3) or " ").expandtabs(4))
    content_col = indent + len(marker) + (spaces if spaces <= 4 else 1)
    return indent, marker, content_col, content


def _nest(levels: list[_Level], indent: int) -> int:
    """The depth of an item at ``indent``: a child, a sibling, or back out to a parent level."""
    depth = len(levels)
    while depth:
        top = levels[depth - 1]
        if indent >= top.content_col:
            break
        depth -= 1
        if indent >= top.marker_indent:
            break
    return depth


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _add(blocks: list[Block], block: Block) -> None:
    if block.text.strip():
        blocks.append(block)
