"""Group loaded entries into documents and give each a short name people can type."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence

from bot.content.models import Document, Entry

# Words of a title that name no particular document: a short name is never made of them.
_GENERIC = frozenset(
    "a an and the of on in for to by with from at about as its q qa faq faqs frequently asked "
    "question questions answer answers".split()
)
_WORD = re.compile(r"[a-z0-9]+")


def documents(entries: Sequence[Entry]) -> tuple[tuple[Entry, ...], tuple[Document, ...]]:
    """The entries, labelled with their document when there are several, and the documents.

    Sources with the same ``short`` form one document; a source without one joins the others
    of the same title, named after the title's first distinctive word.
    """
    groups: dict[tuple[str, str], list[Entry]] = {}
    for entry in entries:
        key = ("short", entry.source.short) if entry.source.short else ("title", entry.source.title)
        groups.setdefault(key, []).append(entry)

    taken = {name for kind, name in groups if kind == "short"}
    names: dict[tuple[str, str], str] = {}
    for kind, name in groups:
        names[(kind, name)] = name if kind == "short" else _derive(name, taken)
        taken.add(names[(kind, name)])

    several = len(groups) > 1
    labelled = {
        entry.id: dataclasses.replace(entry, document=names[key] if several else None)
        for key, members in groups.items()
        for entry in members
    }
    docs = tuple(
        Document(
            short=names[key],
            title=members[0].source.title,
            entries=tuple(labelled[e.id] for e in members),
        )
        for key, members in groups.items()
    )
    return tuple(labelled[e.id] for e in entries), docs


def _derive(title: str, taken: set[str]) -> str:
    words = [w for w in _WORD.findall(title.lower()) if w not in _GENERIC and not w.isdigit()]
    base = (words[0] if words else "doc")[:20]
    name, n = base, 2
    while name in taken:
        name, n = f"{base}-{n}", n + 1
    return name
