"""Matcher accuracy beside baselines on every labelled query set, and across documents.

Run with `make bench`. The baselines get their best decision threshold on each set (chosen
after the fact, which flatters them); qabot uses its one default threshold everywhere.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from rapidfuzz import fuzz

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

sys.path.insert(0, str(ROOT / "tools"))

from baselines import Scorer, bm25_scorer, embedding_scorer, rapidfuzz_scorer  # noqa: E402

from bot.content import load_catalogue  # noqa: E402
from bot.matching import Matcher, Semantics  # noqa: E402
from bot.matching.evaluation import LabelledQuery, load_queries  # noqa: E402
from bot.matching.fitting import fit, outcome  # noqa: E402

SHARED = ROOT.parent / "shared"
CONTENT = ROOT / "content" / "qa.yaml"
CACHE = Path(os.environ.get("QABOT_CACHE_DIR", ROOT / ".cache"))
QUERY_SETS = [
    SHARED / "eval" / "dev.yaml",
    *sorted((ROOT / "bench").glob("queries-*.yaml")),
    SHARED / "eval" / "cvfaq-dev.yaml",
]


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


def content_for(path: Path) -> Path:
    """The content a query set is labelled against: the FAQ's sets name it, the rest are the
    interior release's."""
    return SHARED / "content" / "cvfaq.yaml" if "cvfaq" in path.name else CONTENT


def main() -> None:
    semantics = Semantics.load(None, None, CACHE)
    print("accuracy: right / wrong answers (of in-scope) / out of scope declined")
    print("qabot uses its one fitted threshold everywhere; baselines get their best per set.")
    built: dict[Path, tuple[Matcher, dict[str, Scorer]]] = {}
    for path in QUERY_SETS:
        content = content_for(path)
        if not path.is_file() or not content.is_file():
            continue
        if content not in built:
            catalogue = load_catalogue(content)
            built[content] = (
                Matcher(catalogue, semantics),
                {
                    "extractOne WRatio, questions": rapidfuzz_scorer(catalogue, fuzz.WRatio, False),
                    "BM25 (stemmed), question+answer": bm25_scorer(catalogue),
                    "all-MiniLM-L6-v2 alone, question/answer": embedding_scorer(
                        catalogue, semantics
                    ),
                },
            )
        matcher, baselines = built[content]
        queries = load_queries(path)
        print(
            f"\n{path.name} on {content.name} ({sum(1 for q in queries if q.expect)} in scope, "
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
    cross_document()


def cross_document() -> None:
    """The decision fitted without each practice collection, scored on it."""
    import fit_decision

    if not all(p.is_file() for _, files in fit_decision.TRAINING.values() for p in files):
        print("\ncross-document: the practice sets in ../shared are not here")
        return
    semantics = Semantics.load(None, None, CACHE)
    data = fit_decision.collect(semantics)
    print("\ncross-document: decision fitted without the collection, scored on it")
    for name, rows in data.items():
        held_out = fit({k: v for k, v in data.items() if k != name})
        print(f"  {name:<36}{outcome(held_out, rows).line()}")


def row(label: str, figures: tuple[float, ...]) -> None:
    top1, wrong, declined = figures
    print(f"  {label:<58}{top1:7.1%} {wrong:7.1%} {declined:7.1%}")


if __name__ == "__main__":
    main()
