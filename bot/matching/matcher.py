"""Find the entry whose official answer answers a question, or decline.

The score is IDF-weighted coverage: how much of what the query asks (its rare words counting
most) one entry accounts for, through its question, the hand-written phrasings and keywords, and
its answer, with synonyms, acronyms and typo correction bridging the user's words to the
document's. Words the document never uses, and subjects it is known not to cover, count against
every entry alike, which is what makes near-miss questions decline.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from bot.content.models import Catalogue, Entry
from bot.matching import lexicon
from bot.matching.text import STOPWORDS, normalise, stem

# Chosen on the development set and a held-out set of our own (see `qabot eval`); one place.
DEFAULT_THRESHOLD = 0.5

# How much a word found in each part of an entry counts, relative to the question itself.
FIELD_WEIGHTS = {"question": 1.0, "phrasings": 1.0, "keywords": 1.0, "topics": 0.7, "answer": 0.8}
_SYNONYM_CREDIT = 0.85
_TYPO_MIN_LEN = 5
_TYPO_CUTOFF = 0.8
_MAX_ALTERNATIVES = 5
_DIRECT = re.compile(r"^\s*(?:q|#|no\.?|number|question)?\s*(\d{1,4})\s*[?.!]?\s*$", re.I)
_PERSONA = re.compile(r"^(?P<who>[^:?]{2,60}?)(?::| - | — | – )\s*(?P<ask>.+)$")
_QUESTION_START = frozenset(
    "is are does do can could will would has have did should what when who which how why".split()
)


@dataclass(frozen=True, slots=True)
class Candidate:
    """An entry and the confidence that it answers the query."""

    entry: Entry
    score: float


@dataclass(frozen=True, slots=True)
class Match:
    """The matcher's verdict: an entry, or ``None`` to decline, and the runners-up."""

    query: str
    entry: Entry | None
    score: float
    alternatives: tuple[Candidate, ...] = ()

    @property
    def answered(self) -> bool:
        return self.entry is not None

    def as_dict(self) -> dict[str, Any]:
        """The match result of the outside interface (``ask --json``, ``match --jsonl``)."""
        return {
            "query": self.query,
            "id": self.entry.id if self.entry else None,
            "score": round(self.score, 4),
            "alternatives": [
                {"id": c.entry.id, "score": round(c.score, 4)} for c in self.alternatives
            ],
        }


@dataclass(frozen=True, slots=True)
class _Term:
    stem: str
    weight: float
    alternatives: tuple[tuple[str, float], ...]  # (indexed stem, credit)


