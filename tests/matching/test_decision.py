"""The answer/decline decision: fitted deterministically, shipped as the fit writes it."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from bot.matching.decision import (
    DECISION_FEATURES,
    RANK_FEATURES,
    DecisionError,
    choose,
    load_decision,
)
from bot.matching.fitting import Sample, fit, outcome, steadiest_minimum
from tests.conftest import CVFAQ, DEV_SET, ROOT, require


def synthetic(seed: int, n: int = 120, entries: int = 12) -> list[Sample]:
    """Queries whose right entry stands out in its features; a third answerable by none."""
    rng = np.random.default_rng(seed)
    samples = []
    for q in range(n):
        candidates = rng.uniform(0.0, 0.5, size=(entries, len(RANK_FEATURES)))
        right = int(rng.integers(entries))
        if q % 3:
            candidates[right] += rng.uniform(0.2, 0.5, size=len(RANK_FEATURES))
        samples.append(Sample(candidates, np.arange(entries), frozenset({right} if q % 3 else ())))
    return samples


def test_fit_is_deterministic_and_learns() -> None:
    data = {"a": synthetic(1), "b": synthetic(2)}
    first, second = fit(data), fit(data)
    assert first == second
    assert json.dumps(first.as_dict()) == json.dumps(second.as_dict())
    held_out = outcome(first, synthetic(3))
    assert held_out.right / held_out.in_scope > 0.8
    assert held_out.declined / held_out.out_of_scope > 0.8
    # Every similarity and the word evidence count for an entry, none against it.
    assert all(w > 0 for w in first.rank_weights)


def test_the_threshold_sits_in_a_broad_valley_not_a_lone_dip() -> None:
    costs = np.array([0.9, 0.8, 0.8, 0.8, 0.8, 0.8, 0.9, 0.75, 0.9, 0.95])
    # The lone dip at 7 is the lowest point; the stretch around 3 is lowest on average.
    assert int(np.argmin(costs)) == 7
    assert steadiest_minimum(costs, 2) == 3
    assert steadiest_minimum(costs, 0) == 7


def test_shipped_parameters_load() -> None:
    decision = load_decision()
    assert 0.0 < decision.threshold < 1.0
    assert len(decision.weights) == len(DECISION_FEATURES)
    assert len(decision.rank_weights) == len(RANK_FEATURES)


def test_parameters_for_other_features_are_refused() -> None:
    data = load_decision().as_dict()
    data["decision_features"] = ["something", "else"]
    with pytest.raises(DecisionError, match="rerun the fit script"):
        load_decision(json.dumps(data))


def test_a_tie_between_different_answers_declines() -> None:
    decision = load_decision()
    strong = np.array([[0.95, 0.8, 0.9, 0.9], [0.95, 0.8, 0.9, 0.9], [0.1, 0.1, 0.0, 0.1]])
    assert not choose(decision, strong, np.array([0, 1, 2])).answers(0.0)
    # The same evidence on two entries of one answer is no tie.
    assert choose(decision, strong, np.array([0, 0, 2])).answers(0.0)


def test_shipped_parameters_are_what_the_fit_script_writes() -> None:
    require(DEV_SET)
    require(CVFAQ)
    result = subprocess.run(
        [sys.executable, "tools/fit_decision.py", "--check"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "fitted without" in result.stdout  # the cross-document lines
