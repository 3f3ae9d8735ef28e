"""Find the entry whose official answer answers a question, or decline.

Three kinds of evidence meet here: the meaning of the query beside each question and answer
(sentence embeddings), the words it shares with them (the lexical matcher: rare words,
acronyms, typos), and how far the best entry leads the best one with a different answer. A
fitted model turns them into one probability; below the threshold the bot declines.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from bot.content.models import Catalogue, Entry
from bot.content.reference import resolve
from bot.matching.decision import Decision, choose, load_decision
from bot.matching.embedding import Progress
from bot.matching.lexical import LexicalMatcher
from bot.matching.result import Candidate, Match
from bot.matching.semantic import Semantics
from bot.matching.text import normalise

_MAX_ALTERNATIVES = 5
# Entries whose own question estimates the collection's lexical background: a steady mean,
# and a large collection still loads in about a second more.
_BACKGROUND_SAMPLE = 128


class Matcher:
    """An index over a catalogue; ``match`` is pure and safe to call from several threads."""

    def __init__(
        self,
        catalogue: Catalogue,
        semantics: Semantics,
        threshold: float | None = None,
        decision: Decision | None = None,
        progress: Progress | None = None,
    ) -> None:
        self.catalogue = catalogue
        self.decision = decision or load_decision()
        self.threshold = self.decision.threshold if threshold is None else threshold
        self._semantics = semantics
        self._lexical = LexicalMatcher(catalogue)
        self._entries = catalogue.entries
        self._index_of = {entry.id: i for i, entry in enumerate(self._entries)}
        # Per entry position: entries with the same number give the same answer.
        self.groups = np.array(self._lexical.groups, dtype=np.int64)
        self._verbatim: dict[str, int] = {}
        for i, entry in enumerate(self._entries):
            self._verbatim.setdefault(normalise(entry.question), i)
        self.lexical_background = _lexical_background(self._lexical, self._entries)
        scope = "\n".join(str(Path(p).resolve()) for p in catalogue.paths)
        self.semantic_index = semantics.index(self._entries, progress, scope)

    def match(self, query: str) -> Match:
        """The best entry for ``query`` and its confidence, or a decline with alternatives."""
        reference = resolve(query, self.catalogue)
        if reference is not None and reference.entries:
            numbered = tuple(Candidate(entry, 1.0) for entry in reference.entries)
            if len(numbered) == 1:
                return Match(query, numbered[0].entry, 1.0, ())
            return Match(query, None, 1.0, numbered[:_MAX_ALTERNATIVES])  # which one is meant?
        evidence = self.evidence(query)
        if evidence is None:
            return Match(query, None, 0.0, ())
        candidates, verbatim = evidence
        choice = choose(self.decision, candidates, self.groups)
        scored = [Candidate(self._entries[i], p) for i, p in choice.ranked]
        answer = choice.answers(self.threshold)
        if verbatim is not None:  # the official question itself, typed as published
            own = self._entries[verbatim]
            scored = [Candidate(own, 1.0), *(c for c in scored if c.entry is not own)]
            answer = True
        if not answer:
            return Match(query, None, scored[0].score, tuple(scored[:_MAX_ALTERNATIVES]))
        best = scored[0]
        return Match(query, best.entry, best.score, tuple(scored[1 : 1 + _MAX_ALTERNATIVES]))

    def evidence(self, query: str) -> tuple[np.ndarray, int | None] | None:
        """Per entry (``RANK_FEATURES``), and the entry whose question the query is verbatim."""
        if not any(ch.isalnum() for ch in query):
            return None
        question, answer, gist = self.semantic_index.similarities(self._semantics.embed(query))
        lexical = np.zeros(len(self._entries), dtype=np.float32)
        for candidate in self._lexical.match(query).candidates:
            lexical[self._index_of[candidate.entry.id]] = candidate.score
        # Words shared with an entry say less in a collection whose entries share vocabulary
        # (one subject, one agency's terms): word evidence is read above that background.
        lexical -= self.lexical_background
        candidates = np.stack([question, answer, lexical, gist], axis=1).astype(np.float64)
        return candidates, self._verbatim.get(normalise(query))

    def same_answer(self, a: Entry, b: Entry) -> bool:
        """Whether two entries give the same official answer (or one begins the other)."""
        return self._lexical.same_answer(a, b)


def _lexical_background(lexical: LexicalMatcher, entries: tuple[Entry, ...]) -> float:
    """The word evidence a question typically finds in entries with another answer: the mean,
    over a sample of entries, of their own question's best score among the other answers."""
    if len(entries) < 2:
        return 0.0
    sample = np.unique(np.linspace(0, len(entries) - 1, _BACKGROUND_SAMPLE).round().astype(int))
    best = []
    for entry in (entries[i] for i in sample):
        others = [
            c.score
            for c in lexical.match(entry.question).candidates
            if not lexical.same_answer(c.entry, entry)
        ]
        best.append(max(others, default=0.0))
    return float(np.mean(best))
