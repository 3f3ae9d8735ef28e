"""Whether to answer: one probability, from features of the best candidate, fitted on labels.

Two small logistic models, both fitted by ``tools/fit_decision.py`` and stored in
``data/decision.json``: one ranks entries from their similarities and word evidence, the other
turns the winner's evidence and its lead over the next *different* answer into the probability
that it answers the question. The file is data; nothing here is tuned by hand.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from importlib import resources

import numpy as np

RANK_FEATURES = ("question_similarity", "answer_similarity", "lexical", "gist_similarity")
DECISION_FEATURES = (
    "rank_logit",
    "rank_margin",
    "question_similarity",
    "answer_similarity",
    "lexical",
    "question_margin",
    "lexical_best",
    "lexical_agrees",
    "gist_similarity",
)


# A rival with another answer whose ranking odds are within 5% of the top's is a coin toss
# between two official answers: asking beats guessing, however confident both look.
TIE_LOG_ODDS = math.log(1.05)


class DecisionError(Exception):
    """The parameters file does not fit this code."""


@dataclass(frozen=True)
class Decision:
    """Fitted weights of the ranking and decision models and the answering threshold."""

    rank_weights: tuple[float, ...]
    rank_bias: float
    weights: tuple[float, ...]
    bias: float
    threshold: float

    def rank(self, candidates: np.ndarray) -> np.ndarray:
        """Probability-like ranking score of each candidate row (``RANK_FEATURES``)."""
        return _sigmoid(candidates @ np.asarray(self.rank_weights) + self.rank_bias)

    def probability(self, features: np.ndarray) -> float:
        """The probability that the top candidate answers the query (``DECISION_FEATURES``)."""
        return float(_sigmoid(np.asarray(features) @ np.asarray(self.weights) + self.bias))

    def as_dict(self) -> dict[str, object]:
        return {
            "rank_features": list(RANK_FEATURES),
            "rank_weights": [round(w, 6) for w in self.rank_weights],
            "rank_bias": round(self.rank_bias, 6),
            "decision_features": list(DECISION_FEATURES),
            "weights": [round(w, 6) for w in self.weights],
            "bias": round(self.bias, 6),
            "threshold": round(self.threshold, 4),
        }


def decision_features(
    candidates: np.ndarray, ranked: np.ndarray, groups: np.ndarray, top: int
) -> np.ndarray:
    """Evidence for the top candidate, and its lead over the best candidate with another answer."""
    other = groups != groups[top]
    rival_rank = float(ranked[other].max()) if other.any() else 0.0
    rival_question = float(candidates[other, 0].max()) if other.any() else 0.0
    lexical = candidates[:, 2]
    top_rank = float(ranked[top])
    return np.array(
        [
            float(_log_odds(ranked[top])),
            top_rank - rival_rank,
            candidates[top, 0],
            candidates[top, 1],
            lexical[top],
            candidates[top, 0] - rival_question,
            lexical.max(),
            float(lexical.max() > 0 and lexical[top] >= lexical.max()),
            candidates[top, 3],
        ]
    )


@dataclass(frozen=True)
class Choice:
    """Candidates with their probabilities, most probable first, and whether two differ by a
    coin toss."""

    ranked: tuple[tuple[int, float], ...]  # (entry position, probability)
    tied: bool

    def answers(self, threshold: float) -> bool:
        """Whether the most probable candidate is the answer at ``threshold``."""
        return bool(self.ranked) and not self.tied and self.ranked[0][1] >= threshold


def choose(
    decision: Decision, candidates: np.ndarray, groups: np.ndarray, limit: int = 6
) -> Choice:
    """The best entry of each of the ``limit`` best-ranked different answers."""
    ranked = decision.rank(candidates)
    picks: list[int] = []
    seen: set[int] = set()
    for i in np.argsort(-ranked, kind="stable")[: 4 * limit]:
        if int(groups[i]) not in seen:
            seen.add(int(groups[i]))
            picks.append(int(i))
            if len(picks) == limit:
                break
    scored = sorted(
        (
            (i, decision.probability(decision_features(candidates, ranked, groups, i)))
            for i in picks
        ),
        key=lambda pair: -pair[1],
    )
    odds = _log_odds(ranked[picks])
    tied = len(picks) > 1 and odds[0] - odds[1] < TIE_LOG_ODDS
    return Choice(tuple(scored), tied)


def load_decision(text: str | None = None) -> Decision:
    """The fitted parameters shipped with the package (or given as JSON text)."""
    if text is None:
        text = resources.files("bot.matching").joinpath("data/decision.json").read_text("utf-8")
    data = json.loads(text)
    if (
        tuple(data.get("rank_features", ())) != RANK_FEATURES
        or tuple(data.get("decision_features", ())) != DECISION_FEATURES
    ):
        raise DecisionError("decision.json was fitted for other features: rerun the fit script")
    return Decision(
        rank_weights=tuple(data["rank_weights"]),
        rank_bias=float(data["rank_bias"]),
        weights=tuple(data["weights"]),
        bias=float(data["bias"]),
        threshold=float(data["threshold"]),
    )


def _log_odds(p: np.ndarray | float) -> np.ndarray:
    clipped = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(clipped / (1.0 - clipped))


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -40.0, 40.0)))
