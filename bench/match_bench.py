"""Matcher speed beside BM25 and the plain embedding, on the real corpora and 10,000 entries.

Run with `make bench`. Every figure is measured in this one run on this machine; the goals are
printed beside them as ratios, never asserted in unit tests.
"""

from __future__ import annotations

import dataclasses
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from baselines import bm25_scorer, embedding_scorer  # noqa: E402

from bot.content import Catalogue, load_catalogue  # noqa: E402
from bot.matching import Matcher, Semantics  # noqa: E402
from bot.matching.evaluation import load_queries  # noqa: E402

CONTENT = ROOT / "content" / "qa.yaml"
CVFAQ = ROOT.parent / "shared" / "content" / "cvfaq.yaml"
CVFAQ_QUERIES = ROOT.parent / "shared" / "eval" / "cvfaq-dev.yaml"
CACHE = Path(os.environ.get("QABOT_CACHE_DIR", ROOT / ".cache"))
QUERY_FILES = [ROOT.parent / "shared" / "eval" / "dev.yaml", ROOT / "bench" / "queries-extra.yaml"]
SYNTHETIC_SIZE = 10_000


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p50 = statistics.median(ordered)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return p50, p99


def time_each(fn: Callable[[str], object], queries: list[str], rounds: int) -> list[float]:
    for q in queries[:20]:  # warm caches the way a running bot has them warm
        fn(q)
    samples = []
    for _ in range(rounds):
        for q in queries:
            start = time.perf_counter()
            fn(q)
            samples.append(time.perf_counter() - start)
    return samples


def synthetic_catalogue(real: Catalogue, size: int, seed: int = 7) -> Catalogue:
    """Entries made from the real ones: sentences and aids recombined, words shuffled a little."""
    rng = random.Random(seed)
    sentences = [s for e in real.entries for s in e.answer.replace("\n\n", " ").split(". ") if s]
    questions = [e.question for e in real.entries]
    aids = [p for e in real.entries for p in e.phrasings]
    keywords = [k for e in real.entries for k in e.keywords]
    entries = []
    for number in range(1, size + 1):
        base = rng.choice(real.entries)
        words = rng.choice(questions).split()
        i, j = rng.randrange(len(words)), rng.randrange(len(words))
        words[i], words[j] = words[j], words[i]
        entries.append(
            dataclasses.replace(
                base,
                id=f"s{number}",
                number=number,
                question=" ".join(words),
                answer=". ".join(rng.sample(sentences, 3)),
                phrasings=tuple(rng.sample(aids, 2)),
                keywords=(*rng.sample(keywords, 4), f"code{number}"),
            )
        )
    return Catalogue(entries=tuple(entries), version="synthetic")


def startup_ms(codes: list[str], runs: int = 11) -> list[float]:
    """Fastest wall time of each snippet in a fresh interpreter, the snippets interleaved so
    that background load touches all of them alike."""
    best = [float("inf")] * len(codes)
    for _ in range(runs):
        for i, code in enumerate(codes):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, capture_output=True)
            best[i] = min(best[i], time.perf_counter() - start)
    return [b * 1000 for b in best]


def row(label: str, samples: list[float]) -> tuple[float, float]:
    p50, p99 = percentiles(samples)
    print(f"  {label:<34} p50 {p50 * 1e6:9.1f} µs   p99 {p99 * 1e6:9.1f} µs")
    return p50, p99


def corpus(label: str, catalogue: Catalogue, queries: list[str], semantics: Semantics) -> None:
    """qabot beside BM25 and the plain embedding on one corpus, per query, in one run."""
    print(f"\n{label}: {len(catalogue)} entries, {len(queries)} queries")
    matcher = Matcher(catalogue, semantics)
    rounds = max(1, 2000 // len(queries))
    ours, ours99 = row("qabot Matcher.match", time_each(matcher.match, queries, rounds))
    bm25, _ = row("BM25 (stemmed)", time_each(bm25_scorer(catalogue), queries, rounds))
    plain, _ = row(
        "all-MiniLM-L6-v2 alone", time_each(embedding_scorer(catalogue, semantics), queries, rounds)
    )
    print(f"  ratio qabot/BM25 {ours / bm25:.1f}x   qabot/embedding alone {ours / plain:.2f}x")
    print(f"  qabot p50 {ours * 1000:.1f} ms, p99 {ours99 * 1000:.1f} ms")


def rss_mb(code: str) -> float:
    """Resident memory of a fresh interpreter after running ``code``, in MB."""
    probe = code + "; print(open('/proc/self/status').read())"
    out = subprocess.run(
        [sys.executable, "-c", probe], check=True, cwd=ROOT, capture_output=True, text=True
    ).stdout
    kb = next(int(line.split()[1]) for line in out.splitlines() if line.startswith("VmRSS:"))
    return kb / 1024


def main() -> None:
    semantics = Semantics.load(None, None, CACHE)
    real = load_catalogue(CONTENT)
    queries = [q.text for path in QUERY_FILES if path.is_file() for q in load_queries(path)]
    print(f"matcher benchmark, Python {sys.version.split()[0]}; goals in parentheses")
    corpus("interior release (content/qa.yaml)", real, queries, semantics)
    if CVFAQ.is_file():
        faq_queries = (
            [q.text for q in load_queries(CVFAQ_QUERIES)] if CVFAQ_QUERIES.is_file() else []
        )
        corpus(
            "coronavirus.gov FAQ (goal at ~250: p50 <= 10 ms, p99 <= 30 ms)",
            load_catalogue(CVFAQ),
            faq_queries or queries,
            semantics,
        )

    big = synthetic_catalogue(real, SYNTHETIC_SIZE)
    with tempfile.TemporaryDirectory() as cold_dir:
        cold = Semantics.load(None, None, Path(cold_dir))
        start = time.perf_counter()
        Matcher(big, cold)
        cold_s = time.perf_counter() - start
        start = time.perf_counter()
        Matcher(big, Semantics.load(None, None, Path(cold_dir)))
        warm_s = time.perf_counter() - start
    print(f"\n{SYNTHETIC_SIZE} synthetic entries")
    print(f"  cold build, embedding everything: {cold_s:6.1f} s   (goal <= 180 s)")
    print(f"  warm build, vectors from the cache: {warm_s:6.1f} s")
    corpus(f"{SYNTHETIC_SIZE} synthetic entries (goal p50 <= 20 ms)", big, queries[:200], semantics)

    env_cache = f"import os; os.environ['QABOT_CACHE_DIR'] = {str(CACHE)!r}"
    bare, asked = startup_ms(
        [
            "import bot.cli",
            f"{env_cache}; from bot.cli import main; main(['ask', 'Q14'])",
        ],
        runs=5,
    )
    print("\nprocess (fastest of 5, interleaved; warm cache)")
    print(f"  import bot.cli:               {bare:6.0f} ms")
    print(f"  qabot ask, whole process:     {asked:6.0f} ms   (goal <= 600 ms)")
    serve_like = (
        f"{env_cache}; import bot.slack.runner; from bot.cli import build_matcher; "
        "from bot.settings import load_settings; m = build_matcher(load_settings()); "
        "m.match('warm up')"
    )
    print(
        f"  RSS with model and content loaded, as serve holds them idle: "
        f"{rss_mb(serve_like):.0f} MB   (goal <= 250 MB)"
    )


if __name__ == "__main__":
    main()
