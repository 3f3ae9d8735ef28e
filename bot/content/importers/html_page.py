"""A saved web page of numbered questions and answers.

Questions are headings or paragraphs numbered ``Q1.``, ``Q1:``, ``Question 1`` or ``1.``; the
answer is what follows, up to the next question, a heading of the questions' rank or above, or
the page's trailer (its topics, its publishing stamp). Answers are kept as Markdown: the text as
the page shows it, with its links, emphasis and lists, paragraphs a blank line apart like every
other answer. The title comes from the page's ``<h1>`` (else ``<title>``), the dates from its
``Release Date:`` and ``UPDATED:`` lines, the address from its canonical link.
"""

from __future__ import annotations

import re
from pathlib import Path

from bot.content.importers.common import (
    NOT_AN_ISSUER,
    TRAILER,
    Imported,
    Pairs,
    Problems,
    answer_marker,
    date_line,
    parse_date,
    question_marker,
    read_text,
)
from bot.content.importers.html_blocks import Block, join
from bot.content.importers.html_layout import parse_page

# "1." or "1)" before a question; only trusted while the numbers run 1, 2, 3... in one kind
# of block, since answers have numbered paragraphs too.
_BARE_NUMBER = re.compile(r"(\d+)[.)]\s+(.*\S)", re.S)


def read(path: Path, base_url: str | None = None) -> Imported:
    return parse(read_text(path), str(path), base_url)


def parse(text: str, name: str = "<html>", base_url: str | None = None) -> Imported:
    page = parse_page(text, base_url)
    problems = Problems()
    pairs = Pairs(name, problems)
    imported = Imported(name=name, format="html", entries=[], url=page.url)
    reader = _Reader(pairs, problems, imported)
    for block in page.blocks:
        if not reader.take(block):
            break
    imported.title = reader.title or page.title
    reader.finish()
    imported.entries = pairs.finish("'Q1.', 'Q1:', 'Question 1' or '1.' headings or paragraphs")
    problems.raise_if_any()
    return imported


class _Reader:
    """Walks the blocks: header lines first, then questions and their answers."""

    def __init__(self, pairs: Pairs, problems: Problems, imported: Imported) -> None:
        self.pairs = pairs
        self.problems = problems
        self.imported = imported
        self.title: str | None = None
        self.kind: tuple[str, str, int] | None = None  # style, block kind, heading level
        self.state: str | None = None  # "question", "answer" or None (closed)
        self.answers: list[list[Block]] = []
        self._answer_started = False
        self.waiting_date: tuple[str, int] | None = None  # "Release Date:" without its value

    def take(self, block: Block) -> bool:
        """Read one block; False at the page's trailer, where reading stops."""
        plain = block.text.strip()
        if (question := self._question(block, plain)) is not None:
            number, rest = question
            self.pairs.question(number, rest, block.line)
            self.answers.append([])
            self.state = "answer" if rest else "question"
            self._answer_started = False
            return True
        if not self.pairs.entries:
            self._header(block, plain)
            return True
        if TRAILER.match(plain):
            return False
        if self.kind and block.kind == "heading" and self._ends_section(block):
            self.pairs.close()
            self.state = None
            return True
        if self.state == "question" and not answer_marker(plain):
            self.pairs.extend(plain, lambda before, more: f"{before} {more}")
            self.state = "answer"
            return True
        if self.state is None:
            return True
        if not self._answer_started:
            self._answer_started = True
            marked = answer_marker(plain)
            self.pairs.answer(marked[0] if marked else None, "", block.line)
            if marked:
                block = block.after(len(plain) - len(marked[1]))
                if not block.runs:
                    return True
        elif (marked := answer_marker(plain)) and marked[0] is not None:
            self.pairs.answer(marked[0], "", block.line)  # reported: one answer per question
        self.answers[-1].append(block)
        return True

    def _question(self, block: Block, plain: str) -> tuple[int, str] | None:
        if block.kind not in ("heading", "para"):
            return None
        found = question_marker(plain)
        if found:
            style, number, rest = found
        elif bare := _BARE_NUMBER.fullmatch(plain):
            style, number, rest = "number", int(bare[1]), bare[2]
            expected = self.pairs.entries[-1].number + 1 if self.pairs.entries else 1
            if number != expected:
                return None
        else:
            return None
        kind = (style, block.kind, block.level)
        if self.kind is None:
            self.kind = kind
        elif kind != self.kind:
            return None
        return number, rest.strip()

    def _ends_section(self, block: Block) -> bool:
        """A heading at the questions' rank or above (any heading, if they are paragraphs)."""
        assert self.kind is not None
        _, kind, level = self.kind
        return kind == "para" or block.level <= level

    def _header(self, block: Block, plain: str) -> None:
        """Before the first question: the title, the date lines, the office's name."""
        if block.kind == "heading" and block.level == 1:
            self.title = " ".join(plain.split())
        for line in (part.strip() for part in plain.split("\n")):
            if self.waiting_date is not None:
                when, at = self.waiting_date
                self.waiting_date = None
                self._date(when, line, at)
                continue
            if dated := date_line(line):
                when, value = dated
                if value.strip():
                    self._date(when, value, block.line)
                else:
                    self.waiting_date = (when, block.line)
            elif NOT_AN_ISSUER.fullmatch(line):
                self.imported.issuer_named = (line,)

    def _date(self, when: str, value: str, line: int) -> None:
        day = parse_date(value)
        if day is None:
            word = "release" if when == "released" else "update"
            self.problems.add(self.pairs.name, line, f"cannot read the {word} date {value!r}")
        elif when == "released":
            self.imported.released = day
        elif self.imported.released and day < self.imported.released:
            self.problems.add(
                self.pairs.name, line, f"updated {day} is before released {self.imported.released}"
            )
        else:
            self.imported.updated = day

    def finish(self) -> None:
        for entry, blocks in zip(self.pairs.entries, self.answers, strict=True):
            entry.answer = join(blocks)
