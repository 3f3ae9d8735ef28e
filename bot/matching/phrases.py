"""Multi-word phrases of a vocabulary found in word lists, compared stem by stem."""

from __future__ import annotations

from collections import defaultdict

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


def find(stems: list[str], table: Table) -> list[tuple[int, int, list[str]]]:
    """(start, length, replacement) of each phrase of ``table`` in ``stems``, left to right.

    Word by word rather than by regex: this runs over every indexed text.
    """
    found: list[tuple[int, int, list[str]]] = []
    if table.keys().isdisjoint(stems):
        return found
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


def replace(words: list[str], stems: list[str], table: Table) -> tuple[list[str], list[str]]:
    """``words`` and their ``stems`` with each phrase of ``table`` replaced."""
    found = find(stems, table)
    if not found:
        return words, stems
    out_words: list[str] = []
    out_stems: list[str] = []
    done = 0
    for start, length, replacement in found:
        out_words += words[done:start]
        out_stems += stems[done:start]
        out_words += replacement
        out_stems += [stem(word) for word in replacement]
        done = start + length
    return out_words + words[done:], out_stems + stems[done:]


def rewrite(
    words: list[str], idioms: Table, names: Table | None = None
) -> tuple[list[str], list[str]]:
    """Words and stems with idioms rewritten, then (in queries) programs' full names made
    the one word that stands for each."""
    pair = replace(words, list(map(stem, words)), idioms)
    return replace(*pair, names) if names is not None else pair
