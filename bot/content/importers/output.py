"""An imported release or collection as content YAML, with placeholders for what it lacks.

One source block: the document's title, issuer, dates and page as it gives them, the options
the user passed, and ``FILL IN: ...`` for the rest, with a comment on top saying what to fill.
Per-entry pages and dates are written on the entries; when every entry shares one, it is
written once, on the source.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.content.importers.common import Imported, ImportedEntry, slug, unique
from bot.content.placeholders import MARKER, is_placeholder, placeholder


@dataclass(frozen=True)
class ImportOptions:
    """What the user tells the import (``--id``, ``--short``, ``--title``, ...)."""

    id: str | None = None
    short: str | None = None
    title: str | None = None
    issuer: str | None = None
    url: str | None = None


def to_yaml(imported: Imported, options: ImportOptions | None = None) -> str:
    """Content YAML for an import: a comment saying what to fill in, then the source block."""
    source = _source(imported, options or ImportOptions())
    body = yaml.dump(
        {"sources": [source]}, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=1 << 20
    )
    return _comment(imported, source) + body


def _source(imported: Imported, options: ImportOptions) -> dict[str, Any]:
    entries = imported.entries
    url = options.url or imported.url or _shared(e.url for e in entries)
    released = imported.released or _shared(e.released for e in entries)
    if released is None and entries and all(e.released for e in entries):
        released = min(e.released for e in entries if e.released)
    source: dict[str, Any] = {"id": options.id or slug(Path(imported.name).stem)}
    if options.short:
        source["short"] = options.short
    source["title"] = options.title or imported.title or placeholder(_TITLE)
    source["issuer"] = options.issuer or imported.issuer or placeholder(_issuer(imported))
    source["released"] = released or placeholder(_RELEASED)
    if imported.updated:
        source["updated"] = imported.updated
    source["url"] = url or placeholder(_URL)
    source["notice"] = placeholder(_NOTICE)
    taken: set[str] = set()
    source["entries"] = [_entry(e, url, released, taken) for e in entries]
    return source


_TITLE = "write the document's official title"
_RELEASED = "write the date it was released, as YYYY-MM-DD"
_URL = "write the https:// address of its official page"
_NOTICE = (
    "write a note to show with every answer (for instance that the guidance is historical and "
    "what replaced it), or delete this line"
)


def _issuer(imported: Imported) -> str:
    named = ", ".join(f'"{name}"' for name in imported.issuer_named)
    said = f" (found: {named})" if named else ""
    return f"write the full name of who issued it{said}"


def _entry(entry: ImportedEntry, url: str | None, released: Any, taken: set[str]) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": unique(entry.id or f"q{entry.number}", taken),
        "number": entry.number,
        "question": entry.question,
        "answer": entry.answer,
    }
    if entry.url and entry.url != url:
        data["url"] = entry.url
    if entry.released and (entry.released != released or entry.updated):
        data["released"] = entry.released
    if entry.updated:
        data["updated"] = entry.updated
    if entry.topics:
        data["topics"] = list(entry.topics)
    return data


def _shared(values: Any) -> Any:
    """The one value every entry has, or None when they differ or one has none."""
    found = set(values)
    return next(iter(found)) if len(found) == 1 and None not in found else None


def _comment(imported: Imported, source: dict[str, Any]) -> str:
    fields = [key for key, value in source.items() if is_placeholder(value)]
    lines = [
        f"Imported by `qabot content import` from {imported.name} ({imported.format}).",
        "The questions and answers are the official text, verbatim: leave them as they are.",
    ]
    if fields:
        lines += [
            f'Replace every value starting "{MARKER}" ({", ".join(fields)}) with what it asks',
            "for; `qabot content check` refuses the file while one is left. A notice is",
            "optional: delete its line when the document needs none.",
        ]
    lines += [
        "Matching aids (an entry's topics, phrasings and keywords, a source's vocabulary) are",
        "ours to add; see the README's content format.",
    ]
    return "".join(f"# {line}\n" for line in lines)


class _Dumper(yaml.SafeDumper):
    """Writes multi-paragraph text as literal blocks, so answers read as they will be quoted."""


def _str_representer(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _date_representer(dumper: yaml.SafeDumper, value: dt.date) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:timestamp", value.isoformat())


_Dumper.add_representer(str, _str_representer)
_Dumper.add_representer(dt.date, _date_representer)
_Dumper.ignore_aliases = lambda self, data: True  # type: ignore[method-assign]
