"""Emphasis by CommonMark's delimiter rules: which ``*``, ``_`` and ``~~`` runs pair up.

A run opens only where it leans on a word (``*word``) and closes only where a word leans on it
(``word*``); ``_`` inside a word (``snake_case``) does neither. Unpaired runs stay literal.
"""

from __future__ import annotations

import string
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

_ASCII_PUNCTUATION = frozenset(string.punctuation)


@dataclass
class Delimiter:
    char: str
    length: int
    can_open: bool
    can_close: bool
    count: int = 0
    opens: list[str] = field(default_factory=list)
    closes: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.count = self.length


def _punctuation(c: str) -> bool:
    return c in _ASCII_PUNCTUATION or unicodedata.category(c)[0] in "PS"


def delimiter(char: str, length: int, before: str, after: str) -> Delimiter:
    left = not after.isspace() and (
        not _punctuation(after) or before.isspace() or _punctuation(before)
    )
    right = not before.isspace() and (
        not _punctuation(before) or after.isspace() or _punctuation(after)
    )
    if char == "_":
        return Delimiter(
            char,
            length,
            left and (not right or _punctuation(before)),
            right and (not left or _punctuation(after)),
        )
    return Delimiter(char, length, left, right)


def match(delimiters: Sequence[Delimiter]) -> None:
    """CommonMark's "process emphasis": pair closers with the nearest fitting opener."""
    active = list(delimiters)
    i = 0
    while i < len(active):
        closer = active[i]
        if not closer.can_close or not closer.count:
            i += 1
            continue
        found = None
        for j in range(i - 1, -1, -1):
            opener = active[j]
            if opener.char != closer.char or not opener.can_open or not opener.count:
                continue
            both = opener.can_close or closer.can_open
            if (
                both
                and (opener.length + closer.length) % 3 == 0
                and not (opener.length % 3 == 0 and closer.length % 3 == 0)
            ):
                continue
            found = j
            break
        if found is None:
            i += 1
            continue
        opener = active[found]
        used = 2 if opener.count >= 2 and closer.count >= 2 else 1
        style = "strike" if closer.char == "~" else ("bold" if used == 2 else "italic")
        opener.count -= used
        closer.count -= used
        opener.opens.insert(0, style)
        closer.closes.append(style)
        del active[found + 1 : i]
        i = found + 1
        if not opener.count:
            del active[found]
            i -= 1
        if not closer.count:
            del active[i]
