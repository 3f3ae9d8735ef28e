"""Queries asked from several threads at once share one model run, and each gets its own
vector, the same as when asked alone."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from bot.matching import Semantics
from bot.matching.semantic import Batcher

QUERIES = [
    "is the program still in effect",
    "who is a priority now",
    "what happens to people who came as children",
    "can my cousin apply for me",
    "how do I report a problem",
    "where can I read the memo",
]


def test_queries_asked_at_once_get_their_own_vectors_from_fewer_runs(
    semantics: Semantics,
) -> None:
    alone = semantics.encoder.encode(QUERIES)
    runs: list[int] = []
    gate = threading.Barrier(len(QUERIES))

    def encode(texts: Sequence[str]) -> np.ndarray:
        runs.append(len(texts))
        return semantics.encoder.encode(texts)

    batcher = Batcher(encode)

    def ask(text: str) -> np.ndarray:
        gate.wait()  # all six arrive together, as a burst does
        return batcher.embed(text)

    with ThreadPoolExecutor(len(QUERIES)) as pool:
        together = list(pool.map(ask, QUERIES))
    assert sum(runs) == len(QUERIES) and len(runs) < len(QUERIES)
    for mine, single in zip(together, alone, strict=True):
        assert np.allclose(mine, single, atol=1e-5)


def test_a_failed_run_fails_every_query_in_it_and_the_next_run_works() -> None:
    calls = 0

    def encode(texts: Sequence[str]) -> np.ndarray:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("model failed")
        return np.array([[float(len(t))] for t in texts])

    batcher = Batcher(encode)
    with pytest.raises(RuntimeError, match="model failed"):
        batcher.embed("first")
    assert batcher.embed("second")[0] == 6.0
