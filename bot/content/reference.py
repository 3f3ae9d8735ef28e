"""Questions asked by number: ``14``, ``Q14``, ``#14``, ``question 14``, ``interior Q14``."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.content.models import Catalogue, Document, Entry

_NUMBER = r"(?:q|#|no\.?|number|question)?\s*(\d{1,4})\s*[?.!]?\s*$"
_PLAIN = re.compile(r"^\s*" + _NUMBER, re.I)
_NAMED = re.compile(r"^\s*([a-z][a-z0-9-]*)\s*[:,]?\s+" + _NUMBER, re.I)


@dataclass(frozen=True)
class Reference:
    """A number asked for, the document named (if any), and the entries that have it."""

    number: int
    document: Document | None
    entries: tuple[Entry, ...]  # at most one per document; empty when none has the number


def resolve(text: str, catalogue: Catalogue) -> Reference | None:
    """The reference ``text`` makes, or None when it is not one (then it is a question)."""
    plain = _PLAIN.match(text)
    if plain:
        number = int(plain.group(1))
        return Reference(number, None, catalogue.numbered(number))
    named = _NAMED.match(text)
    if named:
        document = catalogue.document(named.group(1))
        if document is not None:
            number = int(named.group(2))
            return Reference(number, document, catalogue.numbered(number, document.short))
    return None
