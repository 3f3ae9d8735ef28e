"""Matcher accuracy beside simple baselines, on every labelled query set, in one run.

Run with `make bench`. The baselines get their best decision threshold on each set (chosen
after the fact, which flatters them); qabot uses its one default threshold everywhere.
"""

from __future__ import annotations

import math
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from rapidfuzz import fuzz, process

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.content import Catalogue, load_catalogue  # noqa: E402
from bot.matching import Matcher  # noqa: E402
from bot.matching.evaluation import LabelledQuery, load_queries  # noqa: E402
from bot.matching.text import terms  # noqa: E402

QUERY_SETS = [
    ROOT.parent / "shared" / "eval" / "dev.yaml",
    *sorted((ROOT / "bench").glob("queries-*.yaml")),
]

# A scorer returns (entry id, score) of its best candidate for a query.
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
    avg = sum(sum(d.values()) for d in docs) / n
    df = Counter(t for d in docs for t in d)
    idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}
    ids = [e.id for e in catalogue.entries]

    def best(query: str) -> tuple[str, float]:
        q = terms(query)
        scores = []
        for d in docs:
            length = sum(d.values())
            s = sum(
                idf.get(t, 0) * d[t] * (k1 + 1) / (d[t] + k1 * (1 - b + b * length / avg))
                for t in q
            )
            scores.append(s)
        top = max(range(n), key=scores.__getitem__)
        ceiling = sum(idf.get(t, 0) * (k1 + 1) / (1 + k1) for t in q) or 1.0
        return ids[top], scores[top] / ceiling

    return best


def rates(results: list[tuple[LabelledQuery, str, float]], threshold: float) -> tuple[float, ...]:
    ins = [(q, i, s) for q, i, s in results if q.expect]
    oos = [(q, i, s) for q, i, s in results if not q.expect]
    right = sum(1 for q, i, s in ins if s >= threshold and i in q.expect)
    wrong = sum(1 for q, i, s in ins if s >= threshold and i not in q.expect)
    declined = sum(1 for q, i, s in oos if s < threshold or not i)
    return right / len(ins), wrong / len(ins), declined / len(oos) if oos else 1.0


def best_threshold(results: list[tuple[LabelledQuery, str, float]]) -> tuple[float, ...]:
    # Best top-1 minus three times the wrong answers, plus declines: the baselines' best case.
    grid = [i / 100 for i in range(0, 101, 2)]
    return max((rates(results, t) for t in grid), key=lambda r: r[0] - 3 * r[1] + r[2])


def main() -> None:
    catalogue = load_catalogue(ROOT / "content" / "qa.yaml")
    matcher = Matcher(catalogue)
    baselines: dict[str, Scorer] = {
        "extractOne WRatio, questions": rapidfuzz_scorer(catalogue, fuzz.WRatio, False),
        "token_set_ratio, question+answer": rapidfuzz_scorer(catalogue, fuzz.token_set_ratio, True),
        "BM25 (stemmed), question+answer": bm25_scorer(catalogue),
    }
    print("accuracy: top-1 / wrong answers (of in-scope) / out of scope declined")
    for path in QUERY_SETS:
        if not path.is_file():
            continue
        queries = load_queries(path)
        print(
            f"\n{path.name} ({sum(1 for q in queries if q.expect)} in scope, "
            f"{sum(1 for q in queries if not q.expect)} out of scope)"
        )
        # A decline is a score below any threshold, whatever the matcher's own score was.
        ours = [
            (q, r.entry.id if r.entry else "", r.score if r.entry else -1.0)
            for q in queries
            for r in [matcher.match(q.text)]
        ]
        row(f"qabot matcher, threshold {matcher.threshold}", rates(ours, 0.0))
        for name, scorer in baselines.items():
            results = [(q, *scorer(q.text)) for q in queries]
            row(f"{name}, always answering", rates(results, 0.0))
            row(f"{name}, its best threshold", best_threshold(results))


def row(label: str, figures: tuple[float, ...]) -> None:
    top1, wrong, declined = figures
    print(f"  {label:<58}{top1:7.1%} {wrong:7.1%} {declined:7.1%}")


if __name__ == "__main__":
    main()
