"""What every importer shares: the imported collection, reading a file, dates, ids, markers.

An importer reads one format and returns an ``Imported``: the official questions and answers,
verbatim, and whatever the document says about itself (title, dates, pages, issuer). What it
cannot know stays ``None``; ``output.py`` writes a placeholder for it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bot.content.loader import ContentError, Problem


@dataclass
class ImportedEntry:
    """One official question and answer, with the page and dates its source gives it."""

    number: int
    question: str
    answer: str
    line: int  # where it starts in the source file, for problems found later
    id: str = ""  # empty: ``q{number}``
    url: str | None = None
    released: dt.date | None = None
    updated: dt.date | None = None
    topics: tuple[str, ...] = ()


@dataclass
class Imported:
    """A release or collection as read from its file(s), before it becomes content YAML."""

    name: str  # the file or folder it was read from
    format: str
    entries: list[ImportedEntry]
    title: str | None = None
    issuer: str | None = None
    issuer_named: tuple[str, ...] = ()  # what the document calls its issuer, when not enough
    released: dt.date | None = None
    updated: dt.date | None = None
    url: str | None = None


@dataclass
class Problems:
    """Problems found while reading one source; ``raise_if_any`` ends the import."""

    items: list[Problem] = field(default_factory=list)

    def add(self, name: str, line: int, message: str) -> None:
        self.items.append(Problem(name, line, message))

    def raise_if_any(self) -> None:
        if self.items:
            raise ContentError(self.items)


def read_text(path: Path) -> str:
    """The file as text (UTF-8, a byte-order mark dropped); a problem at ``file:line`` if not."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ContentError([Problem(str(path), 0, "no such file or directory")]) from None
    except OSError as exc:
        raise ContentError([Problem(str(path), 0, f"cannot read: {exc.strerror}")]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ContentError([Problem(str(path), line, "not UTF-8 text")]) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


# -- dates -----------------------------------------------------------------------------------

_MONTH_DAY_YEAR = re.compile(r"([A-Za-z]{3,9})\.?\s+(\d{1,2}),?\s+(\d{4})")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_US_NUMERIC = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})")
# What may follow a date on a release's date line: a time of day ("2:00 p.m. EST"), or the
# time part of an ISO timestamp.
_TIME_AFTER = re.compile(r"(?:[\sT,]+(?:at\s+)?\d{1,2}(?::\d{2}){1,2}\b.*)?", re.I | re.S)
_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}


def parse_date(value: str) -> dt.date | None:
    """A date as releases write it, optionally followed by a time; None when it is not one.

    ``February 21, 2017``, ``Feb. 21, 2017``, ``2017-02-21``, ``2/21/2017`` and ``2/21/17``
    (month first, as US government pages write it).
    """
    text = value.strip()
    for pattern, order in ((_MONTH_DAY_YEAR, "mdy"), (_ISO, "ymd"), (_US_NUMERIC, "mdy")):
        found = pattern.match(text)
        if not found or not _TIME_AFTER.fullmatch(text, found.end()):
            continue
        parts = dict(zip(order, found.groups(), strict=True))
        month = _MONTHS.get(parts["m"].lower()) if pattern is _MONTH_DAY_YEAR else int(parts["m"])
        year = int(parts["y"]) + (2000 if len(parts["y"]) == 2 else 0)
        try:
            return dt.date(year, month or 0, int(parts["d"]))
        except ValueError:
            return None
    return None


# -- ids -------------------------------------------------------------------------------------


