"""Multi-word phrases of the lexicon found in word lists, compared stem by stem."""

from __future__ import annotations

from collections import defaultdict

from bot.matching import lexicon
from bot.matching.text import stem

Table = dict[str, list[tuple[list[str], list[str]]]]


def phrase_table(pairs: dict[str, str]) -> Table:
    """First stem -> [(phrase stems, replacement words)], longest phrase first.

    Phrases are compared stem by stem, so "cuts off" and "cutting off" are "cut off".
    """
    table: dict[str, list[tuple[list[str], list[str]]]] = defaultdict(list)
    for phrase, replacement in sorted(pairs.items(), key=lambda kv: -len(kv[0].split())):
        stems = [stem(word) for word in phrase.split()]
        table[stems[0]].append((stems, replacement.split()))
    return dict(table)


IDIOMS = phrase_table(lexicon.PHRASES)
NAMES = phrase_table({full: acronym for acronym, full in lexicon.ACRONYMS.items()})


def find(words: list[str], table: Table) -> list[tuple[int, int, list[str]]]:
    """(start, length, replacement) of each phrase of ``table`` in ``words``, left to right.

    Word by word rather than by regex: this runs over every indexed text.
    """
    stems = [stem(word) for word in words]
    found: list[tuple[int, int, list[str]]] = []
    end = 0
    for i in [i for i, key in enumerate(stems) if key in table]:
        if i < end:
            continue
        for phrase, replacement in table[stems[i]]:
            if stems[i : i + len(phrase)] == phrase:
                found.append((i, len(phrase), replacement))
                end = i + len(phrase)
                break
    return found


def replace(words: list[str], table: Table) -> list[str]:
    """``words`` with each phrase of ``table`` replaced."""
    out: list[str] = []
    done = 0
    for start, length, replacement in find(words, table):
        out += words[done:start]
        out += replacement
        done = start + length
    return out + words[done:]


def rewrite(words: list[str], query: bool = False) -> list[str]:
    """Rewrite idioms; in queries, also turn a program's full name into its acronym."""
    words = replace(words, IDIOMS)
    return replace(words, NAMES) if query else words