class Matcher:
    """An index over a catalogue; ``match`` is pure and safe to call concurrently."""

    def __init__(self, catalogue: Catalogue, threshold: float | None = None) -> None:
        self.catalogue = catalogue
        self.threshold = DEFAULT_THRESHOLD if threshold is None else threshold
        self._entries = catalogue.entries
        self._by_number: dict[int, Entry] = {}
        for entry in self._entries:
            self._by_number.setdefault(entry.number, entry)

        # term -> {entry index: best field weight}
        postings: dict[str, dict[int, float]] = defaultdict(dict)
        self._questions: list[str] = []
        known_words: set[str] = set()
        for index, entry in enumerate(self._entries):
            for field, texts in _fields(entry).items():
                weight = FIELD_WEIGHTS[field]
                for text in texts:
                    ws = _expand_words(normalise(text).split())
                    known_words.update(ws)
                    for word in ws:
                        if word in STOPWORDS:
                            continue
                        row = postings[stem(word)]
                        if row.get(index, 0.0) < weight:
                            row[index] = weight
            self._questions.append(" ".join(sorted(_content_stems(entry.question))))
        self._postings = dict(postings)

        n = len(self._entries)
        self._idf = {
            t: math.log(1.0 + (n - len(row) + 0.5) / (len(row) + 0.5))
            for t, row in self._postings.items()
        }
        idfs = sorted(self._idf.values())
        self._max_idf = idfs[-1] if idfs else 1.0
        # An unknown word is as telling as a word found in a single entry or two.
        self._unknown_idf = math.log(1.0 + (n - 1.5) / 1.5) if n > 1 else 1.0
        lexicon_words = {w for phrase in lexicon.PHRASES.values() for w in phrase.split()}
        self._known_words = sorted(
            w for w in known_words | lexicon_words | set(lexicon.PHRASES) if w not in STOPWORDS
        )
        self._known_set = frozenset(self._known_words)
        self._group = _answer_groups(self._entries)

    # -- public -------------------------------------------------------------------------

    def match(self, query: str) -> Match:
        """The best entry for ``query`` and its confidence, or a decline with alternatives."""
        direct = _DIRECT.match(query)
        if direct:
            entry = self._by_number.get(int(direct.group(1)))
            if entry is not None:
                return Match(query, entry, 1.0, ())

        terms = self._query_terms(query)
        if not terms:
            return Match(query, None, 0.0, ())

        total = sum(t.weight for t in terms)
        coverage: dict[int, float] = defaultdict(float)
        for term in terms:
            best: dict[int, float] = {}
            for alt, credit in term.alternatives:
                for index, field_weight in self._postings.get(alt, {}).items():
                    value = field_weight * credit
                    if value > best.get(index, 0.0):
                        best[index] = value
            for index, value in best.items():
                coverage[index] += term.weight * value
        if not coverage:
            return Match(query, None, 0.0, ())

        ranked = sorted(coverage.items(), key=lambda kv: kv[1], reverse=True)[:12]
        query_key = " ".join(sorted({t.stem for t in terms}))
        scored = [
            (index, self._confidence(cov / total, query_key, index, len(terms)))
            for index, cov in ranked
        ]
        scored.sort(key=lambda kv: kv[1], reverse=True)

        top_index, top_score = scored[0]
        rival = next((s for i, s in scored[1:] if self._group[i] != self._group[top_index]), 0.0)
        # Two different answers almost equally likely: better to ask than to guess.
        if top_score > 0 and rival / top_score > 0.92:
            top_score *= 0.85
        alternatives = tuple(
            Candidate(self._entries[i], round(s, 4)) for i, s in scored[1:] if s > 0
        )[:_MAX_ALTERNATIVES]
        top = self._entries[top_index]
        if top_score < self.threshold:
            return Match(query, None, top_score, (Candidate(top, top_score), *alternatives)[:5])
        return Match(query, top, top_score, alternatives)

    # -- internals ----------------------------------------------------------------------

    def _confidence(self, cov: float, query_key: str, index: int, n_terms: int) -> float:
        similarity = fuzz.token_sort_ratio(query_key, self._questions[index]) / 100.0
        score = cov * (0.85 + 0.15 * similarity)
        return max(0.0, min(1.0, score))

    def _query_terms(self, query: str) -> list[_Term]:
        text = normalise(query)
        text = _focus(text)
        words = _expand_words(text.split(), phrases_only=True)
        stems: list[str] = []
        for word in words:
            if word in STOPWORDS:
                continue
            stems.append(stem(self._correct(word)))
        if all(s in lexicon.CHATTER for s in stems):
            return []

        terms: list[_Term] = []
        seen: set[str] = set()
        for s in stems:
            if s in seen:
                continue
            seen.add(s)
            alts: dict[str, float] = {}
            if s in self._postings:
                alts[s] = 1.0
            for alt in lexicon.SYNONYMS.get(s, ()):
                if alt in self._postings and alt not in alts:
                    alts[alt] = _SYNONYM_CREDIT
            if s in lexicon.OFF_DOCUMENT:
                weight = self._max_idf * 2.0
            elif s in self._idf:
                weight = self._idf[s]
            elif alts:
                weight = max(self._idf[a] for a in alts)
            else:
                weight = self._unknown_idf * 0.6
            terms.append(_Term(s, weight, tuple(alts.items())))
        return terms

    def _correct(self, word: str) -> str:
        """The document's spelling of a mistyped word, or the word itself."""
        if len(word) < _TYPO_MIN_LEN or word in self._known_set or word.isdigit():
            return word
        if stem(word) in self._postings or stem(word) in lexicon.SYNONYMS:
            return word
        hit = process.extractOne(
            word,
            self._known_words,
            scorer=Levenshtein.normalized_similarity,
            score_cutoff=_TYPO_CUTOFF,
        )
        return hit[0] if hit else word


def _fields(entry: Entry) -> dict[str, tuple[str, ...]]:
    return {
        "question": (entry.question,),
        "phrasings": entry.phrasings,
        "keywords": entry.keywords,
        "topics": entry.topics,
        "answer": (entry.answer,),
    }


def _content_stems(text: str) -> list[str]:
    return [stem(w) for w in normalise(text).split() if w not in STOPWORDS]


def _expand_words(words: list[str], phrases_only: bool = False) -> list[str]:
    """Rewrite idioms, and add an acronym's full name (and the reverse) beside it."""
    text = " " + " ".join(words) + " "
    for phrase, replacement in lexicon.PHRASES.items():
        if f" {phrase} " in text:
            text = text.replace(f" {phrase} ", f" {replacement} ")
    out = text.split()
    if phrases_only:
        return out
    extra: list[str] = []
    joined = " " + " ".join(out) + " "
    for acronym, full in lexicon.ACRONYMS.items():
        if f" {acronym} " in joined:
            extra.extend(full.split())
        if f" {full} " in joined:
            extra.append(acronym)
    return out + extra


def _focus(text: str) -> str:
    """Drop a leading 'who I am' clause ("public defender: can ICE ...") when a question follows."""
    m = _PERSONA.match(text)
    if not m:
        return text
    ask = m.group("ask")
    first = ask.split()[0] if ask.split() else ""
    content = [w for w in ask.split() if w not in STOPWORDS]
    if first in _QUESTION_START and len(content) >= 2:
        return ask
    return text


def _answer_groups(entries: tuple[Entry, ...]) -> list[int]:
    """Group id per entry: entries whose answers are the same text, or one starts the other."""
    parent = list(range(len(entries)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    blocks: dict[str, list[int]] = defaultdict(list)
    normal = [normalise(e.answer) for e in entries]
    for index, text in enumerate(normal):
        blocks[text[:60]].append(index)
    for members in blocks.values():
        for a_pos, a in enumerate(members):
            for b in members[a_pos + 1 :]:
                short, long_ = sorted((normal[a], normal[b]), key=len)
                same = fuzz.ratio(short, long_) >= 95
                starts = fuzz.ratio(short, long_[: len(short)]) >= 95
                if same or starts:
                    parent[find(a)] = find(b)
    return [find(i) for i in range(len(entries))]
