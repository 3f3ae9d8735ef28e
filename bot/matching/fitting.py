"""Fit the decision (``decision.py``) on labelled queries: deterministic, numpy only."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from bot.matching.decision import Choice, Decision, choose, decision_features

# A wrong official answer (or one to a question the content does not answer) costs this many
# missed right ones: far worse than none. At 3 the fitted threshold answered a sixth of the
# real off-document questions of the held-out sets; the targets allow a tenth to a twentieth.
WRONG_COST = 5.0
_RANK_POOL = 20  # candidates per query the ranking model learns from
_L2 = 1.0
_THRESHOLDS = np.round(np.arange(0.30, 0.951, 0.01), 2)
# The cost is flat and jagged near its minimum: a step's worth of noise in the vectors (as
# between CPUs) moves the lowest single point by several steps. The threshold is the middle
# of the lowest stretch of this many steps either side instead. With noise of 5e-4 to 1e-3
# added to the similarities, two steps gave 0.79 to 0.83; five gave 0.81 in 31 fits of 32.
_THRESHOLD_WINDOW = 5


@dataclass(frozen=True)
class Sample:
    """One labelled query: its candidate features, equal-answer groups and right entries."""

    candidates: np.ndarray  # (entries, RANK_FEATURES)
    groups: np.ndarray  # (entries,)
    right: frozenset[int]  # entry positions whose answer answers it; empty: should decline
    verbatim: int | None = None


@dataclass(frozen=True)
class Outcome:
    right: int
    wrong: int
    in_scope: int
    declined: int
    out_of_scope: int

    def line(self) -> str:
        return (
            f"right {self.right / max(1, self.in_scope):6.1%}  "
            f"wrong {self.wrong / max(1, self.in_scope):6.1%}  "
            f"declined {self.declined / max(1, self.out_of_scope):6.1%}"
        )


def logistic(x: np.ndarray, y: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, float]:
    """L2-regularised weighted logistic regression by Newton's method (bias not penalised)."""
    design = np.hstack([x, np.ones((len(x), 1))])
    beta = np.zeros(design.shape[1])
    penalty = np.diag([_L2] * x.shape[1] + [0.0])
    for _ in range(100):
        p = 1.0 / (1.0 + np.exp(-np.clip(design @ beta, -40, 40)))
        gradient = design.T @ (weights * (p - y)) + penalty @ beta
        hessian = (design * (weights * p * (1 - p))[:, None]).T @ design + penalty
        step = np.linalg.solve(hessian, gradient)
        beta -= step
        if np.abs(step).max() < 1e-10:
            break
    return beta[:-1], float(beta[-1])


def fit(collections: Mapping[str, Sequence[Sample]]) -> Decision:
    """Ranking model, then decision model, then threshold; every collection weighs the same."""
    rank_x, rank_y, rank_w = [], [], []
    for samples in collections.values():
        answerable = [s for s in samples if s.right]
        for s in answerable:
            pool = np.argsort(-s.candidates.sum(axis=1), kind="stable")[:_RANK_POOL]
            rank_x.append(s.candidates[pool])
            rank_y.append(np.array([i in s.right for i in pool], dtype=float))
            rank_w.append(np.full(len(pool), 1.0 / len(answerable)))
    rank_weights, rank_bias = logistic(
        np.vstack(rank_x), np.concatenate(rank_y), _normalised(np.concatenate(rank_w))
    )
    provisional = Decision(tuple(rank_weights), rank_bias, (), 0.0, 0.5)

    x, y, w = [], [], []
    for samples in collections.values():
        for s in samples:
            features, top = _top_features(provisional, s)
            x.append(features)
            y.append(float(top in s.right))
            w.append(1.0 / len(samples))
    weights, bias = logistic(np.array(x), np.array(y), _normalised(np.array(w)))
    fitted = Decision(tuple(rank_weights), rank_bias, tuple(weights), bias, 0.5)
    # The choices do not depend on the threshold: made once, then counted at each one.
    verdicts = [_verdicts(fitted, samples) for samples in collections.values()]
    costs = np.array([sum(_cost(v, t) for v in verdicts) for t in _THRESHOLDS])
    threshold = float(_THRESHOLDS[steadiest_minimum(costs, _THRESHOLD_WINDOW)])
    return Decision(
        tuple(float(v) for v in np.round(rank_weights, 6)),
        round(rank_bias, 6),
        tuple(float(v) for v in np.round(weights, 6)),
        round(bias, 6),
        threshold,
    )


def steadiest_minimum(costs: np.ndarray, window: int) -> int:
    """The index whose cost, averaged with ``window`` neighbours either side, is lowest."""
    padded = np.pad(costs, window, mode="edge")
    smoothed = np.convolve(padded, np.full(2 * window + 1, 1.0), mode="valid")
    return int(np.argmin(smoothed))


def outcome(
    decision: Decision, samples: Sequence[Sample], threshold: float | None = None
) -> Outcome:
    """Right, wrong and declined counts of ``decision`` on labelled samples."""
    limit = decision.threshold if threshold is None else threshold
    return _count(_verdicts(decision, samples), limit)


_Verdict = tuple[Sample, Choice | None]  # None: the official question, typed verbatim


def _verdicts(decision: Decision, samples: Sequence[Sample]) -> list[_Verdict]:
    return [
        (s, None if s.verbatim is not None else choose(decision, s.candidates, s.groups))
        for s in samples
    ]


def _count(verdicts: Sequence[_Verdict], threshold: float) -> Outcome:
    right = wrong = declined = in_scope = 0
    for s, choice in verdicts:
        if choice is None:
            answered, top = True, s.verbatim
        else:
            answered, top = choice.answers(threshold), choice.ranked[0][0]
        if s.right:
            in_scope += 1
            right += answered and top in s.right
            wrong += answered and top not in s.right
        else:
            declined += not answered
    return Outcome(right, wrong, in_scope, declined, len(verdicts) - in_scope)


def _top_features(decision: Decision, s: Sample) -> tuple[np.ndarray, int]:
    ranked = decision.rank(s.candidates)
    top = int(np.argmax(ranked))
    return decision_features(s.candidates, ranked, s.groups, top), top


def _cost(verdicts: Sequence[_Verdict], threshold: float) -> float:
    o = _count(verdicts, threshold)
    missed = o.in_scope - o.right
    answered_off = o.out_of_scope - o.declined
    return (missed + WRONG_COST * (o.wrong + answered_off)) / max(1, len(verdicts))


def _normalised(weights: np.ndarray) -> np.ndarray:
    return weights * (len(weights) / weights.sum())
