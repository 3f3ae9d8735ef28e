"""The index of a catalogue: weighted terms per entry, equal answers, facts each entry holds."""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from dataclasses import dataclass

from rapidfuzz import fuzz

from bot.content.models import Entry
from bot.matching import lexicon
from bot.matching.phrases import find, rewrite
from bot.matching.query import facts_wanted
from bot.matching.text import STOPWORDS, normalise, stem
from bot.matching.vocabulary import Vocabulary

# How much a word found in each part of an entry counts, relative to the question itself,
# lightest first (the merge in build_index relies on that order). "question" also holds the
# hand-written phrasings and keywords: they weigh as much, and one pass over them is faster.
FIELD_WEIGHTS = {"topics": 0.7, "answer": 0.8, "question": 1.0}

BREAK = "qqbreakqq"  # joins a field's texts; never a word of any language


# Kinds of fact no answer text can show ("(?!)") are left out: nothing to search for.
_HOLDS = {kind: re.compile(rx) for kind, rx in lexicon.ANSWER_FACTS.items() if rx != "(?!)"}


@dataclass(frozen=True)
class Index:
    """What the matcher looks things up in, per entry position in the catalogue."""

    postings: dict[str, dict[int, float]]  # term or "stem stem" pair -> {entry: best weight}
    questions: list[str]  # each question's content stems, sorted, for fuzzy similarity
    normalised: list[tuple[str, str]]  # each entry's question and answer, normalised
    groups: list[int]  # entries with the same group id give the same answer
    known_words: frozenset[str]  # every normalised word of the content


def build_index(entries: tuple[Entry, ...], vocabulary: Vocabulary, name_share: float) -> Index:
    """Index every field of every entry, each word at the weight of the best field it is in."""
    postings: dict[str, dict[int, float]] = defaultdict(dict)
    known_words: set[str] = set()
    questions: list[str] = []
    normalised: list[tuple[str, str]] = []
    for index, entry in enumerate(entries):
        # One normalisation per field, its texts joined by a break word: far fewer calls.
        fields = {f: normalise(f" {BREAK} ".join(t)) for f, t in _fields(entry).items()}
        best: dict[str, float] = {}
        for field, weight in FIELD_WEIGHTS.items():
            words, stems = rewrite(fields[field].split(), vocabulary.idioms)
            known_words.update(words)
            full, named = index_keys(words, stems, vocabulary, pairs=field != "answer")
            # Fields come lightest first, so a plain update keeps each word's heaviest field.
            best.update(dict.fromkeys(full, weight))
            for key in named:  # words inside a program's name count for less
                best[key] = max(best.get(key, 0.0), weight * name_share)
        for key, value in best.items():
            postings[key][index] = value
        question = fields["question"].split(f" {BREAK} ", 1)[0]
        questions.append(" ".join(sorted(content_stems(question.split()))))
        normalised.append((question, fields["answer"]))
    known_words.discard(BREAK)
    groups = answer_groups([answer for _, answer in normalised])
    return Index(dict(postings), questions, normalised, groups, frozenset(known_words))


def _fields(entry: Entry) -> dict[str, tuple[str, ...]]:
    return {
        "question": (entry.question, *entry.phrasings, *entry.keywords),
        "topics": entry.topics,
        "answer": (entry.answer,),
    }


def content_stems(words: list[str]) -> list[str]:
    return [stem(w) for w in words if w not in STOPWORDS]


def index_keys(
    words: list[str], stems: list[str], vocabulary: Vocabulary, pairs: bool = True
) -> tuple[set[str], set[str]]:
    """Keys of a text at full weight (stems, acronyms of names, adjacent pairs), and the stems
    seen only inside a program's name ("priority" in "Priority Enforcement Program")."""
    named_positions: set[int] = set()
    full: set[str] = set()
    for start, length, acronym in find(stems, vocabulary.names):
        named_positions.update(range(start, start + length))
        full.add(stem(acronym[0]))
    # Comprehensions rather than one loop: this runs over every word of every entry.
    content = [
        "" if word == BREAK else key  # "" between two texts: no pair spans them
        for word, key in zip(words, stems, strict=True)
        if word not in STOPWORDS
    ]
    named = {stems[i] for i in named_positions if words[i] not in STOPWORDS}
    if named_positions:
        full.update(
            key
            for i, (word, key) in enumerate(zip(words, stems, strict=True))
            if i not in named_positions and word not in STOPWORDS and word != BREAK
        )
    else:
        full.update(content)
        full.discard("")
    if pairs:
        full.update(f"{a} {b}" for a, b in itertools.pairwise(content) if a and b)
    return full, named - full


def facts_held(question: str, answer: str, names: frozenset[str]) -> frozenset[str]:
    """Kinds of fact an entry can give: those its question asks for or its answer states.

    ``names`` are numbers that name the document ("Executive Order 13768"), not facts in it.
    """
    text = " ".join(w for w in f"{question} {answer}".split() if w not in names)
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
        # One answer quoting another in full, then going on (A19 and A20). In sorted order the
        # answers that begin with a given one follow it directly.
        members.sort(key=lambda i: normal[i])
        for pos, short in enumerate(members):
            for longer in members[pos + 1 :]:
                if not normal[longer].startswith(normal[short]):
                    break
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
