"""Answers written in HTML: paragraphs, lists, links and emphasis, read with the standard parser.

Text is shown as a browser shows it: runs of white space are one space, ``<br>`` is a line
break, entities are their characters. Markdown signs inside HTML are literal, as in a browser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from html.parser import HTMLParser

from bot.render.inline import TAG_STYLE, Span, linkable
from bot.render.markup import Block

_BREAKING = frozenset(
    "p div h1 h2 h3 h4 h5 h6 blockquote table thead tbody tr section article header "
    "footer dl dt dd pre figure".split()
)
_HEADINGS = frozenset("h1 h2 h3 h4 h5 h6".split())
_SKIPPED = frozenset(("script", "style", "template"))
_SPACE = re.compile(r"[ \t\n\r\f]+")


def parse_html(text: str) -> tuple[Block, ...]:
    reader = _Reader()
    reader.feed(text)
    reader.close()
    reader.flush()
    return tuple(reader.blocks)


@dataclass
class _List:
    ordered: bool
    number: int


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self.spans: list[Span] = []
        self.styles = {"bold": 0, "italic": 0, "strike": 0, "code": 0}
        self.lists: list[_List] = []
        self.item: tuple[int, bool, int] | None = None
        self.link: tuple[str, list[Span]] | None = None
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            self.skipping += 1
        elif tag in _BREAKING:
            self.flush()
            if tag in _HEADINGS:
                self.styles["bold"] += 1
        elif tag in ("ul", "ol"):
            self.flush()
            start = dict(attrs).get("start") or "1"
            number = int(start) - 1 if tag == "ol" and start.isdigit() else 0
            self.lists.append(_List(tag == "ol", number))
        elif tag == "li":
            self.flush()
            level = self.lists[-1] if self.lists else _List(False, 0)
            level.number += 1
            self.item = (max(len(self.lists) - 1, 0), level.ordered, level.number)
        elif tag == "br":
            self._add("\n", raw=True)
        elif tag in TAG_STYLE:
            self.styles[TAG_STYLE[tag]] += 1
        elif tag == "a":
            href = (dict(attrs).get("href") or "").strip()
            self.link = (href, [])

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self._add("\n", raw=True)
        else:
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self.skipping = max(self.skipping - 1, 0)
        elif tag in _BREAKING:
            self.flush()
            if tag in _HEADINGS:
                self.styles["bold"] = max(self.styles["bold"] - 1, 0)
        elif tag in ("ul", "ol"):
            self.flush()
            if self.lists:
                self.lists.pop()
        elif tag == "li":
            self.flush()
        elif tag in TAG_STYLE:
            self.styles[TAG_STYLE[tag]] = max(self.styles[TAG_STYLE[tag]] - 1, 0)
        elif tag == "a" and self.link is not None:
            url, spans = self.link
            self.link = None
            text = _SPACE.sub(" ", "".join(s.text for s in spans))
            if linkable(url) and text.strip():
                self._append(Span(text, url=url, bold=all(s.bold for s in spans)))
            else:
                for span in spans:
                    self._append(span)

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self._add(_SPACE.sub(" ", data))

    def _add(self, text: str, raw: bool = False) -> None:
        span = Span(
            text,
            bold=self.styles["bold"] > 0,
            italic=self.styles["italic"] > 0,
            strike=self.styles["strike"] > 0,
            code=self.styles["code"] > 0,
        )
        if self.link is not None and not raw:
            self.link[1].append(span)
        else:
            self._append(span)

    def _append(self, span: Span) -> None:
        # White space collapses across tags: no space after a space or a line break.
        before = self.spans[-1].text[-1:] if self.spans else "\n"
        text = span.text
        if before in (" ", "\n") and text.startswith(" "):
            text = text[1:]
        if text.startswith("\n") and before == " ":
            self.spans[-1] = replace(self.spans[-1], text=self.spans[-1].text[:-1])
        if text:
            self.spans.append(replace(span, text=text))

    def flush(self) -> None:
        spans = [s for s in self.spans if s.text]
        self.spans = []
        while spans and not spans[-1].text.strip(" \n"):
            spans.pop()
        if spans:
            spans[-1] = replace(spans[-1], text=spans[-1].text.rstrip(" \n"))
            while spans and not spans[0].text.strip(" \n"):
                spans.pop(0)
            spans[0] = replace(spans[0], text=spans[0].text.lstrip(" \n"))
        if spans:
            depth, ordered, number = self.item if self.item else (-1, False, 1)
            self.blocks.append(Block(tuple(spans), depth, ordered, number))
        self.item = None
