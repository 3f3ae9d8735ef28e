"""What the matcher knows of words for one catalogue: the general lexicon and its sources' own.

General English (idioms, synonyms, concepts) comes from ``lexicon``; names, acronyms, jargon,
the words naming a document and the subjects it does not cover come from each source's
``vocabulary`` block. They are merged once per catalogue, so that one document's knowledge
reaches only the matcher built over it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from bot.content.models import Source
from bot.matching import lexicon
from bot.matching.phrases import Table, phrase_table
from bot.matching.text import normalise, stem


@dataclass(frozen=True)
class Vocabulary:
    """The merged word knowledge of a catalogue, in the stemmed forms the matcher compares."""

    idioms: Table  # phrases rewritten before stemming, in queries and entries alike
    names: Table  # full names of programs -> their acronyms
    related: dict[str, tuple[str, ...]]  # stem -> stems it may match instead
    context: frozenset[str]  # stems that name a document itself
    off_document: frozenset[str]  # stems of subjects the documents do not cover
    rewrite_words: frozenset[str]  # words idioms rewrite to: known spellings for typo fixes


def build_vocabulary(sources: Iterable[Source]) -> Vocabulary:
    """The general lexicon with every source's vocabulary block added."""
    phrases = dict(lexicon.PHRASES)
    names: dict[str, str] = {}  # full name -> acronym
    synonyms: dict[str, set[str]] = defaultdict(set)
    for key, alternatives in lexicon.SYNONYMS.items():  # written as stems
        synonyms[key].update(alternatives)
    concepts = list(lexicon.CONCEPTS)
    context = set(lexicon.CONTEXT)
    off_document: set[str] = set()
    for source in sources:
        vocabulary = source.vocabulary
        phrases.update((normalise(k), normalise(v)) for k, v in vocabulary.phrases.items())
        for short, full in vocabulary.acronyms.items():
            names[normalise(full)] = normalise(short)
        for word, alternatives in vocabulary.synonyms.items():
            synonyms[_stem(word)].update(_stem(a) for a in alternatives)
        concepts += [normalise(group) for group in vocabulary.concepts]
        context.update(_stem(word) for word in vocabulary.context)
        off_document.update(_stem(word) for word in vocabulary.off_document)

    related: dict[str, set[str]] = defaultdict(set)
    for key, stems_of_key in synonyms.items():
        related[key].update(stems_of_key)
    for group in concepts:
        stems = {stem(word) for word in group.split()}
        for key in stems:
            related[key].update(stems - {key})
    return Vocabulary(
        idioms=phrase_table(phrases),
        names=phrase_table(names),
        related={key: tuple(sorted(alternatives)) for key, alternatives in related.items()},
        context=frozenset(context),
        off_document=frozenset(off_document),
        rewrite_words=frozenset(w for words in phrases.values() for w in words.split()),
    )


def _stem(word: str) -> str:
    return stem(normalise(word))
