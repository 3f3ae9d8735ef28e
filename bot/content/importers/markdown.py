"""A folder of Markdown files with YAML front matter, one question per file.

The way static-site FAQ collections keep them (18F's cv_faq, for one): ``title`` is the
question, the body after the front matter is the answer in Markdown, kept exactly as written
(the rendering layer turns Markdown into Slack's formatting). ``date``, ``source`` / ``sources``
/ ``url`` and ``agency`` / ``issuer`` give the entry's date, page and issuer where present.
Files are read in sorted order, numbered 1..n, and named by their file names.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from bot.content.importers.common import (
    Imported,
    ImportedEntry,
    Problems,
    parse_date,
    read_text,
    slug,
    unique,
)
from bot.content.loader import ContentError
from bot.yamlfile import Problem, parse

SUFFIXES = (".md", ".markdown")
_FENCE = re.compile(r"---[ \t]*")
_CLOSE = re.compile(r"(?:---|\.\.\.)[ \t]*")
_URL = re.compile(r"https?://\S+")
_LEADING_BLANK_LINES = re.compile(r"\A(?:[ \t]*\n)+")

QUESTION_KEYS = ("title", "question")
DATE_KEYS = ("date", "released", "published")
UPDATED_KEYS = ("updated", "last_updated", "lastmod", "modified", "last_modified")
ISSUER_KEYS = ("issuer", "agency")
TOPIC_KEYS = ("categories", "tags")


def read(path: Path, base_url: str | None = None) -> Imported:
    """Read every Markdown file under ``path`` (or the one file ``path``) as one collection."""
    files = _files(path)
    problems = Problems()
    entries: list[ImportedEntry] = []
    issuers: list[str | None] = []
    taken: set[str] = set()
    for number, file in enumerate(files, start=1):
        read_one = _entry(file, number, problems)
        if read_one is None:
            continue
        entry, issuer = read_one
        entry.id = unique(slug(file.stem, "entry"), taken)
        entries.append(entry)
        issuers.append(issuer)
    problems.raise_if_any()
    named = sorted({i for i in issuers if i})
    return Imported(
        name=str(path),
        format="markdown",
        entries=entries,
        issuer=named[0] if len(named) == 1 and all(issuers) else None,
        issuer_named=tuple(named),
    )


def _files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise ContentError([Problem(str(path), 0, "no such file or directory")])
    found = [
        file
        for file in path.rglob("*")
        if file.suffix.lower() in SUFFIXES
        and file.is_file()
        and not any(part.startswith(".") for part in file.relative_to(path).parts)
    ]
    if not found:
        raise ContentError([Problem(str(path), 0, "no Markdown files (*.md) in this folder")])
    return sorted(found, key=lambda file: file.relative_to(path).as_posix())


def _entry(file: Path, number: int, problems: Problems) -> tuple[ImportedEntry, str | None] | None:
    name = str(file)
    try:
        text = read_text(file)
    except ContentError as exc:
        problems.items.extend(exc.problems)
        return None
    lines = text.split("\n")
    if not lines or not _FENCE.fullmatch(lines[0]):
        problems.add(name, 1, "no front matter: the file should start with a '---' line")
        return None
    end = next((i for i in range(1, len(lines)) if _CLOSE.fullmatch(lines[i])), None)
    if end is None:
        problems.add(name, 1, "the front matter opened here is never closed with '---'")
        return None
    found: list[Problem] = []
    parsed = parse(name, "\n".join(lines[1:end]).encode(), found)
    # The front matter starts on the file's second line.
    problems.items.extend(Problem(p.file, p.line + 1, p.message) for p in found)
    if parsed is None:
        return None
    data, key_lines = parsed
    if not isinstance(data, dict):
        problems.add(name, 2, "the front matter is not a set of 'key: value' fields")
        return None
    fields = {
        str(key).lower(): (value, key_lines.get((str(key),), 0) + 1) for key, value in data.items()
    }

    question = _text(fields, QUESTION_KEYS)
    if question is None:
        problems.add(name, 1, "the front matter has no 'title' (the question)")
        return None
    answer = _LEADING_BLANK_LINES.sub("", "\n".join(lines[end + 1 :])).rstrip()
    if not answer:
        problems.add(name, end + 1, "no answer: nothing follows the front matter")
        return None
    entry = ImportedEntry(number=number, question=question.strip(), answer=answer, line=1)
    entry.released = _date(fields, DATE_KEYS, name, problems)
    entry.updated = _date(fields, UPDATED_KEYS, name, problems)
    if entry.released and entry.updated and entry.updated < entry.released:
        line = next(fields[k][1] for k in UPDATED_KEYS if k in fields)
        problems.add(name, line, f"updated {entry.updated} is before released {entry.released}")
    entry.url = _url(fields)
    entry.topics = _topics(fields)
    return entry, _issuer(fields)


Fields = dict[str, tuple[Any, int]]


def _text(fields: Fields, keys: tuple[str, ...]) -> str | None:
    for key in keys:
        value = fields.get(key, (None, 0))[0]
        if isinstance(value, str | int | float) and str(value).strip():
            return str(value)
    return None


def _date(fields: Fields, keys: tuple[str, ...], name: str, problems: Problems) -> dt.date | None:
    for key in keys:
        if key not in fields:
            continue
        value, line = fields[key]
        day = parse_date(str(value)) if value is not None else None
        if day is None:
            problems.add(name, line, f"cannot read the date in '{key}': {value!r}")
        return day
    return None


def _sources(fields: Fields) -> list[Any]:
    """The entry's ``url``, ``source`` and ``sources`` values, as one list."""
    found: list[Any] = []
    for key in ("url", "source", "sources"):
        value = fields.get(key, (None, 0))[0]
        found.extend(value if isinstance(value, list) else [value])
    return found


def _url(fields: Fields) -> str | None:
    for item in _sources(fields):
        value = item.get("url") or item.get("link") if isinstance(item, dict) else item
        if isinstance(value, str) and _URL.fullmatch(value.strip()):
            return value.strip()
    return None


def _issuer(fields: Fields) -> str | None:
    if named := _text(fields, ISSUER_KEYS):
        return named.strip()
    for item in _sources(fields):
        if isinstance(item, dict) and isinstance(item.get("agency"), str):
            return str(item["agency"]).strip() or None
    return None


def _topics(fields: Fields) -> tuple[str, ...]:
    topics: list[str] = []
    for key in TOPIC_KEYS:
        value = fields.get(key, (None, 0))[0]
        items = value if isinstance(value, list) else [value]
        topics.extend(str(item).strip() for item in items if isinstance(item, str) and item.strip())
    return tuple(dict.fromkeys(topics))
