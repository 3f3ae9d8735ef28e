"""A release in its plain-text form: a title, date lines, then numbered questions and answers.

Questions are ``Q1:``, ``Q1.`` (as dhs.gov publishes) or ``Question 1``; answers ``A1:``,
``A1.`` or ``Answer 1``. Page furniture (document-number footers, page numbers, the topic list)
is dropped by rule, and a sentence that a page broke across blank lines is joined again.
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

# "AILA Doc. No. 17022130. (Posted 2/21/17)" and its misspelt twin "AIILA Doc. No. ...":
# a publisher's document-number footer, not part of any answer.
_FOOTER = re.compile(
    r"[A-Z][A-Za-z]{1,10}\s+Doc\.\s*No\.\s*[\d-]+\.?\s*(\(Posted\s+[\d/.-]+\)\.?)?"
    # "Page 3 of 7", "Page 3", "- 3 -": a page number on a line of its own.
    r"|Page\s+\d+(\s+of\s+\d+)?|-\s*\d+\s*-",
    re.I,
)
_SENTENCE_END = (".", "?", "!", ":", '"', "\u201d", ")")


def read(path: Path, base_url: str | None = None) -> Imported:
    """Read a release's text file; ContentError with ``file:line`` problems if malformed."""
    return parse(read_text(path), str(path))


def parse(text: str, name: str = "<text>") -> Imported:
    problems = Problems()
    lines = text.splitlines()
    header, body_start = _header(lines, name, problems)
    pairs = Pairs(name, problems)
    for line, para in _paragraphs(lines, body_start):
        dated = date_line(para)
        if dated and dated[0] == "updated" and (day := parse_date(dated[1])):
            header.updated = day  # an update noted among the answers, or in the page's trailer
            if not TRAILER.match(para):
                continue
        if TRAILER.match(para):
            break
        if marker := question_marker(para):
            style, number, rest = marker
            if pairs.style in (None, style):
                pairs.style = style
                pairs.question(number, rest.strip(), line)
                continue
        if answer := answer_marker(para):
            pairs.answer(answer[0], answer[1].strip(), line)
            continue
        pairs.extend(para, _continue)
    header.entries = pairs.finish("'Q1:' / 'A1:', 'Q1.' / 'A1.' or 'Question 1' / 'Answer 1'")
    problems.raise_if_any()
    return header


def _header(lines: list[str], name: str, problems: Problems) -> tuple[Imported, int]:
    """What comes before the first question: title, release and update dates, the office.

    Returns the header and the index of the first line of the questions. Date lines are read
    line by line, since a release may run them into the office's name without a blank line.
    """
    header = Imported(name=name, format="text", entries=[])
    first = next((i for i, raw in enumerate(lines) if question_marker(raw.strip())), len(lines))
    title_candidates: list[str] = []
    paragraph: list[str] = []
    for number, raw in enumerate(lines[:first], start=1):
        line = raw.strip()
        dated = date_line(line)
        if dated is not None:
            when, value = dated
            day = parse_date(value)
            if day is None:
                problems.add(name, number, f"cannot read the {_WORDS[when]} date {value!r}")
            elif header.released and when == "updated" and day < header.released:
                problems.add(name, number, f"updated {day} is before released {header.released}")
            if when == "released":
                header.released = day
                if paragraph:
                    title_candidates.append(" ".join(paragraph))
                header.title = header.title or _title(title_candidates)
            else:
                header.updated = day
            paragraph = []
            continue
        if NOT_AN_ISSUER.fullmatch(line):
            header.issuer_named = (line,)
            continue
        if (answer := answer_marker(line)) and answer[0] is not None:
            problems.add(
                name, number, f"A{answer[0]} before any question: an answer follows its question"
            )
        if not line:
            if paragraph:
                title_candidates.append(" ".join(paragraph))
            paragraph = []
        elif not _FOOTER.fullmatch(line):
            paragraph.append(line)
    return header, first


_WORDS = {"released": "release", "updated": "update"}


def _title(candidates: list[str]) -> str | None:
    """The paragraph just above the release date: the title, past share links and footers."""
    for para in reversed(candidates):
        if not para.startswith("["):
            return para
    return None


def _paragraphs(lines: list[str], start: int) -> list[tuple[int, str]]:
    """Blank-line separated paragraphs from ``start`` on, each with its 1-based first line.

    Footer lines are dropped first, so a footer inside a paragraph does not split its words.
    """
    result: list[tuple[int, str]] = []
    buffer: list[str] = []
    first = 0
    for number, raw in enumerate(lines[start:], start=start + 1):
        stripped = raw.strip()
        if stripped and _FOOTER.fullmatch(stripped):
            continue
        if stripped:
            if not buffer:
                first = number
            buffer.append(stripped)
        elif buffer:
            result.append((first, " ".join(buffer)))
            buffer = []
    if buffer:
        result.append((first, " ".join(buffer)))
    return result


def _continue(text: str, para: str) -> str:
    """Append a paragraph: a sentence the page broke is rejoined, a real paragraph is kept."""
    if not text.endswith(_SENTENCE_END) or para[:1].islower():
        return f"{text} {para}"
    return f"{text}\n\n{para}"
