"""A CSV or TSV file with a question and an answer column, one entry per row.

The shape QnA-style services export (``Question, Answer, Source, Metadata``): header names are
matched case-insensitively; ``Source`` or ``URL`` gives the entry's page when it is an address,
``Date`` its release date, ``Metadata`` (``name:value|name:value``) its topics. Other columns
are ignored. Cells are kept as written, line breaks inside quoted cells included; only the
space around a cell is dropped.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

from bot.content.importers.common import Imported, ImportedEntry, Problems, parse_date, read_text
from bot.content.loader import ContentError, Problem

COLUMNS = {
    "question": ("question", "questions"),
    "answer": ("answer", "answers"),
    "url": ("url", "source", "link", "page"),
    "date": ("date", "released", "release date"),
    "updated": ("updated", "last updated"),
    "metadata": ("metadata",),
}
_URL = re.compile(r"https?://\S+")


def read(path: Path, base_url: str | None = None, delimiter: str | None = None) -> Imported:
    """Read a CSV (comma or tab, whichever the header uses) or TSV file."""
    text = read_text(path)
    name = str(path)
    header_line = text.split("\n", 1)[0]
    if delimiter is None:
        tabs, commas = header_line.count("\t"), header_line.count(",")
        if tabs != commas:
            delimiter = "\t" if tabs > commas else ","
        else:
            delimiter = "\t" if path.suffix.lower() in (".tsv", ".tab") else ","
    return parse(text, name, delimiter)


def read_tsv(path: Path, base_url: str | None = None) -> Imported:
    return read(path, base_url, delimiter="\t")


def parse(text: str, name: str, delimiter: str = ",") -> Imported:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    problems = Problems()
    rows = _rows(reader, name)
    if not rows:
        raise ContentError([Problem(name, 1, "the file is empty; expected a header row")])
    header_line, header = rows[0]
    columns = _columns(header)
    for needed in ("question", "answer"):
        if needed not in columns:
            shown = ", ".join(repr(cell) for cell in header)
            problems.add(
                name, header_line, f"no '{needed.capitalize()}' column (the header has {shown})"
            )
    problems.raise_if_any()

    entries: list[ImportedEntry] = []
    for line, row in rows[1:]:
        if not any(cell.strip() for cell in row):
            continue
        cells = {key: _cell(row, at) for key, at in columns.items() if key != "url"}
        for needed in ("question", "answer"):
            if not cells[needed]:
                problems.add(name, line, f"the row has no {needed}")
        entry = ImportedEntry(
            number=len(entries) + 1, question=cells["question"], answer=cells["answer"], line=line
        )
        urls = (_cell(row, [at]) for at in columns.get("url", []))
        entry.url = next((url for url in urls if _URL.fullmatch(url)), None)
        for key in ("date", "updated"):
            if cells.get(key):
                day = parse_date(cells[key])
                if day is None:
                    problems.add(name, line, f"cannot read the {key} {cells[key]!r}")
                setattr(entry, "released" if key == "date" else key, day)
        if entry.released and entry.updated and entry.updated < entry.released:
            problems.add(name, line, f"updated {entry.updated} is before released {entry.released}")
        entry.topics = _topics(cells.get("metadata", ""))
        entries.append(entry)
    if not entries and not problems.items:
        problems.add(name, header_line, "no rows of questions and answers below the header")
    problems.raise_if_any()
    return Imported(name=name, format="csv" if delimiter == "," else "tsv", entries=entries)


def _rows(reader: Any, name: str) -> list[tuple[int, list[str]]]:
    """Each non-empty row with the line it starts on (a quoted cell may span several)."""
    rows: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for row in reader:
            if row:
                rows.append((start, row))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise ContentError([Problem(name, start, f"not a readable table row: {exc}")]) from None
    return rows


def _columns(header: list[str]) -> dict[str, list[int]]:
    """The positions of each known kind of column, in header order."""
    found: dict[str, list[int]] = {}
    for index, cell in enumerate(header):
        label = " ".join(cell.strip().lower().split())
        for key, names in COLUMNS.items():
            if label in names:
                found.setdefault(key, []).append(index)
    return found


def _cell(row: list[str], positions: list[int]) -> str:
    """The first cell of a kind, without the space around it ("" when the row is short)."""
    return row[positions[0]].strip() if positions[0] < len(row) else ""


def _topics(metadata: str) -> tuple[str, ...]:
    """``category:travel|audience:public`` -> ``("travel", "public")``."""
    topics = []
    for pair in metadata.split("|"):
        value = pair.split(":", 1)[-1].strip()
        if value:
            topics.append(value)
    return tuple(dict.fromkeys(topics))
