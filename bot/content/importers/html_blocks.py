"""Blocks of a web page (headings, paragraphs, list items) and their text as Markdown.

A block holds runs of text, each with its marks (bold, italic, a link). Rendered, links become
``[text](address)``, emphasis ``*``/``**``, list items ``- `` or ``1. `` lines indented under
their parents, and blocks are a blank line apart except the items of one list.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import groupby


@dataclass
class Run:
    """Text with one set of marks."""

    text: str
    bold: bool = False
    italic: bool = False
    href: str | None = None

    def marks(self) -> tuple[bool, bool, str | None]:
        return self.bold, self.italic, self.href


@dataclass
class Block:
    """One block of the page: ``heading``, ``para``, ``item`` (a list item's first block),
    ``more`` (a list item's later blocks) or ``pre``."""

    kind: str
    line: int
    level: int = 0  # a heading's level
    marker: str = ""  # a list item's "- " or "3. "
    indent: str = ""  # the room the enclosing list items take
    quote: int = 0  # blockquote depth
    runs: list[Run] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(run.text for run in self.runs)

    def after(self, length: int) -> Block:
        """The block without its first ``length`` characters and the space after them."""
        runs: list[Run] = []
        left = length
        for run in self.runs:
            if left >= len(run.text):
                left -= len(run.text)
                continue
            text = run.text[left:]
            left = 0
            if not runs:
                text = text.lstrip()
            if text:
                runs.append(Run(text, run.bold, run.italic, run.href))
        return Block(self.kind, self.line, self.level, self.marker, self.indent, self.quote, runs)

    def markdown(self) -> str:
        body = f"```\n{self.text}\n```" if self.kind == "pre" else _inline(self.runs)
        if self.kind == "heading":
            body = f"{'#' * self.level} {body}"
        listed = self.kind in ("item", "more")
        lead = self.indent + " " * len(self.marker) if listed else ""
        first = self.indent + self.marker if self.kind == "item" else lead
        quote = "> " * self.quote
        lines = body.split("\n")
        return "\n".join(
            f"{quote}{first if i == 0 else lead}{line}" if line else quote.rstrip()
            for i, line in enumerate(lines)
        )


def join(blocks: list[Block]) -> str:
    """Blocks as Markdown: list items on consecutive lines, everything else a paragraph apart."""
    out: list[str] = []
    previous: Block | None = None
    for block in blocks:
        if previous is not None:
            listed = {block.kind, previous.kind} <= {"item", "more"}
            out.append("\n" if listed else "\n\n")
        out.append(block.markdown())
        previous = block
    return "".join(out)


def _inline(runs: list[Run]) -> str:
    out: list[str] = []
    for href, group in groupby(runs, key=lambda run: run.href):
        inner = "".join(_marked(run) for run in group)
        out.append(_wrap(inner, "[", f"]({href})") if href else inner)
    return "".join(out)


def _marked(run: Run) -> str:
    mark = "***" if run.bold and run.italic else "**" if run.bold else "*" if run.italic else ""
    return _wrap(run.text, mark, mark) if mark else run.text


def _wrap(text: str, before: str, after: str) -> str:
    """``before + text + after``, the marks inside the text's surrounding spaces."""
    core = text.strip()
    if not core:
        return text
    start = text.index(core)
    return f"{text[:start]}{before}{core}{after}{text[start + len(core) :]}"