def slug(name: str, fallback: str = "source") -> str:
    """Lowercase letters, digits and single hyphens: a valid id made from a file name."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or fallback


def unique(wanted: str, taken: set[str]) -> str:
    """``wanted``, or ``wanted-2``, ``wanted-3``... whichever is not taken yet; then taken."""
    candidate, n = wanted, 1
    while candidate in taken:
        n += 1
        candidate = f"{wanted}-{n}"
    taken.add(candidate)
    return candidate


# -- the words around numbered questions and answers -----------------------------------------

# "Q1:", "Q1.", "q1)" and "Question 1" (with or without ":" or "."); the style is "q" or
# "question", so that a document written in one style does not take a sentence that happens to
# start the other way ("Question 3 of the form asks...") for a question.
QUESTION = re.compile(
    r"(?:(?P<q>Q) ?(?P<qn>\d+)\s*[:.)]|(?P<word>Question)\s+(?P<wn>\d+)\b\s*[:.]?)\s*(?P<body>.*)",
    re.I | re.S,
)
# "A1:", "A1.", "Answer 1", "Answer 1:", or "Answer:" for the question just asked.
ANSWER = re.compile(
    r"(?:A ?(?P<an>\d+)\s*[:.)]|Answer\s+(?P<wn>\d+)\b\s*[:.]?|Answer\s*(?:[:.]|$))\s*(?P<body>.*)",
    re.I | re.S,
)
RELEASED = re.compile(r"(?:Release Date|Released|Date Released)\s*:\s*(?P<value>.*)", re.I)
# "UPDATED: March 1, 2017 2:00 p.m. EST", "Last updated March 1, 2017": a date line only when
# it has the colon or a date follows, so that a sentence starting "Updated" stays text.
UPDATED = re.compile(r"(?:Last\s+)?Updated\s*(?P<colon>:)?\s*(?P<value>.*)", re.I)
# Lines that end a release's page: its topic list, its keywords, the page's publishing stamp.
TRAILER = re.compile(r"(?:Topics|Keywords|Tags|Last Published Date|Last Updated)\s*:", re.I)
# Not an issuer by itself: it says which office speaks, not for whom.
NOT_AN_ISSUER = re.compile(r"(?:the\s+)?office\s+of\s+the\s+press\s+secretary\.?", re.I)


def question_marker(text: str) -> tuple[str, int, str] | None:
    """``(style, number, rest)`` when ``text`` starts with a question number."""
    found = QUESTION.fullmatch(text)
    if not found:
        return None
    style = "q" if found["q"] else "question"
    return style, int(found["qn"] or found["wn"]), found["body"]


def answer_marker(text: str) -> tuple[int | None, str] | None:
    """``(number or None, rest)`` when ``text`` starts with an answer marker."""
    found = ANSWER.fullmatch(text)
    if not found:
        return None
    number = found["an"] or found["wn"]
    return (int(number) if number else None), found["body"]


# -- assembling numbered pairs ---------------------------------------------------------------


class Pairs:
    """Numbered questions and answers put together in document order, with the checks.

    A question starts an entry; its answer marker (or, where the format allows, the next
    block) starts the answer; what follows continues whichever part is open.
    """

    def __init__(self, name: str, problems: Problems) -> None:
        self.name = name
        self.problems = problems
        self.entries: list[ImportedEntry] = []
        self.style: str | None = None
        self.part: str | None = None  # "question" or "answer": where more text goes
        self._answered: set[int] = set()

    @property
    def current(self) -> ImportedEntry | None:
        return self.entries[-1] if self.entries and self.part else None

    def question(self, number: int, text: str, line: int) -> None:
        self.entries.append(ImportedEntry(number=number, question=text, answer="", line=line))
        self.part = "question"

    def answer(self, number: int | None, text: str, line: int) -> bool:
        """Start the answer of the open question; a problem (and False) if it is not its."""
        entry = self.entries[-1] if self.entries else None
        if entry is None or (number is not None and number != entry.number):
            label = f"A{number}" if number is not None else "an answer"
            after = f"after Q{entry.number}" if entry else "before any question"
            self.problems.add(self.name, line, f"{label} {after}: an answer follows its question")
            return False
        if len(self.entries) in self._answered:
            self.problems.add(self.name, line, f"a second answer to Q{entry.number}")
            return False
        self._answered.add(len(self.entries))
        entry.answer = text
        self.part = "answer"
        return True

    def extend(self, text: str, join: Callable[[str, str], str]) -> None:
        """Add text to the open part, joined to what it has by ``join``."""
        entry = self.current
        if entry is None or self.part is None:
            return
        before = getattr(entry, self.part)
        setattr(entry, self.part, join(before, text) if before else text)

    def close(self) -> None:
        """Nothing more belongs to the open entry (a section heading, the page's end)."""
        self.part = None

    def finish(self, what: str) -> list[ImportedEntry]:
        """The entries, after reporting questions without answers or text, or none at all."""
        for entry in self.entries:
            if not entry.question.strip():
                self.problems.add(self.name, entry.line, f"Q{entry.number} has no question text")
            if not entry.answer.strip():
                self.problems.add(self.name, entry.line, f"Q{entry.number} has no answer")
        if not self.entries:
            self.problems.add(self.name, 1, f"no numbered questions and answers found ({what})")
        return self.entries


def date_line(text: str) -> tuple[str, str] | None:
    """``("released" | "updated", value)`` when a line gives the release's date or update."""
    if found := RELEASED.fullmatch(text):
        return "released", found["value"]
    if (found := UPDATED.fullmatch(text)) and (found["colon"] or parse_date(found["value"])):
        return "updated", found["value"]
    return None
