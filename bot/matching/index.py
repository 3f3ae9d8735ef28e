"""The index of a catalogue: weighted terms per entry, equal answers, facts each entry holds."""

from __future__ import annotations

import itertools
import re
from collections import defaultdict

from rapidfuzz import fuzz

from bot.content.models import Entry
from bot.matching import lexicon
from bot.matching.phrases import NAMES, find
from bot.matching.query import facts_wanted
from bot.matching.text import STOPWORDS, stem

# How much a word found in each part of an entry counts, relative to the question itself.
FIELD_WEIGHTS = {"question": 1.0, "phrasings": 1.0, "keywords": 1.0, "topics": 0.7, "answer": 0.8}

BREAK = "qqbreakqq"  # joins a field's texts; never a word of any language


# Kinds of fact no answer text can show ("(?!)") are left out: nothing to search for.
_HOLDS = {kind: re.compile(rx) for kind, rx in lexicon.ANSWER_FACTS.items() if rx != "(?!)"}


def entry_fields(entry: Entry) -> dict[str, tuple[str, ...]]:
    return {
        "question": (entry.question,),
        "phrasings": entry.phrasings,
        "keywords": entry.keywords,
        "topics": entry.topics,
        "answer": (entry.answer,),
    }


def content_stems(words: list[str]) -> list[str]:
    return [stem(w) for w in words if w not in STOPWORDS]


def index_keys(words: list[str], stems: list[str], name_share: float) -> dict[str, float]:
    """Stems (words inside a program's name weigh less), acronyms of names, and adjacent pairs."""
    named: set[int] = set()
    keys: dict[str, float] = {}
    for start, length, acronym in find(stems, NAMES):
        named.update(range(start, start + length))
        keys[stem(acronym[0])] = 1.0
    content: list[str] = []  # stems of the content words; "" between two texts
    for position, word in enumerate(words):
        if word == BREAK:
            content.append("")
        elif word not in STOPWORDS:
            key = stems[position]
            content.append(key)
            weight = name_share if position in named else 1.0
            if keys.get(key, 0.0) < weight:
                keys[key] = weight
    keys.update(dict.fromkeys((f"{a} {b}" for a, b in itertools.pairwise(content) if a and b), 1.0))
    return keys


def facts_held(question: str, answer: str) -> frozenset[str]:
    """Kinds of fact an entry can give: those its question asks for or its answer states."""
    context = {w for w in lexicon.CONTEXT if w.isdigit()}
    text = " ".join(w for w in f"{question} {answer}".split() if w not in context)
    return facts_wanted(question) | frozenset(
        kind for kind, rx in _HOLDS.items() if rx.search(text)
    )


def answer_groups(normal: list[str]) -> list[int]:
    """Group id per entry: entries whose answers are the same text, or one starts the other."""
    parent = list(range(len(normal)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    by_head: dict[str, list[int]] = defaultdict(list)
    for index, text in enumerate(normal):
        by_head[text[:60]].append(index)
    for members in by_head.values():
        if len(members) < 2:
            continue
        members.sort(key=lambda i: len(normal[i]))
        # One answer quoting another in full, then going on (A19 and A20).
        for pos, short in enumerate(members):
            for longer in members[pos + 1 :]:
                if normal[longer].startswith(normal[short]):
                    parent[find(short)] = find(longer)
        # The same answer but for a word or a comma (A5 and A8): compared only when both ends
        # agree, which keeps this linear in practice.
        by_tail: dict[str, list[int]] = defaultdict(list)
        for index in members:
            by_tail[normal[index][-30:]].append(index)
        for near in by_tail.values():
            for a, b in itertools.combinations(near, 2):
                if fuzz.ratio(normal[a], normal[b]) >= 95:
                    parent[find(a)] = find(b)
    return [find(i) for i in range(len(normal))]
