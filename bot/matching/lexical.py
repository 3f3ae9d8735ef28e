"""Word evidence that an entry answers a question: the lexical half of the matcher.

The score is weighted coverage: how much of what the query asks (rare words counting most) one
entry accounts for, through its question, the hand-written phrasings and keywords, and its
answer. Synonyms, acronyms, stem prefixes and typo correction bridge the user's words to the
document's. Words no entry uses count against every entry alike, weighted by how rare they are in
English, and subjects the document is known not to cover count heavily: that is what makes
near-miss questions decline. Evidence (how specific the matched words are) and a margin between
different answers turn coverage into one confidence in [0, 1].
"""

from __future__ import annotations

import bisect
import heapq
import itertools
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from operator import itemgetter

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from bot.content.models import Catalogue, Entry
from bot.matching import english, lexicon
from bot.matching.index import build_index, facts_held
from bot.matching.phrases import rewrite
from bot.matching.query import facts_wanted, is_question, split_clauses, split_persona
from bot.matching.result import Candidate, Match
from bot.matching.text import STOPWORDS, normalise, stem
from bot.matching.vocabulary import build_vocabulary

# The lexical score on its own declines below this (`tuning` experiments; the matcher decides
# with the fitted probability instead).
DEFAULT_THRESHOLD = 0.34


_MAX_ALTERNATIVES = 5
_RANKED = 8
_MEMO_LIMIT = 50_000
_TYPO_MIN_LEN = 5
_TYPO_CUTOFF = 0.8
_PREFIX_MIN = 5
DIRECT = re.compile(r"^\s*(?:q|#|no\.?|number|question)?\s*(\d{1,4})\s*[?.!]?\s*$", re.I)


@dataclass(frozen=True, slots=True)
class Tuning:
    """The matcher's constants, in one place so that measurements can vary them."""

    synonym_credit: float = 0.85  # a synonym's match counts this much of the word's own
    prefix_credit: float = 0.8  # likewise for a stem that only shares a prefix
    evidence_scale: float = 0.45  # matched weight, in units of the rarest word, for ~63% trust
    similarity_share: float = 0.3  # part of the score from fuzzy similarity to the question
    unknown_share: float = 1.2  # weight of a word no entry uses, relative to a rare word's
    off_document_weight: float = 2.0  # weight of a known off-document subject, same units
    context_share: float = 0.25  # weight of words naming the document itself
    persona_share: float = 0.4  # weight of a leading "who I am" clause
    story_share: float = 0.25  # weight of unknown words in the clauses around the question
    phrase_share: float = 0.5  # weight of an adjacent pair found in an entry
    name_share: float = 0.6  # weight of a word inside a program's name ("Priority" in PEP)
    ambiguity: float = 0.15  # how much a near-tie between different answers lowers trust
    tie: float = 0.995  # rival/top ratio from which two different answers count as tied
    wrong_type: float = 0.3  # factor when the query asks for a fact the entry cannot hold
    common_discount: float = 0.6  # how much everyday English words weigh less than rare ones
    selective_fraction: float = 0.05  # terms rarer than this pick candidates in large corpora


@dataclass(frozen=True, slots=True)
class _Term:
    key: str
    weight: float
    alternatives: tuple[tuple[str, float], ...]  # (indexed key, credit)


