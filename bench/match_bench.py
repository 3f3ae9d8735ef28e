"""Matcher speed, side by side with rapidfuzz's extractOne, on the real and a 10,000-entry corpus.

Run with `make bench`. Every figure is measured in this one run on this machine; the goals are
printed beside them as ratios, never asserted in unit tests.
"""

from __future__ import annotations

import dataclasses
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from rapidfuzz import fuzz, process

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.content import Catalogue, load_catalogue  # noqa: E402
from bot.matching import Matcher  # noqa: E402
from bot.matching.evaluation import load_queries  # noqa: E402

CONTENT = ROOT / "content" / "qa.yaml"
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


def extract_one(catalogue: Catalogue) -> Callable[[str], object]:
    choices = [e.question for e in catalogue.entries]
    return lambda q: process.extractOne(q, choices, scorer=fuzz.WRatio)


def startup_ms(codes: list[str], runs: int = 11) -> list[float]:
    """Fastest wall time of each snippet in a fresh interpreter, the snippets interleaved so
    that background load touches all of them alike."""
    best = [float("inf")] * len(codes)
    for _ in range(runs):
        for i, code in enumerate(codes):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
            best[i] = min(best[i], time.perf_counter() - start)
    return [b * 1000 for b in best]


def row(label: str, samples: list[float]) -> tuple[float, float]:
    p50, p99 = percentiles(samples)
    print(f"  {label:<34} p50 {p50 * 1e6:9.1f} µs   p99 {p99 * 1e6:9.1f} µs")
    return p50, p99


def main() -> None:
    real = load_catalogue(CONTENT)
    queries = [q.text for path in QUERY_FILES if path.is_file() for q in load_queries(path)]
    print(f"matcher benchmark: {len(queries)} queries, Python {sys.version.split()[0]}")

    print(f"\n{len(real)} entries (content/qa.yaml)")
    matcher = Matcher(real)
    ours, _ = row("qabot Matcher.match", time_each(matcher.match, queries, rounds=20))
    theirs, _ = row("rapidfuzz extractOne (WRatio)", time_each(extract_one(real), queries, 20))
    print(
        f"  ratio ours/extractOne: {ours / theirs:.2f}x   goal p50 <= 100 µs: {ours * 1e6:.0f} µs"
    )

    big = synthetic_catalogue(real, SYNTHETIC_SIZE)
    start = time.perf_counter()
    big_matcher = Matcher(big)
    build = time.perf_counter() - start
    print(f"\n{SYNTHETIC_SIZE} synthetic entries")
    print(f"  build the matcher: {build * 1000:.0f} ms   (goal < 2000 ms)")
    sample = queries * 2
    ours, _ = row("qabot Matcher.match", time_each(big_matcher.match, sample, rounds=1))
    theirs, _ = row("rapidfuzz extractOne (WRatio)", time_each(extract_one(big), sample, 1))
    print(
        f"  ratio ours/extractOne: {ours / theirs:.2f}x (goal <= 2x)   "
        f"goal p50 <= 5 ms: {ours * 1000:.2f} ms"
    )

    bare, loaded = startup_ms(
        [
            "import bot.cli",
            "from bot.cli import build_matcher; from bot.settings import load_settings; "
            "build_matcher(load_settings())",
        ]
    )
    print("\nprocess start (fastest of 11, interleaved)")
    print(f"  import bot.cli:                    {bare:6.0f} ms")
    print(f"  + load content and build matcher:  {loaded:6.0f} ms")
    print(f"  added by content and matcher:      {loaded - bare:6.0f} ms   (goal < 150 ms)")


if __name__ == "__main__":
    main()
