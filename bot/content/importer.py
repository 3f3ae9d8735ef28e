"""Turn a Q&A release in its plain-text form into content YAML.

The text format: a title line, a ``Release Date: Month D, YYYY`` line, then ``Qn:`` / ``An:``
paragraphs. Page furniture (document-number footers, the topic list) is dropped by rule, and
sentences that the page broke across blank lines are joined again.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from bot.content.loader import ContentError, Problem

# "AILA Doc. No. 17022130. (Posted 2/21/17)" and its misspelt twin "AIILA Doc. No. ...":
# a publisher's document-number footer, not part of any answer.
_FOOTER = re.compile(
    r"^[A-Z][A-Za-z]{1,10}\s+Doc\.\s*No\.\s*[\d-]+\.?\s*(\(Posted\s+[\d/.-]+\)\.?)?$"
)
_PAGE_TRAILER = re.compile(r"^(Topics|Keywords|Last Published Date|Last Updated)\s*:", re.I)
_ITEM = re.compile(r"^([QA])(\d+)\s*:\s*(.*)$", re.S)
_RELEASE = re.compile(r"^Release Date:\s*(.+)$", re.I)
_SENTENCE_END = (".", "?", "!", ":", '"', "\u201d", ")")


@dataclass
class _Item:
    number: int
    question: str = ""
    answer: str = ""
    line: int = 0


@dataclass
class Release:
    """What the importer reads from a release."""

    title: str
    released: dt.date | None
    issuer: str | None
    items: list[_Item] = field(default_factory=list)


def parse_release(text: str, name: str = "<text>") -> Release:
    """Parse the release text; raise ContentError listing ``file:line`` problems if malformed."""
    paragraphs = _paragraphs(text)
    problems: list[Problem] = []
    title, released, issuer = "", None, None
    items: list[_Item] = []
    current: _Item | None = None
    part = ""  # "question" or "answer": where continuation paragraphs go

    for index, (line, para) in enumerate(paragraphs):
        if _FOOTER.match(para):
            continue
        if _PAGE_TRAILER.match(para):
            break
        release = _RELEASE.match(para)
        if release and not items:
            title = _title_before(paragraphs, index)
            released = _parse_date(release.group(1), name, line, problems)
            continue
        if para.lower() == "office of the press secretary" and not items:
            issuer = para
            continue
        item = _ITEM.match(para)
        if item:
            kind, number, body = item.group(1), int(item.group(2)), item.group(3).strip()
            if kind == "Q":
                current = _Item(number=number, question=body, line=line)
                items.append(current)
                part = "question"
            elif current is None or current.number != number or current.answer:
                after = f"after Q{current.number}" if current else "before any question"
                problems.append(Problem(name, line, f"A{number} {after}: answers follow their Q"))
            else:
                current.answer = body
                part = "answer"
            continue
        if current is not None:
            setattr(current, part, _continue(getattr(current, part), para))

    for entry in items:
        if not entry.answer:
            problems.append(Problem(name, entry.line, f"Q{entry.number} has no answer"))
    if not items:
        problems.append(Problem(name, 1, "no 'Q1:' / 'A1:' pairs found"))
    if not title:
        problems.append(Problem(name, 1, "no 'Release Date:' line with a title above it"))
    if problems:
        raise ContentError(problems)
    return Release(title=title, released=released, issuer=issuer, items=items)


def to_content(release: Release, source_id: str, issuer: str | None, url: str | None) -> str:
    """Content YAML for a parsed release; aids (phrasings, keywords) are left for people."""
    source: dict[str, Any] = {
        "id": source_id,
        "title": release.title,
        "issuer": issuer or release.issuer or "",
        "released": release.released,
    }
    if url:
        source["url"] = url
    source["entries"] = [
        {"id": f"q{i.number}", "number": i.number, "question": i.question, "answer": i.answer}
        for i in release.items
    ]
    return yaml.dump(
        {"sources": [source]}, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=1 << 20
    )


def _paragraphs(text: str) -> list[tuple[int, str]]:
    """Blank-line separated paragraphs, each with its 1-based first line, inner lines joined."""
    result: list[tuple[int, str]] = []
    buffer: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if stripped:
            if not buffer:
                start = number
            buffer.append(stripped)
        elif buffer:
            result.append((start, " ".join(buffer)))
            buffer = []
    if buffer:
        result.append((start, " ".join(buffer)))
    return result


def _continue(text: str, para: str) -> str:
    """Append a paragraph: a sentence the page broke is rejoined, a real paragraph is kept."""
    if not text:
        return para
    if not text.endswith(_SENTENCE_END) or para[:1].islower():
        return f"{text} {para}"
    return f"{text}\n\n{para}"


def _title_before(paragraphs: list[tuple[int, str]], index: int) -> str:
    for _, para in reversed(paragraphs[:index]):
        if not para.startswith("[") and not _FOOTER.match(para):
            return para
    return ""


def _parse_date(value: str, name: str, line: int, problems: list[Problem]) -> dt.date | None:
    for fmt in ("%B %d, %Y", "%b %d, %Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(value.strip(), fmt).date()
        except ValueError:
            pass
    problems.append(Problem(name, line, f"cannot read release date {value.strip()!r}"))
    return None


class _Dumper(yaml.SafeDumper):
    """Writes multi-paragraph text as literal blocks, so answers read as they will be quoted."""


def _str_representer(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str_representer)
_Dumper.ignore_aliases = lambda self, data: True  # type: ignore[method-assign]