class LexicalMatcher:
    """Word evidence over a catalogue; ``match`` is pure and safe to call concurrently."""

    def __init__(
        self, catalogue: Catalogue, threshold: float | None = None, tuning: Tuning | None = None
    ) -> None:
        self.catalogue = catalogue
        self.threshold = DEFAULT_THRESHOLD if threshold is None else threshold
        self.tuning = tuning or Tuning()
        self._entries = catalogue.entries
        self._by_number: dict[int, Entry] = {}
        for entry in self._entries:
            self._by_number.setdefault(entry.number, entry)
        self._index_of = {entry.id: i for i, entry in enumerate(self._entries)}

        # The general lexicon and what the catalogue's own sources say of their words.
        self._vocabulary = vocabulary = build_vocabulary(catalogue.sources)
        self._related = vocabulary.related
        self._off_document = vocabulary.off_document
        self._context = vocabulary.context
        self._context_numbers = frozenset(w for w in vocabulary.context if w.isdigit())
        index = build_index(self._entries, vocabulary, self.tuning.name_share)
        self._postings = index.postings
        self._questions = index.questions
        self._normalised = index.normalised
        self._facts: dict[int, frozenset[str]] = {}  # filled as entries reach the top
        self._group = index.groups

        n = len(self._entries)
        self._idf = {  # pairs of words need none: a pair weighs what its rarer word weighs
            key: math.log(1.0 + (n - len(row) + 0.5) / (len(row) + 0.5))
            for key, row in self._postings.items()
            if " " not in key
        }
        self._max_idf = math.log(1.0 + (n - 0.5) / 1.5) if n > 1 else 1.0
        self._selective_df = max(50, int(n * self.tuning.selective_fraction))
        self._stems = sorted(k for k in self._postings if " " not in k)
        self._known_words = sorted((index.known_words | vocabulary.rewrite_words) - STOPWORDS)
        self._known_set = frozenset(self._known_words)
        self._latest_year = max((e.source.released.year for e in self._entries), default=0)
        # Memos of pure functions of the index: queries repeat the same words.
        self._term_memo: dict[tuple[str, float, float, float], _Term] = {}
        self._spelling_memo: dict[str, str] = {}
        english.zipf_table()  # read the word list now, not during the first question

    # -- public -------------------------------------------------------------------------

    def match(self, query: str) -> Match:
        """The best entry for ``query`` and its confidence, or a decline with alternatives."""
        direct = DIRECT.match(query)
        if direct:
            entry = self._by_number.get(int(direct.group(1)))
            if entry is not None:
                return Match(query, entry, 1.0, ())

        parts = [(normalise(text), share, unknown) for text, share, unknown in self._parts(query)]
        terms = self._query_terms(parts)
        coverage = self._coverage(terms)
        if not coverage:
            return Match(query, None, 0.0, ())

        total = sum(t.weight for t in terms)
        wanted = facts_wanted(" ".join(part[0] for part in parts))
        query_key = " ".join(sorted({t.key for t in terms if " " not in t.key}))
        ranked = heapq.nlargest(_RANKED, coverage.items(), key=_second)
        scored = sorted(
            ((i, self._confidence(cov, total, query_key, i, wanted)) for i, cov in ranked),
            key=_second,
            reverse=True,
        )
        top_index, top_score = scored[0]
        rival = next((s for i, s in scored[1:] if self._group[i] != self._group[top_index]), 0.0)
        # Two different answers almost equally likely: every candidate is less certain, and the
        # top one may fall under the threshold. Asking beats guessing between official answers.
        factor = self._ambiguity_factor(top_score, rival)
        candidates = [Candidate(self._entries[i], s * factor) for i, s in scored if s > 0]
        # A coin toss between two different official answers is no answer, however confident.
        tied = top_score > 0 and rival / top_score >= self.tuning.tie
        if not candidates or tied or candidates[0].score < self.threshold:
            top = candidates[0].score if candidates else 0.0
            return Match(query, None, top, tuple(candidates[:_MAX_ALTERNATIVES]))
        best = candidates[0]
        return Match(query, best.entry, best.score, tuple(candidates[1 : 1 + _MAX_ALTERNATIVES]))

    @property
    def groups(self) -> tuple[int, ...]:
        """Per entry position: entries with the same number give the same answer."""
        return tuple(self._group)

    def same_answer(self, a: Entry, b: Entry) -> bool:
        """Whether two entries give the same official answer (or one begins the other)."""
        return self._group[self._index_of[a.id]] == self._group[self._index_of[b.id]]

    # -- scoring ------------------------------------------------------------------------

    def _coverage(self, terms: list[_Term]) -> dict[int, float]:
        """Weighted sum of each query term's best match, for every entry that could win."""
        postings = self._postings
        rows = [postings[alt] for term in terms for alt, _ in term.alternatives]
        selective = [row for row in rows if len(row) <= self._selective_df]
        scoped = len(self._entries) > self._selective_df and bool(selective)
        # Large corpora: only entries sharing a selective word can win; score just those.
        scope: set[int] = set().union(*(selective if scoped else rows))
        coverage = dict.fromkeys(scope, 0.0)
        for term in terms:
            best: dict[int, float] = {}
            for alt, credit in term.alternatives:
                row = postings[alt]
                pairs: Iterable[tuple[int, float]]
                if not scoped:
                    pairs = row.items()
                elif len(row) <= len(coverage):  # walk the shorter side
                    pairs = ((i, w) for i, w in row.items() if i in coverage)
                else:
                    pairs = ((i, row[i]) for i in coverage if i in row)
                for index, field_weight in pairs:
                    value = field_weight * credit
                    if value > best.get(index, 0.0):
                        best[index] = value
            for index, value in best.items():
                coverage[index] += term.weight * value
        return coverage

    def _confidence(
        self, matched: float, total: float, query_key: str, index: int, wanted: frozenset[str]
    ) -> float:
        """Coverage of the query, discounted when what it matched is common and unspecific."""
        tuning = self.tuning
        coverage = matched / total
        # Evidence: a lone common word ("ice") proves little; a rare one ("pep") proves a lot.
        evidence = 1.0 - math.exp(-matched / (self._max_idf * tuning.evidence_scale))
        similarity = fuzz.token_sort_ratio(query_key, self._questions[index]) / 100.0
        share = tuning.similarity_share
        score = coverage * evidence * (1.0 - share + share * similarity)
        if wanted and wanted - self._facts_of(index):
            # "How many ..." of an entry with no number in it: the words match, the answer can't.
            score *= tuning.wrong_type
        return max(0.0, min(1.0, score))

    def _facts_of(self, index: int) -> frozenset[str]:
        facts = self._facts.get(index)
        if facts is None:
            facts = self._facts[index] = facts_held(*self._normalised[index], self._context_numbers)
        return facts

    def _ambiguity_factor(self, top: float, rival: float) -> float:
        if top <= 0:
            return 1.0
        return 1.0 - self.tuning.ambiguity * max(0.0, (rival / top - 0.8) / 0.2)

    # -- the query ----------------------------------------------------------------------

    def _parts(self, query: str) -> list[tuple[str, float, float]]:
        """The query's clauses, each with the weight of its words and of its unknown words.

        A leading "who I am" label counts for little; so do the words no entry uses in the
        story around a question ("fed defender here. are we about to see ...").
        """
        share = self.tuning.persona_share
        who, ask = split_persona(query)
        parts = [(who, share, share)] if who else []
        clauses = split_clauses(ask)
        asks = [c for c in clauses if is_question(c)]
        if not asks or len(asks) == len(clauses):
            return [*parts, (ask, 1.0, 1.0)]
        story = self.tuning.story_share
        return parts + [(c, 1.0, 1.0 if c in asks else story) for c in clauses]

    def _query_terms(self, parts: list[tuple[str, float, float]]) -> list[_Term]:
        """Weighted terms of the normalised query parts; empty for mere chatter."""
        words: list[tuple[str, float, float]] = []
        for text, share, unknown_share in parts:
            # Spelling first, so that "priority enforcement progam" is still a program's name.
            corrected = [self._correct(w) for w in text.split()]
            rewritten, _ = rewrite(corrected, self._vocabulary.idioms, self._vocabulary.names)
            words += [(w, share, unknown_share) for w in rewritten]

        stems: list[str] = []
        info: dict[str, tuple[float, float, float]] = {}  # stem -> (rarity, shares)
        for word, share, unknown_share in words:
            if word in STOPWORDS:
                continue
            key = stem(word)
            stems.append(key)
            rarity, old_share, old_unknown = info.get(key, (0.0, 0.0, 0.0))
            info[key] = (
                max(rarity, _rarity(word)),
                max(share, old_share),
                max(unknown_share, old_unknown),
            )
        if all(s in lexicon.CHATTER for s in stems):
            return []

        memo = self._term_memo
        if len(memo) > _MEMO_LIMIT:
            memo.clear()
        terms = []
        for key in dict.fromkeys(stems):
            signature = (key, *info[key])
            term = memo.get(signature)
            if term is None:
                term = memo[signature] = self._term(*signature)
            terms.append(term)
        by_key = {t.key: t for t in terms}
        return terms + self._phrase_terms(stems, by_key)

    def _term(self, key: str, rarity: float, share: float, unknown_share: float) -> _Term:
        tuning = self.tuning
        synonyms = [a for a in self._related.get(key, ()) if a in self._postings and a != key]
        prefixed = [] if key in self._postings or synonyms else self._prefix_matches(key)
        # A subject the documents do turn out to speak of is not off them after all.
        off = (key in self._off_document and key not in self._postings) or self._after_release(key)
        if off:
            # Asked about, another subject; mentioned in the story around a question, background.
            weight = self._max_idf * tuning.off_document_weight * unknown_share
        elif key in self._idf or synonyms or prefixed:
            # Everyday English words ("gone", "look") tell less than their rarity here suggests.
            idf = self._idf.get(key) or max(self._idf[a] for a in synonyms or prefixed)
            weight = idf * (1.0 - tuning.common_discount * (1.0 - rarity))
        else:
            weight = self._max_idf * tuning.unknown_share * rarity * unknown_share
        if not off and (key in self._context or (key.isdigit() and key not in self._postings)):
            # Dates and numbers the documents never mention ("the feb 20 memo") set context.
            weight *= tuning.context_share
        weight *= share

        if off or key in self._context:
            # Another subject matches nothing here; the document's own name matches everything.
            return _Term(key, weight, ())
        alternatives: dict[str, float] = {key: 1.0} if key in self._postings else {}
        for alt, credit in [(a, tuning.synonym_credit) for a in synonyms] + [
            (a, tuning.prefix_credit) for a in prefixed
        ]:
            # A synonym proves no more than its own rarity: "convicted" matched through
            # "criminal" is only as telling as "criminal" is.
            alternatives.setdefault(alt, credit * min(1.0, self._idf[alt] * share / weight))
        return _Term(key, weight, tuple(alternatives.items()))

    def _phrase_terms(self, stems: list[str], by_key: dict[str, _Term]) -> list[_Term]:
        """Adjacent word pairs that some entry also has: order carries meaning
        ("enforcement priorities" is not "Priority Enforcement Program")."""
        phrases: list[_Term] = []
        for a, b in itertools.pairwise(stems):
            first, second = by_key[a], by_key[b]
            alternatives = {
                f"{x} {y}": cx * cy
                for x, cx in first.alternatives
                for y, cy in second.alternatives
                if f"{x} {y}" in self._postings
            }
            if alternatives:
                weight = self.tuning.phrase_share * min(first.weight, second.weight)
                phrases.append(_Term(f"{a} {b}", weight, tuple(alternatives.items())))
        return phrases

    def _prefix_matches(self, key: str) -> list[str]:
        """Indexed stems that extend this one or that it extends ("statutori" / "statut")."""
        if len(key) < _PREFIX_MIN:
            return []
        start = bisect.bisect_left(self._stems, key[:_PREFIX_MIN])
        found = []
        for other in itertools.islice(self._stems, start, start + 50):
            if not other.startswith(key[:_PREFIX_MIN]):
                break
            if len(other) >= _PREFIX_MIN and (other.startswith(key) or key.startswith(other)):
                found.append(other)
        return found

    def _after_release(self, key: str) -> bool:
        # The documents cannot speak of years after their release: "in 2025" is another subject.
        return len(key) == 4 and key.isdigit() and int(key) > self._latest_year > 0

    def _correct(self, word: str) -> str:
        """The document's spelling of a mistyped word, or the word itself."""
        if len(word) < _TYPO_MIN_LEN or word in self._known_set or not word.isalpha():
            return word
        if word not in self._spelling_memo:
            if len(self._spelling_memo) > _MEMO_LIMIT:
                self._spelling_memo.clear()
            self._spelling_memo[word] = self._closest_spelling(word)
        return self._spelling_memo[word]

    def _closest_spelling(self, word: str) -> str:
        if english.is_english(word) or stem(word) in self._related:
            return word  # a real word that we do not index is not a typo of one we do
        hit = process.extractOne(
            word,
            self._known_words,
            scorer=OSA.normalized_similarity,  # a swap of two letters is one slip, not two
            score_cutoff=_TYPO_CUTOFF,
        )
        return hit[0] if hit else word


_second = itemgetter(1)


def _rarity(word: str) -> float:
    """0 for the commonest English words, 1 for words rarer than any in the frequency list."""
    return min(1.0, max(0.05, (6.5 - english.zipf(word)) / (6.5 - english.RARE_ZIPF)))
