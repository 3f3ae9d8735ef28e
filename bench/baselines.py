"""Baselines the benchmarks set beside qabot: rapidfuzz, stemmed BM25, the plain embedding.

Each returns a scorer: query -> (entry id of its best candidate, score in [0, 1]).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable

import numpy as np
from rapidfuzz import process

from bot.content import Catalogue
from bot.matching import Semantics
from bot.matching.semantic import plain_text
from bot.matching.text import terms

Scorer = Callable[[str], tuple[str, float]]


def rapidfuzz_scorer(catalogue: Catalogue, scorer, with_answer: bool) -> Scorer:
    ids = [e.id for e in catalogue.entries]
    texts = [f"{e.question} {e.answer}" if with_answer else e.question for e in catalogue.entries]

    def best(query: str) -> tuple[str, float]:
        _, score, index = process.extractOne(query, texts, scorer=scorer)
        return ids[index], score / 100

    return best


def bm25_scorer(catalogue: Catalogue, k1: float = 1.2, b: float = 0.75) -> Scorer:
    """Okapi BM25 over stemmed question and answer, scores scaled to [0, 1] by the maximum."""
    docs = [Counter(terms(f"{e.question} {e.answer}")) for e in catalogue.entries]
    n = len(docs)
    lengths = [sum(d.values()) for d in docs]
    avg = sum(lengths) / n
    df = Counter(t for d in docs for t in d)
    idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}
    postings: dict[str, list[tuple[int, int]]] = {}
    for i, d in enumerate(docs):
        for t, tf in d.items():
            postings.setdefault(t, []).append((i, tf))
    ids = [e.id for e in catalogue.entries]

    def best(query: str) -> tuple[str, float]:
        q = terms(query)
        scores = np.zeros(n)
        for t in q:
            for i, tf in postings.get(t, ()):
                norm = k1 * (1 - b + b * lengths[i] / avg)
                scores[i] += idf[t] * tf * (k1 + 1) / (tf + norm)
        top = int(np.argmax(scores))
        ceiling = sum(idf.get(t, 0) * (k1 + 1) / (1 + k1) for t in q) or 1.0
        return ids[top], float(scores[top] / ceiling)

    return best


def embedding_scorer(catalogue: Catalogue, semantics: Semantics) -> Scorer:
    """The model alone: cosine of the query to each question and answer, the best of the two."""
    entries = catalogue.entries
    encoder = semantics.encoder
    texts = [e.question for e in entries] + [plain_text(e.answer) for e in entries]
    # One call under a scope of its own: the cache keeps one file per scope and call.
    vectors, _ = semantics.cache.embed(encoder, texts, scope=f"baseline:{catalogue.paths}")
    questions, answers = vectors[: len(entries)], vectors[len(entries) :]
    ids = [e.id for e in entries]

    def best(query: str) -> tuple[str, float]:
        vector = encoder.encode([query])[0]
        scores = np.maximum(questions @ vector, answers @ vector)
        top = int(np.argmax(scores))
        return ids[top], float(scores[top])

    return best
