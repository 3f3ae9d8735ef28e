"""A saved web page laid out as blocks, the way a browser would show its text.

The stdlib parser is enough: pages of numbered questions are simple documents, and what the
importer needs is their text with its links, emphasis and lists. Entities are decoded and
whitespace collapsed where HTML collapses it (not inside ``<pre>``, not non-breaking spaces);
scripts, styles, navigation, forms and footers are left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from bot.content.importers.html_blocks import Block, Run

SKIPPED = {
    "script", "style", "noscript", "template", "nav", "footer", "aside", "form", "button",
    "select", "svg", "iframe", "object",
}  # fmt: skip
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}  # fmt: skip
BLOCKS = {
    "p", "div", "section", "article", "main", "header", "dl", "dt", "dd", "table", "tr", "td",
    "th", "figure", "figcaption", "address", "center", "details", "summary", "hr",
}  # fmt: skip
HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_COLLAPSIBLE = re.compile(r"[ \t\n\r\f]+")  # HTML's white space: not the non-breaking space


@dataclass
class Page:
    blocks: list[Block]
    title: str | None = None  # the <title>
    url: str | None = None  # its canonical address, when the page states one


def parse_page(text: str, base_url: str | None = None) -> Page:
    parser = _Parser(base_url)
    parser.feed(text)
    parser.close()
    parser.flush()
    title = " ".join("".join(parser.title).split()) or None
    return Page(parser.blocks, title, parser.canonical)


@dataclass
class _List:
    ordered: bool
    count: int = 0
    marker: str | None = None  # the open item's marker
    started: bool = False  # the open item has had text


class _Parser(HTMLParser):
    def __init__(self, base_url: str | None) -> None:
        super().__init__(convert_charrefs=True)
        self.base = base_url
        self.blocks: list[Block] = []
        self.block: Block | None = None
        self.title: list[str] = []
        self.canonical: str | None = None
        self.skip = 0
        self.in_title = False
        self.lists: list[_List] = []
        self.pending: tuple[str, int] | None = None  # heading or pre, until its end tag
        self.bold = self.italic = self.quote = 0
        self.links: list[str | None] = []

    # -- tags ----------------------------------------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {key: value or "" for key, value in attrs}
        if tag == "title":
            self.in_title = True
            return
        self._head_tag(tag, values)
        if self.skip or tag in SKIPPED:
            if tag in SKIPPED:
                self.skip += 1
            return
        if tag in ("ul", "ol"):
            self.flush()
            start = values.get("start", "1")
            first = int(start) - 1 if start.isdigit() else 0
            self.lists.append(_List(ordered=tag == "ol", count=first))
        elif tag == "li":
            self.flush()
            if not self.lists:
                self.lists.append(_List(ordered=False))
            current = self.lists[-1]
            current.count += 1
            current.marker = f"{current.count}. " if current.ordered else "- "
            current.started = False
        elif tag in HEADINGS or tag == "pre":
            self.flush()
            self.pending = ("pre", 0) if tag == "pre" else ("heading", HEADINGS[tag])
        elif tag == "blockquote":
            self.flush()
            self.quote += 1
        elif tag in BLOCKS:
            self.flush()
        elif tag == "br":
            self._text("\n", keep=True)
        elif tag in ("b", "strong"):
            self.bold += 1
        elif tag in ("i", "em"):
            self.italic += 1
        elif tag == "a":
            self.links.append(self._href(values.get("href", "")))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
            return
        if self.skip:
            if tag in SKIPPED:
                self.skip -= 1
            return
        if tag in ("ul", "ol"):
            self.flush()
            if self.lists:
                self.lists.pop()
        elif tag == "li":
            self.flush()
            if self.lists:
                self.lists[-1].marker = None
        elif tag in HEADINGS or tag == "pre":
            self.flush()
            self.pending = None
        elif tag == "blockquote":
            self.flush()
            self.quote = max(0, self.quote - 1)
        elif tag in BLOCKS:
            self.flush()
        elif tag in ("b", "strong"):
            self.bold = max(0, self.bold - 1)
        elif tag in ("i", "em"):
            self.italic = max(0, self.italic - 1)
        elif tag == "a" and self.links:
            self.links.pop()

    def _head_tag(self, tag: str, values: dict[str, str]) -> None:
        """The page's own address: ``<base>``, ``<link rel=canonical>``, ``og:url``."""
        if tag == "base" and values.get("href"):
            self.base = urljoin(self.base or "", values["href"])
        elif tag == "link" and "canonical" in values.get("rel", "").lower().split():
            self.canonical = self.canonical or _absolute(values.get("href", ""))
        elif tag == "meta" and values.get("property", "").lower() == "og:url":
            self.canonical = self.canonical or _absolute(values.get("content", ""))

    def _href(self, href: str) -> str | None:
        """A link's address made absolute where the page's address is known; None to drop it."""
        href = href.strip()
        if not href or href.lower().startswith("javascript:"):
            return None
        base = self.base or self.canonical
        if base:
            return urljoin(base, href)
        return None if href.startswith("#") else href

    # -- text ----------------------------------------------------------------------------------

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title.append(data)
        elif not self.skip:
            self._text(data)

    def _text(self, data: str, keep: bool = False) -> None:
        pre = self.pending is not None and self.pending[0] == "pre"
        text = data if keep or pre else _COLLAPSIBLE.sub(" ", data)
        if self.block is None:
            if not text.strip():
                return
            skipped = len(data) - len(data.lstrip())
            self._start(self.getpos()[0] + data[:skipped].count("\n"))
        assert self.block is not None
        runs = self.block.runs
        if not pre:
            if text == "\n":  # a line break: the space before it goes, as HTML lays it out
                if runs:
                    runs[-1].text = runs[-1].text.rstrip(" ")
            elif not runs or runs[-1].text.endswith((" ", "\n")):
                text = text.lstrip(" ")
        if not text:
            return
        run = Run(text, self.bold > 0, self.italic > 0, self.links[-1] if self.links else None)
        if runs and runs[-1].marks() == run.marks():
            runs[-1].text += text
        else:
            runs.append(run)

    def _start(self, line: int) -> None:
        kind, level = self.pending or ("para", 0)
        marker = indent = ""
        if self.lists and self.lists[-1].marker and kind == "para":
            current = self.lists[-1]
            kind = "more" if current.started else "item"
            current.started = True
            marker = current.marker or ""
            indent = "".join(" " * len(lst.marker or "") for lst in self.lists[:-1])
        self.block = Block(kind, line, level, marker, indent, self.quote)

    def flush(self) -> None:
        block, self.block = self.block, None
        if block is None:
            return
        if block.kind == "pre":
            text = block.text.removeprefix("\n").rstrip()
            block.runs = [Run(text)] if text else []
        else:
            _trim(block.runs)
        if block.runs:
            self.blocks.append(block)


def _trim(runs: list[Run]) -> None:
    """Drop the white space HTML does not show at the start and end of a block."""
    while runs and not runs[0].text.strip():
        runs.pop(0)
    while runs and not runs[-1].text.strip():
        runs.pop()
    if runs:
        runs[0].text = runs[0].text.lstrip()
        runs[-1].text = runs[-1].text.rstrip()


def _absolute(url: str) -> str | None:
    url = url.strip()
    return url if urlsplit(url).scheme in ("http", "https") and " " not in url else None
